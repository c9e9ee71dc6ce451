"""Durable execution through the real server: retries and their backoff, queue
defaults and pause, several queues per claim, idempotency conflicts, progress,
waiting for completion, retrying dead actions, and the bad input of each."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import asyncpg
import grpc
import pytest
from actionq import (
    AsyncClient,
    Backoff,
    Client,
    IdempotencyKeyConflict,
    IllegalTransition,
    NotFound,
    QueueNotFound,
    WaitTimeout,
    new_action,
)
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import duration_pb2
from grpc_status import rpc_status

from tests.conftest import ServerProcess


@pytest.fixture
def queue() -> str:
    return f"q-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def stub(server: ServerProcess) -> Iterator[service_pb2_grpc.ActionQueueServiceStub]:
    with grpc.insecure_channel(server.address) as channel:
        yield service_pb2_grpc.ActionQueueServiceStub(channel)


def refusal(call: Any, request: Any) -> tuple[grpc.StatusCode, str, str]:
    """The code, ErrorInfo reason and message of a refused call."""
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    error = caught.value
    status = rpc_status.from_call(error)
    reason = ""
    if status is not None:
        from google.rpc import error_details_pb2

        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                reason = info.reason
    return error.code(), reason, error.details() or ""


def retry_events(client: Client, action_id: int) -> list[Any]:
    return client.list_events(action_ids=[action_id], event_types=["action_retry_scheduled"]).events


def test_exponential_backoff_with_jitter_stays_within_its_bounds(
    client: Client, project: str, queue: str
) -> None:
    policy = Backoff("exponential", base=0.2, max=0.5, jitter=0.5)
    action = client.add("d.exp", project, queue=queue, max_attempts=4, backoff=policy)
    assert action.backoff == policy and action.max_attempts == 4
    for attempt in (1, 2, 3):
        held = client.claim("w", queue=queue, wait=10)
        assert [h.action.id for h in held] == [action.id]
        assert held[0].action.attempt == attempt
        again = client.fail(action.id, held[0].lease_token, reason=f"flaky {attempt}")
        assert again.status == "pending"
    events = retry_events(client, action.id)
    assert [e.payload["attempt"] for e in events] == [1, 2, 3]
    for event, nominal in zip(events, (0.2, 0.4, 0.5), strict=True):
        delay = event.payload["delay_seconds"]
        assert nominal * 0.5 - 1e-9 <= delay <= nominal + 1e-9, (event.payload, nominal)
        assert event.payload["max_attempts"] == 4 and event.payload["reason"].startswith("flaky")
    held = client.claim("w", queue=queue, wait=10)
    final = client.fail(action.id, held[0].lease_token, reason="gave up")
    assert final.status == "failed" and final.attempt == 4
    last = client.list_events(action_ids=[action.id]).events[-1]
    assert last.event_type == "action_failed" and last.payload["attempt"] == 4


def test_fixed_backoff_and_the_stored_run_after_agree(
    client: Client, project: str, queue: str
) -> None:
    action = client.add(
        "d.fixed", project, queue=queue, max_attempts=2, backoff=Backoff("fixed", base=3600)
    )
    held = client.claim("w", queue=queue)
    pending = client.fail(action.id, held[0].lease_token, reason="later")
    (event,) = retry_events(client, action.id)
    assert event.payload["delay_seconds"] == 3600
    assert pending.run_after - event.created_at == timedelta(seconds=3600)
    assert client.claim("w", queue=queue) == []
    stat = next(s for s in client.stats(queue=queue).stats if s.action_type == "d.fixed")
    assert (stat.pending, stat.scheduled, stat.retryable) == (1, 1, 1)


def test_a_worker_may_ask_for_a_delay_or_for_no_retry(
    client: Client, project: str, queue: str
) -> None:
    action = client.add("d.ask", project, queue=queue, max_attempts=5)
    held = client.claim("w", queue=queue)
    client.fail(action.id, held[0].lease_token, reason="soon", retry_delay=0)
    (event,) = retry_events(client, action.id)
    assert event.payload["delay_seconds"] == 0
    held = client.claim("w", queue=queue, wait=10)
    assert held[0].action.attempt == 2
    done = client.fail(action.id, held[0].lease_token, reason="hopeless", no_retry=True)
    assert done.status == "failed" and done.attempt == 2 and done.failure_reason == "hopeless"
    last = client.list_events(action_ids=[action.id]).events[-1]
    assert last.event_type == "action_failed" and last.payload["no_retry"] is True


def test_reject_never_retries(client: Client, project: str, queue: str) -> None:
    action = client.add("d.reject", project, queue=queue, max_attempts=5)
    held = client.claim("w", queue=queue)
    done = client.reject(action.id, held[0].lease_token, reason="bad input", validator="v")
    assert done.status == "rejected" and retry_events(client, action.id) == []


def test_queue_defaults_apply_to_actions_enqueued_without_their_own(
    client: Client, project: str, queue: str
) -> None:
    configured = client.update_queue(
        queue, max_attempts=3, backoff=Backoff("fixed", base=0), lease=7, actor="human:ops"
    )
    assert configured.max_attempts == 3 and configured.lease == 7
    assert configured.backoff is not None
    assert (configured.backoff.strategy, configured.backoff.base) == ("fixed", 0)
    action = client.add("d.defaults", project, queue=queue)
    assert action.max_attempts == 3 and action.backoff is None
    held = client.claim("w", queue=queue)
    deadline = held[0].action.claim_deadline
    assert deadline is not None and held[0].action.updated_at is not None
    assert deadline - held[0].action.updated_at == timedelta(seconds=7)
    client.fail(action.id, held[0].lease_token, reason="again")
    (event,) = retry_events(client, action.id)
    assert event.payload["delay_seconds"] == 0
    own = client.add("d.defaults", project, queue=queue, max_attempts=1)
    assert own.max_attempts == 1
    updated = client.list_events(event_types=["queue_updated"]).events
    mine = [e for e in updated if e.payload["queue"] == queue]
    assert mine and mine[-1].actor == "human:ops" and mine[-1].payload["max_attempts"] == 3
    # An update keeps what it does not name.
    assert client.update_queue(queue, max_attempts=4).lease == 7


def test_pause_stops_claims_and_resume_wakes_a_waiting_claim(
    client: Client, project: str, queue: str, server: ServerProcess, pg_dsn: str
) -> None:
    action = client.add("d.pause", project, queue=queue)
    paused = client.pause_queue(queue, actor="human:ops", reason="maintenance")
    assert paused.paused and paused.paused_by == "human:ops" and paused.paused_at is not None
    assert paused.pending == 1
    assert client.pause_queue(queue).paused_by == "human:ops"  # pausing again changes nothing
    assert client.claim("w", queue=queue) == []
    assert client.claim("w", queue=queue, wait=0.3) == []  # a long poll gets nothing either

    async def resume_and_hear() -> tuple[list[Any], str]:
        """Resume while listening to the work channel, and long-poll the queue
        through the server from a second client at the same time."""
        conn = await asyncpg.connect(pg_dsn)
        heard: asyncio.Queue[str] = asyncio.Queue()
        try:
            await conn.add_listener(
                f"{server.schema}.work", lambda *args: heard.put_nowait(args[3])
            )
            async with AsyncClient(client.address) as other:
                waiting = asyncio.ensure_future(other.claim("w-wait", queue=queue, wait=30))
                resumed = await other.resume_queue(queue, actor="human:ops")
                assert not resumed.paused and resumed.paused_at is None
                payload = await asyncio.wait_for(heard.get(), 10)
                return await asyncio.wait_for(waiting, 30), payload
        finally:
            await conn.close()

    claimed, payload = asyncio.run(resume_and_hear())
    assert payload == queue
    assert [c.action.id for c in claimed] == [action.id]
    kinds = [
        (e.event_type, e.actor, e.payload.get("reason"))
        for e in client.list_events(event_types=["queue_paused", "queue_resumed"]).events
        if e.payload["queue"] == queue
    ]
    assert kinds == [
        ("queue_paused", "human:ops", "maintenance"),
        ("queue_resumed", "human:ops", None),
    ]
    listed = {q.name: q for q in client.list_queues()}
    assert queue in listed and listed[queue].claimed == 1


def test_unknown_queues_cannot_be_paused_or_resumed(client: Client) -> None:
    name = f"never-{uuid.uuid4().hex[:8]}"
    for call in (client.pause_queue, client.resume_queue):
        with pytest.raises(QueueNotFound) as refused:
            call(name)
        assert refused.value.code == "FAILED_PRECONDITION"
        assert refused.value.reason == "QUEUE_NOT_FOUND"
    assert name not in {q.name for q in client.list_queues()}


def test_one_claim_takes_from_several_queues_in_one_order(
    client: Client, project: str, queue: str
) -> None:
    other = queue + "-b"
    low = client.add("d.multi", project, queue=queue, priority=5)
    high = client.add("d.multi", project, queue=other, priority=1)
    held = client.claim("w", queues=[queue, other], max_actions=5)
    assert [h.action.id for h in held] == [high.id, low.id]
    for h in held:
        client.complete(h.action.id, h.lease_token)
    client.add("d.multi", project, queue=other)
    kept = client.add("d.multi", project, queue=queue)
    client.pause_queue(other)
    typed = client.claim("w", queues=[queue, other], action_types=["d.multi"], max_actions=5)
    assert [h.action.id for h in typed] == [kept.id]
    client.resume_queue(other)


def test_idempotency_key_conflicts_and_a_fifty_way_race(
    client: Client, project: str, queue: str
) -> None:
    key = f"k-{uuid.uuid4().hex}"
    first = client.enqueue(
        [new_action("d.key", project, queue=queue, idempotency_key=key, payload={"n": 1e2})]
    ).actions[0]
    same = client.enqueue(
        [new_action("d.key", project, queue=queue, idempotency_key=key, payload={"n": 100})]
    ).actions[0]
    assert same.duplicate and same.action.id == first.action.id
    with pytest.raises(IdempotencyKeyConflict) as conflict:
        client.enqueue(
            [new_action("d.key", project, queue=queue, idempotency_key=key, payload={"n": 2})]
        )
    assert conflict.value.code == "ALREADY_EXISTS"
    assert conflict.value.reason == "IDEMPOTENCY_KEY_CONFLICT"
    message = conflict.value.message
    assert "payload_json" in message and str(first.action.id) in message
    with pytest.raises(IdempotencyKeyConflict):
        client.enqueue([new_action("d.other", project, queue=queue, idempotency_key=key)])

    race = f"race-{uuid.uuid4().hex}"

    def enqueue(_: int) -> int:
        with Client(client.address) as mine:
            item = mine.enqueue(
                [new_action("d.race", project, queue=queue, idempotency_key=race, payload={})]
            ).actions[0]
            return item.action.id

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        ids = list(pool.map(enqueue, range(50)))
    assert len(set(ids)) == 1
    rows = client.list_actions(project=project, action_type="d.race").actions
    assert [a.id for a in rows] == [ids[0]]


def test_progress_is_stored_and_logged_only_when_sent(
    client: Client, project: str, queue: str
) -> None:
    action = client.add("d.progress", project, queue=queue)
    held = client.claim("w", queue=queue)[0]
    client.heartbeat(action.id, held.lease_token, progress={"done": 3, "of": 10, "n": 2**63 - 1})
    client.heartbeat(action.id, held.lease_token)
    stored = client.get(action.id)
    assert stored.progress == {"done": 3, "of": 10, "n": 2**63 - 1}
    progress = client.list_events(action_ids=[action.id], event_types=["action_progress"]).events
    assert len(progress) == 1 and progress[0].payload["progress"]["done"] == 3
    assert progress[0].actor == "w" and progress[0].payload["attempt"] == 1
    done = client.complete(action.id, held.lease_token, result={"ok": True}, result_ref="r")
    assert done.result == {"ok": True} and done.result_ref == "r"


def test_wait_returns_when_every_action_has_finished(
    client: Client, project: str, queue: str
) -> None:
    first = client.add("d.wait", project, queue=queue)
    second = client.add("d.wait", project, queue=queue)
    with concurrent.futures.ThreadPoolExecutor(1) as pool, Client(client.address) as other:
        waiting = pool.submit(other.wait, [first.id, second.id, first.id], 60)
        held = client.claim("w", queue=queue, max_actions=2)
        client.complete(held[0].action.id, held[0].lease_token)
        assert not waiting.done() or waiting.exception() is not None
        client.cancel(second.id, reason="enough")
        finished = waiting.result(timeout=30)
    assert [(a.id, a.status) for a in finished] == [
        (first.id, "completed"),
        (second.id, "cancelled"),
        (first.id, "completed"),
    ]


def test_wait_times_out_and_names_unknown_ids(client: Client, project: str, queue: str) -> None:
    action = client.add("d.wait2", project, queue=queue)
    with pytest.raises(WaitTimeout) as timed_out:
        client.wait([action.id], timeout=0.3)
    assert timed_out.value.code == "DEADLINE_EXCEEDED"
    assert timed_out.value.reason == "WAIT_TIMEOUT" and str(action.id) in timed_out.value.message
    with pytest.raises(NotFound):
        client.wait([action.id, 2**62], timeout=5)


def test_retry_dead_actions_by_id_and_by_filter(client: Client, project: str, queue: str) -> None:
    kind = f"d.dead.{uuid.uuid4().hex[:6]}"
    actions = [client.add(kind, project, queue=queue) for _ in range(3)]
    for _ in actions[:2]:
        held = client.claim("w", queue=queue)[0]
        client.fail(held.action.id, held.lease_token, reason="broken")
    client.cancel(actions[2].id, reason="no")
    alive = client.add(kind, project, queue=queue)
    with pytest.raises(IllegalTransition):
        client.retry([actions[0].id, alive.id])
    assert client.get(actions[0].id).status == "failed"  # nothing was retried
    by_id = client.retry([actions[0].id], actor="human:ops")
    assert by_id.retried_ids == [actions[0].id] and not by_id.more
    again = client.get(actions[0].id)
    assert (again.status, again.attempt, again.failure_reason) == ("pending", 0, None)
    (event,) = client.list_events(action_ids=[actions[0].id], event_types=["action_retried"]).events
    assert event.actor == "human:ops"
    assert event.payload == {
        "previous_status": "failed",
        "previous_reason": "broken",
        "previous_attempt": 1,
    }
    by_filter = client.retry(action_type=kind, limit=1)
    assert by_filter.retried_ids == [actions[1].id] and not by_filter.more
    cancelled = client.retry(action_type=kind, statuses=["cancelled"])
    assert cancelled.retried_ids == [actions[2].id]
    assert client.retry(action_type=kind).retried_ids == []


def test_bad_input_is_refused_naming_the_field(
    stub: service_pb2_grpc.ActionQueueServiceStub, project: str, queue: str
) -> None:
    def enqueue(**fields: Any) -> spb.EnqueueRequest:
        return spb.EnqueueRequest(
            actions=[pb.NewAction(action_type="d.bad", project=project, queue=queue, **fields)]
        )

    BAD = (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELD")
    UNKNOWN_STRATEGY = cast(pb.BackoffStrategy.ValueType, 7)
    NO_QUEUE = (grpc.StatusCode.FAILED_PRECONDITION, "QUEUE_NOT_FOUND")
    D = duration_pb2.Duration
    token = str(uuid.uuid4())
    cases: list[tuple[Any, Any, grpc.StatusCode, str, str]] = [
        (stub.Enqueue, enqueue(max_attempts=-1), *BAD, "actions[0].max_attempts"),
        (stub.Enqueue, enqueue(max_attempts=1001), *BAD, "actions[0].max_attempts"),
        (stub.Enqueue, enqueue(delay=D(seconds=-5)), *BAD, "actions[0].delay"),
        (stub.Enqueue, enqueue(delay=D(seconds=10**11)), *BAD, "actions[0].delay"),
        (
            stub.Enqueue,
            enqueue(backoff=pb.Backoff(strategy=UNKNOWN_STRATEGY)),
            *BAD,
            "actions[0].backoff.strategy",
        ),
        (stub.Enqueue, enqueue(backoff=pb.Backoff(jitter=1.5)), *BAD, "actions[0].backoff.jitter"),
        (
            stub.Enqueue,
            enqueue(backoff=pb.Backoff(jitter=float("nan"))),
            *BAD,
            "actions[0].backoff.jitter",
        ),
        (
            stub.Enqueue,
            enqueue(backoff=pb.Backoff(base=D(seconds=-1))),
            *BAD,
            "actions[0].backoff.base",
        ),
        (
            stub.Enqueue,
            enqueue(backoff=pb.Backoff(base=D(seconds=60), max=D(seconds=1))),
            *BAD,
            "actions[0].backoff.max",
        ),
        (stub.Enqueue, enqueue(idempotency_key="k" * 256), *BAD, "actions[0].idempotency_key"),
        (
            stub.Fail,
            spb.FailRequest(id=1, reason="x", retry_delay=D(seconds=-1)),
            *BAD,
            "retry_delay",
        ),
        (stub.Retry, spb.RetryRequest(statuses=[pb.ACTION_STATUS_PENDING]), *BAD, "statuses[0]"),
        (stub.Retry, spb.RetryRequest(ids=[1], queue=queue), *BAD, "ids"),
        (stub.Retry, spb.RetryRequest(limit=10_001), *BAD, "limit"),
        (stub.Retry, spb.RetryRequest(ids=[0]), *BAD, "ids[0]"),
        (stub.WaitAction, spb.WaitActionRequest(), *BAD, "ids"),
        (stub.WaitAction, spb.WaitActionRequest(ids=[1], timeout=D(seconds=-1)), *BAD, "timeout"),
        (stub.PauseQueue, spb.PauseQueueRequest(queue=""), *BAD, "queue"),
        (
            stub.PauseQueue,
            spb.PauseQueueRequest(queue="no-such-" + uuid.uuid4().hex),
            *NO_QUEUE,
            "queue",
        ),
        (
            stub.UpdateQueue,
            spb.UpdateQueueRequest(queue=queue, max_attempts=0, lease=D(nanos=5)),
            *BAD,
            "lease",
        ),
        (
            stub.UpdateQueue,
            spb.UpdateQueueRequest(queue=queue, max_attempts=-3),
            *BAD,
            "max_attempts",
        ),
        (stub.Claim, spb.ClaimRequest(worker="w", queue="x", queues=["a", "b"]), *BAD, "queue"),
        (stub.Claim, spb.ClaimRequest(worker="w", queues=["ok", ""]), *BAD, "queues[1]"),
        (
            stub.Heartbeat,
            spb.HeartbeatRequest(id=1, lease_token=token, progress_json="[1]"),
            *BAD,
            "progress_json",
        ),
    ]
    for call, request, code, reason, field in cases:
        got = refusal(call, request)
        assert got[:2] == (code, reason), (request, got)
        assert got[2].startswith(field), (field, got)
    listed = stub.ListActions(spb.ListActionsRequest(project=project), timeout=10)
    assert list(listed.actions) == []
    queues = stub.ListQueues(spb.ListQueuesRequest(), timeout=10)
    assert queue not in {q.name for q in queues.queues}
