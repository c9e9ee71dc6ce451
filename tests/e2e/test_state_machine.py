"""The action lifecycle as a Hypothesis state machine against the real server.

Rules: enqueue (max_attempts 1..4 or the queue's, a fixed or exponential
backoff of small bases or the queue's, sometimes a delay), UpdateQueue (queue
defaults: max_attempts, backoff, lease), claim (several workers, leases of 1 to
2 s or the queue's, one or several queues, some action types), heartbeat
(sometimes with progress), complete, fail (by the backoff, with an explicit
retry_delay, or with no_retry), reject, cancel, Retry of dead actions by id or
by filter, PauseQueue/ResumeQueue, calls under stale leases, and the passing
of time: a rule sleeps until the model's next lease deadline or run_after (or
a tick) and then calls Sweep. The sleep models time passing; nothing waits on
the server by sleeping, and a run's sleeps are capped (ACTIONQ_STATE_MACHINE_SLEEP
seconds per example).

After every step it checks, against a model that knows each action's status,
attempt, run_after, lease and progress and each queue's settings:

- the new events are exactly the transitions the step made (per action, in
  order, with their actors), and replaying the run's whole log reproduces
  every action's status and attempt, taking only the legal transitions of
  DESIGN.md's lifecycle (claim_timed_out then action_failed only on the last
  attempt, action_retry_scheduled only with attempts left);
- the stored actions equal the model; attempt never exceeds max_attempts, and
  no action is pending with its attempts spent;
- retry delays lie within the policy's bounds ([d * (1 - jitter), d] after the
  Fail, d = base * 2^(attempt-1) capped at max, or base when fixed; the queue's
  policy, else exponential 2 s..1 h with jitter 0.1, when the action has
  none), and an explicit retry_delay is exact;
- every claim takes only due pending actions of unpaused queues, in claim
  order, with the lease asked for (or the queue's, else 30 s), and a claim that
  returns fewer than it asked for left no action unclaimed that was due
  before it started: no due action in an unpaused queue stays unclaimable;
- Sweep takes exactly the leases that expired (requeued, or failed with
  "lease expired" on the last attempt);
- ListQueues and GetQueueStats count as the model does;
- a refused call (Retry naming a live action, cancelling a finished one, a
  stale lease, pausing an unknown queue) is FAILED_PRECONDITION with its
  reason and changes nothing; Heartbeat under a cancelled lease says so.

Database time is read from GetQueueStats.as_of. ACTIONQ_STATE_MACHINE_EXAMPLES
(default 30) and ACTIONQ_STATE_MACHINE_STEPS (default 30) size the run; under
CI=true it is derandomized. Examples are not shrunk: time is real, so a replay
could take a different path.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import duration_pb2, timestamp_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import fresh_schema
from tests.support import ServerProcess, start_server

EXAMPLES = int(os.environ.get("ACTIONQ_STATE_MACHINE_EXAMPLES", "30"))
STEPS = int(os.environ.get("ACTIONQ_STATE_MACHINE_STEPS", "30"))
SLEEP_BUDGET_S = float(os.environ.get("ACTIONQ_STATE_MACHINE_SLEEP", "2.0"))
# Both ends of each measured interval come from one transaction's now(); the
# slack covers rounding to the database's microseconds (and little else, so
# that a delay computed for the wrong attempt cannot hide in it).
TOLERANCE_US = 2_000
MAX_TRACKED = 14
TYPES = ("sm.a", "sm.b")
WORKERS = ("w1", "w2", "w3")
DEAD = frozenset({"failed", "rejected", "cancelled"})
DEFAULT_BACKOFF = pb.Backoff(
    strategy=pb.BACKOFF_STRATEGY_EXPONENTIAL,
    base=duration_pb2.Duration(seconds=2),
    max=duration_pb2.Duration(seconds=3600),
    jitter=0.1,
)
STATUS = {
    value: name.removeprefix("ACTION_STATUS_").lower() for name, value in pb.ActionStatus.items()
}
STATUS_VALUE = {name: value for value, name in STATUS.items()}
STATUS_NAMES = ("pending", "claimed", "completed", "failed", "rejected", "cancelled")
STATS: Counter[str] = Counter()
EVENTS: Counter[str] = Counter()

# event type -> (statuses it may follow, status it leads to; None keeps it)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "action_enqueued": (frozenset({"new"}), "pending"),
    "action_claimed": (frozenset({"pending"}), "claimed"),
    "action_completed": (frozenset({"claimed"}), "completed"),
    "action_retry_scheduled": (frozenset({"claimed"}), "pending"),
    "action_failed": (frozenset({"claimed", "timed_out"}), "failed"),
    "action_rejected": (frozenset({"claimed"}), "rejected"),
    "action_cancelled": (frozenset({"pending", "claimed"}), "cancelled"),
    "action_retried": (DEAD, "pending"),
    "claim_timed_out": (frozenset({"claimed"}), "timed_out"),
    "action_progress": (frozenset({"claimed"}), None),
}
QUEUE_EVENTS = frozenset({"queue_paused", "queue_resumed", "queue_updated"})


def micros(ts: timestamp_pb2.Timestamp) -> int:
    """A protobuf Timestamp in microseconds since the epoch (database precision)."""
    return ts.seconds * 1_000_000 + ts.nanos // 1000


def duration_us(d: duration_pb2.Duration) -> int:
    """A protobuf Duration in microseconds."""
    return d.seconds * 1_000_000 + d.nanos // 1000


def ms(value: int) -> duration_pb2.Duration:
    """A Duration of `value` milliseconds."""
    return duration_pb2.Duration(seconds=value // 1000, nanos=(value % 1000) * 1_000_000)


def delay_bounds(backoff: pb.Backoff, attempt: int) -> tuple[int, int]:
    """The retry delay a Fail after `attempt` may choose, in microseconds."""
    base = duration_us(backoff.base)
    if backoff.strategy == pb.BACKOFF_STRATEGY_FIXED:
        delay = base
    else:
        delay = min(base * 2 ** (attempt - 1), duration_us(backoff.max))
    return int(delay * (1 - backoff.jitter)), delay


def same_backoff(stored: pb.Backoff, sent: pb.Backoff) -> bool:
    """The stored policy is the one sent (the fixed strategy ignores `max`,
    which the server may fill with its default)."""
    if sent.strategy == pb.BACKOFF_STRATEGY_FIXED:
        return (stored.strategy, stored.base, stored.jitter) == (
            sent.strategy,
            sent.base,
            sent.jitter,
        )
    return stored == sent


def error_of(exc: grpc.RpcError) -> tuple[str, str]:
    """(status code name, ErrorInfo reason) of a refused call."""
    status = rpc_status.from_call(exc)
    reasons = []
    for detail in status.details if status is not None else []:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            reasons.append(info.reason)
    return exc.code().name, reasons[0] if reasons else ""


@dataclass
class Tracked:
    """What the model knows of one action."""

    id: int
    queue: str
    action_type: str
    max_attempts: int
    backoff: pb.Backoff | None  # None: its queue's at the time of the Fail
    run_after: int
    status: str = "pending"
    attempt: int = 0
    token: str = ""
    deadline: int = 0
    worker: str = ""
    progress: str = ""
    failure_reason: str = ""
    cancelled_token: str = ""  # the lease it was cancelled under


@dataclass
class Replayed:
    """An action's status and attempt as its events tell them."""

    status: str = "new"
    attempt: int = 0


@dataclass(frozen=True)
class Expected:
    """One event a step must have written."""

    action_id: int
    event_type: str
    actor: str | None = None
    queue: str = ""


def _backoffs() -> st.SearchStrategy[pb.Backoff]:
    # Half the policies have no jitter, so their delays are checked exactly.
    jitter = st.one_of(st.just(0.0), st.just(0.0), st.sampled_from([0.1, 0.5]), st.floats(0, 0.5))
    fixed = st.builds(
        lambda base, j: pb.Backoff(strategy=pb.BACKOFF_STRATEGY_FIXED, base=ms(base), jitter=j),
        st.integers(0, 300),
        jitter,
    )
    exponential = st.builds(
        lambda base, extra, j: pb.Backoff(
            strategy=pb.BACKOFF_STRATEGY_EXPONENTIAL,
            base=ms(base),
            max=ms(min(1000, base + extra)),
            jitter=j,
        ),
        st.integers(0, 300),
        st.integers(0, 1000),
        jitter,
    )
    return st.one_of(fixed, exponential)


# queue index, action type, max_attempts, backoff, delay in ms
NewSpec = tuple[int, str, int, pb.Backoff | None, int | None]
NEW_ACTIONS = st.lists(
    st.tuples(
        st.integers(0, 2),  # queue
        st.sampled_from(TYPES),
        st.sampled_from([1, 2, 3, 4, 0]),  # max_attempts; 0 takes the queue's
        st.one_of(_backoffs(), st.none()),  # None: the queue's
        st.one_of(st.none(), st.none(), st.integers(0, 800)),  # delay in ms
    ),
    min_size=1,
    max_size=3,
)
LEASES = st.sampled_from([1000, 1000, 1500, 2000])
FAIL_MODES = ["backoff", "backoff", "backoff", "retry_delay", "no_retry"]
# Retry's filter: statuses, queue index, action type, limit
RetryFilter = tuple[set[str], int | None, str | None, int]
RETRY_FILTERS = st.tuples(
    st.sets(st.sampled_from(sorted(DEAD))),
    st.one_of(st.none(), st.integers(0, 2)),
    st.one_of(st.none(), st.sampled_from(TYPES)),
    st.sampled_from([0, 1, 2]),
)
# UpdateQueue's max_attempts (0 keeps), backoff and lease in ms (None keeps)
QueueSettings = tuple[int, pb.Backoff | None, int | None]
QUEUE_CHANGE = st.tuples(
    st.integers(0, 4), st.one_of(st.none(), _backoffs(), _backoffs()), st.one_of(st.none(), LEASES)
)
# Which of the actions a rule acts on. Which actions are claimed depends on
# time (a lease may expire a step earlier or later), so rules draw an index of
# fixed range and take it modulo what there is: every run draws the same kinds
# of values whatever time did, as Hypothesis requires.
PICK = st.integers(0, 2**16)
PROGRESS = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["done", "total", "step"]), st.integers(0, 100), min_size=1),
)


class Lifecycle(RuleBasedStateMachine):
    """One run: a project and three queues of its own on the shared server."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.channel = grpc.insecure_channel(address)
        self.stub = service_pb2_grpc.ActionQueueServiceStub(self.channel)
        tag = uuid.uuid4().hex[:10]
        self.project = f"sm-{tag}"
        self.queues = [f"sm-{tag}-{n}" for n in "abc"]
        self.existing: set[str] = set()
        self.paused: dict[str, int] = {}  # queue -> paused_at
        self.queue_max_attempts: dict[str, int] = {}
        self.queue_backoff: dict[str, pb.Backoff] = {}
        self.queue_lease_ms: dict[str, int] = {}
        self.actions: dict[int, Tracked] = {}
        self.replayed: dict[int, Replayed] = {}
        self.expected: list[Expected] = []
        self.stale: list[tuple[int, str]] = []
        self.cursor = self.stub.GetQueueStats(
            spb.GetQueueStatsRequest(project=self.project), timeout=10
        ).latest_event_cursor
        self.serial = 0
        self.slept = 0.0
        STATS["examples"] += 1

    # ---- helpers ---------------------------------------------------------

    def db_now(self) -> int:
        """The database's time, in microseconds."""
        stats = self.stub.GetQueueStats(spb.GetQueueStatsRequest(project=self.project), timeout=10)
        return micros(stats.as_of)

    def pick(self, pick: int, status: str) -> Tracked | None:
        """The action `pick` chooses among those in `status`, if any."""
        ids = self.with_status(status)
        return self.actions[ids[pick % len(ids)]] if ids else None

    def with_status(self, *statuses: str) -> list[int]:
        return sorted(a.id for a in self.actions.values() if a.status in statuses)

    def refused(self, call: Any, request: Any) -> tuple[str, str]:
        """Make a call the model says must be refused; its (code, reason)."""
        with pytest.raises(grpc.RpcError) as refused:
            call(request, timeout=10)
        return error_of(refused.value)

    def next_reason(self, what: str) -> str:
        self.serial += 1
        return f"{what}-{self.serial}"

    def retire_token(self, tracked: Tracked) -> None:
        if tracked.token:
            self.stale.append((tracked.id, tracked.token))
        tracked.token, tracked.deadline, tracked.worker = "", 0, ""

    # ---- rules -----------------------------------------------------------

    @initialize(specs=st.tuples(NEW_ACTIONS, NEW_ACTIONS).map(lambda pair: pair[0] + pair[1]))
    def first_actions(self, specs: list[NewSpec]) -> None:
        """Start with work to claim."""
        self.enqueue(specs)

    @precondition(lambda self: len(self.actions) < MAX_TRACKED)
    @rule(specs=NEW_ACTIONS)
    def enqueue(self, specs: list[NewSpec]) -> None:
        new = []
        for queue, action_type, max_attempts, backoff, delay in specs:
            item = pb.NewAction(
                queue=self.queues[queue],
                action_type=action_type,
                project=self.project,
                max_attempts=max_attempts,
                created_by="human:state-machine",
            )
            if backoff is not None:
                item.backoff.CopyFrom(backoff)
            if delay is not None:
                item.delay.CopyFrom(ms(delay))
            new.append(item)
        response = self.stub.Enqueue(spb.EnqueueRequest(actions=new), timeout=10)
        assert len(response.actions) == len(new)
        for sent, item in zip(new, response.actions, strict=True):
            got = item.action
            assert not item.duplicate and got.id not in self.actions
            assert STATUS[got.status] == "pending" and got.attempt == 0
            default = self.queue_max_attempts.get(sent.queue, 1)
            assert got.max_attempts == (sent.max_attempts or default) and got.queue == sent.queue
            assert got.HasField("backoff") == sent.HasField("backoff"), got.backoff
            assert same_backoff(got.backoff, sent.backoff), (got.backoff, sent.backoff)
            wanted = duration_us(sent.delay) if sent.HasField("delay") else 0
            late = micros(got.run_after) - micros(got.created_at)
            assert abs(late - wanted) <= TOLERANCE_US, (late, wanted)
            self.actions[got.id] = Tracked(
                got.id,
                got.queue,
                got.action_type,
                got.max_attempts,
                sent.backoff if sent.HasField("backoff") else None,
                micros(got.run_after),
            )
            self.existing.add(got.queue)
            self.expected.append(Expected(got.id, "action_enqueued"))
        STATS["enqueued"] += len(new)

    @rule(
        worker=st.sampled_from(WORKERS),
        picked=st.sets(st.integers(0, 2), min_size=1),
        types=st.sampled_from([(), (), (TYPES[0],), (TYPES[1],), TYPES]),
        many=st.one_of(st.integers(1, 3), st.just(100)),
        lease_ms=st.one_of(LEASES, LEASES, st.none()),  # None: the queue's
        single_field=st.booleans(),
    )
    def claim(
        self,
        worker: str,
        picked: set[int],
        types: tuple[str, ...],
        many: int,
        lease_ms: int | None,
        single_field: bool,
    ) -> None:
        names = [self.queues[i] for i in sorted(picked)]
        request = spb.ClaimRequest(
            worker=worker,
            project=self.project,
            action_types=types,
            max_actions=many,
        )
        if lease_ms is not None:
            request.lease.CopyFrom(ms(lease_ms))
        if len(names) == 1 and single_field:
            request.queue = names[0]
        else:
            request.queues.extend(names)
        before = self.db_now()
        claimed = self.stub.Claim(request, timeout=10).actions
        assert len(claimed) <= many
        order = []
        for item in claimed:
            got = item.action
            tracked = self.actions.get(got.id)
            assert tracked is not None, f"claimed {got.id}, not of this run"
            assert tracked.status == "pending", f"claimed {got.id} while {tracked.status}"
            assert got.queue in names and got.queue not in self.paused, got.queue
            assert not types or got.action_type in types
            lease = 1000 * (lease_ms or self.queue_lease_ms.get(got.queue, 30_000))
            claim_time = micros(got.updated_at)
            assert claim_time >= before
            assert abs(micros(got.claim_deadline) - claim_time - lease) <= TOLERANCE_US, lease
            assert tracked.run_after <= claim_time, "claimed before its run_after"
            assert got.attempt == tracked.attempt + 1 <= tracked.max_attempts
            assert STATUS[got.status] == "claimed" and got.claimed_by == worker
            assert item.lease_token
            order.append((got.priority, tracked.run_after, got.id))
            tracked.status, tracked.attempt = "claimed", got.attempt
            tracked.token, tracked.worker = item.lease_token, worker
            tracked.deadline = micros(got.claim_deadline)
            self.expected.append(Expected(got.id, "action_claimed", worker))
        assert order == sorted(order), f"claims out of order: {order}"
        due_left = sorted(
            (0, a.run_after, a.id)
            for a in self.actions.values()
            if a.status == "pending"
            and a.queue in names
            and a.queue not in self.paused
            and (not types or a.action_type in types)
            and a.run_after <= before
        )
        if len(claimed) < many:
            assert not due_left, f"due actions left unclaimed: {due_left}"
        elif order and due_left:
            assert due_left[0] > order[-1], f"skipped {due_left[0]} to claim {order}"
        STATS["claimed"] += len(claimed)

    @rule(worker=st.sampled_from(WORKERS), lease_ms=LEASES)
    def claim_everything(self, worker: str, lease_ms: int) -> None:
        """Claim all due work of every queue: what is left unclaimed is in a
        paused queue or not yet due."""
        self.claim(worker, {0, 1, 2}, (), 100, lease_ms, False)

    @rule(pick=PICK, lease_ms=LEASES, progress=PROGRESS)
    def heartbeat(self, pick: int, lease_ms: int, progress: dict[str, int] | None) -> None:
        tracked = self.pick(pick, "claimed")
        if tracked is None:
            return
        text = json.dumps(progress) if progress else ""
        before = self.db_now()
        beat = self.stub.Heartbeat(
            spb.HeartbeatRequest(
                id=tracked.id, lease_token=tracked.token, lease=ms(lease_ms), progress_json=text
            ),
            timeout=10,
        )
        assert not beat.cancelled and beat.HasField("claim_deadline")
        assert micros(beat.claim_deadline) >= before + lease_ms * 1000
        tracked.deadline = micros(beat.claim_deadline)
        if progress:
            tracked.progress = text
            self.expected.append(Expected(tracked.id, "action_progress"))
        STATS["heartbeats"] += 1

    @rule(pick=PICK)
    def complete(self, pick: int) -> None:
        tracked = self.pick(pick, "claimed")
        if tracked is None:
            return
        done = self.stub.Complete(
            spb.CompleteRequest(
                id=tracked.id, lease_token=tracked.token, result_ref="ok", result_json='{"n": 1}'
            ),
            timeout=10,
        ).action
        assert STATUS[done.status] == "completed" and done.attempt == tracked.attempt
        self.expected.append(Expected(tracked.id, "action_completed", tracked.worker))
        tracked.status = "completed"
        self.retire_token(tracked)
        STATS["completed"] += 1

    @rule(pick=PICK, mode=st.sampled_from(FAIL_MODES), delay_ms=st.integers(0, 500))
    def fail(self, pick: int, mode: str, delay_ms: int) -> None:
        """Fail by the backoff policy, asking for a delay, or for no retry."""
        tracked = self.pick(pick, "claimed")
        if tracked is None:
            return
        reason = self.next_reason("boom")
        request = spb.FailRequest(id=tracked.id, lease_token=tracked.token, reason=reason)
        if mode == "retry_delay":
            request.retry_delay.CopyFrom(ms(delay_ms))
        request.no_retry = mode == "no_retry"
        got = self.stub.Fail(request, timeout=10).action
        assert got.attempt == tracked.attempt and got.failure_reason == reason
        worker = tracked.worker
        self.retire_token(tracked)
        if mode == "no_retry" or tracked.attempt >= tracked.max_attempts:
            assert STATUS[got.status] == "failed", STATUS[got.status]
            tracked.status, tracked.failure_reason = "failed", reason
            self.expected.append(Expected(tracked.id, "action_failed", worker))
            STATS["failed for good"] += 1
            return
        assert STATUS[got.status] == "pending", STATUS[got.status]
        waited = micros(got.run_after) - micros(got.updated_at)
        if mode == "retry_delay":
            low = high = delay_ms * 1000
        else:
            policy = tracked.backoff or self.queue_backoff.get(tracked.queue, DEFAULT_BACKOFF)
            low, high = delay_bounds(policy, tracked.attempt)
        assert low - TOLERANCE_US <= waited <= high + TOLERANCE_US, (
            f"retry after {waited} us, outside [{low}, {high}] for attempt {tracked.attempt}"
            f" of {policy} ({mode})"
        )
        tracked.status, tracked.run_after = "pending", micros(got.run_after)
        self.expected.append(Expected(tracked.id, "action_retry_scheduled", worker))
        STATS["retries scheduled"] += 1

    @rule(pick=PICK)
    def reject(self, pick: int) -> None:
        tracked = self.pick(pick, "claimed")
        if tracked is None:
            return
        reason = self.next_reason("invalid")
        got = self.stub.Reject(
            spb.RejectRequest(
                id=tracked.id, lease_token=tracked.token, reason=reason, validator="schema"
            ),
            timeout=10,
        ).action
        assert STATUS[got.status] == "rejected" and got.rejected_by == "schema"
        assert got.failure_reason == reason
        tracked.status, tracked.failure_reason = "rejected", reason
        self.retire_token(tracked)
        self.expected.append(Expected(tracked.id, "action_rejected", "schema"))
        STATS["rejected"] += 1

    @precondition(lambda self: self.actions)
    @rule(pick=PICK)
    def operator_cancels(self, pick: int) -> None:
        """Cancel any action: a pending or claimed one ends cancelled, a
        finished one is refused and stays as it is."""
        tracked = self.actions[sorted(self.actions)[pick % len(self.actions)]]
        reason = self.next_reason("stop")
        request = spb.CancelRequest(id=tracked.id, reason=reason, actor="op-sm")
        if tracked.status not in ("pending", "claimed"):
            code, why = self.refused(self.stub.Cancel, request)
            assert (code, why) == ("FAILED_PRECONDITION", "ILLEGAL_TRANSITION")
            STATS["cancels refused"] += 1
            return
        got = self.stub.Cancel(request, timeout=10).action
        assert STATUS[got.status] == "cancelled" and got.failure_reason == reason
        tracked.status, tracked.failure_reason = "cancelled", reason
        tracked.cancelled_token = tracked.token
        self.retire_token(tracked)
        self.expected.append(Expected(tracked.id, "action_cancelled", "op-sm"))
        STATS["cancelled"] += 1

    @rule(
        picks=st.lists(PICK, min_size=1, max_size=3),
        live_pick=st.one_of(st.none(), PICK),
        by_filter=st.one_of(st.none(), st.none(), RETRY_FILTERS),
    )
    def operator_retries(
        self, picks: list[int], live_pick: int | None, by_filter: RetryFilter | None
    ) -> None:
        """Retry dead actions by id (sometimes naming a live one too, which
        refuses the whole call), or sometimes by filter."""
        if by_filter is not None:
            self.retry_by_filter(*by_filter)
        else:
            self.retry_by_id(picks, live_pick)

    def retry_by_id(self, picks: list[int], live_pick: int | None) -> None:
        dead = self.with_status(*DEAD)
        if not dead:
            return
        ids = sorted({dead[p % len(dead)] for p in picks})
        live = self.with_status("pending", "claimed", "completed")
        actor = self.next_reason("op")
        if live_pick is not None and live:
            ids.append(live[live_pick % len(live)])
            code, reason = self.refused(self.stub.Retry, spb.RetryRequest(ids=ids, actor=actor))
            assert (code, reason) == ("FAILED_PRECONDITION", "ILLEGAL_TRANSITION")
            STATS["retries refused"] += 1
            return
        response = self.stub.Retry(spb.RetryRequest(ids=ids, actor=actor), timeout=10)
        assert list(response.retried_ids) == ids and not response.more
        self.retried(ids, actor)

    def retry_by_filter(
        self, statuses: set[str], queue: int | None, action_type: str | None, limit: int
    ) -> None:
        wanted = statuses or {"failed"}
        name = "" if queue is None else self.queues[queue]
        matching = [
            a.id
            for a in sorted(self.actions.values(), key=lambda a: a.id)
            if a.status in wanted
            and (not name or a.queue == name)
            and (action_type is None or a.action_type == action_type)
        ]
        actor = self.next_reason("op")
        response = self.stub.Retry(
            spb.RetryRequest(
                statuses=[STATUS_VALUE[s] for s in sorted(statuses)],
                project=self.project,
                queue=name,
                action_type=action_type or "",
                limit=limit,
                actor=actor,
            ),
            timeout=10,
        )
        retried = list(response.retried_ids)
        if limit == 0 or limit >= len(matching):
            assert retried == matching and not response.more, (retried, matching)
        else:
            assert len(retried) == limit and set(retried) <= set(matching), (retried, matching)
            assert retried == sorted(retried) and response.more
        self.retried(retried, actor)

    def retried(self, ids: list[int], actor: str) -> None:
        for ident in ids:
            tracked = self.actions[ident]
            got = self.stub.GetAction(spb.GetActionRequest(id=ident), timeout=10).action
            assert STATUS[got.status] == "pending" and got.attempt == 0, got
            assert not got.progress_json, f"Retry kept progress {got.progress_json}"
            assert micros(got.run_after) <= micros(got.updated_at) + TOLERANCE_US, "retried late"
            tracked.status, tracked.attempt, tracked.progress = "pending", 0, ""
            tracked.cancelled_token = ""
            tracked.run_after = micros(got.run_after)
            self.expected.append(Expected(ident, "action_retried", actor))
        STATS["retried"] += len(ids)

    @initialize(settings=st.lists(QUEUE_CHANGE, min_size=3, max_size=3))
    def queue_defaults(self, settings: list[QueueSettings]) -> None:
        """Start with the queues configured (some of their settings left unset)."""
        for queue, chosen in enumerate(settings):
            self.configure_queue(queue, *chosen)

    @rule(queue=st.integers(0, 2), chosen=QUEUE_CHANGE)
    def reconfigure_queue(self, queue: int, chosen: QueueSettings) -> None:
        self.configure_queue(queue, *chosen)

    def configure_queue(
        self, queue: int, max_attempts: int, backoff: pb.Backoff | None, lease_ms: int | None
    ) -> None:
        """UpdateQueue: defaults for actions (and claims) that name none; unset
        fields keep theirs; the queue exists from now on."""
        name = self.queues[queue]
        request = spb.UpdateQueueRequest(queue=name, max_attempts=max_attempts, actor="op-config")
        if backoff is not None:
            request.backoff.CopyFrom(backoff)
            self.queue_backoff[name] = backoff
        if lease_ms is not None:
            request.lease.CopyFrom(ms(lease_ms))
            self.queue_lease_ms[name] = lease_ms
        if max_attempts:
            self.queue_max_attempts[name] = max_attempts
        got = self.stub.UpdateQueue(request, timeout=10).queue
        assert got.name == name and got.max_attempts == self.queue_max_attempts.get(name, 1)
        assert got.paused == (name in self.paused)
        if name in self.queue_backoff:
            assert same_backoff(got.backoff, self.queue_backoff[name]), got
        if name in self.queue_lease_ms:
            assert duration_us(got.lease) == self.queue_lease_ms[name] * 1000, got
        self.existing.add(name)
        self.expected.append(Expected(0, "queue_updated", "op-config", name))
        STATS["queues configured"] += 1

    @precondition(lambda self: len(self.paused) < 2)  # one queue stays claimable
    @rule(queue=st.integers(0, 2))
    def pause(self, queue: int) -> None:
        name = self.queues[queue]
        request = spb.PauseQueueRequest(queue=name, actor="op-pause", reason="maintenance")
        if name not in self.existing:
            code, reason = self.refused(self.stub.PauseQueue, request)
            assert (code, reason) == ("FAILED_PRECONDITION", "QUEUE_NOT_FOUND")
            return
        got = self.stub.PauseQueue(request, timeout=10).queue
        assert got.name == name and got.paused and got.HasField("paused_at")
        if name in self.paused:
            assert micros(got.paused_at) == self.paused[name], "pausing again changed paused_at"
        else:
            self.paused[name] = micros(got.paused_at)
            self.expected.append(Expected(0, "queue_paused", "op-pause", name))
        STATS["pauses"] += 1

    @precondition(lambda self: self.paused)
    @rule(pick=PICK)
    def resume(self, pick: int) -> None:
        name = sorted(self.paused)[pick % len(self.paused)]
        got = self.stub.ResumeQueue(
            spb.ResumeQueueRequest(queue=name, actor="op-resume"), timeout=10
        ).queue
        assert got.name == name and not got.paused
        del self.paused[name]
        self.expected.append(Expected(0, "queue_resumed", "op-resume", name))

    @rule(pick=PICK, call=st.sampled_from(["complete", "fail", "reject", "heartbeat"]))
    def stale_lease_is_refused(self, pick: int, call: str) -> None:
        """A worker whose lease ended (its action finished, was requeued or
        claimed again) is refused and changes nothing; one whose action was
        cancelled under it hears so from Heartbeat."""
        if not self.stale:
            return
        ident, token = self.stale[pick % len(self.stale)]
        tracked = self.actions[ident]
        heartbeat = spb.HeartbeatRequest(id=ident, lease_token=token, lease=ms(1000))
        if (
            call == "heartbeat"
            and tracked.status == "cancelled"
            and token == tracked.cancelled_token
        ):
            beat = self.stub.Heartbeat(heartbeat, timeout=10)
            assert beat.cancelled and not beat.HasField("claim_deadline"), beat
            STATS["cancellations heard"] += 1
            return
        if call == "heartbeat":
            code, reason = self.refused(self.stub.Heartbeat, heartbeat)
        elif call == "complete":
            code, reason = self.refused(
                self.stub.Complete,
                spb.CompleteRequest(id=ident, lease_token=token, result_ref="zombie"),
            )
        elif call == "fail":
            code, reason = self.refused(
                self.stub.Fail, spb.FailRequest(id=ident, lease_token=token, reason="zombie")
            )
        else:
            code, reason = self.refused(
                self.stub.Reject,
                spb.RejectRequest(id=ident, lease_token=token, reason="zombie", validator="v"),
            )
        assert code == "FAILED_PRECONDITION", code
        assert reason in ("STALE_LEASE", "ILLEGAL_TRANSITION"), reason
        STATS["stale calls refused"] += 1

    @rule(
        until=st.sampled_from(["now", "lease", "lease", "lease", "due", "tick"]),
        tick_ms=st.integers(50, 300),
    )
    def time_passes(self, until: str, tick_ms: int) -> None:
        """Let the model's clock run to the next lease deadline or run_after
        (or a tick; or not at all), then Sweep. The run's sleeps add up to at
        most SLEEP_BUDGET_S, after which time passes only between steps."""
        now = self.db_now()
        if until == "lease":
            moments = [a.deadline for a in self.actions.values() if a.status == "claimed"]
        elif until == "due":
            moments = [
                a.run_after
                for a in self.actions.values()
                if a.status == "pending" and a.run_after > now
            ]
        elif until == "tick":
            moments = [now + tick_ms * 1000]
        else:
            moments = [now]
        target = min(moments) + 20_000 if moments else now
        pause = max(target - now, 0) / 1e6
        if pause > SLEEP_BUDGET_S - self.slept:
            pause = 0  # out of budget: sweep at once rather than wait in vain
        if pause > 0:
            self.slept += pause
            STATS["ms slept"] += int(pause * 1000)
            time.sleep(pause)
        self.swept()

    def swept(self) -> None:
        before = self.db_now()
        response = self.stub.Sweep(spb.SweepRequest(), timeout=10)
        after = self.db_now()
        assert response.requeued_count == len(response.actions)
        assert response.failed_count == len(response.failed)
        outcome = {a.id: a for a in response.actions}
        ended = {a.id: a for a in response.failed}
        assert not outcome.keys() & ended.keys()
        for got in [*response.actions, *response.failed]:
            tracked = self.actions.get(got.id)
            assert tracked is not None, f"swept {got.id}, not of this run"
            assert tracked.status == "claimed", f"swept {got.id} while {tracked.status}"
            assert tracked.deadline < after, "swept before its lease expired"
            assert got.attempt == tracked.attempt
            self.expected.append(Expected(got.id, "claim_timed_out"))
        for tracked in self.actions.values():
            if tracked.status == "claimed" and tracked.deadline < before:
                assert tracked.id in outcome or tracked.id in ended, f"{tracked.id} not swept"
        for ident, got in outcome.items():
            tracked = self.actions[ident]
            assert tracked.attempt < tracked.max_attempts, "requeued with its attempts spent"
            assert STATUS[got.status] == "pending" and not got.claimed_by
            # Due at once (the server keeps the run_after it had, so the action
            # keeps its place in the claim order).
            assert micros(got.run_after) <= micros(got.updated_at), "requeued for later"
            tracked.status, tracked.run_after = "pending", micros(got.run_after)
            self.retire_token(tracked)
        for ident, got in ended.items():
            tracked = self.actions[ident]
            assert tracked.attempt >= tracked.max_attempts, "failed with attempts left"
            assert STATUS[got.status] == "failed", STATUS[got.status]
            assert "lease expired" in got.failure_reason, got.failure_reason
            tracked.status, tracked.failure_reason = "failed", got.failure_reason
            self.retire_token(tracked)
            self.expected.append(Expected(ident, "action_failed"))
        STATS["sweeps"] += 1
        STATS["leases expired"] += len(outcome) + len(ended)

    # ---- invariants ------------------------------------------------------

    def new_events(self) -> list[pb.Event]:
        """This run's events after the cursor, waiting (with a deadline) until
        as many as the steps wrote have become readable."""
        found: list[pb.Event] = []
        deadline = time.monotonic() + 10
        while True:
            page = self.stub.ListEvents(
                spb.ListEventsRequest(after_cursor=self.cursor, page_size=1000), timeout=10
            )
            self.cursor = page.next_cursor or self.cursor
            found += [e for e in page.events if self.ours(e)]
            if len(page.events) == 1000:
                continue
            if len(found) >= len(self.expected) or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def ours(self, event: pb.Event) -> bool:
        if event.action_id:
            return event.action_id in self.actions
        if event.event_type in QUEUE_EVENTS:
            return json.loads(event.payload_json).get("queue") in self.queues
        return False

    @invariant()
    def model_holds(self) -> None:
        """The log, the stored actions and the queues agree with the model."""
        self.log_is_the_history()
        self.stored_actions_match_the_model()
        self.queues_match_the_model()
        self.stats_match_the_model()

    def log_is_the_history(self) -> None:
        events = self.new_events()
        expected, self.expected = self.expected, []
        wrote = [(e.action_id, e.event_type) for e in events]
        assert sorted(wrote) == sorted((x.action_id, x.event_type) for x in expected), (
            f"events {wrote} where the model expected {expected}"
        )
        for ident in {x.action_id for x in expected}:
            mine = [x for x in expected if x.action_id == ident]
            theirs = [e for e in events if e.action_id == ident]
            assert [e.event_type for e in theirs] == [x.event_type for x in mine], ident
            for want, event in zip(mine, theirs, strict=True):
                if want.actor is not None:
                    assert event.actor == want.actor, (event, want)
                if want.queue:
                    assert json.loads(event.payload_json)["queue"] == want.queue
        for event in events:
            if event.action_id:
                self.replay(event)
            else:
                EVENTS[event.event_type] += 1

    def replay(self, event: pb.Event) -> None:
        state = self.replayed.setdefault(event.action_id, Replayed())
        EVENTS[event.event_type] += 1
        allowed, to = TRANSITIONS[event.event_type]
        if state.status == "timed_out" and event.event_type != "action_failed":
            state.status = "pending"  # the sweep requeued it
        assert state.status in allowed, f"illegal {event.event_type} from {state.status}"
        tracked = self.actions[event.action_id]
        payload = json.loads(event.payload_json)
        if event.event_type == "action_claimed":
            state.attempt += 1
        elif event.event_type == "action_retried":
            state.attempt = 0
        elif event.event_type == "action_failed" and state.status == "timed_out":
            assert state.attempt >= tracked.max_attempts
        elif event.event_type == "action_retry_scheduled":
            assert state.attempt < tracked.max_attempts
        if "attempt" in payload:
            assert payload["attempt"] == state.attempt, (event, state)
        assert state.attempt <= tracked.max_attempts
        if to is not None:
            state.status = to

    def stored_actions_match_the_model(self) -> None:
        stored = self.stub.ListActions(
            spb.ListActionsRequest(project=self.project, page_size=1000), timeout=10
        ).actions
        assert sorted(a.id for a in stored) == sorted(self.actions)
        for got in stored:
            tracked = self.actions[got.id]
            status = STATUS[got.status]
            replayed = self.replayed[got.id]
            # A claim_timed_out that an action_failed did not follow requeued it.
            replayed_status = "pending" if replayed.status == "timed_out" else replayed.status
            assert (status, got.attempt) == (tracked.status, tracked.attempt), (got, tracked)
            assert (replayed_status, replayed.attempt) == (status, got.attempt), (got, replayed)
            assert got.attempt <= got.max_attempts == tracked.max_attempts
            assert status != "pending" or got.attempt < got.max_attempts, got
            assert got.queue == tracked.queue and got.action_type == tracked.action_type
            if status == "pending":
                assert micros(got.run_after) == tracked.run_after, (got, tracked)
            if status == "claimed":
                assert micros(got.claim_deadline) == tracked.deadline
                assert got.claimed_by == tracked.worker
            if status in DEAD:
                assert got.failure_reason == tracked.failure_reason, (got, tracked)
            if tracked.progress:
                assert json.loads(got.progress_json) == json.loads(tracked.progress)
            elif tracked.attempt == 0:
                assert not got.progress_json, got

    def queues_match_the_model(self) -> None:
        if not self.existing:
            return
        listed = self.stub.ListQueues(spb.ListQueuesRequest(), timeout=10).queues
        paused = {q.name for q in listed if q.name in self.queues and q.paused}
        assert paused == set(self.paused)
        assert {q.name for q in listed if q.name in self.queues} == self.existing
        for queue in listed:
            if queue.name in self.queues:
                mine = [a.status for a in self.actions.values() if a.queue == queue.name]
                counts = (queue.pending, queue.claimed)
                assert counts == (mine.count("pending"), mine.count("claimed")), queue

    def stats_match_the_model(self) -> None:
        """GetQueueStats counts as the model does, per queue and action type."""
        response = self.stub.GetQueueStats(
            spb.GetQueueStatsRequest(project=self.project, include_completed=True), timeout=10
        )
        now = micros(response.as_of)
        got = {(row.queue, row.action_type): row for row in response.stats}
        groups = {(a.queue, a.action_type) for a in self.actions.values()}
        assert set(got) == groups, (set(got), groups)
        for key, row in got.items():
            mine = [a for a in self.actions.values() if (a.queue, a.action_type) == key]
            statuses = [a.status for a in mine]
            counted = [getattr(row, name) for name in STATUS_NAMES]
            assert counted == [statuses.count(name) for name in STATUS_NAMES], (row, statuses)
            pending = [a for a in mine if a.status == "pending"]
            assert row.retryable == sum(a.attempt > 0 for a in pending), row
            # as_of is read beside the counts, not in the same statement
            surely = sum(a.run_after > now + 50_000 for a in pending)
            maybe = sum(a.run_after > now - 50_000 for a in pending)
            assert surely <= row.scheduled <= maybe, (row, now, pending)

    def teardown(self) -> None:
        """Leave nothing claimable or claimed for the next run's sweeps."""
        try:
            for ident in self.with_status("pending", "claimed"):
                with contextlib.suppress(grpc.RpcError):  # the model may be wrong after a failure
                    self.stub.Cancel(
                        spb.CancelRequest(id=ident, reason="end of run", actor="teardown"),
                        timeout=10,
                    )
        finally:
            self.channel.close()


@pytest.fixture(scope="module")
def machine_server(pg_dsn: str) -> Iterator[ServerProcess]:
    """A server of its own (its sweeps see only this test's actions); the
    background sweeper is slowed down so that the model decides when to sweep."""
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


@pytest.mark.timeout(max(120, EXAMPLES * STEPS // 4))
def test_lifecycle_state_machine(machine_server: ServerProcess) -> None:
    started = time.monotonic()
    address = machine_server.address

    class Run(Lifecycle):
        def __init__(self) -> None:
            super().__init__(address)

    run_state_machine_as_test(
        Run,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=os.environ.get("CI") == "true",
            # Time is real: a replay sleeps again and its leases may expire a
            # step earlier or later, so the first failure is reported as found.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
    print(f"state machine: {dict(STATS)}; events {dict(EVENTS)}")
    print(f"state machine: {time.monotonic() - started:.1f} s")
    assert EVENTS["action_claimed"] and len(EVENTS) >= 6, "the run exercised too little"
    assert machine_server.proc.poll() is None, machine_server.log
