"""The one repository: every read and write of actions and events."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar

import asyncpg

from ..domain.errors import (
    Aborted,
    ActionqError,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    RateLimited,
    Reason,
    action_not_found,
)
from ..domain.models import (
    Action,
    ActionFilter,
    Checkpoint,
    Claimed,
    ClaimSpec,
    Completion,
    Enqueued,
    EnqueueResult,
    Event,
    EventFilter,
    EventPage,
    HeartbeatOutcome,
    LogPosition,
    MigrationReport,
    NewAction,
    Queue,
    QueueSettings,
    QueueStat,
    RequestKey,
    RetryFilter,
    Status,
)
from ..domain.workflows import check_graph, in_workflow
from . import deadline, migrator, workflows
from .errors import translated
from .limits import LimitedClaims
from .retention import check_cursor
from .sql import query

log = logging.getLogger(__name__)

RATE_LIMITED_PREFIXES = ("agent:", "script:")
# The JSON one read response may carry (payloads, results): a page, a claimed
# batch or a swept batch stops short of it (keeping at least one item, at most
# 2 MB of JSON), so that every read fits gRPC's default 4 MB receive limit
# whatever was stored.
RESPONSE_JSON_BUDGET = 3 * 1024 * 1024

# The actions and events tables' columns in table order, which is what
# `SELECT *` and `RETURNING a.*` return first; rows are converted by position.
# Action carries every column but lease_token, which Claimed carries.
# tests/integration/test_migrations.py holds the tables to this order.
# trace_context (migration 0010) comes after internal columns: read by name.
ACTION_COLUMNS = (*Action._fields[:14], "lease_token", *Action._fields[14:-1])
QUEUE_COLUMNS = Queue.__dataclass_fields__
EVENT_COLUMNS = Event._fields
_LEASE_TOKEN = ACTION_COLUMNS.index("lease_token")
_STATUS = ACTION_COLUMNS.index("status")
_STATUSES = {s.value: s for s in Status}


def action_from_row(row: asyncpg.Record) -> Action:
    """Convert a row of actions (its leading columns) into the domain type."""
    values = list(islice(row.values(), len(ACTION_COLUMNS)))
    del values[_LEASE_TOKEN]
    values[_STATUS] = _STATUSES[values[_STATUS]]
    values.append(row.get("trace_context"))
    return Action._make(values)


def event_from_row(row: asyncpg.Record) -> Event:
    """Convert a row of events (its leading columns) into the domain type."""
    return Event._make(islice(row.values(), len(EVENT_COLUMNS)))


def _text(value: str) -> str:
    return value


async def init_connection(conn: asyncpg.Connection) -> None:
    """Per-connection setup: JSON goes in and out as text, never decoded here
    (the API checked it once; clients decode it)."""
    deadline.forget(conn)
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=_text, decoder=_text, schema="pg_catalog", format="text"
        )


class Store:
    """Actions and events in one PostgreSQL schema, over an asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self.schema = schema
        self.limits = LimitedClaims(self)

    @property
    def pool(self) -> asyncpg.Pool:
        """The connection pool (other stores of the same database share it)."""
        return self._pool

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection whose release cannot turn a committed call into an
        error: once the work is done, a connection lost while it goes back to the
        pool is logged and dropped, not raised."""
        conn = await self._pool.acquire()
        try:
            yield conn
        finally:
            try:
                await self._pool.release(conn)
            except Exception as exc:
                log.warning("dropped a connection on its way back to the pool: %s", exc)

    async def _fetch(self, name: str, *args: Any) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query(name), *args)
            return rows

    async def _fetchrow(self, name: str, *args: Any) -> asyncpg.Record | None:
        async with self._connection() as conn:
            return await conn.fetchrow(query(name), *args)

    async def _fetchval(self, name: str, *args: Any) -> Any:
        async with self._connection() as conn:
            return await conn.fetchval(query(name), *args)

    @translated
    async def migrate(self) -> MigrationReport:
        """Create or upgrade the schema."""
        async with self._connection() as conn:
            return await migrator.migrate(conn, self.schema)

    @translated
    async def enqueue(
        self,
        new: Sequence[NewAction],
        *,
        max_chain_depth: int,
        rate_limit_per_hour: int,
        request: RequestKey | None = None,
    ) -> EnqueueResult:
        """Store a batch atomically, in request order; duplicates by key are returned.

        With a request key, the call is recorded in the same transaction; a call
        whose key is recorded already (a retry after a lost reply) stores nothing
        and replays the recorded outcome.
        """
        async with self._connection() as conn:
            if not any(_needs_transaction(n) for n in new):
                return await self._enqueue_one_statement(conn, new, request)
            if any(in_workflow(n) for n in new):
                check_graph(new)
            try:
                async with conn.transaction():
                    stored = await self._enqueue(conn, new, max_chain_depth, rate_limit_per_hour)
                    if request is not None:
                        recorded = await conn.fetchval(
                            query("enqueue_request_record"),
                            request.request_id,
                            request.digest,
                            [e.action.id for e in stored],
                            [e.duplicate for e in stored],
                        )
                        if not recorded:
                            raise _Replay
                    return EnqueueResult(stored, replayed=False)
            except _Replay:
                assert request is not None
                return await self._replay(conn, request)

    async def _enqueue_one_statement(
        self, conn: asyncpg.Connection, new: Sequence[NewAction], request: RequestKey | None
    ) -> EnqueueResult:
        """A batch without parents, idempotency keys or rate-limited producers:
        its rows, events and request record are one statement, one commit (no
        BEGIN/COMMIT round trips: the single-action Enqueue's hot path)."""
        key = (request.request_id, request.digest) if request else (None, None)
        try:
            rows = await conn.fetch(
                query("action_insert_many"), *_columns(new, None), *key, *_extra_columns(new)
            )
        except asyncpg.UniqueViolationError as exc:
            if request is None or exc.constraint_name != "enqueue_requests_pkey":
                raise
            return await self._replay(conn, request)
        return EnqueueResult([Enqueued(action_from_row(r), False) for r in rows], replayed=False)

    async def _enqueue(
        self,
        conn: asyncpg.Connection,
        new: Sequence[NewAction],
        max_chain_depth: int,
        rate_limit_per_hour: int,
    ) -> list[Enqueued]:
        depths, parent_workflows = await self._chain_depths(conn, new, max_chain_depth)
        new = workflows.inherit(new, parent_workflows)
        limited = sorted(
            {n.created_by for n in new if n.created_by.startswith(RATE_LIMITED_PREFIXES)}
        )
        if limited:
            await conn.execute(query("producer_lock"), limited)
        inserted = await conn.fetch(
            query("action_insert_many"), *_columns(new, depths), None, None, *_extra_columns(new)
        )
        if limited:
            await self._check_rate(conn, limited, rate_limit_per_hour)
        stored = await self._pair(conn, new, [action_from_row(r) for r in inserted])
        if any(n.workflow_id is not None for n in new):
            stored = await workflows.link(conn, new, stored)
        return stored

    async def _replay(self, conn: asyncpg.Connection, request: RequestKey) -> EnqueueResult:
        """The outcome recorded for a request id, with the actions as they stand now."""
        row = await conn.fetchrow(query("enqueue_request_get"), request.request_id)
        if row is None:
            raise Aborted(
                "request_id: the earlier call with this id was just pruned; retry",
                reason=Reason.CONCURRENT_CHANGE,
            )
        if bytes(row["request_hash"]) != request.digest:
            raise AlreadyExists(
                f"request_id: {request.request_id!r} was used for a different Enqueue request",
                reason=Reason.REQUEST_ID_REUSED,
            )
        ids: list[int] = list(row["action_ids"])
        rows = await conn.fetch(query("action_get_many"), ids)
        by_id = {r["id"]: action_from_row(r) for r in rows}
        items = [
            Enqueued(by_id[i], duplicate=d)
            for i, d in zip(ids, row["duplicates"], strict=True)
            if i in by_id
        ]
        return EnqueueResult(items, replayed=True)

    @translated
    async def prune_requests(self) -> int:
        """Forget Enqueue request ids older than a day."""
        deleted: int = await self._fetchval("enqueue_request_prune")
        return deleted

    async def _chain_depths(
        self, conn: asyncpg.Connection, new: Sequence[NewAction], limit: int
    ) -> tuple[list[int], dict[int, str | None]]:
        """Each action's chain depth, and the workflow of each parent."""
        parent_ids = sorted({n.parent_id for n in new if n.parent_id is not None})
        known: dict[int, int] = {}
        parent_workflows: dict[int, str | None] = {}
        if parent_ids:
            rows = await conn.fetch(query("action_parent_depths"), parent_ids)
            known = {r["id"]: r["chain_depth"] for r in rows}
            parent_workflows = {r["id"]: r["workflow_id"] for r in rows}
        depths = []
        for i, n in enumerate(new):
            if n.parent_id is None:
                depths.append(0)
                continue
            if n.parent_id not in known:
                error = NotFound(
                    f"actions[{i}].parent_id: action {n.parent_id} not found",
                    reason=Reason.PARENT_NOT_FOUND,
                )
                error.metadata.update(field=f"actions[{i}].parent_id")
                raise error
            depth = known[n.parent_id] + 1
            if depth > limit:
                raise FailedPrecondition(
                    f"actions[{i}].parent_id: chain depth {depth} exceeds the limit of {limit}",
                    reason=Reason.CHAIN_TOO_DEEP,
                )
            depths.append(depth)
        return depths, parent_workflows

    async def _check_rate(self, conn: asyncpg.Connection, producers: list[str], limit: int) -> None:
        for row in await conn.fetch(query("producer_recent_counts"), producers):
            if row["recent"] > limit:
                raise RateLimited(
                    f"created_by {row['created_by']!r} is over its limit of {limit} "
                    f"enqueues per hour",
                    retry_after=max(1.0, row["retry_after"]),
                )

    async def _pair(
        self, conn: asyncpg.Connection, new: Sequence[NewAction], inserted: list[Action]
    ) -> list[Enqueued]:
        """Match stored rows to requests: inserted rows come back in request order."""
        inserted_keys = {(a.queue, a.idempotency_key) for a in inserted if a.idempotency_key}
        seen: dict[tuple[str, str], Action] = {}
        fresh = iter(inserted)
        missing = [
            (n.queue, n.idempotency_key)
            for n in new
            if n.idempotency_key and (n.queue, n.idempotency_key) not in inserted_keys
        ]
        existing: dict[tuple[str, str], Action] = {}
        if missing:
            rows = await conn.fetch(
                query("action_get_by_keys"), [q for q, _ in missing], [k for _, k in missing]
            )
            existing = {(r["queue"], r["idempotency_key"]): action_from_row(r) for r in rows}
        out = []
        for i, n in enumerate(new):
            key = (n.queue, n.idempotency_key) if n.idempotency_key else None
            if key is None:
                out.append(Enqueued(next(fresh), duplicate=False))
            elif key in seen:
                out.append(Enqueued(_same_or_conflict(i, n, seen[key]), duplicate=True))
            elif key in inserted_keys:
                seen[key] = next(fresh)
                out.append(Enqueued(seen[key], duplicate=False))
            else:
                seen[key] = _same_or_conflict(i, n, existing[key])
                out.append(Enqueued(seen[key], duplicate=True))
        return out

    @translated
    async def get(self, action_id: int) -> Action:
        """One action, or NotFound."""
        row = await self._fetchrow("action_get", action_id)
        if row is None:
            raise action_not_found(action_id)
        return action_from_row(row)

    @translated
    async def list_actions(
        self, where: ActionFilter, *, cursor: int, limit: int, newest_first: bool
    ) -> tuple[list[Action], bool]:
        """A page of actions after (or, newest first, before) the id cursor, and
        whether more may follow (the page is full, or cut short to fit a response)."""
        name = "action_list_newest_first" if newest_first else "action_list_oldest_first"
        if newest_first and cursor == 0:
            cursor = 2**63 - 1
        rows = await self._fetch(
            name,
            cursor,
            [s.value for s in where.statuses],
            where.action_type,
            where.project,
            where.queue,
            limit,
            where.workflow_id,
            where.target_ref_contains,
        )
        page = _within_budget([action_from_row(r) for r in rows], _action_json_size)
        return page, len(page) < len(rows) or len(rows) == limit

    @translated
    async def claim(self, spec: ClaimSpec) -> list[Claimed]:
        """Lease up to spec.max_actions due actions; empty when none is due.
        Limited queues are claimed from through store/limits.py."""
        limited = await self.limits.among(spec.queues)
        if limited:
            return await self.limits.claim(spec, limited)
        return await self.claim_unlimited(spec)

    async def claim_unlimited(
        self, spec: ClaimSpec, budget: int = RESPONSE_JSON_BUDGET
    ) -> list[Claimed]:
        """The claim statements of queues without limits (they skip limited ones)."""
        args = [spec.project, spec.max_actions, spec.worker, spec.lease_seconds]
        if spec.action_types:
            rows = await self._fetch(
                "action_claim_types", spec.queues, *args, budget, spec.action_types
            )
        elif len(spec.queues) > 1:
            rows = await self._fetch("action_claim_queues", spec.queues, *args, budget)
        else:
            rows = await self._fetch("action_claim", spec.queues[0], *args, budget)
        return [Claimed(action_from_row(r), str(r["lease_token"])) for r in rows]

    @translated
    async def release(self, claimed: Sequence[Claimed], worker: str) -> list[int]:
        """Put back claims that were never handed out, without using their attempt."""
        rows = await self._fetch(
            "action_release",
            [c.action.id for c in claimed],
            [c.lease_token for c in claimed],
            worker,
        )
        return [r["id"] for r in rows]

    @translated
    async def heartbeat(
        self, action_id: int, lease_token: str, lease_seconds: float, progress: str | None = None
    ) -> HeartbeatOutcome:
        """Extend a lease (storing progress when given), or report that the action
        was cancelled under it."""
        deadline = await self._fetchval(
            "action_heartbeat", action_id, lease_token, lease_seconds, progress
        )
        if deadline is not None:
            return HeartbeatOutcome(claim_deadline=deadline, cancelled=False)
        action, token = await self._current(action_id)
        if action.status is Status.CANCELLED and token == lease_token:
            return HeartbeatOutcome(claim_deadline=None, cancelled=True)
        raise self._refusal(action, token, lease_token, "heartbeated")

    @translated
    async def complete(
        self,
        action_id: int,
        lease_token: str | None,
        result_ref: str,
        result: str | None,
        actor: str | None,
    ) -> Action:
        """claimed -> completed."""
        args = (action_id, lease_token, result_ref, result, actor)
        row = await self._fetchrow("action_complete", *args, False)
        if row is None:
            row = await self._end_in_workflow("action_complete", *args)
        return await self._transitioned(row, action_id, lease_token, "completed")

    async def _end_in_workflow(self, name: str, *args: Any) -> asyncpg.Record | None:
        """A transition the one-statement path left alone because the action
        belongs to a workflow (or because it is refused): the statement again,
        allowed for workflows, and the settling of the workflow after it, in
        one transaction. Its last argument is the statement's workflow flag."""
        async with self._connection() as conn:

            async def work() -> asyncpg.Record | None:
                row = await conn.fetchrow(query(name), *args, True)
                if row is not None:
                    ended = workflows.ended_in_runs([row])
                    if ended:
                        await workflows.settle(conn, ended)
                return row

            return await workflows.retrying(conn, work)

    @translated
    async def complete_many(
        self, items: Sequence[Completion]
    ) -> tuple[list[int], list[tuple[int, ActionqError]]]:
        """claimed -> completed for each item whose lease holds; the others with why."""
        done = await self._fetch("action_complete_many", *_completion_columns(items), False)
        completed = {r["id"] for r in done}
        refused = [i for i in items if i.action_id not in completed]
        failures: list[tuple[int, ActionqError]] = []
        if refused:
            rows = await self._fetch("action_get_many", [i.action_id for i in refused])
            found = {r["id"]: r for r in rows}
            in_runs = [
                i
                for i in refused
                if i.action_id in found
                and found[i.action_id]["workflow_id"] is not None
                and found[i.action_id]["status"] == Status.CLAIMED.value
            ]
            if in_runs:
                completed |= await self._complete_in_workflows(in_runs)
                refused = [i for i in refused if i.action_id not in completed]
            for item in refused:
                row = found.get(item.action_id)
                if row is None:
                    failures.append((item.action_id, action_not_found(item.action_id)))
                    continue
                token = str(row["lease_token"]) if row["lease_token"] else None
                error = self._refusal(action_from_row(row), token, item.lease_token, "completed")
                failures.append((item.action_id, error))
        return [i.action_id for i in items if i.action_id in completed], failures

    async def _complete_in_workflows(self, items: Sequence[Completion]) -> set[int]:
        """Complete actions of workflows and settle their workflows, in one transaction."""
        async with self._connection() as conn:

            async def work() -> set[int]:
                rows = await conn.fetch(
                    query("action_complete_many"), *_completion_columns(items), True
                )
                ended = workflows.ended_in_runs(rows)
                if ended:
                    await workflows.settle(conn, ended)
                return {r["id"] for r in rows}

            return await workflows.retrying(conn, work)

    @translated
    async def fail(
        self,
        action_id: int,
        lease_token: str | None,
        reason: str,
        *,
        no_retry: bool,
        retry_delay: float | None,
        actor: str | None,
    ) -> Action:
        """claimed -> pending (attempts remain) or failed."""
        args = (action_id, lease_token, reason, no_retry, retry_delay, actor)
        row = await self._fetchrow("action_fail", *args, False)
        if row is None:
            row = await self._end_in_workflow("action_fail", *args)
        return await self._transitioned(row, action_id, lease_token, "failed")

    @translated
    async def reject(
        self, action_id: int, lease_token: str | None, reason: str, validator: str
    ) -> Action:
        """claimed -> rejected."""
        args = (action_id, lease_token, reason, validator)
        row = await self._fetchrow("action_reject", *args, False)
        if row is None:
            row = await self._end_in_workflow("action_reject", *args)
        return await self._transitioned(row, action_id, lease_token, "rejected")

    @translated
    async def cancel(self, action_id: int, reason: str, actor: str) -> Action:
        """pending|claimed|waiting -> cancelled."""
        row = await self._fetchrow("action_cancel", action_id, reason, actor, False)
        if row is None:
            row = await self._end_in_workflow("action_cancel", action_id, reason, actor)
        if row is not None:
            return action_from_row(row)
        action, _ = await self._current(action_id)
        raise FailedPrecondition(
            f"action {action_id} is {action.status.value}; "
            "only a pending, claimed or waiting action can be cancelled"
        )

    @translated
    async def sweep(self, limit: int = 1000) -> list[Action]:
        """claimed with an expired lease -> pending, or failed on its last attempt
        (settling the workflows of those that failed, in the same transaction)."""
        async with self._connection() as conn:

            async def work() -> list[asyncpg.Record]:
                rows: list[asyncpg.Record] = await conn.fetch(query("action_sweep_expired"), limit)
                ended = workflows.ended_in_runs(rows)
                if ended:
                    await workflows.settle(conn, ended)
                return rows

            rows = await workflows.retrying(conn, work)
        return [action_from_row(r) for r in rows]

    @translated
    async def retry(self, ids: Sequence[int], actor: str) -> list[int]:
        """Dead -> pending with fresh attempts, every named action or none."""
        wanted = sorted(set(ids))
        async with self._connection() as conn:
            return await workflows.retrying(conn, lambda: self._retry(conn, wanted, actor))

    async def _retry(self, conn: asyncpg.Connection, wanted: list[int], actor: str) -> list[int]:
        done = [r["id"] for r in await conn.fetch(query("action_retry_ids"), wanted, actor)]
        if len(done) < len(wanted):
            missing = sorted(set(wanted) - set(done))
            rows = await conn.fetch(query("action_get_many"), missing)
            found = {r["id"]: action_from_row(r) for r in rows}
            for i in missing:
                if i not in found:
                    raise action_not_found(i, field="ids")
            action = found[missing[0]]
            raise FailedPrecondition(
                f"ids: action {action.id} is {action.status.value}; only a failed, "
                "rejected or cancelled action can be retried",
                reason=Reason.ILLEGAL_TRANSITION,
            )
        await workflows.reopen(conn, done)
        return done

    @translated
    async def retry_matching(
        self, where: RetryFilter, limit: int, actor: str
    ) -> tuple[list[int], bool]:
        """Up to `limit` dead actions matching the filter -> pending; whether more match."""
        args = (
            [s.value for s in where.statuses],
            where.action_type,
            where.project,
            where.queue,
            actor,
            limit,
        )
        async with self._connection() as conn:

            async def work() -> list[asyncpg.Record]:
                rows: list[asyncpg.Record] = await conn.fetch(query("action_retry_matching"), *args)
                await workflows.reopen(conn, [r["id"] for r in rows])
                return rows

            rows = await workflows.retrying(conn, work)
        return [r["id"] for r in rows], bool(rows and rows[0]["more"])

    @translated
    async def get_many(self, ids: Sequence[int]) -> dict[int, Action]:
        """The named actions that exist, by id."""
        rows = await self._fetch("action_get_many", list(ids))
        return {r["id"]: action_from_row(r) for r in rows}

    @translated
    async def save_checkpoint(
        self, action_id: int, lease_token: str, step: str, state: str
    ) -> Checkpoint:
        """Save (or replace) a step's state under the current lease."""
        row = await self._fetchrow(
            "checkpoint_save", action_id, lease_token, step, state, RESPONSE_JSON_BUDGET
        )
        if row is None:
            action, token = await self._current(action_id)
            raise self._refusal(action, token, lease_token, "checkpointed")
        if row["action_id"] is None:
            raise InvalidArgument(
                "state_json",
                f"the checkpoints of action {action_id} would outgrow "
                f"{RESPONSE_JSON_BUDGET // (1024 * 1024)} MB of JSON in all",
            )
        return _checkpoint(row)

    @translated
    async def checkpoints(self, action_id: int) -> list[Checkpoint]:
        """An action's checkpoints, oldest step first."""
        async with self._connection() as conn:
            rows = await conn.fetch(query("checkpoint_list"), action_id)
            if not rows and await conn.fetchrow(query("action_get"), action_id) is None:
                raise action_not_found(action_id)
        return [_checkpoint(r) for r in rows]

    @translated
    async def queues(self, name: str = "") -> list[Queue]:
        """Every queue (or the named one) with its live counts."""
        rows = await self._fetch("queue_list", name)
        limits = await self.limits.of(name)
        return [
            Queue(
                **{k: r[k] for k in QUEUE_COLUMNS if k != "limits"},
                limits=limits.get(r["name"], ()),
            )
            for r in rows
        ]

    async def _queue(self, name: str) -> Queue:
        found = await self.queues(name)
        if not found:
            raise _queue_not_found(name)
        return found[0]

    @translated
    async def update_queue(self, name: str, settings: QueueSettings, actor: str) -> Queue:
        """Create a queue or change its defaults."""
        await self._fetchval(
            "queue_update",
            name,
            settings.max_attempts,
            settings.backoff,
            settings.lease_seconds,
            actor,
        )
        return await self._queue(name)

    @translated
    async def pause_queue(self, name: str, actor: str, reason: str) -> Queue:
        """Stop claiming from a queue (already paused: unchanged)."""
        if not await self._fetchval("queue_pause", name, actor, reason):
            raise _queue_not_found(name)
        return await self._queue(name)

    @translated
    async def resume_queue(self, name: str, actor: str) -> Queue:
        """Let claiming from a queue continue (not paused: unchanged)."""
        if not await self._fetchval("queue_resume", name, actor):
            raise _queue_not_found(name)
        return await self._queue(name)

    @staticmethod
    def fit(actions: list[Action]) -> list[Action]:
        """The leading actions whose JSON fits one response."""
        return _within_budget(actions, _action_json_size)

    @translated
    async def list_events(self, after: LogPosition, where: EventFilter, limit: int) -> EventPage:
        """Events after a position, in log order, and where to continue: after
        the last event of a full page, else at the horizon (every event below it
        has been read)."""
        if where.action_ids:
            rows = await self._fetch(
                "event_list_after_for_actions", *after, where.event_types, limit, where.action_ids
            )
        else:
            rows = await self._fetch("event_list_after", *after, where.event_types, limit)
        check_cursor(after, rows[0]["pruned_txid"], rows[0]["pruned_id"])
        events = [event_from_row(r) for r in rows if r["id"] is not None]
        kept = _within_budget(events, lambda e: len(e.payload))
        if len(kept) < len(events):
            return EventPage(events=kept, next_cursor=kept[-1].position)
        if len(events) == limit:
            return EventPage(events=events, next_cursor=events[-1].position)
        horizon = LogPosition(rows[0]["horizon"], 0)
        return EventPage(events=events, next_cursor=max(after, horizon))

    @translated
    async def horizon(self) -> tuple[LogPosition, bool]:
        """The end of the readable log, and whether committed events wait beyond it
        for an older transaction to end."""
        row = await self._fetchrow("event_horizon")
        assert row is not None
        return LogPosition(row["horizon"], 0), row["held_back"]

    @translated
    async def emit(self, event_type: str, actor: str, payload: str, action_id: int | None) -> Event:
        """Append one event."""
        row = await self._fetchrow("event_insert", action_id, event_type, actor, payload)
        if row is None:
            raise action_not_found(action_id or 0, field="action_id")
        return event_from_row(row)

    @translated
    async def stats(
        self, queue: str, project: str, include_completed: bool = False
    ) -> tuple[list[QueueStat], LogPosition, datetime]:
        """Counts per queue and type, the end of the readable log, and the database time."""
        async with self._connection() as conn, conn.transaction(isolation="repeatable_read"):
            rows = await conn.fetch(query("action_stats"), queue, project, include_completed)
            horizon = await conn.fetchrow(query("event_horizon"))
            now = await conn.fetchval(query("database_now"))
        stats = [QueueStat(**{k: r[k] for k in QueueStat.__dataclass_fields__}) for r in rows]
        return stats, LogPosition(horizon["horizon"], 0), now

    @translated
    async def next_due(self, queue: str) -> datetime | None:
        """When the earliest pending action of a queue that is not yet due falls due."""
        value: datetime | None = await self._fetchval("action_next_due", queue)
        return value

    @translated
    async def due_queues(self, queues: list[str]) -> list[str]:
        """Which of these queues hold an action that is due now."""
        rows = await self._fetch("action_due_queues", queues)
        return [r["queue"] for r in rows]

    @translated
    async def clock(self) -> datetime:
        """The database's clock (not the transaction start)."""
        value: datetime = await self._fetchval("database_clock")
        return value

    async def _current(self, action_id: int) -> tuple[Action, str | None]:
        row = await self._fetchrow("action_get", action_id)
        if row is None:
            raise action_not_found(action_id)
        token = row["lease_token"]
        return action_from_row(row), (str(token) if token is not None else None)

    async def _transitioned(
        self, row: asyncpg.Record | None, action_id: int, lease_token: str | None, verb: str
    ) -> Action:
        if row is not None:
            return action_from_row(row)
        action, token = await self._current(action_id)
        raise self._refusal(action, token, lease_token, verb)

    @staticmethod
    def _refusal(
        action: Action, token: str | None, presented: str | None, verb: str
    ) -> ActionqError:
        """Why a transition found no row: the worker's lease was superseded, the
        status does not allow it, or the row changed between the two reads."""
        if presented is not None and presented != token:
            return _stale(action.id)
        if action.status is not Status.CLAIMED:
            return FailedPrecondition(
                f"action {action.id} is {action.status.value}; only a claimed action can be {verb}",
                reason=Reason.ILLEGAL_TRANSITION,
            )
        return Aborted(f"action {action.id} changed concurrently; retry")


def _checkpoint(row: asyncpg.Record) -> Checkpoint:
    return Checkpoint(
        action_id=row["action_id"],
        step=row["step"],
        state=row["state"],
        attempt=row["attempt"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _queue_not_found(name: str) -> FailedPrecondition:
    error = FailedPrecondition(
        f"queue: no queue is named {name!r} (a queue exists once an action was enqueued "
        "into it or UpdateQueue configured it)",
        reason=Reason.QUEUE_NOT_FOUND,
    )
    error.metadata.update(field="queue")
    return error


def _same_or_conflict(index: int, new: NewAction, stored: Action) -> Action:
    """The stored action when `new` asks for the same work under its key, else
    IDEMPOTENCY_KEY_CONFLICT (the batch is then rolled back)."""
    differs = [
        name
        for name, mine, theirs in (
            ("action_type", new.action_type, stored.action_type),
            ("project", new.project, stored.project),
            ("target_ref", new.target_ref, stored.target_ref),
        )
        if mine != theirs
    ]
    if _json_value(new.payload) != _json_value(stored.payload):
        differs.append("payload_json")
    if not differs:
        return stored
    error = AlreadyExists(
        f"actions[{index}].idempotency_key: action {stored.id} holds the key "
        f"{new.idempotency_key!r} in queue {new.queue!r} with a different "
        f"{', '.join(differs)}",
        reason=Reason.IDEMPOTENCY_KEY_CONFLICT,
    )
    error.metadata.update(field=f"actions[{index}].idempotency_key", action_id=str(stored.id))
    raise error


def _json_value(text: str) -> Any:
    """A JSON text's value, numbers exact (so 1e2 equals 100, as in jsonb)."""
    return json.loads(text, parse_float=Decimal)


def _stale(action_id: int) -> FailedPrecondition:
    return FailedPrecondition(
        f"stale lease for action {action_id}: the lease token is not the current "
        "claim's (the lease expired and the action was requeued or claimed again)",
        reason=Reason.STALE_LEASE,
    )


class _Replay(Exception):
    """Rolls back an Enqueue whose request id another call recorded first."""


T = TypeVar("T")


def _within_budget(items: list[T], size: Callable[[T], int]) -> list[T]:
    """The leading items whose sizes add up to RESPONSE_JSON_BUDGET (at least one)."""
    total = 0
    for i, item in enumerate(items):
        total += size(item)
        if total > RESPONSE_JSON_BUDGET and i > 0:
            return items[:i]
    return items


def _action_json_size(action: Action) -> int:
    return len(action.payload) + len(action.result or "")


def _needs_transaction(n: NewAction) -> bool:
    """Whether enqueuing `n` takes more than one statement: a parent's depth is
    read first, a rate limit checked after, an idempotency key's existing
    action read after, a workflow's dependencies written after."""
    return bool(
        n.parent_id is not None
        or n.idempotency_key is not None
        or n.created_by.startswith(RATE_LIMITED_PREFIXES)
        or n.workflow_id is not None
        or n.depends_on
        or n.depends_on_index
    )


def _completion_columns(items: Sequence[Completion]) -> list[list[Any]]:
    """Columns $1 to $5 of action_complete_many."""
    return [
        [i.action_id for i in items],
        [i.lease_token for i in items],
        [i.result_ref for i in items],
        [i.result for i in items],
        [i.actor for i in items],
    ]


_EXTRA_FIELDS = ("backoff", "workflow_id", "concurrency_key", "group_key", "trace_context")


def _extra_columns(new: Sequence[NewAction]) -> list[list[Any] | None]:
    """Columns $17 to $21 of action_insert_many. A column no action of the
    batch uses is sent as NULL (unnest pads it with NULLs): most batches carry
    none of them, and encoding and unnesting arrays of NULLs is not free."""
    columns: list[list[Any] | None] = []
    for name in _EXTRA_FIELDS:
        values = [getattr(n, name) for n in new]
        columns.append(values if any(v is not None for v in values) else None)
    return columns


def _columns(new: Sequence[NewAction], depths: list[int] | None) -> list[list[Any]]:
    """The request as one array per column, for action_insert_many (no depths:
    every action is a root)."""
    return [
        [n.queue for n in new],
        [n.action_type for n in new],
        [n.project for n in new],
        [n.target_ref for n in new],
        [json.dumps(n.source_refs) if n.source_refs else "[]" for n in new],
        [n.payload for n in new],
        [n.priority for n in new],
        [n.run_after for n in new],
        [n.delay_seconds for n in new],
        [n.max_attempts for n in new],
        [n.parent_id for n in new],
        depths if depths is not None else [0] * len(new),
        [n.created_by for n in new],
        [n.idempotency_key for n in new],
    ]
