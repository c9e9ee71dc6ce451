"""The Python client's durable-execution calls without a database: duration and
backoff spellings, the records of queues, retries, prunes and stats, the new
typed errors, and the requests each call sends (against an in-process fake)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from actionq import (
    Action,
    AlreadyExists,
    AsyncClient,
    Backoff,
    Client,
    CursorExpired,
    DeadlineExceeded,
    FailedPrecondition,
    IdempotencyKeyConflict,
    OutOfRange,
    Queue,
    QueueNotFound,
    WaitTimeout,
    errors,
    new_action,
    parse_duration,
)
from actionq.durations import format_duration
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from tests.support import fake_server


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("2s", 2.0),
        ("10m", 600.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1h30m", 5400.0),
        ("2.5", 2.5),
        ("0", 0.0),
        (" 1.5s ", 1.5),
        ("7D", 7 * 86400.0),
    ],
)
def test_durations_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "2x", "1h 30m", "-2s", "2s3", "abc", "1e400", "inf"])
def test_bad_durations_name_what_is_wrong(text: str) -> None:
    with pytest.raises(ValueError, match=r"--delay") as caught:
        parse_duration(text, "--delay")
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("seconds", [0.5, 2, 90, 600, 3600, 5400, 86400, 0.25, 0])
def test_durations_format_and_read_back(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exponential:2s:10m", Backoff("exponential", 2.0, 600.0, 0.0)),
        ("exponential:2s:10m:0.2", Backoff("exponential", 2.0, 600.0, 0.2)),
        ("exponential:500ms:1h:20%", Backoff("exponential", 0.5, 3600.0, 0.2)),
        ("Exponential:1:60", Backoff("exponential", 1.0, 60.0, 0.0)),
        ("fixed:30s", Backoff("fixed", 30.0, 30.0, 0.0)),
        ("fixed:30s:0.1", Backoff("fixed", 30.0, 30.0, 0.1)),
    ],
)
def test_backoff_spellings(text: str, expected: Backoff) -> None:
    policy = Backoff.parse(text)
    assert policy == expected
    assert Backoff.parse(str(policy)) == policy
    assert Backoff.from_proto(policy.to_proto()) == policy


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("linear:2s:10m", "unknown strategy 'linear'"),
        ("exponential:2s", "wrong number of parts"),
        ("fixed:1s:2s:0.1", "wrong number of parts"),
        ("exponential:10m:2s", "less than its base"),
        ("exponential:2q:10m", "backoff base '2q' is not a duration"),
        ("exponential:2s:10m:1.5", "jitter '1.5' must lie between 0 and 1"),
        ("fixed:30s:lots", "jitter 'lots' is not a number"),
        ("fixed:-1s", "negative"),
        ("", "unknown strategy"),
    ],
)
def test_bad_backoff_spellings_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        Backoff.parse(text)


def test_backoff_delays_stay_inside_the_policy() -> None:
    rng = random.Random(7)
    policy = Backoff("exponential", 2.0, 60.0, 0.25)
    assert [policy.ceiling(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    assert policy.ceiling(500) == 60.0
    for attempt in range(1, 10):
        top = policy.ceiling(attempt)
        for _ in range(50):
            assert top * 0.75 <= policy.delay(attempt, rng) <= top
    assert Backoff("fixed", 30.0, 30.0).delay(9) == 30.0


def test_unset_backoff_fields_read_as_the_proto_defines() -> None:
    assert Backoff.from_proto(pb.Backoff()) == Backoff("exponential", 2.0, 3600.0, 0.0)
    fixed = pb.Backoff(strategy=pb.BACKOFF_STRATEGY_FIXED)
    fixed.base.FromSeconds(5)
    assert Backoff.from_proto(fixed) == Backoff("fixed", 5.0, 5.0, 0.0)


def _stamp(value: datetime) -> Any:
    message = pb.Action().created_at
    message.FromDatetime(value)
    return message


def test_action_carries_backoff_and_progress() -> None:
    message = pb.Action(
        id=3,
        status=pb.ACTION_STATUS_CLAIMED,
        payload_json="{}",
        progress_json='{"done": 40, "of": 100}',
        backoff=Backoff.parse("fixed:30s:0.1").to_proto(),
    )
    action = Action.from_proto(message)
    assert action.backoff == Backoff("fixed", 30.0, 30.0, 0.1)
    assert action.progress == {"done": 40, "of": 100}
    record = action.to_json()
    assert record["backoff"] == {"strategy": "fixed", "base": 30.0, "max": 30.0, "jitter": 0.1}
    assert record["progress"] == {"done": 40, "of": 100}
    bare = Action.from_proto(pb.Action(id=4))
    assert bare.backoff is None and bare.progress is None


def test_queue_record() -> None:
    paused_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    message = pb.Queue(
        name="mail",
        max_attempts=5,
        backoff=Backoff.parse("exponential:1s:5m").to_proto(),
        paused=True,
        paused_at=_stamp(paused_at),
        paused_by="human:ops",
        pending=12,
        claimed=3,
    )
    message.lease.FromMilliseconds(45_500)
    queue = Queue.from_proto(message)
    assert queue.lease == 45.5 and queue.paused_at == paused_at
    assert queue.backoff == Backoff("exponential", 1.0, 300.0, 0.0)
    record = queue.to_json()
    assert record["paused_at"] == "2026-12-01T09:00:00Z" and record["lease"] == 45.5
    assert record["backoff"]["max"] == 300.0 and record["pending"] == 12
    assert json.loads(json.dumps(record)) == record
    defaults = Queue.from_proto(pb.Queue(name="default", max_attempts=1))
    assert defaults.lease is None and defaults.backoff is None and defaults.paused_by is None


def reason_status(code: int, reason: str, metadata: dict[str, str] | None = None) -> grpc.Status:
    """A grpc status carrying an actionq ErrorInfo."""
    packed = any_pb2.Any()
    packed.Pack(error_details_pb2.ErrorInfo(reason=reason, domain="actionq.dev", metadata=metadata))
    return rpc_status.to_status(status_pb2.Status(code=code, message=reason, details=[packed]))


class Fake(service_pb2_grpc.ActionQueueServiceServicer):
    """Answers each call with its scripted response or status, and keeps the
    requests and the deadline each call arrived with."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.requests: dict[str, list[Any]] = {}
        self.time_left: dict[str, float | None] = {}


def _method(name: str) -> Callable[..., Any]:
    def answer(self: Fake, request: Any, context: grpc.ServicerContext) -> Any:
        self.requests.setdefault(name, []).append(request)
        self.time_left[name] = context.time_remaining()
        reply = self.answers[name]
        if isinstance(reply, grpc.Status):
            context.abort_with_status(reply)
        return reply

    return answer


for _name in (
    "Enqueue",
    "Claim",
    "Heartbeat",
    "Fail",
    "Sweep",
    "GetQueueStats",
    "Retry",
    "WaitAction",
    "ListQueues",
    "UpdateQueue",
    "PauseQueue",
    "ResumeQueue",
    "Prune",
):
    setattr(Fake, _name, _method(_name))


@pytest.fixture
def fake() -> Iterator[tuple[Fake, str]]:
    service = Fake()  # type: ignore[abstract]  # methods are set by _method below
    with fake_server(service) as address:
        yield service, address


def both(address: str, call: Callable[[Any], Any]) -> list[Any]:
    """`call` with a blocking Client, then with an AsyncClient: both outcomes
    (a value or the exception raised)."""
    outcomes: list[Any] = []
    with Client(address, timeout=5) as client:
        try:
            outcomes.append(call(client))
        except Exception as exc:
            outcomes.append(exc)

    async def run() -> Any:
        async with AsyncClient(address, timeout=5) as client:
            try:
                return await call(client)
            except Exception as exc:
                return exc

    outcomes.append(asyncio.run(run()))
    return outcomes


def test_new_action_carries_retry_policy_and_schedule() -> None:
    when = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    item = new_action(
        "t", "p", max_attempts=4, backoff="exponential:2s:10m:0.2", run_after=when, delay=None
    )
    assert item.max_attempts == 4 and item.run_after.ToDatetime(UTC) == when
    assert Backoff.from_proto(item.backoff) == Backoff("exponential", 2.0, 600.0, 0.2)
    later = new_action("t", "p", delay=90, backoff=Backoff("fixed", 5, 5))
    assert later.delay.ToTimedelta() == timedelta(seconds=90)
    assert later.backoff.strategy == pb.BACKOFF_STRATEGY_FIXED
    assert not new_action("t", "p").HasField("backoff")
    with pytest.raises(ValueError, match="unknown strategy"):
        new_action("t", "p", backoff="sometimes")


def test_worker_calls_send_their_new_fields(fake: tuple[Fake, str]) -> None:
    service, address = fake
    service.answers["Heartbeat"] = spb.HeartbeatResponse()
    service.answers["Fail"] = spb.FailResponse(action=pb.Action(id=1))
    service.answers["Claim"] = spb.ClaimResponse()
    both(address, lambda c: c.heartbeat(1, "t", lease=20, progress={"step": 2}))
    both(address, lambda c: c.fail(1, "t", reason="flaky", retry_delay=30))
    both(address, lambda c: c.fail(1, "t", reason="bad input", no_retry=True))
    both(address, lambda c: c.claim("w", queues=["a", "b"], action_types=["x"]))
    beats = service.requests["Heartbeat"]
    assert [json.loads(b.progress_json) for b in beats] == [{"step": 2}] * 2
    assert beats[0].lease.seconds == 20
    fails = service.requests["Fail"]
    assert fails[0].retry_delay.seconds == 30 and not fails[0].no_retry
    assert fails[2].no_retry and not fails[2].HasField("retry_delay")
    assert list(service.requests["Claim"][0].queues) == ["a", "b"]
    service.requests.clear()
    both(address, lambda c: c.heartbeat(1, "t"))
    assert service.requests["Heartbeat"][0].progress_json == ""


def test_retry_by_ids_and_by_filter(fake: tuple[Fake, str]) -> None:
    service, address = fake
    service.answers["Retry"] = spb.RetryResponse(retried_ids=[4, 9], more=True)
    for result in both(address, lambda c: c.retry([4, 9], actor="human:me")):
        assert result.retried_ids == [4, 9] and result.more
        assert result.to_json() == {"retried_ids": [4, 9], "more": True}
    both(
        address,
        lambda c: c.retry(statuses=["failed", "rejected"], action_type="mail", limit=50),
    )
    by_ids, _, by_filter, _ = service.requests["Retry"]
    assert list(by_ids.ids) == [4, 9] and by_ids.actor == "human:me"
    assert list(by_filter.statuses) == [pb.ACTION_STATUS_FAILED, pb.ACTION_STATUS_REJECTED]
    assert (by_filter.action_type, by_filter.limit, list(by_filter.ids)) == ("mail", 50, [])


def test_wait_returns_actions_and_sets_its_deadline_past_the_timeout(
    fake: tuple[Fake, str],
) -> None:
    service, address = fake
    done = pb.Action(id=5, status=pb.ACTION_STATUS_COMPLETED, payload_json="{}")
    service.answers["WaitAction"] = spb.WaitActionResponse(actions=[done, done])
    for actions in both(address, lambda c: c.wait([5, 5], timeout=20)):
        assert [a.id for a in actions] == [5, 5] and actions[0].status == "completed"
    request = service.requests["WaitAction"][0]
    assert list(request.ids) == [5, 5] and request.timeout.seconds == 20
    # The call's deadline lies beyond the wait, so the server's answer arrives.
    left = service.time_left["WaitAction"]
    assert left is not None and 20 < left <= 20 + 10
    both(address, lambda c: c.wait(5))
    assert list(service.requests["WaitAction"][-1].ids) == [5]
    assert not service.requests["WaitAction"][-1].HasField("timeout")


def test_wait_timeout_is_typed(fake: tuple[Fake, str]) -> None:
    service, address = fake
    service.answers["WaitAction"] = reason_status(code_pb2.DEADLINE_EXCEEDED, "WAIT_TIMEOUT")
    for error in both(address, lambda c: c.wait(5, timeout=1)):
        assert isinstance(error, WaitTimeout) and isinstance(error, DeadlineExceeded)


def test_new_reasons_have_their_classes() -> None:
    cases = [
        ("ALREADY_EXISTS", "IDEMPOTENCY_KEY_CONFLICT", IdempotencyKeyConflict, AlreadyExists),
        ("FAILED_PRECONDITION", "QUEUE_NOT_FOUND", QueueNotFound, FailedPrecondition),
        ("OUT_OF_RANGE", "CURSOR_EXPIRED", CursorExpired, OutOfRange),
        ("DEADLINE_EXCEEDED", "WAIT_TIMEOUT", WaitTimeout, DeadlineExceeded),
    ]
    for code, reason, cls, base in cases:
        error = errors.make_error(code, "m", reason=reason)
        assert type(error) is cls and isinstance(error, base)


def test_cursor_expired_names_the_oldest_cursor(fake: tuple[Fake, str]) -> None:
    service, address = fake
    service.answers["GetQueueStats"] = reason_status(
        code_pb2.OUT_OF_RANGE, "CURSOR_EXPIRED", {"oldest_cursor": "c-42"}
    )
    for error in both(address, lambda c: c.stats()):
        assert isinstance(error, CursorExpired) and error.oldest_cursor == "c-42"


def test_queue_calls(fake: tuple[Fake, str]) -> None:
    service, address = fake
    stored = pb.Queue(name="mail", max_attempts=3, paused=True, paused_by="ops")
    service.answers["ListQueues"] = spb.ListQueuesResponse(queues=[stored])
    service.answers["UpdateQueue"] = spb.UpdateQueueResponse(queue=stored)
    service.answers["PauseQueue"] = spb.PauseQueueResponse(queue=stored)
    service.answers["ResumeQueue"] = reason_status(code_pb2.FAILED_PRECONDITION, "QUEUE_NOT_FOUND")
    for queues in both(address, lambda c: c.list_queues()):
        assert [(q.name, q.paused, q.paused_by) for q in queues] == [("mail", True, "ops")]
    both(
        address,
        lambda c: c.update_queue("mail", max_attempts=3, backoff="fixed:10s", lease=120),
    )
    update = service.requests["UpdateQueue"][0]
    assert update.max_attempts == 3 and update.lease.seconds == 120
    assert update.backoff.base.seconds == 10
    for queue in both(address, lambda c: c.pause_queue("mail", actor="ops", reason="deploy")):
        assert isinstance(queue, Queue) and queue.paused
    assert service.requests["PauseQueue"][0].reason == "deploy"
    for error in both(address, lambda c: c.resume_queue("nope")):
        assert isinstance(error, QueueNotFound)


def test_prune_sweep_and_stats_records(fake: tuple[Fake, str]) -> None:
    service, address = fake
    service.answers["Prune"] = spb.PruneResponse(
        pruned_actions=1000, dropped_partitions=2, more=True, oldest_cursor="c9"
    )
    for result in both(address, lambda c: c.prune(7 * 86400, limit=1000)):
        assert result.to_json() == {
            "pruned_actions": 1000,
            "dropped_partitions": 2,
            "more": True,
            "oldest_cursor": "c9",
        }
    request = service.requests["Prune"][0]
    assert request.older_than.seconds == 7 * 86400 and request.limit == 1000
    both(address, lambda c: c.prune())
    assert not service.requests["Prune"][-1].HasField("older_than")

    service.answers["Sweep"] = spb.SweepResponse(
        actions=[pb.Action(id=1)], requeued_count=1, failed=[pb.Action(id=2)], failed_count=3
    )
    for swept in both(address, lambda c: c.sweep()):
        assert [a.id for a in swept] == [1] and [a.id for a in swept.failed] == [2]
        assert swept.failed_count == 3

    row = pb.QueueStat(
        queue="q",
        action_type="t",
        pending=5,
        scheduled=2,
        claimed=1,
        claimed_past_deadline=1,
        completed_last_minute=7,
        failed_last_minute=1,
        retryable=3,
    )
    service.answers["GetQueueStats"] = spb.GetQueueStatsResponse(stats=[row])
    for stats in both(address, lambda c: c.stats(include_completed=True)):
        (stat,) = stats.stats
        assert (stat.scheduled, stat.claimed_past_deadline) == (2, 1)
        assert (stat.completed_last_minute, stat.failed_last_minute) == (7, 1)
        assert stat.to_json()["retryable"] == 3
    assert all(r.include_completed for r in service.requests["GetQueueStats"][-2:])
