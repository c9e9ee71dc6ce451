"""Retention: finished actions deleted in bounded batches, the event log
shortened by dropping whole partitions (migration 0004), and the check that a
reader's cursor does not point into what was dropped."""

from __future__ import annotations

import logging

import asyncpg

from ..domain.errors import OutOfRange, Reason
from ..domain.models import LogPosition, PruneOutcome
from .errors import translated
from .sql import query

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


def cursor_expired(field: str, oldest: LogPosition) -> OutOfRange:
    """The error of a cursor below the oldest position retention kept."""
    token = oldest.token()
    error = OutOfRange(
        f"{field}: the cursor points into the part of the event log that retention "
        f"dropped; resume from {token} (events before it are gone)",
        reason=Reason.CURSOR_EXPIRED,
    )
    error.metadata.update(field=field, oldest_cursor=token)
    return error


def check_cursor(
    after: LogPosition, pruned_txid: int | None, pruned_id: int | None, field: str = "after_cursor"
) -> None:
    """Refuse a cursor that lies before the highest dropped position. The empty
    cursor (the start) reads whatever the log kept; the oldest cursor itself is
    where reading resumes."""
    if pruned_txid is None or pruned_id is None or after == LogPosition.start():
        return
    oldest = LogPosition(pruned_txid, pruned_id)
    if after < oldest:
        raise cursor_expired(field, oldest)


class Retention:
    """Prunes one schema's finished actions and old event partitions."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @translated
    async def prune(self, older_than_seconds: float, limit: int = DEFAULT_LIMIT) -> PruneOutcome:
        """One bounded batch: delete up to `limit` actions that finished more
        than `older_than_seconds` ago (children before their parents) and the
        finished workflow runs left without actions, then drop
        the event partitions wholly before that cutoff and create those ahead."""
        async with self._pool.acquire() as conn:
            try:
                pruned, more = await self._delete_batch(conn, older_than_seconds, limit)
            except asyncpg.ForeignKeyViolationError:
                # A child of a batch member committed after the batch read the
                # table; the next batch sees it and leaves its parent alone.
                pruned, more = await self._delete_batch(conn, older_than_seconds, limit)
            dropped: int = await conn.fetchval(
                query("retention_drop_partitions"), older_than_seconds
            )
            oldest = await _pruned_through(conn)
        if pruned or dropped:
            log.info("retention: pruned %d actions, dropped %d event partitions", pruned, dropped)
        return PruneOutcome(pruned, dropped, more, oldest)

    @staticmethod
    async def _delete_batch(
        conn: asyncpg.Connection, older_than_seconds: float, limit: int
    ) -> tuple[int, bool]:
        async with conn.transaction():
            pruned: int = await conn.fetchval(
                query("retention_prune_actions"), older_than_seconds, limit
            )
            more: bool = await conn.fetchval(query("retention_more"), older_than_seconds)
            await conn.fetchval(query("retention_prune_workflows"), older_than_seconds, limit)
        return pruned, more

    @translated
    async def create_partitions(self) -> None:
        """Make sure the event log has partitions for now and the periods ahead
        (at server start, before serving: after a long downtime none may cover now)."""
        async with self._pool.acquire() as conn:
            await conn.fetchval(query("retention_create_partitions"))

    @translated
    async def oldest_cursor(self) -> LogPosition | None:
        """The highest position retention dropped; None while nothing was."""
        async with self._pool.acquire() as conn:
            return await _pruned_through(conn)


async def _pruned_through(conn: asyncpg.Connection) -> LogPosition | None:
    row = await conn.fetchrow(query("retention_pruned_through"))
    if row is None or row["pruned_txid"] is None:
        return None
    return LogPosition(row["pruned_txid"], row["pruned_id"])
