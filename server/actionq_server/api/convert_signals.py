"""Requests and responses of Suspend and Signal."""

from __future__ import annotations

from datetime import datetime

from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb

from ..domain import validation as v
from ..domain.errors import InvalidArgument
from ..store.signals import BROADCAST, ONE, SignalOutcome, WakeUp
from . import convert as c

MAX_SIGNAL_NAME = 200
MAX_TIMEOUT_SECONDS = 100 * 365.25 * 86400
MAX_KEEP_SECONDS = 30 * 86400.0
DEFAULT_KEEP_SECONDS = 24 * 3600.0
MODES: dict[int, str] = {
    pb.SIGNAL_MODE_UNSPECIFIED: BROADCAST,
    pb.SIGNAL_MODE_BROADCAST: BROADCAST,
    pb.SIGNAL_MODE_ONE: ONE,
}


def label(field: str, value: str, *, required: bool) -> str:
    """A signal or step name: 1 to 200 printable characters."""
    if not value:
        if required:
            raise InvalidArgument(field, "is required")
        return value
    if len(value) > MAX_SIGNAL_NAME:
        raise InvalidArgument(field, f"is longer than {MAX_SIGNAL_NAME} characters")
    if not value.isprintable():
        raise InvalidArgument(field, "must use only printable characters")
    return value


def wait_end(request: spb.SuspendRequest, signal: str) -> tuple[datetime | None, float | None]:
    """A Suspend's until or timeout (at most one; a sleep needs one)."""
    has_until, has_timeout = request.HasField("until"), request.HasField("timeout")
    if has_until and has_timeout:
        raise InvalidArgument("timeout", "give until or timeout, not both")
    if not signal and not (has_until or has_timeout):
        raise InvalidArgument("until", "a sleep (no signal) needs until or timeout")
    until = None
    if has_until:
        until = v.timestamp("until", request.until.seconds, request.until.nanos)
    timeout = c.duration(request, "timeout", low=0.0, high=MAX_TIMEOUT_SECONDS)
    return until, timeout


def mode(value: int) -> str:
    """A SignalMode as stored."""
    if value not in MODES:
        raise InvalidArgument("mode", f"{value} is not a known signal mode")
    return MODES[value]


def keep(request: spb.SignalRequest) -> float:
    """How long a signal is kept, in seconds."""
    seconds = c.duration(
        request, "keep", low=0.0, high=MAX_KEEP_SECONDS, default=DEFAULT_KEEP_SECONDS
    )
    assert seconds is not None
    return seconds


def wake_up(w: WakeUp) -> pb.WakeUp:
    """The wire form of a wake-up."""
    m = pb.WakeUp(
        step=w.step,
        signal=w.signal,
        payload_json=w.payload,
        timed_out=w.timed_out,
        signal_id=w.signal_id,
    )
    if w.woke_at is not None:
        m.woke_at.FromDatetime(w.woke_at)
    return m


def signal_response(s: SignalOutcome) -> spb.SignalResponse:
    """The wire form of what a Signal did."""
    m = spb.SignalResponse(signal_id=s.signal_id, woken=s.woken)
    if s.kept_until is not None:
        m.kept_until.FromDatetime(s.kept_until)
    return m
