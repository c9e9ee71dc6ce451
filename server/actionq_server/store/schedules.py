"""Cron schedules: stored in the schedules table (migration 0006), fired by
the scheduler loop (actionq_server.scheduler) of every server replica.

A tick is enqueued exactly once: a replica claims it by a compare-and-set on
the schedule's next_run_at, in the transaction that enqueues the action, and
the action's idempotency key names the schedule and the tick, so that even two
fires of one tick could not store two actions."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from ..domain.cron import Cron
from ..domain.errors import AlreadyExists, NotFound, Reason
from ..domain.models import NewAction
from .errors import translated
from .repository import Store, _columns, _extra_columns, action_from_row
from .sql import query

log = logging.getLogger(__name__)

# Due schedules fired per wake-up at most (the rest on the next).
DUE_BATCH = 100


@dataclass(frozen=True, slots=True)
class Schedule:
    """One stored schedule; `action` is its template (no idempotency key)."""

    name: str
    cron: str
    time_zone: str
    action: NewAction
    paused: bool
    next_run_at: datetime
    last_run_at: datetime | None
    last_action_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Fired:
    """A tick this replica enqueued."""

    schedule: str
    tick: datetime
    action_id: int
    duplicate: bool


def idempotency_key(name: str, tick: datetime) -> str:
    """The key of the action a schedule enqueues at a tick (UTC, RFC 3339)."""
    return f"schedule:{name}:{tick.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def _template_json(a: NewAction) -> str:
    return json.dumps(
        {
            "queue": a.queue,
            "action_type": a.action_type,
            "project": a.project,
            "target_ref": a.target_ref,
            "source_refs": list(a.source_refs),
            "priority": a.priority,
            "created_by": a.created_by,
            "max_attempts": a.max_attempts,
            "delay_seconds": a.delay_seconds,
            "backoff": json.loads(a.backoff) if a.backoff else None,
        }
    )


def _template(action: str, payload: str) -> NewAction:
    t = json.loads(action)
    return NewAction(
        action_type=t["action_type"],
        project=t["project"],
        created_by=t["created_by"],
        queue=t["queue"],
        target_ref=t["target_ref"],
        source_refs=tuple(t["source_refs"]),
        payload=payload,
        priority=t["priority"],
        max_attempts=t["max_attempts"],
        delay_seconds=t["delay_seconds"],
        backoff=json.dumps(t["backoff"]) if t["backoff"] is not None else None,
    )


def schedule_from_row(row: asyncpg.Record) -> Schedule:
    """Convert a row of schedules into the domain type."""
    return Schedule(
        name=row["name"],
        cron=row["cron"],
        time_zone=row["time_zone"],
        action=_template(row["action"], row["payload"]),
        paused=row["paused"],
        next_run_at=row["next_run_at"],
        last_run_at=row["last_run_at"],
        last_action_id=row["last_action_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def schedule_not_found(name: str) -> NotFound:
    """The NotFound of an unknown schedule name."""
    error = NotFound(f"schedule {name!r} not found", reason=Reason.SCHEDULE_NOT_FOUND)
    error.metadata.update(field="name", schedule=name)
    return error


class ScheduleStore:
    """Schedules in the store's schema, over the store's pool."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def _fetch(self, name: str, *args: Any) -> list[asyncpg.Record]:
        async with self._store._connection() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query(name), *args)
            return rows

    async def _clock(self) -> datetime:
        async with self._store._connection() as conn:
            now: datetime = await conn.fetchval(query("schedule_clock"))
            return now

    @translated
    async def create(
        self,
        name: str,
        cron: Cron,
        action: NewAction,
        *,
        paused: bool,
        replace: bool,
        actor: str,
    ) -> Schedule:
        """Store a schedule whose next tick is the first after now (database
        time); an existing name is replaced with `replace`, else SCHEDULE_EXISTS."""
        next_run_at = cron.next_after(await self._clock())
        rows = await self._fetch(
            "schedule_replace" if replace else "schedule_create",
            name,
            cron.expression,
            cron.time_zone,
            _template_json(action),
            action.payload,
            paused,
            next_run_at,
            actor,
        )
        if not rows:
            error = AlreadyExists(
                f"name: schedule {name!r} exists (pass replace to replace it)",
                reason=Reason.SCHEDULE_EXISTS,
            )
            error.metadata.update(field="name", schedule=name)
            raise error
        return schedule_from_row(rows[0])

    @translated
    async def list_all(self) -> list[Schedule]:
        """Every schedule, by name."""
        return [schedule_from_row(r) for r in await self._fetch("schedule_list")]

    @translated
    async def pause(self, name: str, actor: str) -> Schedule:
        """Stop a schedule's ticks (already paused: unchanged)."""
        rows = await self._fetch("schedule_pause", name, actor)
        if not rows:
            raise schedule_not_found(name)
        return schedule_from_row(rows[0])

    @translated
    async def resume(self, name: str, actor: str) -> Schedule:
        """Restart a paused schedule from its first tick after now (running:
        unchanged)."""
        rows = await self._fetch("schedule_get", name)
        if not rows:
            raise schedule_not_found(name)
        cron = Cron(rows[0]["cron"], rows[0]["time_zone"])
        rows = await self._fetch(
            "schedule_resume", name, actor, cron.next_after(await self._clock())
        )
        if not rows:
            raise schedule_not_found(name)
        return schedule_from_row(rows[0])

    @translated
    async def delete(self, name: str, actor: str) -> Schedule:
        """Remove a schedule; the actions it enqueued stay."""
        rows = await self._fetch("schedule_delete", name, actor)
        if not rows:
            raise schedule_not_found(name)
        return schedule_from_row(rows[0])

    @translated
    async def wake(self) -> tuple[datetime, datetime | None]:
        """Database time and the earliest tick of a running schedule."""
        rows = await self._fetch("schedule_wake")
        return rows[0]["now"], rows[0]["earliest"]

    @translated
    async def fire_due(self, limit: int = DUE_BATCH) -> list[Fired]:
        """Enqueue the due tick of each due schedule this replica wins. After
        a downtime only the latest past tick is enqueued; the next one is the
        first after now."""
        fired = []
        for row in await self._fetch("schedule_due", limit):
            cron = Cron(row["cron"], row["time_zone"])
            now: datetime = row["now"]
            planned: datetime = row["next_run_at"]
            tick = max(planned, cron.latest_until(now))
            try:
                outcome = await self._fire(row["name"], planned, tick, cron.next_after(now))
            except Exception as exc:
                log.warning("schedule %s: tick %s not enqueued: %s", row["name"], tick, exc)
                continue
            if outcome is not None:
                fired.append(outcome)
        return fired

    async def _fire(
        self, name: str, planned: datetime, tick: datetime, following: datetime
    ) -> Fired | None:
        async with self._store._connection() as conn, conn.transaction():
            claimed = await conn.fetchrow(
                query("schedule_claim_tick"), name, planned, following, tick
            )
            if claimed is None:
                return None  # another replica fired it, or it changed meanwhile
            template = _template(claimed["action"], claimed["payload"])
            new = [template._replace(idempotency_key=idempotency_key(name, tick))]
            action_id, duplicate = await _insert(conn, new)
            await conn.execute(query("schedule_fired"), name, action_id, tick, duplicate)
            return Fired(name, tick, action_id, duplicate)


async def _insert(conn: asyncpg.Connection, new: Sequence[NewAction]) -> tuple[int, bool]:
    """Enqueue through the store's own statement (with its action_enqueued
    event); an action with this tick's key stored already is returned."""
    rows = await conn.fetch(
        query("action_insert_many"), *_columns(new, None), None, None, *_extra_columns(new)
    )
    if rows:
        return action_from_row(rows[0]).id, False
    n = new[0]
    existing = await conn.fetchrow(query("action_get_by_keys"), [n.queue], [n.idempotency_key])
    assert existing is not None
    return int(existing["id"]), True
