"""Concurrency and rate limits on claims (migration 0008's queue_limits and
rate_buckets; the SQL in queries/limits.sql).

A queue with any limit is marked `limited` on its row. The plain claim
statements (queries/actions.sql) leave limited queues out, at the cost of one
boolean they read anyway; a claim that names a limited queue takes it through
`LimitedClaims.claim`: per limited queue, one transaction that locks the queue
row, then counts, picks and claims in a statement of its own (see the SQL).
Within one server, the limited claims of a queue take turns before they take
a pool connection.

Which queues are limited is cached per server and read again at most every
REFRESH_SECONDS. The cache only routes: a server that has not yet seen a new
limit claims nothing from that queue (the plain statements skip it) until it
reads the flag, and one that still thinks a queue limited claims from it
through the limited path, which then finds no limit. Either way no limit is
overshot."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..domain.limits import QueueLimit
from ..domain.models import Claimed, ClaimSpec
from .errors import translated
from .sql import query

if TYPE_CHECKING:
    from .repository import Store

# How long a server trusts its list of limited queues.
REFRESH_SECONDS = 1.0
# The candidates a limited claim looks at per claimed action asked for (at
# least MIN_SCAN): per-type and per-key trimming happens among them.
SCAN_FACTOR = 10
MIN_SCAN = 100
# A waiting claim on a limited queue with nothing to take looks again at the
# latest after this long (a freed slot also wakes it by notification, and a
# rate limit's next token by the time it falls due).
RECHECK_SECONDS = 1.0
MIN_RECHECK_SECONDS = 0.005


class LimitedClaims:
    """The limited-queue side of a store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._limited: frozenset[str] = frozenset()
        self._rated: frozenset[str] = frozenset()
        self._fresh_until = 0.0
        # One limited claim per queue at a time in this server: the others
        # wait here, not on the queue row's lock holding a pool connection
        # each (which would starve the claims of unlimited queues).
        self._claiming: dict[str, asyncio.Lock] = {}

    def forget(self) -> None:
        """Read the limited queues again before the next claim."""
        self._fresh_until = 0.0

    async def among(self, queues: Sequence[str]) -> list[str]:
        """Which of these queues are limited (as last read, at most
        REFRESH_SECONDS ago)."""
        if time.monotonic() >= self._fresh_until:
            self._fresh_until = time.monotonic() + REFRESH_SECONDS
            try:
                async with self._store._connection() as conn:
                    rows = await conn.fetch(query("limits_limited_queues"))
            except BaseException:
                self._fresh_until = 0.0
                raise
            self._limited = frozenset(r["name"] for r in rows)
            self._rated = frozenset(r["name"] for r in rows if r["rated"])
        if not self._limited:
            return []
        return [q for q in queues if q in self._limited]

    async def claim(self, spec: ClaimSpec, limited: list[str]) -> list[Claimed]:
        """Claim from the limited queues first (each in its own transaction,
        in the order given), then from the others with what is left."""
        from .repository import RESPONSE_JSON_BUDGET

        claimed: list[Claimed] = []
        budget = RESPONSE_JSON_BUDGET
        for queue in limited:
            left = spec.max_actions - len(claimed)
            if left <= 0 or budget <= 0:
                return claimed
            got = await self._claim_queue(queue, spec, left, budget)
            claimed += got
            budget -= sum(c.action.payload_bytes for c in got)
        rest = [q for q in spec.queues if q not in limited]
        left = spec.max_actions - len(claimed)
        if rest and left > 0 and budget > 0:
            plain = ClaimSpec(
                worker=spec.worker,
                queues=rest,
                action_types=spec.action_types,
                project=spec.project,
                max_actions=left,
                lease_seconds=spec.lease_seconds,
            )
            claimed += await self._store.claim_unlimited(plain, budget)
        return claimed

    async def _claim_queue(
        self, queue: str, spec: ClaimSpec, max_actions: int, budget: int
    ) -> list[Claimed]:
        from .repository import action_from_row

        lock = self._claiming.get(queue)
        if lock is None:
            lock = self._claiming[queue] = asyncio.Lock()
        async with lock, self._store._connection() as conn, conn.transaction():
            held = await conn.fetchrow(query("limits_lock_queue"), queue)
            if held is None or held["paused"]:
                return []
            rows = await conn.fetch(
                query("limits_claim"),
                queue,
                spec.project,
                max_actions,
                spec.worker,
                spec.lease_seconds,
                budget,
                list(spec.action_types) or None,
                max(MIN_SCAN, SCAN_FACTOR * max_actions),
            )
        return [Claimed(action_from_row(r), str(r["lease_token"])) for r in rows]

    @translated
    async def recheck_seconds(self, queues: Sequence[str]) -> float | None:
        """For a claim that found nothing: how long it may wait before looking
        again at its limited queues (None: none is limited, wait for
        notifications only). The time until a rate limit's next token, at most
        RECHECK_SECONDS."""
        limited = await self.among(queues)
        if not limited:
            return None
        rated = [q for q in limited if q in self._rated]
        if not rated:
            return RECHECK_SECONDS
        async with self._store._connection() as conn:
            seconds = await conn.fetchval(query("limits_next_token"), rated)
        if seconds is None or not math.isfinite(seconds):
            return RECHECK_SECONDS
        return min(RECHECK_SECONDS, max(MIN_RECHECK_SECONDS, float(seconds)))

    @translated
    async def set_limits(
        self, queue: str, limits: Sequence[QueueLimit], *, replace: bool, actor: str
    ) -> None:
        """Set (or, with neither concurrency nor rate, remove) each limit, after
        removing every other first when `replace`; creates the queue; sets its
        limited flag; event queue_limits_updated. One transaction."""
        async with self._store._connection() as conn, conn.transaction():
            await conn.execute(query("limits_queue_lock"), queue)
            await conn.fetchrow(query("limits_queue_hold"), queue)
            if replace:
                await conn.execute(query("limits_delete_all"), queue)
            if limits:
                await conn.execute(
                    query("limits_upsert"),
                    queue,
                    [lim.scope for lim in limits],
                    [lim.match for lim in limits],
                    [lim.concurrency for lim in limits],
                    [lim.rate for lim in limits],
                    [lim.period_seconds for lim in limits],
                )
            await conn.execute(query("limits_settle"), queue, actor, replace)
        self.forget()

    @translated
    async def of(self, name: str = "") -> dict[str, tuple[QueueLimit, ...]]:
        """The limits of every queue (or of the named one), by queue."""
        async with self._store._connection() as conn:
            rows = await conn.fetch(query("limits_list"), name)
        found: dict[str, list[QueueLimit]] = {}
        for r in rows:
            found.setdefault(r["queue"], []).append(
                QueueLimit(
                    scope=r["scope"],
                    match=r["match"],
                    concurrency=r["concurrency"],
                    rate=r["rate"],
                    period_seconds=r["period_seconds"],
                )
            )
        return {q: tuple(v) for q, v in found.items()}
