"""Domain objects as the JSON the page reads. JSON text columns (payload,
result, progress, backoff, event payloads, checkpoint state) stay text: the
page parses what it shows, and a listing leaves them out."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain.models import Action, Checkpoint, Event, Queue, QueueStat
from ..store.schedules import Schedule

# What a listing row leaves out: the potentially large JSON of an action.
HEAVY_FIELDS = frozenset({"payload", "result", "progress", "backoff"})


def plain(value: Any) -> Any:
    """A value as JSON can carry it: times in ISO 8601, enums by value."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _fields(values: Mapping[str, Any], leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {k: plain(v) for k, v in values.items() if k not in leave_out}


def action(a: Action) -> dict[str, Any]:
    """Every field of an action (its JSON columns as text)."""
    return _fields(a._asdict())


def action_row(a: Action) -> dict[str, Any]:
    """An action as a listing shows it: without its payload, result and progress."""
    return _fields(a._asdict(), HEAVY_FIELDS)


def event(e: Event) -> dict[str, Any]:
    """An event with its payload (JSON text) and its log position as a cursor."""
    return {**_fields(e._asdict()), "cursor": e.position.token()}


def event_brief(e: Event) -> dict[str, Any]:
    """An event as the live stream carries it: no payload."""
    return {
        "id": e.id,
        "action_id": e.action_id,
        "event_type": e.event_type,
        "actor": e.actor,
        "created_at": plain(e.created_at),
    }


def checkpoint(k: Checkpoint) -> dict[str, Any]:
    """A checkpoint (its state as JSON text)."""
    return _fields(dataclasses.asdict(k))


def queue(q: Queue) -> dict[str, Any]:
    """A queue: its defaults, pause state and live counts."""
    return _fields(dataclasses.asdict(q))


def queue_stat(s: QueueStat) -> dict[str, Any]:
    """The counts of one queue and action type (waiting among them once the
    store counts it)."""
    return _fields(dataclasses.asdict(s))


def schedule(s: Schedule) -> dict[str, Any]:
    """A schedule with the queue, type and project of its template."""
    template = s.action
    return {
        "name": s.name,
        "cron": s.cron,
        "time_zone": s.time_zone,
        "paused": s.paused,
        "next_run_at": plain(s.next_run_at),
        "last_run_at": plain(s.last_run_at),
        "last_action_id": s.last_action_id,
        "created_at": plain(s.created_at),
        "updated_at": plain(s.updated_at),
        "queue": template.queue,
        "action_type": template.action_type,
        "project": template.project,
        "target_ref": template.target_ref,
    }
