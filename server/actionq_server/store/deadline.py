"""The caller's deadline, carried into PostgreSQL as `statement_timeout`, so a
call its client gave up on stops its SQL instead of holding locks and a
connection for nobody.

The API layer sets the deadline for the duration of a call (`until`); the
pool applies it to every connection it hands out (`apply` is its `setup`). A `SET` is a round
trip, so it is sent only when the connection's timeout is not already within
a small margin above what the call has left: with the usual fixed client
timeouts, a pooled connection keeps its setting from call to call.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from contextvars import ContextVar

import asyncpg

# time.monotonic() at which the caller stops waiting; None: no deadline.
_deadline: ContextVar[float | None] = ContextVar("actionq_deadline", default=None)
# statement_timeout (ms, 0 = none) in force per backend pid, as last set here.
_applied: dict[int, int] = {}
# A statement may run this much past the deadline (the answer must still
# reach the client) and a connection's setting is reused within this slack.
GRACE_MS = 250
SLACK_FRACTION = 0.25
MIN_SLACK_MS = 1000


@contextlib.contextmanager
def until(seconds_left: float | None) -> Iterator[None]:
    """Run the block with a deadline `seconds_left` from now (None: none)."""
    token = _deadline.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _deadline.reset(token)


def wanted_ms() -> int:
    """The statement_timeout the current call needs (0: none)."""
    deadline = _deadline.get()
    if deadline is None:
        return 0
    return max(1, math.ceil((deadline - time.monotonic()) * 1000) + GRACE_MS)


def forget(conn: asyncpg.Connection) -> None:
    """A new connection starts without a timeout (and may reuse a dead one's pid)."""
    _applied[conn.get_server_pid()] = 0


async def apply(conn: asyncpg.Connection) -> None:
    """Give `conn` the current call's statement_timeout, unless it has one close enough."""
    want = wanted_ms()
    pid = conn.get_server_pid()
    have = _applied.get(pid, 0)
    if want == 0:
        if have == 0:
            return
    elif want <= have <= want + max(MIN_SLACK_MS, int(want * SLACK_FRACTION)):
        return
    # Unknown until the SET is known to have run (a cancelled call may stop
    # this await after PostgreSQL applied it): the next acquire sets it again.
    _applied[pid] = -1
    # An integer of milliseconds, formatted by us: SET takes no bind parameters.
    await conn.execute(f"SET statement_timeout = {int(want)}")
    _applied[pid] = want
