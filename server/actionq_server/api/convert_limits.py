"""SetQueueLimits requests to domain limits (validated; errors name
`limits[i].<field>`), and limits to their wire form."""

from __future__ import annotations

from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb

from ..domain import validation as v
from ..domain.errors import InvalidArgument
from ..domain.limits import (
    MAX_LIMITS,
    MAX_PERIOD_SECONDS,
    MIN_PERIOD_SECONDS,
    SCOPE_KEY,
    SCOPE_QUEUE,
    SCOPE_TYPE,
    QueueLimit,
)

_SCOPES = {
    pb.LIMIT_SCOPE_QUEUE: SCOPE_QUEUE,
    pb.LIMIT_SCOPE_ACTION_TYPE: SCOPE_TYPE,
    pb.LIMIT_SCOPE_CONCURRENCY_KEY: SCOPE_KEY,
}
_WIRE_SCOPES = {name: number for number, name in _SCOPES.items()}
# The default period of a rate.
DEFAULT_PERIOD_SECONDS = 1.0


def requested_limits(request: spb.SetQueueLimitsRequest) -> list[QueueLimit]:
    """The request's limits, each checked; a (scope, action type) given twice
    is refused."""
    if len(request.limits) > MAX_LIMITS:
        raise InvalidArgument("limits", f"at most {MAX_LIMITS} limits per call")
    found: list[QueueLimit] = []
    seen: set[tuple[str, str]] = set()
    for i, m in enumerate(request.limits):
        limit = _limit(f"limits[{i}]", m)
        if (limit.scope, limit.match) in seen:
            raise InvalidArgument(
                f"limits[{i}]", "repeats the scope (and action type) of an earlier limit"
            )
        seen.add((limit.scope, limit.match))
        found.append(limit)
    return found


def _limit(at: str, m: pb.QueueLimit) -> QueueLimit:
    scope = _SCOPES.get(m.scope)
    if scope is None:
        raise InvalidArgument(
            f"{at}.scope",
            "must be LIMIT_SCOPE_QUEUE, LIMIT_SCOPE_ACTION_TYPE or LIMIT_SCOPE_CONCURRENCY_KEY",
        )
    if scope == SCOPE_TYPE:
        match = v.name(f"{at}.action_type", m.action_type)
    elif m.action_type:
        raise InvalidArgument(f"{at}.action_type", "is only for LIMIT_SCOPE_ACTION_TYPE")
    else:
        match = ""
    if m.concurrency < 0:
        raise InvalidArgument(f"{at}.concurrency", "must not be negative (0: no concurrency limit)")
    if m.rate < 0:
        raise InvalidArgument(f"{at}.rate", "must not be negative (0: no rate limit)")
    period = DEFAULT_PERIOD_SECONDS
    if m.HasField("period"):
        period = v.duration(
            f"{at}.period",
            m.period.seconds,
            m.period.nanos,
            low=MIN_PERIOD_SECONDS,
            high=MAX_PERIOD_SECONDS,
        )
    return QueueLimit(
        scope=scope,
        match=match,
        concurrency=m.concurrency or None,
        rate=m.rate or None,
        period_seconds=period if m.rate else None,
    )


def limit_message(limit: QueueLimit) -> pb.QueueLimit:
    """The wire form of a stored limit."""
    m = pb.QueueLimit(
        scope=_WIRE_SCOPES[limit.scope],
        action_type=limit.match,
        concurrency=limit.concurrency or 0,
        rate=limit.rate or 0,
    )
    if limit.period_seconds is not None:
        whole = int(limit.period_seconds)
        m.period.seconds = whole
        m.period.nanos = round((limit.period_seconds - whole) * 1e9)
    return m
