"""What one client may hold of the server: the size of a request, the calls it
keeps open (WatchEvents streams, long polls) per connection and per token,
and the deadline its SQL runs under. Each refusal names the setting.

Message size: gRPC refuses a request larger than twice the limit before it is
read (a hard memory bound, with gRPC's own RESOURCE_EXHAUSTED); between the
limit and that bound the refusal here names ACTIONQ_MAX_MESSAGE_BYTES.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ..config import ServerLimits
from ..domain.errors import LimitExceeded
from ..store import deadline
from .around import AroundInterceptor
from .auth import current

MAX_CONCURRENT_STREAMS = 1000
STREAMS = frozenset({"WatchEvents"})
# Calls that may park for long: WaitAction always, Claim when it asks to wait.
LONG_POLLS = frozenset({"WaitAction", "Claim"})


def _parks(method: str, request: Any) -> bool:
    if method == "Claim":
        return bool(request.HasField("wait")) and (request.wait.seconds or request.wait.nanos) > 0
    return method in LONG_POLLS


class Held:
    """Counts of open calls of one kind, by connection and by principal."""

    def __init__(self, kind: str, per_connection: tuple[str, int], per_principal: tuple[str, int]):
        self.kind = kind
        self._per_connection = per_connection
        self._per_principal = per_principal
        self._by_connection: Counter[str] = Counter()
        self._by_principal: Counter[str] = Counter()

    @contextlib.contextmanager
    def one(self, connection: str, principal: str | None) -> Iterator[None]:
        """Hold one call for the block, or refuse it when a limit is reached."""
        for counts, key, (setting, limit), whose in (
            (self._by_connection, connection, self._per_connection, "this connection"),
            (self._by_principal, principal, self._per_principal, f"token {principal}"),
        ):
            if key is not None and counts[key] >= limit:
                raise LimitExceeded(
                    f"{whose} already holds {counts[key]} open {self.kind}",
                    limit=setting,
                    value=limit,
                )
        self._by_connection[connection] += 1
        if principal is not None:
            self._by_principal[principal] += 1
        try:
            yield
        finally:
            _release(self._by_connection, connection)
            if principal is not None:
                _release(self._by_principal, principal)

    def open(self) -> int:
        """Calls held now (for tests and metrics)."""
        return sum(self._by_connection.values())


def _release(counts: Counter[str], key: str) -> None:
    counts[key] -= 1
    if counts[key] <= 0:
        del counts[key]


class LimitsInterceptor(AroundInterceptor):
    """Applies ServerLimits to every actionq call. Sits inside the auth check
    (the principal is known) and the ErrorInterceptor (which turns its
    refusals into RESOURCE_EXHAUSTED with reason LIMIT_EXCEEDED)."""

    def __init__(self, limits: ServerLimits) -> None:
        self._limits = limits
        self.watches = Held(
            "WatchEvents streams",
            ("ACTIONQ_MAX_WATCHES_PER_CONNECTION", limits.watches_per_connection),
            ("ACTIONQ_MAX_WATCHES_PER_PRINCIPAL", limits.watches_per_principal),
        )
        self.long_polls = Held(
            "long polls (Claim with a wait, WaitAction)",
            ("ACTIONQ_MAX_LONG_POLLS_PER_CONNECTION", limits.long_polls_per_connection),
            ("ACTIONQ_MAX_LONG_POLLS_PER_PRINCIPAL", limits.long_polls_per_principal),
        )
        super().__init__(self._limited)

    @contextlib.asynccontextmanager
    async def _limited(self, method: str, context: Any, request: Any) -> AsyncIterator[None]:
        size = request.ByteSize()
        if size > self._limits.max_message_bytes:
            raise LimitExceeded(
                f"{method}: the request is {size} bytes",
                limit="ACTIONQ_MAX_MESSAGE_BYTES",
                value=self._limits.max_message_bytes,
            )
        held = (
            self.watches
            if method in STREAMS
            else self.long_polls
            if _parks(method, request)
            else None
        )
        principal = current.get()
        token_id = principal.token_id if principal is not None else None
        with contextlib.ExitStack() as stack:
            if held is not None:
                stack.enter_context(held.one(context.peer(), token_id))
            # Streams run as long as their reader wants: no deadline for their SQL.
            if method not in STREAMS:
                stack.enter_context(deadline.until(context.time_remaining()))
            yield


def grpc_options(limits: ServerLimits) -> list[tuple[str, int]]:
    """The channel arguments that enforce the transport side of the limits."""
    return [
        # Refused unread past twice the limit; between the two, LIMIT_EXCEEDED names it.
        ("grpc.max_receive_message_length", 2 * limits.max_message_bytes),
        ("grpc.keepalive_time_ms", int(limits.keepalive * 1000)),
        ("grpc.keepalive_timeout_ms", int(limits.keepalive_timeout * 1000)),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", int(limits.min_ping_interval * 1000)),
        ("grpc.http2.max_ping_strikes", 2),
        # HTTP/2 streams one connection may open at once (more wait in the client).
        ("grpc.max_concurrent_streams", MAX_CONCURRENT_STREAMS),
    ]
