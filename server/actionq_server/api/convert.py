"""Protobuf messages to validated domain values and back."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from google.protobuf import duration_pb2, timestamp_pb2

from ..domain import validation as v
from ..domain.errors import InvalidArgument
from ..domain.jsontext import json_object_text
from ..domain.models import (
    Action,
    ActionFilter,
    Checkpoint,
    ClaimSpec,
    Completion,
    Event,
    EventFilter,
    LogPosition,
    NewAction,
    Queue,
    QueueSettings,
    QueueStat,
    RetryFilter,
    Status,
)
from ..domain.workflows import dependencies, workflow_id
from ..store.schedules import Schedule
from .convert_limits import limit_message

STATUS_TO_PB = {
    Status.PENDING: pb.ACTION_STATUS_PENDING,
    Status.CLAIMED: pb.ACTION_STATUS_CLAIMED,
    Status.COMPLETED: pb.ACTION_STATUS_COMPLETED,
    Status.FAILED: pb.ACTION_STATUS_FAILED,
    Status.REJECTED: pb.ACTION_STATUS_REJECTED,
    Status.CANCELLED: pb.ACTION_STATUS_CANCELLED,
    Status.WAITING: pb.ACTION_STATUS_WAITING,
}
STATUS_FROM_PB = {number: status for status, number in STATUS_TO_PB.items()}

DEFAULT_LEASE_SECONDS = 30.0
DEFAULT_BACKOFF_BASE = 2.0
DEFAULT_BACKOFF_MAX = 3600.0
MAX_CLAIM_QUEUES = 100
DEFAULT_RETRY_LIMIT = 1000
MAX_RETRY_LIMIT = 10_000
MAX_WAIT_ACTION_SECONDS = 3600.0
STRATEGY_NAMES = {
    pb.BACKOFF_STRATEGY_UNSPECIFIED: "exponential",
    pb.BACKOFF_STRATEGY_FIXED: "fixed",
    pb.BACKOFF_STRATEGY_EXPONENTIAL: "exponential",
}
STRATEGY_NUMBERS = {
    "fixed": pb.BACKOFF_STRATEGY_FIXED,
    "exponential": pb.BACKOFF_STRATEGY_EXPONENTIAL,
}
DEAD = (Status.FAILED, Status.REJECTED, Status.CANCELLED)
DEFAULT_PAGE = 100
DEFAULT_WATCH_BATCH = 500


# ---- scalar helpers -------------------------------------------------------


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    """An aware datetime as a Timestamp; None stays unset."""
    if value is None:
        return None
    message = timestamp_pb2.Timestamp()
    _set_time(message, value)
    return message


def _set_time(field: timestamp_pb2.Timestamp, value: datetime) -> None:
    """Write an aware datetime into a Timestamp field in place (marks it set)."""
    delta = value - _EPOCH
    field.seconds = delta.days * 86400 + delta.seconds
    field.nanos = delta.microseconds * 1000
    if not field.seconds and not field.nanos:
        field.SetInParent()


def duration(
    request: Any,
    field: str,
    *,
    low: float,
    high: float,
    default: float | None = None,
    name: str = "",
) -> float | None:
    """A Duration field of a request in seconds, within bounds; `default` when
    unset. `name` is the field's path in the request, when it is not `field`."""
    if not request.HasField(field):
        return default
    value: duration_pb2.Duration = getattr(request, field)
    return v.duration(name or field, value.seconds, value.nanos, low=low, high=high)


def _timestamp_field(request: Any, field: str, name: str) -> datetime | None:
    if not request.HasField(field):
        return None
    value: timestamp_pb2.Timestamp = getattr(request, field)
    return v.timestamp(name, value.seconds, value.nanos)


_CURSOR = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})$")


def cursor_token(position: LogPosition) -> str:
    """The opaque cursor clients carry for a log position."""
    return position.token()


def log_position(field: str, token: str) -> LogPosition:
    """The log position inside a cursor; empty is the start of the log."""
    if not token:
        return LogPosition.start()
    match = _CURSOR.match(token)
    if match is None or max(int(match[1]), int(match[2])) > v.MAX_INT64:
        raise InvalidArgument(
            field, "is not a cursor returned by ListEvents, WatchEvents or GetQueueStats"
        )
    return LogPosition(int(match[1]), int(match[2]))


# ---- requests -------------------------------------------------------------


def new_action(m: pb.NewAction) -> NewAction:
    """One NewAction of an Enqueue request, validated. Errors name the field
    within the item; new_actions adds the item's position. Done for every item
    of a batch, so empty fields take the shortest path."""
    return NewAction(
        queue=v.name("queue", m.queue, required=False) or "default",
        action_type=v.name("action_type", m.action_type),
        project=v.name("project", m.project),
        target_ref=v.text("target_ref", m.target_ref, limit=v.MAX_REF) if m.target_ref else "",
        source_refs=v.refs("source_refs", list(m.source_refs)) if m.source_refs else (),
        payload=json_object_text("payload_json", m.payload_json) or "{}",
        priority=m.priority,
        parent_id=v.positive_id("parent_id", m.parent_id) if m.parent_id else None,
        created_by=v.text("created_by", m.created_by, limit=v.MAX_NAME) or "unknown",
        idempotency_key=(
            v.text("idempotency_key", m.idempotency_key, limit=v.MAX_KEY)
            if m.idempotency_key
            else None
        ),
        max_attempts=(
            v.bounded("max_attempts", m.max_attempts, low=1, high=v.MAX_ATTEMPTS)
            if m.max_attempts
            else 0
        ),
        run_after=_timestamp_field(m, "run_after", "run_after"),
        delay_seconds=duration(m, "delay", low=0.0, high=v.MAX_DELAY_SECONDS, default=0.0) or 0.0,
        backoff=backoff_policy(m.backoff, "backoff") if m.HasField("backoff") else None,
        workflow_id=workflow_id("workflow_id", m.workflow_id) if m.workflow_id else None,
        depends_on=dependencies(m.depends_on) if m.depends_on else (),
        depends_on_index=list(m.depends_on_index) if m.depends_on_index else (),
        concurrency_key=(
            v.text("concurrency_key", m.concurrency_key, limit=v.MAX_NAME)
            if m.concurrency_key
            else None
        ),
        group_key=v.text("group_key", m.group_key, limit=v.MAX_NAME) if m.group_key else None,
        trace_context=trace_context(m.trace_context) if m.trace_context else None,
    )


TRACE_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
MAX_TRACE_ENTRIES = 8
MAX_TRACE_VALUE = 512


def trace_context(entries: Any) -> str:
    """A trace context map (W3C headers: traceparent, tracestate, ...),
    validated, as the JSON object text the store keeps."""
    if len(entries) > MAX_TRACE_ENTRIES:
        raise InvalidArgument("trace_context", f"must hold at most {MAX_TRACE_ENTRIES} entries")
    for key, value in entries.items():
        if not TRACE_KEY.match(key):
            raise InvalidArgument(
                "trace_context", f"key {key[:80]!r} is not a lowercase header name"
            )
        if len(value) > MAX_TRACE_VALUE or not value.isascii() or not value.isprintable():
            raise InvalidArgument(
                f"trace_context[{key}]", f"must be printable ASCII, at most {MAX_TRACE_VALUE}"
            )
    parent = entries.get("traceparent")
    if parent is not None and not TRACEPARENT.match(parent):
        raise InvalidArgument("trace_context[traceparent]", "is not a W3C traceparent")
    return json.dumps(dict(sorted(entries.items())), separators=(",", ":"))


def backoff_policy(m: pb.Backoff, field: str) -> str:
    """A Backoff message, validated, as the JSON the store keeps (seconds)."""
    if m.strategy not in STRATEGY_NAMES:
        raise InvalidArgument(
            f"{field}.strategy", f"{m.strategy} is not a known strategy (FIXED or EXPONENTIAL)"
        )
    high = v.MAX_RETRY_DELAY_SECONDS
    base = duration(
        m, "base", low=0.0, high=high, default=DEFAULT_BACKOFF_BASE, name=f"{field}.base"
    )
    top = duration(m, "max", low=0.0, high=high, default=None, name=f"{field}.max")
    assert base is not None
    strategy = STRATEGY_NAMES[m.strategy]
    if top is None:
        top = max(base, DEFAULT_BACKOFF_MAX)
    elif strategy == "exponential" and top < base:
        raise InvalidArgument(f"{field}.max", f"must be at least base ({base:g} s)")
    if not (math.isfinite(m.jitter) and 0.0 <= m.jitter <= 1.0):
        raise InvalidArgument(f"{field}.jitter", "must be a fraction from 0 to 1")
    return json.dumps({"strategy": strategy, "base": base, "max": top, "jitter": m.jitter})


def fill_backoff(m: pb.Backoff, text: str) -> None:
    """Write a stored policy into a Backoff field in place."""
    policy = json.loads(text)
    m.strategy = STRATEGY_NUMBERS.get(policy.get("strategy"), pb.BACKOFF_STRATEGY_EXPONENTIAL)
    _set_duration(m.base, float(policy.get("base", DEFAULT_BACKOFF_BASE)))
    _set_duration(m.max, float(policy.get("max", DEFAULT_BACKOFF_MAX)))
    m.jitter = float(policy.get("jitter", 0.0))


def _set_duration(field: duration_pb2.Duration, seconds: float) -> None:
    whole = math.floor(seconds)
    field.seconds = whole
    field.nanos = round((seconds - whole) * 1e9)
    if field.nanos >= 1_000_000_000:
        field.seconds += 1
        field.nanos -= 1_000_000_000
    field.SetInParent()


def new_actions(request: spb.EnqueueRequest) -> list[NewAction]:
    """Every NewAction of an Enqueue request, validated."""
    if not request.actions:
        raise InvalidArgument("actions", "must hold at least one action")
    if len(request.actions) > v.MAX_BATCH:
        raise InvalidArgument("actions", f"must hold at most {v.MAX_BATCH} actions")
    out = []
    for i, m in enumerate(request.actions):
        try:
            out.append(new_action(m))
        except InvalidArgument as exc:
            raise exc.within(f"actions[{i}]") from None
    return out


def completions(
    request: spb.CompleteManyRequest,
) -> tuple[list[Completion], list[tuple[int, InvalidArgument]]]:
    """The items of a CompleteMany request: the valid ones, and the invalid ones
    with why, so that one bad item does not sink its batch. The request as a whole
    is refused when it is empty, too long, or names an id twice (failures are
    reported by id, so a repeated id could not be told apart)."""
    if not request.completions:
        raise InvalidArgument("completions", "must hold at least one completion")
    if len(request.completions) > v.MAX_PAGE:
        raise InvalidArgument("completions", f"must hold at most {v.MAX_PAGE} completions")
    items: list[Completion] = []
    invalid: list[tuple[int, InvalidArgument]] = []
    seen: set[int] = set()
    for i, m in enumerate(request.completions):
        f = f"completions[{i}]"
        if m.id in seen:
            raise InvalidArgument(f"{f}.id", f"action {m.id} appears twice")
        seen.add(m.id)
        try:
            items.append(
                Completion(
                    action_id=v.positive_id(f"{f}.id", m.id),
                    lease_token=v.lease_token(f"{f}.lease_token", m.lease_token, required=False),
                    result_ref=v.text(f"{f}.result_ref", m.result_ref, limit=v.MAX_REF),
                    result=json_object_text(f"{f}.result_json", m.result_json, empty=None),
                    actor=v.text(f"{f}.actor", m.actor, limit=v.MAX_NAME) or None,
                )
            )
        except InvalidArgument as exc:
            invalid.append((m.id, exc))
    return items, invalid


def claim_queues(request: spb.ClaimRequest) -> list[str]:
    """The queues a claim names: `queues`, else `queue`, else "default"."""
    queue = v.name("queue", request.queue, required=False)
    if not request.queues:
        return [queue or "default"]
    if len(request.queues) > MAX_CLAIM_QUEUES:
        raise InvalidArgument("queues", f"must name at most {MAX_CLAIM_QUEUES} queues")
    names = list(dict.fromkeys(v.name(f"queues[{i}]", q) for i, q in enumerate(request.queues)))
    if queue and queue not in names:
        raise InvalidArgument("queue", "must be empty or one of `queues` when `queues` is set")
    return names


def claim_spec(request: spb.ClaimRequest) -> ClaimSpec:
    """A Claim request, validated, with defaults applied (an unset lease is the
    queue's default, resolved by the claim)."""
    return ClaimSpec(
        worker=v.name("worker", request.worker),
        queues=claim_queues(request),
        action_types=list(
            dict.fromkeys(
                v.name(f"action_types[{i}]", t) for i, t in enumerate(request.action_types)
            )
        ),
        project=v.name("project", request.project, required=False),
        max_actions=v.bounded("max_actions", request.max_actions or 1, low=1, high=v.MAX_PAGE),
        lease_seconds=duration(request, "lease", low=1.0, high=v.MAX_LEASE_SECONDS),
        wait_seconds=duration(request, "wait", low=0.0, high=v.MAX_WAIT_SECONDS, default=0.0)
        or 0.0,
    )


def lease(request: Any, field: str) -> float:
    """A lease length field, defaulting to 30 s."""
    value = duration(
        request, field, low=1.0, high=v.MAX_LEASE_SECONDS, default=DEFAULT_LEASE_SECONDS
    )
    return DEFAULT_LEASE_SECONDS if value is None else value


def retry_filter(request: spb.RetryRequest) -> RetryFilter:
    """The filter of a Retry by filter: dead statuses only, failed by default."""
    statuses = []
    for i, number in enumerate(request.statuses):
        status = STATUS_FROM_PB.get(number)
        if status not in DEAD:
            raise InvalidArgument(
                f"statuses[{i}]", "must be a dead status: FAILED, REJECTED or CANCELLED"
            )
        statuses.append(status)
    return RetryFilter(
        statuses=list(dict.fromkeys(statuses)) or [Status.FAILED],
        action_type=v.name("action_type", request.action_type, required=False),
        project=v.name("project", request.project, required=False),
        queue=v.name("queue", request.queue, required=False),
    )


def queue_settings(request: spb.UpdateQueueRequest) -> QueueSettings:
    """The new defaults of an UpdateQueue request; unset fields keep theirs."""
    return QueueSettings(
        max_attempts=(
            v.bounded("max_attempts", request.max_attempts, low=1, high=v.MAX_ATTEMPTS)
            if request.max_attempts
            else None
        ),
        backoff=backoff_policy(request.backoff, "backoff") if request.HasField("backoff") else None,
        lease_seconds=duration(request, "lease", low=1.0, high=v.MAX_LEASE_SECONDS),
    )


def page_size(value: int, default: int = DEFAULT_PAGE) -> int:
    """A page size field, defaulting when zero."""
    return v.bounded("page_size", value or default, low=1, high=v.MAX_PAGE)


def action_filter(request: spb.ListActionsRequest) -> ActionFilter:
    """The filters of a ListActions request."""
    statuses = []
    for i, number in enumerate(request.statuses):
        if number not in STATUS_FROM_PB:
            raise InvalidArgument(f"statuses[{i}]", f"{number} is not a known status")
        statuses.append(STATUS_FROM_PB[number])
    return ActionFilter(
        statuses=statuses,
        action_type=v.name("action_type", request.action_type, required=False),
        project=v.name("project", request.project, required=False),
        queue=v.name("queue", request.queue, required=False),
        workflow_id=workflow_id("workflow_id", request.workflow_id) if request.workflow_id else "",
        target_ref_contains=v.text(
            "target_ref_contains", request.target_ref_contains, limit=v.MAX_SEARCH
        ),
    )


def page_cursor(token: str) -> int:
    """The id cursor inside a page token."""
    if not token:
        return 0
    if not (token.isascii() and token.isdigit()) or len(token) > 19 or int(token) > v.MAX_INT64:
        raise InvalidArgument("page_token", "is not a token returned by ListActions")
    return int(token)


def event_filter(request: spb.ListEventsRequest | spb.WatchEventsRequest) -> EventFilter:
    """The filters of ListEvents and WatchEvents."""
    ids = [v.positive_id(f"action_ids[{i}]", x) for i, x in enumerate(request.action_ids)]
    types = []
    for i, t in enumerate(request.event_types):
        types.append(v.name(f"event_types[{i}]", t))
    return EventFilter(action_ids=ids, event_types=types)


# ---- responses ------------------------------------------------------------


def action(a: Action) -> pb.Action:
    """The wire form of an action."""
    m = pb.Action()
    fill_action(m, a)
    return m


def fill_action(m: pb.Action, a: Action) -> None:
    """Write an action into an empty message, typically one added to a response
    (building it elsewhere and assigning it would copy it once more).

    Done for every claimed or listed action, so only fields with a value are
    written (an empty string and an unset field are the same on the wire) and
    timestamps are written in place.
    """
    m.id = a.id
    m.queue = a.queue
    m.action_type = a.action_type
    m.project = a.project
    m.priority = a.priority
    m.status = STATUS_TO_PB[a.status]
    m.attempt = a.attempt
    m.max_attempts = a.max_attempts
    m.chain_depth = a.chain_depth
    m.created_by = a.created_by
    m.payload_json = a.payload
    if a.target_ref:
        m.target_ref = a.target_ref
    if a.source_refs:
        m.source_refs.extend(a.source_refs)
    if a.claimed_by:
        m.claimed_by = a.claimed_by
    if a.parent_id:
        m.parent_id = a.parent_id
    if a.idempotency_key:
        m.idempotency_key = a.idempotency_key
    if a.result_ref:
        m.result_ref = a.result_ref
    if a.result is not None:
        m.result_json = a.result
    if a.failure_reason:
        m.failure_reason = a.failure_reason
    if a.rejected_by:
        m.rejected_by = a.rejected_by
    _set_time(m.run_after, a.run_after)
    _set_time(m.created_at, a.created_at)
    _set_time(m.updated_at, a.updated_at)
    if a.claim_deadline is not None:
        _set_time(m.claim_deadline, a.claim_deadline)
    if a.completed_at is not None:
        _set_time(m.completed_at, a.completed_at)
    if a.backoff is not None:
        fill_backoff(m.backoff, a.backoff)
    if a.progress is not None:
        m.progress_json = a.progress
    if a.workflow_id is not None:
        m.workflow_id = a.workflow_id
        if a.depends_on:
            m.depends_on.extend(a.depends_on)
    if a.trace_context is not None:
        m.trace_context.update(json.loads(a.trace_context))
    if a.concurrency_key is not None:
        m.concurrency_key = a.concurrency_key
    if a.group_key is not None:
        m.group_key = a.group_key
    if a.waiting_for is not None:
        m.waiting_for = a.waiting_for
        if a.wait_signal is not None:
            m.wait_signal = a.wait_signal
        if a.wait_until is not None:
            _set_time(m.wait_until, a.wait_until)


def event(e: Event) -> pb.Event:
    """The wire form of an event."""
    m = pb.Event()
    fill_event(m, e)
    return m


def fill_event(m: pb.Event, e: Event) -> None:
    """Write an event into an empty message (see fill_action)."""
    m.id = e.id
    m.event_type = e.event_type
    m.actor = e.actor
    if e.action_id:
        m.action_id = e.action_id
    m.payload_json = e.payload
    m.cursor = cursor_token(e.position)
    _set_time(m.created_at, e.created_at)


def queue_stat(s: QueueStat) -> pb.QueueStat:
    """The wire form of one stats row."""
    whole = int(s.oldest_pending_seconds)
    age = duration_pb2.Duration(seconds=whole, nanos=int((s.oldest_pending_seconds - whole) * 1e9))
    return pb.QueueStat(
        queue=s.queue,
        action_type=s.action_type,
        pending=s.pending,
        claimed=s.claimed,
        completed=s.completed,
        failed=s.failed,
        rejected=s.rejected,
        cancelled=s.cancelled,
        oldest_pending_age=age,
        scheduled=s.scheduled,
        claimed_past_deadline=s.claimed_past_deadline,
        completed_last_minute=s.completed_last_minute,
        failed_last_minute=s.failed_last_minute,
        retryable=s.retryable,
        waiting=s.waiting,
    )


def checkpoint(k: Checkpoint) -> pb.Checkpoint:
    """The wire form of a checkpoint."""
    m = pb.Checkpoint(action_id=k.action_id, step=k.step, state_json=k.state, attempt=k.attempt)
    _set_time(m.created_at, k.created_at)
    _set_time(m.updated_at, k.updated_at)
    return m


def queue(q: Queue) -> pb.Queue:
    """The wire form of a queue."""
    m = pb.Queue(
        name=q.name,
        max_attempts=q.max_attempts or 1,
        paused=q.paused,
        paused_by=q.paused_by or "",
        pending=q.pending,
        claimed=q.claimed,
        waiting=q.waiting,
    )
    if q.backoff is not None:
        fill_backoff(m.backoff, q.backoff)
    if q.lease_seconds is not None:
        _set_duration(m.lease, q.lease_seconds)
    if q.paused_at is not None:
        _set_time(m.paused_at, q.paused_at)
    _set_time(m.created_at, q.created_at)
    _set_time(m.updated_at, q.updated_at)
    if q.limits:
        m.limits.extend(limit_message(lim) for lim in q.limits)
    return m


def schedule_template(request: spb.CreateScheduleRequest, name: str) -> NewAction:
    """A CreateSchedule request's action template, validated (errors name
    `action.<field>`). Its idempotency key is the server's (one per tick), so
    one given is refused, as are run_after (a tick's action is due at the tick,
    plus `delay`) and parent_id (a scheduled action is a root action)."""
    if not request.HasField("action"):
        raise InvalidArgument("action", "is required (action_type and project at least)")
    m = request.action
    if m.idempotency_key:
        raise InvalidArgument(
            "action.idempotency_key", "is set by the server for each tick; leave it empty"
        )
    if m.HasField("run_after"):
        raise InvalidArgument(
            "action.run_after", "a tick's action is due at the tick; use delay to defer it"
        )
    if m.parent_id:
        raise InvalidArgument("action.parent_id", "a scheduled action is a root action")
    try:
        new = new_action(m)
    except InvalidArgument as exc:
        raise exc.within("action") from None
    return new if m.created_by else new._replace(created_by=f"schedule:{name}")


def schedule(s: Schedule) -> pb.Schedule:
    """The wire form of a schedule."""
    a = s.action
    m = pb.Schedule(
        name=s.name,
        cron=s.cron,
        time_zone=s.time_zone,
        paused=s.paused,
        last_action_id=s.last_action_id or 0,
        action=pb.NewAction(
            queue=a.queue,
            action_type=a.action_type,
            project=a.project,
            target_ref=a.target_ref,
            source_refs=list(a.source_refs),
            payload_json=a.payload,
            priority=a.priority,
            created_by=a.created_by,
            max_attempts=a.max_attempts,
        ),
    )
    if a.delay_seconds:
        _set_duration(m.action.delay, a.delay_seconds)
    if a.backoff is not None:
        fill_backoff(m.action.backoff, a.backoff)
    _set_time(m.next_run_at, s.next_run_at)
    if s.last_run_at is not None:
        _set_time(m.last_run_at, s.last_run_at)
    _set_time(m.created_at, s.created_at)
    _set_time(m.updated_at, s.updated_at)
    return m
