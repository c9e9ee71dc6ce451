"""Plain data carried between the API layer and the store."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from .limits import QueueLimit

JsonText = str
"""A JSON object as UTF-8 text: checked once at the edge, stored as jsonb, handed back as text."""


class Status(enum.StrEnum):
    """Lifecycle status of an action, as stored."""

    PENDING = "pending"
    CLAIMED = "claimed"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


TERMINAL_STATUSES = frozenset({Status.COMPLETED, Status.FAILED, Status.REJECTED, Status.CANCELLED})
DEAD_STATUSES = frozenset({Status.FAILED, Status.REJECTED, Status.CANCELLED})
# The events that end an action (WaitAction wakes on them).
FINISHING_EVENT_TYPES = ("action_completed", "action_failed", "action_rejected", "action_cancelled")


COORDINATOR_EVENT_TYPES = frozenset({"coordinator_cycle", "coordinator_paused"})


class Action(NamedTuple):
    """The current state of one action.

    A NamedTuple rather than a frozen dataclass: one is built for every row a
    claim or a listing returns, and a tuple is built at C speed (a frozen
    dataclass costs ~3 µs a row in `object.__setattr__`).
    """

    id: int
    queue: str
    action_type: str
    project: str
    target_ref: str
    source_refs: list[str]
    payload: JsonText
    priority: int
    status: Status
    run_after: datetime
    attempt: int
    max_attempts: int
    claimed_by: str | None
    claim_deadline: datetime | None
    parent_id: int | None
    chain_depth: int
    created_by: str
    idempotency_key: str | None
    result_ref: str | None
    result: JsonText | None
    failure_reason: str | None
    rejected_by: str | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    payload_bytes: int
    backoff: JsonText | None
    progress: JsonText | None
    workflow_id: str | None = None
    depends_on: list[int] | None = None
    concurrency_key: str | None = None
    group_key: str | None = None
    waiting_for: str | None = None
    wait_signal: str | None = None
    wait_until: datetime | None = None
    wait_step: str | None = None
    trace_context: JsonText | None = None


class NewAction(NamedTuple):
    """A validated request to enqueue one action (a NamedTuple: built per item
    of a batch, see Action)."""

    action_type: str
    project: str
    created_by: str
    queue: str = "default"
    target_ref: str = ""
    source_refs: Sequence[str] = ()
    payload: JsonText = "{}"
    priority: int = 0
    parent_id: int | None = None
    idempotency_key: str | None = None
    max_attempts: int = 0
    run_after: datetime | None = None
    delay_seconds: float = 0.0
    backoff: JsonText | None = None
    workflow_id: str | None = None
    depends_on: Sequence[int] = ()
    depends_on_index: Sequence[int] = ()
    concurrency_key: str | None = None
    group_key: str | None = None
    trace_context: JsonText | None = None


class Enqueued(NamedTuple):
    """The outcome of enqueuing one NewAction (a NamedTuple: one per item)."""

    action: Action
    duplicate: bool


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    """The outcome of one Enqueue call; `replayed` when it repeats an earlier
    call with the same request id, which stored nothing now."""

    items: list[Enqueued]
    replayed: bool


@dataclass(frozen=True, slots=True)
class RequestKey:
    """An Enqueue call's request id and a digest of the request, so that a retry
    is told apart from another request reusing the id."""

    request_id: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class Claimed:
    """An action handed to a worker with its lease token."""

    action: Action
    lease_token: str


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    """What a worker asks for."""

    worker: str
    queues: list[str] = field(default_factory=lambda: ["default"])
    action_types: list[str] = field(default_factory=list)
    project: str = ""
    max_actions: int = 1
    lease_seconds: float | None = None
    wait_seconds: float = 0.0


class Completion(NamedTuple):
    """One validated completion of a batch (a NamedTuple: built per item, see Action)."""

    action_id: int
    lease_token: str | None
    result_ref: str
    result: JsonText | None
    actor: str | None


@dataclass(frozen=True, slots=True)
class HeartbeatOutcome:
    """A new deadline, or word that the action was cancelled under the worker."""

    claim_deadline: datetime | None
    cancelled: bool


class Event(NamedTuple):
    """One entry of the append-only log (a NamedTuple for the reason Action is)."""

    id: int
    action_id: int | None
    event_type: str
    actor: str
    payload: JsonText
    created_at: datetime
    txid: int

    @property
    def position(self) -> LogPosition:
        """Where the event stands in the log."""
        return LogPosition(self.txid, self.id)


class LogPosition(NamedTuple):
    """A position in the event log: (writing transaction, event id). Events are
    read in this order; (horizon, 0) stands after every event of transactions
    older than the horizon."""

    txid: int
    id: int

    @classmethod
    def start(cls) -> LogPosition:
        """Before the first event."""
        return cls(0, 0)

    def token(self) -> str:
        """The opaque cursor clients carry for this position."""
        return f"{self.txid}.{self.id}"


@dataclass(frozen=True, slots=True)
class EventPage:
    """Events after a cursor and the cursor to continue from."""

    events: list[Event]
    next_cursor: LogPosition


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a reader wants."""

    action_ids: list[int] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ActionFilter:
    """Which actions a listing wants."""

    statuses: list[Status] = field(default_factory=list)
    action_type: str = ""
    project: str = ""
    queue: str = ""
    workflow_id: str = ""
    # A case-insensitive substring of target_ref ("" for any).
    target_ref_contains: str = ""


@dataclass(frozen=True, slots=True)
class QueueStat:
    """Counts of one queue and action type by status."""

    queue: str
    action_type: str
    pending: int
    scheduled: int
    retryable: int
    claimed: int
    claimed_past_deadline: int
    completed: int
    failed: int
    rejected: int
    cancelled: int
    completed_last_minute: int
    failed_last_minute: int
    oldest_pending_seconds: float
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue: its defaults (None: the built-in ones), pause state and live counts."""

    name: str
    max_attempts: int | None
    backoff: JsonText | None
    lease_seconds: float | None
    paused: bool
    paused_at: datetime | None
    paused_by: str | None
    created_at: datetime
    updated_at: datetime
    pending: int
    claimed: int
    waiting: int = 0
    limits: tuple[QueueLimit, ...] = ()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """State saved under a step name by the attempt `attempt` of an action."""

    action_id: int
    step: str
    state: JsonText
    attempt: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """New defaults for a queue; None keeps the current one."""

    max_attempts: int | None = None
    backoff: JsonText | None = None
    lease_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class RetryFilter:
    """Which dead actions a Retry by filter takes."""

    statuses: list[Status]
    action_type: str = ""
    project: str = ""
    queue: str = ""


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """The schema after a migration run."""

    schema: str
    version: int
    applied: list[str]


class PruneOutcome(NamedTuple):
    """What one retention batch removed, and where the kept log begins."""

    pruned_actions: int
    dropped_partitions: int
    more: bool
    # The highest log position ever dropped (the oldest cursor a reader can
    # resume from without missing events); None while nothing was dropped.
    oldest_cursor: LogPosition | None
