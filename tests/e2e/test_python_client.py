"""The Python client against the real server: typed errors with their reasons,
JSON that keeps every digit through Client, AsyncClient and Worker, a retried
Enqueue that stores nothing twice, the asyncio flavour's every call, and the
durable-execution calls (retry, wait, queues, progress, prune, stats, sweep)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from actionq import (
    Action,
    ActionNotFound,
    AsyncClient,
    Backoff,
    ChainTooDeep,
    Client,
    Event,
    IdempotencyKeyConflict,
    IllegalTransition,
    InvalidField,
    QueueNotFound,
    RequestIdReused,
    StaleLease,
    WaitTimeout,
    Worker,
    completion,
    new_action,
)

from tests.support import ServerProcess


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": levels}
    for level in range(levels - 1, 0, -1):
        value = {f"l{level}": value}
    return value


PAYLOAD: dict[str, Any] = {
    "above_2_53": 2**53 + 1,
    "min_int64": -(2**63),
    "max_uint64": 2**64 - 1,
    "beyond": 10**30,
    "fraction": 0.1,
    "exact": 5,
    "text": 'héllo 日本語 🎉 "q" \\',
    "list": [1, -2, 3.5, True, False, None, "x"],
    "deep": deep(32),
}


def same(a: Any, b: Any) -> bool:
    """Equal in value and kind (5 is not 5.0, True is not 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_typed_errors_carry_reasons(client: Client, project: str) -> None:
    with pytest.raises(ActionNotFound) as missing:
        client.get(10**12)
    assert (missing.value.code, missing.value.reason) == ("NOT_FOUND", "ACTION_NOT_FOUND")
    with pytest.raises(InvalidField) as bad:
        client.add("has spaces", project)
    assert bad.value.field == "actions[0].action_type" and bad.value.code == "INVALID_ARGUMENT"
    action = client.add("client.errors", project)
    with pytest.raises(IllegalTransition):
        client.complete(action.id, result_ref="not claimed")
    held = client.claim("w", project=project, action_types=["client.errors"])[0]
    with pytest.raises(StaleLease):
        client.complete(action.id, str(uuid.uuid4()), result_ref="stale")
    parent = held.action
    for _ in range(3):
        parent = client.add("client.errors", project, parent_id=parent.id)
    with pytest.raises(ChainTooDeep):
        client.add("client.errors", project, parent_id=parent.id)


def test_a_retried_enqueue_stores_nothing_twice(client: Client, project: str) -> None:
    request_id = f"test-{uuid.uuid4()}"
    batch = [new_action("client.retry", project, payload={"i": i}) for i in range(3)]
    first = client.enqueue(batch, request_id=request_id)
    again = client.enqueue(batch, request_id=request_id)
    assert not first.replayed and again.replayed
    assert [e.action.id for e in again] == [e.action.id for e in first]
    assert len(list(client.iter_actions(project=project))) == 3
    with pytest.raises(RequestIdReused):
        client.enqueue(batch[:1], request_id=request_id)


def test_json_keeps_every_digit_through_the_blocking_client(client: Client, project: str) -> None:
    action = client.add("client.json", project, payload=PAYLOAD)
    assert same(action.payload, PAYLOAD) and same(client.get(action.id).payload, PAYLOAD)
    held = client.claim("w", project=project, action_types=["client.json"])[0]
    assert same(held.action.payload, PAYLOAD)
    done = client.complete(action.id, held.lease_token, result_ref="r", result=PAYLOAD)
    assert same(done.result, PAYLOAD) and same(client.get(action.id).result, PAYLOAD)
    event = client.emit("coordinator_cycle", "client:json", PAYLOAD)
    (listed,) = [e for e in client.iter_events(after_cursor="") if e.id == event.id]
    assert same(event.payload, PAYLOAD) and same(listed.payload, PAYLOAD)


def test_the_asyncio_client_has_every_call(server: ServerProcess, project: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.address) as client:
            start = (await client.stats()).latest_event_cursor
            stored = await client.enqueue(
                [new_action("client.async", project, payload=PAYLOAD) for _ in range(4)]
            )
            ids = [e.action.id for e in stored]
            assert same((await client.get(ids[0])).payload, PAYLOAD)
            page = await client.list_actions(project=project, page_size=2)
            assert [a.id for a in page.actions] == ids[:2] and page.next_page_token
            assert [a.id async for a in client.iter_actions(project=project, page_size=3)] == ids
            held = await client.claim("w", project=project, max_actions=4, wait=1)
            tokens = {h.action.id: h.lease_token for h in held}
            assert not (await client.heartbeat(ids[0], tokens[ids[0]], lease=60)).cancelled
            done = await client.complete(ids[0], tokens[ids[0]], result_ref="r", result=PAYLOAD)
            assert same(done.result, PAYLOAD)
            failed = await client.fail(ids[1], tokens[ids[1]], reason="boom")
            rejected = await client.reject(ids[2], tokens[ids[2]], reason="no", validator="v")
            cancelled = await client.cancel(ids[3], reason="stop")
            assert [failed.status, rejected.status, cancelled.status] == [
                "failed",
                "rejected",
                "cancelled",
            ]
            other = await client.add("client.async", project)
            again = await client.claim("w", project=project)
            many = await client.complete_many(
                [
                    completion(other.id, again[0].lease_token),
                    completion(10**12, "x"),
                ]
            )
            assert many.completed_ids == [other.id] and many.failures[0].reason
            swept = await client.sweep()
            assert swept.requeued_count >= len(swept)
            page_events = await client.list_events(after_cursor=start, action_ids=ids)
            assert page_events.events and page_events.next_cursor
            emitted = await client.emit("coordinator_paused", "client:async", {"n": 2**63})
            followed: list[Event] = []
            async for event in client.follow_events(
                after_cursor=start, event_types=["coordinator_paused"], retry_delay=0.1
            ):
                followed.append(event)
                if event.id == emitted.id:
                    break
            assert followed[-1].payload == {"n": 2**63}
            assert (await client.migrate()).version >= 2

    asyncio.run(scenario())


def test_the_worker_sees_and_returns_exact_json(
    server: ServerProcess, client: Client, project: str
) -> None:
    stored = client.enqueue(
        [new_action("client.worker", project, payload=PAYLOAD) for _ in range(3)]
    )
    seen: list[dict[str, Any]] = []
    all_seen = asyncio.Event()

    async def handle(action: Action) -> dict[str, Any]:
        seen.append(action.payload)
        if len(seen) == 3:
            all_seen.set()
        return {"echo": action.payload, "id": action.id}

    async def run() -> None:
        worker = Worker(
            AsyncClient(server.address),
            handle,
            name="client-worker",
            project=project,
            action_types=["client.worker"],
            poll_wait=1,
        )
        task = asyncio.create_task(worker.run())
        await asyncio.wait_for(all_seen.wait(), 30)
        # Stopping lets the handlers finish and flushes their completions.
        worker.stop()
        await asyncio.wait_for(task, 30)
        await worker.client.close()

    asyncio.run(run())
    assert len(seen) == 3 and all(same(p, PAYLOAD) for p in seen)
    for entry in stored:
        done = client.get(entry.action.id)
        assert done.status == "completed"
        assert same(done.result, {"echo": PAYLOAD, "id": entry.action.id})


def test_an_enqueue_answer_beyond_4_mb_is_received(client: Client, project: str) -> None:
    """Enqueue echoes its batch; the client accepts answers past gRPC's 4 MB default."""
    filler = "x" * 600
    batch = [new_action("client.big", project, payload={"f": filler}) for _ in range(10_000)]
    stored = client.enqueue(batch)
    assert len(stored) == 10_000 and stored[-1].action.payload == {"f": filler}


def fresh_queue() -> str:
    """A queue name no other test uses."""
    return f"q-{uuid.uuid4().hex[:10]}"


def test_dead_actions_are_retried_by_id_and_by_filter(client: Client, project: str) -> None:
    kind = f"dead.{uuid.uuid4().hex[:6]}"
    first, second, third = (
        client.add(kind, project, max_attempts=1, backoff="fixed:5s").id for _ in range(3)
    )
    for held in client.claim("w", action_types=[kind], project=project, max_actions=3):
        client.fail(held.action.id, held.lease_token, reason="boom")
    assert {client.get(i).status for i in (first, second, third)} == {"failed"}
    with pytest.raises(IllegalTransition):
        client.retry([first, client.add(kind, project).id])
    assert client.get(first).status == "failed", "a refused Retry retried nothing"
    one = client.retry([first], actor="human:tester")
    assert one.retried_ids == [first] and not one.more
    again = client.get(first)
    assert again.status == "pending" and again.attempt == 0 and again.failure_reason is None
    (event,) = client.list_events(action_ids=[first], event_types=["action_retried"]).events
    assert event.actor == "human:tester"
    rest = client.retry(statuses=["failed"], action_type=kind, project=project, limit=1)
    assert rest.retried_ids == [second] and rest.more
    last = client.retry(action_type=kind, project=project)
    assert last.retried_ids == [third] and not last.more


def test_wait_returns_finished_actions_or_times_out(client: Client, project: str) -> None:
    action = client.add("wait.t", project)
    with pytest.raises(WaitTimeout):
        client.wait(action.id, timeout=0.3)
    (held,) = client.claim("w", action_types=["wait.t"], project=project)
    seen: list[Any] = []
    waiter = threading.Thread(target=lambda: seen.extend(client.wait([action.id], timeout=30)))
    waiter.start()
    client.complete(action.id, held.lease_token, result={"ok": True})
    waiter.join(30)
    assert [(a.id, a.status, a.result) for a in seen] == [(action.id, "completed", {"ok": True})]
    # Already finished: answered at once, in request order, repeats kept.
    other = client.add("wait.t", project)
    client.cancel(other.id, reason="not needed")
    statuses = [a.status for a in client.wait([other.id, action.id, other.id], timeout=5)]
    assert statuses == ["cancelled", "completed", "cancelled"]
    with pytest.raises(ActionNotFound):
        client.wait([10**12], timeout=1)


def test_queues_have_defaults_and_pause(client: Client, project: str) -> None:
    queue, other = fresh_queue(), fresh_queue()
    set_up = client.update_queue(
        queue, max_attempts=3, backoff="exponential:1s:1m:0.5", lease=45, actor="human:ops"
    )
    assert (set_up.name, set_up.max_attempts, set_up.lease) == (queue, 3, 45.0)
    assert set_up.backoff == Backoff("exponential", 1.0, 60.0, 0.5) and not set_up.paused
    action = client.add("queue.t", project, queue=queue)
    assert action.max_attempts == 3
    paused = client.pause_queue(queue, actor="human:ops", reason="deploy")
    assert paused.paused and paused.paused_by == "human:ops" and paused.paused_at is not None
    assert client.claim("w", queue=queue, project=project) == []
    listed = {q.name: q for q in client.list_queues()}
    assert listed[queue].paused and listed[queue].pending == 1
    assert listed[queue].to_json()["backoff"]["max"] == 60.0
    resumed = client.resume_queue(queue, actor="human:ops")
    assert not resumed.paused and resumed.paused_at is None
    client.add("queue.t", project, queue=other)
    held = client.claim("w", queues=[queue, other], project=project, max_actions=5)
    assert sorted(h.action.queue for h in held) == sorted([queue, other])
    assert {h.action.queue: h.action.claim_deadline for h in held}[queue] is not None
    with pytest.raises(QueueNotFound):
        client.pause_queue(fresh_queue())


def test_progress_backoff_and_schedules_are_stored(client: Client, project: str) -> None:
    action = client.add("progress.t", project, backoff="fixed:30s:10%", max_attempts=2)
    assert action.backoff == Backoff("fixed", 30.0, 30.0, 0.1)
    (held,) = client.claim("w", action_types=["progress.t"], project=project)
    client.heartbeat(action.id, held.lease_token, 30, progress={"done": 3, "of": 4})
    assert client.get(action.id).progress == {"done": 3, "of": 4}
    retried = client.fail(action.id, held.lease_token, reason="later", retry_delay=90)
    assert retried.status == "pending" and retried.run_after is not None
    assert retried.run_after - retried.updated_at == timedelta(seconds=90)  # type: ignore[operator]
    queue = fresh_queue()
    client.add("sched.t", project, queue=queue, delay=3600)
    (row,) = [s for s in client.stats(queue=queue).stats if s.action_type == "sched.t"]
    assert (row.pending, row.scheduled) == (1, 1)


def test_idempotency_key_conflicts_are_typed(client: Client, project: str) -> None:
    key = uuid.uuid4().hex
    first = client.enqueue([new_action("idem.t", project, idempotency_key=key, payload={"a": 1})])
    same_again = client.enqueue(
        [new_action("idem.t", project, idempotency_key=key, payload={"a": 1})]
    )
    assert same_again[0].duplicate and same_again[0].action.id == first[0].action.id
    with pytest.raises(IdempotencyKeyConflict) as conflict:
        client.add("idem.t", project, idempotency_key=key, payload={"a": 2})
    assert conflict.value.metadata.get("action_id") == str(first[0].action.id)


def test_prune_reports_and_refuses_bad_input(client: Client) -> None:
    # A cutoff a century back prunes nothing this session stored.
    result = client.prune(100 * 365 * 86400 - 86400, limit=10)
    assert (result.pruned_actions, result.more) == (0, False)
    with pytest.raises(InvalidField) as bad:
        client.prune(-1)
    assert bad.value.field == "older_than"


def test_sweep_fails_an_action_whose_last_lease_expired(client: Client, project: str) -> None:
    action = client.add("sweep.last", project, max_attempts=1)
    client.claim("w", action_types=["sweep.last"], project=project, lease=1)
    deadline = time.monotonic() + 30
    failed_ids: list[int] = []
    while action.id not in failed_ids:
        assert time.monotonic() < deadline, "the sweep never failed the expired claim"
        swept = client.sweep()
        assert swept.failed_count >= len(swept.failed)
        failed_ids += [a.id for a in swept.failed]
        time.sleep(0.2)
    final = client.get(action.id)
    assert final.status == "failed" and "lease expired" in (final.failure_reason or "")
