"""Typed records of what the server returns: actions, events, pages, stats.

Callers and handlers get these, never protobuf messages. JSON payloads and
results arrive as JSON text and are decoded with `json.loads`, which keeps
every digit of an integer (Python ints are exact); timestamps are aware UTC
datetimes. `to_json()` gives the JSON record actionctl prints, with the data
model's field names.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from google.protobuf import duration_pb2, timestamp_pb2

from .durations import format_duration, parse_duration
from .errors import ActionqError, make_error
from .v1 import action_pb2 as pb
from .v1 import service_pb2 as spb

_STATUS_PREFIX = "ACTION_STATUS_"


def _status_name(number: int) -> str:
    return pb.ActionStatus.Name(number).removeprefix(_STATUS_PREFIX).lower()  # type: ignore[arg-type]


# The action statuses, named by the proto enum (ACTION_STATUS_PENDING ->
# "pending"); "unspecified" stands for a number this client does not know.
Status = StrEnum(  # type: ignore[misc]
    "Status",
    [
        (_status_name(v.number).upper(), _status_name(v.number))
        for v in pb.ActionStatus.DESCRIPTOR.values
    ],
)
# Every status an action can be in (not "unspecified").
STATUSES: tuple[str, ...] = tuple(s.value for s in Status if s.value != "unspecified")


_STATUS_BY_NUMBER: dict[int, Status] = {
    v.number: Status(_status_name(v.number)) for v in pb.ActionStatus.DESCRIPTOR.values
}


def status_of(number: int) -> Status:
    """The Status of a proto enum number; "unspecified" when unknown."""
    return _STATUS_BY_NUMBER.get(number) or Status("unspecified")


def status_number(name: str) -> pb.ActionStatus.ValueType:
    """The proto enum number of a status name such as "pending"."""
    if name not in STATUSES:
        raise ValueError(f"unknown status {name!r}; expected one of {', '.join(STATUSES)}")
    return pb.ActionStatus.Value(_STATUS_PREFIX + name.upper())


def decode_object(text: str) -> dict[str, Any]:
    """JSON object text as a dict (empty text is {}); integers keep every digit."""
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def encode_object(value: dict[str, Any], what: str = "payload") -> str:
    """A dict as compact JSON object text; NaN and Infinity are refused, since
    JSON cannot carry them."""
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, not {type(value).__name__}")
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _time(message: Any, name: str) -> datetime | None:
    """A Timestamp field as an aware UTC datetime (None when unset). Built from
    its parts: Timestamp.ToDatetime costs ~3x more, five times per action."""
    if not message.HasField(name):
        return None
    stamp: timestamp_pb2.Timestamp = getattr(message, name)
    return _EPOCH + timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)


def _age(value: duration_pb2.Duration) -> timedelta:
    return value.ToTimedelta()


def _seconds(message: Any, name: str) -> float | None:
    """A Duration field in seconds (None when unset)."""
    if not message.HasField(name):
        return None
    value: duration_pb2.Duration = getattr(message, name)
    return value.seconds + value.nanos / 1e9


def rfc3339(value: datetime | None) -> str | None:
    """A UTC datetime as RFC 3339 text ending in Z, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_json"):
        return value.to_json()
    return value


class _Record:
    """to_json() for the dataclasses below: field by field, JSON-ready."""

    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object with the data model's field names."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


BackoffStrategy = Literal["fixed", "exponential"]
# What an unset Backoff field means (action.proto): exponential, 2 s to 1 h.
DEFAULT_BACKOFF_BASE = 2.0
DEFAULT_BACKOFF_MAX = 3600.0
_STRATEGY_NUMBER = {
    "fixed": pb.BACKOFF_STRATEGY_FIXED,
    "exponential": pb.BACKOFF_STRATEGY_EXPONENTIAL,
}
_STRATEGY_NAME: dict[int, BackoffStrategy] = {
    pb.BACKOFF_STRATEGY_FIXED: "fixed",
    pb.BACKOFF_STRATEGY_EXPONENTIAL: "exponential",
}
_BACKOFF_HINT = (
    "expected exponential:BASE:MAX[:JITTER] or fixed:DELAY[:JITTER], "
    "e.g. exponential:2s:10m, exponential:2s:10m:0.2, fixed:30s or fixed:30s:10%"
)


@dataclass(frozen=True, slots=True)
class Backoff(_Record):
    """A retry policy: how long an action waits after a failed attempt.

    `fixed` waits `base` every time; `exponential` waits base * 2^(n-1) after
    attempt n, at most `max`. With `jitter` j the delay is drawn from
    [d * (1 - j), d]. Durations are seconds. Spelled as text by `parse`
    (`exponential:2s:10m`, `fixed:30s:0.1`) and `str()`."""

    strategy: BackoffStrategy = "exponential"
    base: float = DEFAULT_BACKOFF_BASE
    max: float = DEFAULT_BACKOFF_MAX
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.strategy not in _STRATEGY_NUMBER:
            raise ValueError(
                f"backoff strategy {self.strategy!r} is unknown; expected fixed or exponential"
            )
        if self.base < 0:
            raise ValueError(f"backoff base {self.base}s is negative")
        if self.strategy == "exponential" and self.max < self.base:
            raise ValueError(
                f"backoff max ({format_duration(self.max)}) is less than its base "
                f"({format_duration(self.base)})"
            )
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"backoff jitter {self.jitter} must lie between 0 and 1")

    @classmethod
    def parse(cls, text: str) -> Backoff:
        """Read a spelling: `exponential:BASE:MAX[:JITTER]` or
        `fixed:DELAY[:JITTER]`, durations as parse_duration reads them and
        jitter as a fraction (0.2) or a percentage (20%)."""
        parts = text.strip().split(":")
        strategy = parts[0].lower()
        if strategy == "exponential" and len(parts) in (3, 4):
            base = parse_duration(parts[1], "backoff base")
            top = parse_duration(parts[2], "backoff max")
            jitter = _jitter(parts[3]) if len(parts) == 4 else 0.0
            return cls("exponential", base, top, jitter)
        if strategy == "fixed" and len(parts) in (2, 3):
            base = parse_duration(parts[1], "backoff delay")
            jitter = _jitter(parts[2]) if len(parts) == 3 else 0.0
            return cls("fixed", base, base, jitter)
        if strategy not in _STRATEGY_NUMBER:
            raise ValueError(f"backoff {text!r}: unknown strategy {parts[0]!r}; {_BACKOFF_HINT}")
        raise ValueError(f"backoff {text!r} has the wrong number of parts; {_BACKOFF_HINT}")

    @classmethod
    def of(cls, value: Backoff | str | None) -> Backoff | None:
        """A Backoff as given, or parsed from its spelling; None stays None."""
        if value is None or isinstance(value, Backoff):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        raise TypeError(f"backoff must be a Backoff or its spelling, not {type(value).__name__}")

    def __str__(self) -> str:
        if self.strategy == "fixed":
            spelled = f"fixed:{format_duration(self.base)}"
        else:
            spelled = f"exponential:{format_duration(self.base)}:{format_duration(self.max)}"
        return f"{spelled}:{self.jitter:g}" if self.jitter else spelled

    def ceiling(self, attempt: int) -> float:
        """The delay before the retry after `attempt` (1 for the first) without
        jitter: the upper bound of `delay(attempt)`."""
        if self.strategy == "fixed":
            return self.base
        exponent = max(0, attempt - 1)
        if exponent >= 64:
            return self.max
        return float(min(self.base * 2**exponent, self.max))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """A delay drawn as the server draws it: uniformly from
        [ceiling * (1 - jitter), ceiling]."""
        top = self.ceiling(attempt)
        if not self.jitter:
            return top
        draw = (rng or random).random()
        return top * (1.0 - self.jitter * draw)

    def to_proto(self) -> pb.Backoff:
        """The policy as a Backoff message."""
        message = pb.Backoff(strategy=_STRATEGY_NUMBER[self.strategy], jitter=self.jitter)
        message.base.FromNanoseconds(round(self.base * 1e9))
        message.max.FromNanoseconds(round(self.max * 1e9))
        return message

    @classmethod
    def from_proto(cls, message: pb.Backoff) -> Backoff:
        """Decode a Backoff message, unset fields as the proto defines them."""
        strategy = _STRATEGY_NAME.get(message.strategy, "exponential")
        base = _seconds(message, "base")
        top = _seconds(message, "max")
        base = DEFAULT_BACKOFF_BASE if base is None else base
        if strategy == "fixed":
            top = base
        elif top is None:
            top = max(DEFAULT_BACKOFF_MAX, base)
        return cls(strategy, base, top, message.jitter)


def _jitter(text: str) -> float:
    spelled = text.strip()
    try:
        value = float(spelled[:-1]) / 100 if spelled.endswith("%") else float(spelled)
    except ValueError:
        raise ValueError(
            f"backoff jitter {text!r} is not a number; expected a fraction (0.2) or a "
            "percentage (20%)"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"backoff jitter {text!r} must lie between 0 and 1 (or 0% and 100%)")
    return value


def _backoff(message: Any) -> Backoff | None:
    return Backoff.from_proto(message.backoff) if message.HasField("backoff") else None


@dataclass(frozen=True, slots=True)
class Action(_Record):
    """The current state of one action."""

    id: int
    queue: str
    action_type: str
    project: str
    target_ref: str | None
    source_refs: list[str]
    payload: dict[str, Any]
    priority: int
    status: Status
    run_after: datetime | None
    attempt: int
    max_attempts: int
    claimed_by: str | None
    claim_deadline: datetime | None
    parent_id: int | None
    chain_depth: int
    created_by: str
    idempotency_key: str | None
    result_ref: str | None
    result: dict[str, Any] | None
    failure_reason: str | None
    rejected_by: str | None
    completed_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    backoff: Backoff | None = None
    progress: dict[str, Any] | None = None
    workflow_id: str | None = None
    depends_on: list[int] = field(default_factory=list)
    concurrency_key: str | None = None
    group_key: str | None = None
    waiting_for: str | None = None
    wait_signal: str | None = None
    wait_until: datetime | None = None
    trace_context: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_proto(cls, a: pb.Action) -> Action:
        """Decode an Action message (its JSON text included)."""
        return cls(
            id=a.id,
            queue=a.queue,
            action_type=a.action_type,
            project=a.project,
            target_ref=a.target_ref or None,
            source_refs=list(a.source_refs),
            payload=decode_object(a.payload_json),
            priority=a.priority,
            status=status_of(a.status),
            run_after=_time(a, "run_after"),
            attempt=a.attempt,
            max_attempts=a.max_attempts,
            claimed_by=a.claimed_by or None,
            claim_deadline=_time(a, "claim_deadline"),
            parent_id=a.parent_id or None,
            chain_depth=a.chain_depth,
            created_by=a.created_by,
            idempotency_key=a.idempotency_key or None,
            result_ref=a.result_ref or None,
            result=decode_object(a.result_json) if a.result_json else None,
            failure_reason=a.failure_reason or None,
            rejected_by=a.rejected_by or None,
            completed_at=_time(a, "completed_at"),
            created_at=_time(a, "created_at"),
            updated_at=_time(a, "updated_at"),
            backoff=_backoff(a),
            progress=decode_object(a.progress_json) if a.progress_json else None,
            workflow_id=a.workflow_id or None,
            # Read only when set: most actions carry none of these, and
            # copying an empty container still costs (this runs per action).
            depends_on=list(deps) if (deps := a.depends_on) else [],
            concurrency_key=a.concurrency_key or None,
            group_key=a.group_key or None,
            waiting_for=a.waiting_for or None,
            wait_signal=a.wait_signal or None,
            wait_until=_time(a, "wait_until"),
            trace_context=dict(trace) if (trace := a.trace_context) else {},
        )


@dataclass(frozen=True, slots=True)
class Event(_Record):
    """One entry of the event log. `cursor` is its opaque position: pass it as
    after_cursor to read what follows. `id` is an identity, not a position."""

    id: int
    cursor: str
    action_id: int | None
    event_type: str
    actor: str
    payload: dict[str, Any]
    created_at: datetime | None

    @classmethod
    def from_proto(cls, e: pb.Event) -> Event:
        """Decode an Event message."""
        return cls(
            id=e.id,
            cursor=e.cursor,
            action_id=e.action_id or None,
            event_type=e.event_type,
            actor=e.actor,
            payload=decode_object(e.payload_json),
            created_at=_time(e, "created_at"),
        )


@dataclass(frozen=True, slots=True)
class ClaimedAction:
    """A claimed action and the lease token that fences it."""

    action: Action
    lease_token: str

    def to_json(self) -> dict[str, Any]:
        """The action's record with its lease_token."""
        return {**self.action.to_json(), "lease_token": self.lease_token}


@dataclass(frozen=True, slots=True)
class EnqueuedAction:
    """One stored action; `duplicate` when its idempotency key matched an existing one."""

    action: Action
    duplicate: bool


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """The outcome of one Enqueue call, in request order (iterable, indexable).

    `replayed` is true when the server answered a retry of an earlier call with
    the same `request_id` (nothing was stored twice)."""

    actions: list[EnqueuedAction]
    replayed: bool
    request_id: str

    def __iter__(self) -> Iterator[EnqueuedAction]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __getitem__(self, index: int) -> EnqueuedAction:
        return self.actions[index]


@dataclass(frozen=True, slots=True)
class EnqueuedIds:
    """The ids of one Enqueue call's stored actions, in request order
    (`enqueue_ids`); `duplicates[i]` when item i's idempotency key matched an
    existing action, `replayed` as in EnqueueResult."""

    ids: list[int]
    duplicates: list[bool]
    replayed: bool
    request_id: str


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What a Sweep requeued (iterable, indexable): `actions` lists them all,
    or only the first ones when their JSON would outgrow one message;
    `requeued_count` counts them all. `failed` lists the actions whose lease
    expired on their last attempt, now failed, and `failed_count` counts them."""

    actions: list[Action]
    requeued_count: int
    failed: list[Action] = field(default_factory=list)
    failed_count: int = 0

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __getitem__(self, index: int) -> Action:
        return self.actions[index]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A heartbeat's answer: the new deadline, or that the action was cancelled."""

    claim_deadline: datetime | None
    cancelled: bool


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One refused item of a CompleteMany, with the error Complete would raise."""

    id: int
    code: str
    reason: str
    message: str

    def error(self) -> ActionqError:
        """The refusal as a typed error (e.g. StaleLease)."""
        return make_error(self.code, self.message, reason=self.reason)


@dataclass(frozen=True, slots=True)
class CompleteManyResult:
    """Which completions were applied, and which were refused."""

    completed_ids: list[int]
    failures: list[ItemFailure]


@dataclass(frozen=True, slots=True)
class ActionPage:
    """One page of ListActions; `next_page_token` is empty on the last page."""

    actions: list[Action]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of ListEvents; resume from `next_cursor`."""

    events: list[Event]
    next_cursor: str


@dataclass(frozen=True, slots=True)
class EventBatch:
    """One WatchEvents message: events in log order, and the cursor to resume from."""

    events: list[Event]
    cursor: str


@dataclass(frozen=True, slots=True)
class QueueStat(_Record):
    """Counts of one queue and action type, by status. `completed` is 0 unless
    the stats were asked with include_completed; `scheduled` (pending not yet
    due) is counted in `pending`, `claimed_past_deadline` in `claimed`."""

    queue: str
    action_type: str
    pending: int
    claimed: int
    completed: int
    failed: int
    rejected: int
    cancelled: int
    oldest_pending_age: timedelta
    scheduled: int = 0
    claimed_past_deadline: int = 0
    completed_last_minute: int = 0
    failed_last_minute: int = 0
    retryable: int = 0
    waiting: int = 0

    def to_json(self) -> dict[str, Any]:
        """The row as actionctl prints it (the age in seconds)."""
        row = _Record.to_json(self)
        row["oldest_pending_seconds"] = row.pop("oldest_pending_age")
        return row


@dataclass(frozen=True, slots=True)
class QueueStats(_Record):
    """GetQueueStats: rows per queue and action type, and the end of the log."""

    stats: list[QueueStat]
    latest_event_cursor: str
    as_of: datetime | None


@dataclass(frozen=True, slots=True)
class Checkpoint(_Record):
    """State saved under a step name by one attempt of an action."""

    action_id: int
    step: str
    state: dict[str, Any]
    attempt: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_proto(cls, k: pb.Checkpoint) -> Checkpoint:
        """Decode a Checkpoint message (the state with every digit)."""
        return cls(
            action_id=k.action_id,
            step=k.step,
            state=decode_object(k.state_json),
            attempt=k.attempt,
            created_at=_time(k, "created_at"),
            updated_at=_time(k, "updated_at"),
        )


ROLES = ("producer", "worker", "operator", "coordinator", "admin")


def role_number(role: str) -> pb.Role.ValueType:
    """The proto Role of a role name."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return pb.Role.Value(f"ROLE_{role.upper()}")


@dataclass(frozen=True, slots=True)
class Token(_Record):
    """An API token as stored (never its secret)."""

    id: str
    name: str
    role: str
    names: list[str]
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str

    @classmethod
    def from_proto(cls, t: pb.Token) -> Token:
        """Decode a Token message."""
        return cls(
            id=t.id,
            name=t.name,
            role=pb.Role.Name(t.role).removeprefix("ROLE_").lower(),
            names=list(t.names),
            created_at=_time(t, "created_at"),
            expires_at=_time(t, "expires_at"),
            revoked_at=_time(t, "revoked_at"),
            created_by=t.created_by,
        )


@dataclass(frozen=True, slots=True)
class NewToken(_Record):
    """A token just made, with its secret (shown this once)."""

    token: Token
    secret: str

    def to_json(self) -> dict[str, Any]:
        """The token's record with its secret."""
        return {**self.token.to_json(), "secret": self.secret}


@dataclass(frozen=True, slots=True)
class Schedule(_Record):
    """A cron schedule and the action it enqueues at each tick (its template's
    fields flattened: queue, action_type, ... backoff). `delay` is in seconds;
    `next_run_at` is the next tick, `last_run_at` and `last_action_id` the
    last tick that enqueued an action (None before the first)."""

    name: str
    cron: str
    time_zone: str
    paused: bool
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_action_id: int | None
    queue: str
    action_type: str
    project: str
    target_ref: str
    source_refs: list[str]
    payload: dict[str, Any]
    priority: int
    created_by: str
    max_attempts: int
    delay: float | None
    backoff: Backoff | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def from_proto(cls, s: pb.Schedule) -> Schedule:
        """Decode a Schedule message."""
        a = s.action
        return cls(
            name=s.name,
            cron=s.cron,
            time_zone=s.time_zone or "UTC",
            paused=s.paused,
            next_run_at=_time(s, "next_run_at"),
            last_run_at=_time(s, "last_run_at"),
            last_action_id=s.last_action_id or None,
            queue=a.queue or "default",
            action_type=a.action_type,
            project=a.project,
            target_ref=a.target_ref,
            source_refs=list(a.source_refs),
            payload=decode_object(a.payload_json),
            priority=a.priority,
            created_by=a.created_by,
            max_attempts=a.max_attempts,
            delay=_seconds(a, "delay"),
            backoff=_backoff(a),
            created_at=_time(s, "created_at"),
            updated_at=_time(s, "updated_at"),
        )


@dataclass(frozen=True, slots=True)
class Queue(_Record):
    """A queue: its defaults for the actions enqueued into it, whether claiming
    is paused, and its live counts. `lease` is in seconds; `backoff` and
    `lease` are None when the queue keeps the server's defaults."""

    name: str
    max_attempts: int
    backoff: Backoff | None
    lease: float | None
    paused: bool
    paused_at: datetime | None
    paused_by: str | None
    pending: int
    claimed: int
    created_at: datetime | None
    updated_at: datetime | None
    waiting: int = 0
    limits: list[QueueLimit] = field(default_factory=list)

    @classmethod
    def from_proto(cls, q: pb.Queue) -> Queue:
        """Decode a Queue message."""
        return cls(
            name=q.name,
            max_attempts=q.max_attempts,
            backoff=_backoff(q),
            lease=_seconds(q, "lease"),
            paused=q.paused,
            paused_at=_time(q, "paused_at"),
            paused_by=q.paused_by or None,
            pending=q.pending,
            claimed=q.claimed,
            created_at=_time(q, "created_at"),
            updated_at=_time(q, "updated_at"),
            waiting=q.waiting,
            limits=[QueueLimit.from_proto(lim) for lim in q.limits],
        )


LimitScope = Literal["queue", "type", "key"]
_SCOPE_NUMBER = {
    "queue": pb.LIMIT_SCOPE_QUEUE,
    "type": pb.LIMIT_SCOPE_ACTION_TYPE,
    "key": pb.LIMIT_SCOPE_CONCURRENCY_KEY,
}
_SCOPE_NAME: dict[int, LimitScope] = {
    pb.LIMIT_SCOPE_QUEUE: "queue",
    pb.LIMIT_SCOPE_ACTION_TYPE: "type",
    pb.LIMIT_SCOPE_CONCURRENCY_KEY: "key",
}


@dataclass(frozen=True, slots=True)
class QueueLimit(_Record):
    """A limit on a queue's claims: scope "queue" (the whole queue), "type"
    (one `action_type`) or "key" (each concurrency_key value separately).
    At most `concurrency` claimed at once and at most `rate` claims per
    `period` seconds (1 s when None); 0 means no such limit, and a limit with
    both 0 removes it (in `set_queue_limits`)."""

    scope: LimitScope = "queue"
    action_type: str = ""
    concurrency: int = 0
    rate: int = 0
    period: float | None = None

    def to_proto(self) -> pb.QueueLimit:
        """The QueueLimit message (an unknown scope is sent unspecified: the
        server refuses it)."""
        m = pb.QueueLimit(
            scope=_SCOPE_NUMBER.get(self.scope, pb.LIMIT_SCOPE_UNSPECIFIED),
            action_type=self.action_type,
            concurrency=self.concurrency,
            rate=self.rate,
        )
        if self.period is not None:
            whole = int(self.period)
            m.period.seconds = whole
            m.period.nanos = round((self.period - whole) * 1e9)
        return m

    @classmethod
    def from_proto(cls, m: pb.QueueLimit) -> QueueLimit:
        """Decode a QueueLimit message."""
        return cls(
            scope=_SCOPE_NAME.get(m.scope, "queue"),
            action_type=m.action_type,
            concurrency=m.concurrency,
            rate=m.rate,
            period=_seconds(m, "period"),
        )


@dataclass(frozen=True, slots=True)
class WakeUp(_Record):
    """Why a wait ended: a signal (`signal`, its `payload` and `signal_id`)
    or its timeout (`timed_out`, payload {}, signal_id 0). Also stored as the
    checkpoint of the wait's `step`."""

    step: str
    signal: str
    payload: dict[str, Any]
    timed_out: bool
    signal_id: int
    woke_at: datetime | None

    @classmethod
    def from_proto(cls, w: pb.WakeUp) -> WakeUp:
        """Decode a WakeUp message."""
        return cls(
            step=w.step,
            signal=w.signal,
            payload=decode_object(w.payload_json),
            timed_out=w.timed_out,
            signal_id=w.signal_id,
            woke_at=_time(w, "woke_at"),
        )


@dataclass(frozen=True, slots=True)
class Suspension(_Record):
    """What a Suspend did. `suspended`: the action is waiting and the worker
    no longer holds it (end the handler's run). Otherwise the action is still
    claimed by the caller and `wake` is the wait's outcome."""

    suspended: bool
    action: Action
    wake: WakeUp | None

    @classmethod
    def from_proto(cls, r: spb.SuspendResponse) -> Suspension:
        """Decode a SuspendResponse."""
        return cls(
            suspended=r.suspended,
            action=Action.from_proto(r.action),
            wake=WakeUp.from_proto(r.wake) if r.HasField("wake") else None,
        )


@dataclass(frozen=True, slots=True)
class SignalResult(_Record):
    """What a Signal did: its id, the actions it woke now, and until when
    actions that start waiting later receive it (None: not kept)."""

    signal_id: int
    woken: list[int]
    kept_until: datetime | None

    @classmethod
    def from_proto(cls, r: spb.SignalResponse) -> SignalResult:
        """Decode a SignalResponse."""
        return cls(signal_id=r.signal_id, woken=list(r.woken), kept_until=_time(r, "kept_until"))


@dataclass(frozen=True, slots=True)
class RetryResult(_Record):
    """What a Retry put back to pending: ids in id order; `more` when a filter
    call stopped at its limit and more dead actions match (call again)."""

    retried_ids: list[int]
    more: bool


@dataclass(frozen=True, slots=True)
class PruneResult(_Record):
    """What one Prune removed; `more` when older finished actions remain (call
    again). `oldest_cursor` is the oldest cursor a reader can resume from, ""
    while nothing was ever dropped."""

    pruned_actions: int
    dropped_partitions: int
    more: bool
    oldest_cursor: str


@dataclass(frozen=True, slots=True)
class MigrateReport(_Record):
    """The schema, its version, and the migrations this call applied."""

    schema: str
    version: int
    applied: list[str] = field(default_factory=list)


def enqueue_result(response: spb.EnqueueResponse, request_id: str) -> EnqueueResult:
    """Decode an EnqueueResponse."""
    return EnqueueResult(
        [EnqueuedAction(Action.from_proto(e.action), e.duplicate) for e in response.actions],
        response.replayed,
        request_id,
    )


def enqueued_ids(response: spb.EnqueueResponse, request_id: str) -> EnqueuedIds:
    """Decode an EnqueueResponse of ENQUEUE_VIEW_ID."""
    return EnqueuedIds(
        [e.action.id for e in response.actions],
        [e.duplicate for e in response.actions],
        response.replayed,
        request_id,
    )


def claimed(response: spb.ClaimResponse) -> list[ClaimedAction]:
    """Decode a ClaimResponse."""
    return [ClaimedAction(Action.from_proto(c.action), c.lease_token) for c in response.actions]


def sweep_result(response: spb.SweepResponse) -> SweepResult:
    """Decode a SweepResponse."""
    actions = [Action.from_proto(a) for a in response.actions]
    failed = [Action.from_proto(a) for a in response.failed]
    return SweepResult(
        actions,
        max(response.requeued_count, len(actions)),
        failed,
        max(response.failed_count, len(failed)),
    )


def heartbeat(response: spb.HeartbeatResponse) -> Heartbeat:
    """Decode a HeartbeatResponse."""
    return Heartbeat(_time(response, "claim_deadline"), response.cancelled)


def complete_many(response: spb.CompleteManyResponse) -> CompleteManyResult:
    """Decode a CompleteManyResponse."""
    return CompleteManyResult(
        list(response.completed_ids),
        [ItemFailure(f.id, f.code, f.reason, f.message) for f in response.failures],
    )


def action_page(response: spb.ListActionsResponse) -> ActionPage:
    """Decode a ListActionsResponse."""
    return ActionPage([Action.from_proto(a) for a in response.actions], response.next_page_token)


def event_page(response: spb.ListEventsResponse) -> EventPage:
    """Decode a ListEventsResponse."""
    return EventPage([Event.from_proto(e) for e in response.events], response.next_cursor)


def event_batch(response: spb.WatchEventsResponse) -> EventBatch:
    """Decode a WatchEventsResponse."""
    return EventBatch([Event.from_proto(e) for e in response.events], response.cursor)


def queue_stats(response: spb.GetQueueStatsResponse) -> QueueStats:
    """Decode a GetQueueStatsResponse."""
    rows = [
        QueueStat(
            s.queue,
            s.action_type,
            s.pending,
            s.claimed,
            s.completed,
            s.failed,
            s.rejected,
            s.cancelled,
            _age(s.oldest_pending_age),
            s.scheduled,
            s.claimed_past_deadline,
            s.completed_last_minute,
            s.failed_last_minute,
            s.retryable,
            s.waiting,
        )
        for s in response.stats
    ]
    return QueueStats(rows, response.latest_event_cursor, _time(response, "as_of"))


def migrate_report(response: spb.MigrateResponse) -> MigrateReport:
    """Decode a MigrateResponse."""
    return MigrateReport(response.schema, response.version, list(response.applied))


def retry_result(response: spb.RetryResponse) -> RetryResult:
    """Decode a RetryResponse."""
    return RetryResult(list(response.retried_ids), response.more)


def prune_result(response: spb.PruneResponse) -> PruneResult:
    """Decode a PruneResponse."""
    return PruneResult(
        response.pruned_actions, response.dropped_partitions, response.more, response.oldest_cursor
    )


def queues(response: spb.ListQueuesResponse) -> list[Queue]:
    """Decode a ListQueuesResponse."""
    return [Queue.from_proto(q) for q in response.queues]


@dataclass(frozen=True, slots=True)
class WorkflowRun(_Record):
    """A workflow run: `status` is "running", "completed" (every action
    completed) or "failed" (every action ended, one at least not completed);
    its actions counted by status, and listed in id order."""

    id: str
    status: str
    total: int
    pending: int
    claimed: int
    waiting: int
    completed: int
    failed: int
    rejected: int
    cancelled: int
    created_at: datetime | None
    finished_at: datetime | None
    actions: list[Action]

    @classmethod
    def from_proto(cls, m: spb.GetWorkflowResponse) -> WorkflowRun:
        """Decode a GetWorkflow response."""
        w = m.workflow
        return cls(
            id=w.id,
            status=w.status,
            total=w.total,
            pending=w.pending,
            claimed=w.claimed,
            waiting=w.waiting,
            completed=w.completed,
            failed=w.failed,
            rejected=w.rejected,
            cancelled=w.cancelled,
            created_at=_time(w, "created_at"),
            finished_at=_time(w, "finished_at"),
            actions=[Action.from_proto(a) for a in m.actions],
        )
