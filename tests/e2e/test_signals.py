"""Durable sleep and signals through the real server: a signal wakes exactly
the actions waiting for it (broadcast) or one (ONE), one sent early is kept
for later waiters, a timeout wakes with its marker, a waiting action is not
claimable and shows as waiting everywhere, its attempt is not used; the
Python worker's wait helpers; actionctl signal; bad input refused with nothing
written."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from actionq import (
    ActionNotFound,
    AsyncClient,
    Client,
    FailedPrecondition,
    IllegalTransition,
    InvalidField,
    Job,
    StaleLease,
    WaitTimeout,
    WorkerApp,
)
from actionq.v1 import service_pb2 as spb

from tests.conftest import ServerProcess
from tests.support import actionctl


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def claim_one(client: Client, queue: str, wait: float = 10) -> tuple[int, str]:
    held = client.claim("w", queue=queue, wait=wait)
    assert len(held) == 1, held
    return held[0].action.id, held[0].lease_token


def waiting(client: Client, queue: str, n: int, timeout: float = 10) -> list[int]:
    """Claim n actions of the queue and suspend each on the signal `queue`."""
    ids = []
    for _ in range(n):
        action_id, token = claim_one(client, queue)
        done = client.suspend(action_id, token, "wait", signal=queue)
        assert done.suspended and done.action.status == "waiting"
        ids.append(action_id)
    return ids


def until_status(client: Client, action_id: int, status: str, timeout: float = 15) -> Any:
    """The action once it has `status`; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        action = client.get(action_id)
        if action.status == status or time.monotonic() > deadline:
            assert action.status == status, action
            return action
        time.sleep(0.05)


def woken_state(client: Client, action_id: int, step: str = "wait") -> dict[str, Any]:
    saved = {k.step: k for k in client.get_checkpoints(action_id)}
    assert step in saved, saved
    assert saved[step].attempt >= 1
    return saved[step].state


def test_a_signal_wakes_exactly_the_actions_waiting_for_it(client: Client, project: str) -> None:
    a, b = unique("sig-a"), unique("sig-b")
    for _ in range(3):
        client.add("sig.wait", project, queue=a)
    for _ in range(2):
        client.add("sig.wait", project, queue=b)
    on_a = waiting(client, a, 3)
    on_b = waiting(client, b, 2)
    for i in on_a + on_b:
        action = client.get(i)
        assert action.status == "waiting" and action.claimed_by is None
        assert action.waiting_for == "signal" and action.wait_until is None
    sent = client.signal(a, {"approved": True, "n": 2**63 - 1}, keep=0)
    assert sorted(sent.woken) == sorted(on_a) and sent.kept_until is None
    for i in on_a:
        action = client.get(i)
        assert action.status == "pending" and action.waiting_for is None
        state = woken_state(client, i)
        assert state["payload"] == {"approved": True, "n": 2**63 - 1}
        assert state["signal"] == a and state["timed_out"] is False
        assert state["signal_id"] == sent.signal_id
    assert all(client.get(i).status == "waiting" for i in on_b)
    # Re-run after the wake: the same wait returns the wake-up at once.
    action_id, token = claim_one(client, a)
    again = client.suspend(action_id, token, "wait", signal=a)
    assert not again.suspended and again.wake is not None
    assert again.wake.payload == {"approved": True, "n": 2**63 - 1}
    assert again.wake.signal_id == sent.signal_id and again.action.status == "claimed"
    woken = client.list_events(action_ids=on_a, event_types=["action_woken"]).events
    assert sorted(e.action_id for e in woken) == sorted(on_a)
    assert {e.actor for e in woken} == {"operator"}
    sent_events = client.list_events(event_types=["signal_sent"]).events
    mine = [e for e in sent_events if e.payload["name"] == a]
    assert [(e.payload["woken"], e.payload["mode"]) for e in mine] == [(3, "broadcast")]
    # B's waiters are not disturbed by A's signal; they wake on their own.
    assert sorted(client.signal(b, keep=0).woken) == sorted(on_b)


def test_a_broadcast_sent_early_is_kept_for_later_waiters(client: Client, project: str) -> None:
    name = unique("early")
    sent = client.signal(name, {"v": 1}, keep=600)
    assert sent.woken == [] and sent.kept_until is not None
    assert sent.kept_until > datetime.now(UTC) + timedelta(seconds=500)
    for _ in range(2):
        client.add("sig.early", project, queue=name)
    for _ in range(2):
        action_id, token = claim_one(client, name)
        done = client.suspend(action_id, token, "wait", signal=name)
        assert not done.suspended and done.wake is not None
        assert done.wake.payload == {"v": 1} and done.wake.signal_id == sent.signal_id
        assert done.action.status == "claimed"
        assert woken_state(client, action_id)["payload"] == {"v": 1}
        client.complete(action_id, token)
    # The newest kept broadcast is the one a later waiter gets.
    newer = client.signal(name, {"v": 2}, keep=600)
    client.add("sig.early", project, queue=name)
    action_id, token = claim_one(client, name)
    done = client.suspend(action_id, token, "wait", signal=name)
    assert done.wake is not None and done.wake.signal_id == newer.signal_id


def test_a_one_shot_sent_early_goes_to_exactly_one_later_waiter(
    client: Client, project: str
) -> None:
    name = unique("one-early")
    sent = client.signal(name, {"ticket": 7}, mode="one", keep=600)
    assert sent.woken == [] and sent.kept_until is not None
    for _ in range(2):
        client.add("sig.one", project, queue=name)
    first_id, first_token = claim_one(client, name)
    second_id, second_token = claim_one(client, name)
    first = client.suspend(first_id, first_token, "wait", signal=name)
    second = client.suspend(second_id, second_token, "wait", signal=name)
    assert not first.suspended and first.wake is not None
    assert first.wake.payload == {"ticket": 7}
    assert second.suspended and second.wake is None
    assert client.get(second_id).status == "waiting"
    # Used up: the next one-shot goes to the waiter.
    follow = client.signal(name, {"ticket": 8}, mode="one")
    assert follow.woken == [second_id] and follow.kept_until is None
    assert woken_state(client, second_id)["payload"] == {"ticket": 8}


def test_a_kept_one_shot_goes_to_one_of_two_waiters_suspending_at_once(
    server: ServerProcess, project: str
) -> None:
    name = unique("one-race")

    async def scenario() -> list[Any]:
        async with AsyncClient(server.address) as client:
            await client.signal(name, {"token": 1}, mode="one", keep=600)
            for _ in range(2):
                await client.add("sig.race", project, queue=name)
            held = await client.claim("w", queue=name, max_actions=2, wait=10)
            assert len(held) == 2
            return list(
                await asyncio.gather(
                    *(client.suspend(h.action.id, h.lease_token, "wait", signal=name) for h in held)
                )
            )

    outcomes = asyncio.run(scenario())
    assert sorted(o.suspended for o in outcomes) == [False, True]
    (got,) = [o for o in outcomes if not o.suspended]
    assert got.wake is not None and got.wake.payload == {"token": 1}


def test_one_wakes_exactly_one_of_several_waiters_the_longest_waiting(
    client: Client, project: str
) -> None:
    name = unique("one")
    for _ in range(3):
        client.add("sig.one", project, queue=name)
    ids = waiting(client, name, 3)
    woke = []
    for i in range(3):
        sent = client.signal(name, {"i": i}, mode="one", keep=0)
        assert len(sent.woken) == 1 and sent.kept_until is None
        woke.extend(sent.woken)
        still = [x for x in ids if client.get(x).status == "waiting"]
        assert len(still) == 2 - i
    assert woke == ids
    assert [woken_state(client, x)["payload"] for x in ids] == [{"i": 0}, {"i": 1}, {"i": 2}]
    nobody = client.signal(name, mode="one", keep=0)
    assert nobody.woken == [] and nobody.kept_until is None


def test_a_timeout_wakes_with_the_marker(client: Client, project: str) -> None:
    name = unique("timeout")
    action = client.add("sig.timeout", project, queue=name)
    action_id, token = claim_one(client, name)
    done = client.suspend(action_id, token, "wait", signal=name, timeout=0.5)
    assert done.suspended and done.action.wait_until is not None
    until_status(client, action_id, "pending")
    state = woken_state(client, action_id)
    assert state["timed_out"] is True and state["payload"] == {} and state["signal"] == name
    events = client.list_events(action_ids=[action.id], event_types=["action_woken"]).events
    assert [(e.actor, e.payload["timed_out"]) for e in events] == [("server", True)]
    # The signal arriving after the timeout wakes nobody.
    assert client.signal(name, keep=0).woken == []
    action_id, token = claim_one(client, name)
    again = client.suspend(action_id, token, "wait", signal=name, timeout=0.5)
    assert again.wake is not None and again.wake.timed_out and again.wake.payload == {}


def test_a_durable_sleep_ends_pending_and_a_worker_continues(
    server: ServerProcess, project: str
) -> None:
    queue = unique("sleep")
    runs: list[tuple[str, int]] = []
    app = WorkerApp("sleeper", queues=[queue], poll_wait=1)

    @app.handler("sig.sleep")
    async def handle(job: Job[dict[str, Any]]) -> dict[str, Any]:
        async def before() -> int:
            runs.append(("before", job.attempt))
            return 5

        value = await job.step("before", before)
        runs.append(("sleep", job.attempt))
        wake = await job.sleep(timedelta(seconds=1))
        runs.append(("after", job.attempt))
        return {"value": value, "timed_out": wake.timed_out, "step": wake.step}

    async def scenario() -> tuple[Any, list[str]]:
        async with AsyncClient(server.address) as client:
            action = await client.add("sig.sleep", project, queue=queue, max_attempts=1)
            worker = asyncio.create_task(app.run(client=client))
            try:
                done = (await client.wait([action.id], timeout=30))[0]
            finally:
                app.stop()
                await worker
            page = await client.list_events(action_ids=[action.id])
            return done, [e.event_type for e in page.events]

    done, types = asyncio.run(scenario())
    assert done.status == "completed" and done.attempt == 1
    assert done.result == {"value": 5, "timed_out": True, "step": "sleep:0"}
    assert runs == [("before", 1), ("sleep", 1), ("sleep", 1), ("after", 1)]
    assert types == [
        "action_enqueued",
        "action_claimed",
        "checkpoint_saved",
        "action_waiting",
        "action_woken",
        "action_claimed",
        "action_completed",
    ]


def test_a_waiting_action_is_not_claimable_and_shows_as_waiting(
    client: Client, project: str
) -> None:
    queue = unique("shown")
    client.add("sig.shown", project, queue=queue)
    (action_id,) = waiting(client, queue, 1)
    assert client.claim("w2", queue=queue, wait=0.3) == []
    action = client.get(action_id)
    assert action.status == "waiting" and action.wait_signal == queue
    listed = client.list_actions(statuses=["waiting"], queue=queue).actions
    assert [a.id for a in listed] == [action_id]
    assert client.list_actions(statuses=["pending", "claimed"], queue=queue).actions == []
    (row,) = client.stats(queue=queue).stats
    assert (row.waiting, row.pending, row.claimed) == (1, 0, 0)
    (q,) = [q for q in client.list_queues() if q.name == queue]
    assert (q.waiting, q.pending, q.claimed) == (1, 0, 0)
    # The sweeper leaves it alone; Retry does not take it; WaitAction waits.
    client.sweep()
    assert client.get(action_id).status == "waiting"
    with pytest.raises(IllegalTransition):
        client.retry([action_id])
    with pytest.raises(WaitTimeout):
        client.wait([action_id], timeout=0.3)
    client.signal(queue, keep=0)
    again_id, _ = claim_one(client, queue)
    assert again_id == action_id


def test_cancel_of_a_waiting_action(client: Client, project: str) -> None:
    name = unique("cancel")
    client.add("sig.cancel", project, queue=name)
    (action_id,) = waiting(client, name, 1)
    cancelled = client.cancel(action_id, reason="no longer needed")
    assert cancelled.status == "cancelled" and cancelled.waiting_for is None
    assert cancelled.wait_signal is None and cancelled.wait_until is None
    assert client.signal(name, keep=0).woken == []
    assert client.get(action_id).status == "cancelled"
    assert client.get_checkpoints(action_id) == []
    # A cancelled sleeper is not woken by its timeout either.
    client.add("sig.cancel", project, queue=name)
    action_id, token = claim_one(client, name)
    assert client.suspend(action_id, token, "nap", timeout=0.2).suspended
    client.cancel(action_id, reason="stop")
    client.add("sig.cancel", project, queue=name)
    marker_id, marker_token = claim_one(client, name)
    client.suspend(marker_id, marker_token, "nap", timeout=0.2)
    until_status(client, marker_id, "pending")
    assert client.get(action_id).status == "cancelled"


def test_a_stale_lease_is_refused(client: Client, project: str) -> None:
    name = unique("stale")
    client.add("sig.stale", project, queue=name)
    action_id, token = claim_one(client, name)
    with pytest.raises(StaleLease):
        client.suspend(action_id, str(uuid.uuid4()), "wait", signal=name)
    assert client.suspend(action_id, token, "wait", signal=name).suspended
    # Waiting: the old lease is gone.
    with pytest.raises(StaleLease):
        client.suspend(action_id, token, "wait", signal=name)
    with pytest.raises(FailedPrecondition):
        client.heartbeat(action_id, token)
    with pytest.raises(FailedPrecondition):
        client.complete(action_id, token)
    client.signal(name, keep=0)
    again_id, again = claim_one(client, name)
    client.complete(again_id, again)
    with pytest.raises(IllegalTransition):
        client.suspend(again_id, again, "later", signal=name)


def test_a_suspension_does_not_use_up_an_attempt(client: Client, project: str) -> None:
    name = unique("attempt")
    action = client.add("sig.attempt", project, queue=name, max_attempts=1)
    action_id, token = claim_one(client, name)
    done = client.suspend(action_id, token, "nap", timeout=0.2)
    assert done.suspended and done.action.attempt == 0
    until_status(client, action_id, "pending")
    again_id, again = claim_one(client, name)
    assert again_id == action.id and client.get(action_id).attempt == 1
    wake = client.suspend(again_id, again, "nap", timeout=0.2)
    assert not wake.suspended and wake.wake is not None and wake.wake.timed_out
    completed = client.complete(again_id, again, result={"ok": True})
    assert completed.status == "completed" and completed.attempt == 1
    waits = client.list_events(action_ids=[action.id], event_types=["action_waiting"]).events
    assert [(e.payload["step"], e.payload["attempt"]) for e in waits] == [("nap", 1)]


def test_a_worker_app_handler_waits_for_a_signal_and_completes_with_its_payload(
    server: ServerProcess, project: str
) -> None:
    queue = unique("app")
    name = unique("approved")
    runs: list[str] = []
    app = WorkerApp("approver", queues=[queue], poll_wait=1)

    @app.handler("sig.approve")
    async def handle(job: Job[dict[str, Any]]) -> dict[str, Any]:
        runs.append("run")
        try:
            wake = await job.wait_for_signal(name, timeout=60)
        except Exception:  # a handler's catch-all must not swallow the suspension
            runs.append("swallowed")
            raise
        return {"approved_by": wake.payload["by"], "timed_out": wake.timed_out}

    async def scenario() -> tuple[Any, Any]:
        async with AsyncClient(server.address) as client:
            action = await client.add("sig.approve", project, queue=queue, max_attempts=1)
            worker = asyncio.create_task(app.run(client=client))
            try:
                deadline = time.monotonic() + 15
                while (await client.get(action.id)).status != "waiting":
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.05)
                sent = await client.signal(name, {"by": "alice"}, keep=0)
                done = (await client.wait([action.id], timeout=30))[0]
            finally:
                app.stop()
                await worker
            return done, sent

    done, sent = asyncio.run(scenario())
    assert sent.woken == [done.id]
    assert done.status == "completed" and done.attempt == 1
    assert done.result == {"approved_by": "alice", "timed_out": False}
    assert runs == ["run", "run"]


def _refused(call: Any, field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        call()
    assert refused.value.message.startswith(field), refused.value.message


def test_bad_input_is_refused_and_writes_nothing(client: Client, project: str) -> None:
    name = unique("bad")
    client.add("sig.bad", project, queue=name)
    action_id, token = claim_one(client, name)
    before = client.list_events(action_ids=[action_id]).events
    stats_before = client.stats(queue=name).stats
    _refused(lambda: client.suspend(action_id, token, "", signal=name), "step")
    _refused(lambda: client.suspend(action_id, token, "x" * 201, signal=name), "step")
    _refused(lambda: client.suspend(action_id, token, "s", signal="x" * 201), "signal")
    _refused(lambda: client.suspend(action_id, token, "s", signal="a\nb"), "signal")
    _refused(lambda: client.suspend(action_id, token, "s"), "until")
    _refused(
        lambda: client.suspend(
            action_id, token, "s", until=datetime.now(UTC) + timedelta(hours=1), timeout=5
        ),
        "timeout",
    )
    _refused(lambda: client.suspend(action_id, token, "s", timeout=-1), "timeout")
    _refused(lambda: client.suspend(action_id, "", "s", timeout=1), "lease_token")
    with pytest.raises(ActionNotFound):
        client.suspend(2**62, token, "s", timeout=1)
    _refused(lambda: client.signal(""), "name")
    _refused(lambda: client.signal("x" * 201), "name")
    _refused(lambda: client.signal(name, keep=31 * 86400), "keep")
    _refused(lambda: client.signal(name, keep=-1), "keep")
    raw = client._call  # wire-level requests the client would not build
    _refused(lambda: raw("Signal", spb.SignalRequest(name=name, payload_json="[1]")), "payload")
    _refused(lambda: raw("Signal", spb.SignalRequest(name=name, mode=9)), "mode")
    assert client.list_events(action_ids=[action_id]).events == before
    assert client.stats(queue=name).stats == stats_before
    assert client.get_checkpoints(action_id) == []
    sent = [e for e in client.list_events(event_types=["signal_sent"]).events]
    assert not [e for e in sent if e.payload["name"] == name]
    assert client.get(action_id).status == "claimed"


def test_actionctl_signal_wakes_and_reports(server: ServerProcess, project: str) -> None:
    name = unique("cli")
    with Client(server.address) as client:
        client.add("sig.cli", project, queue=name)
        client.add("sig.cli", project, queue=name)
        ids = waiting(client, name, 2)
        one = actionctl(
            server.address, "signal", name, "--payload", '{"n": 9007199254740993}', "--one"
        )
        assert one.code == 0, one.stderr
        assert one.json["woken"] == [ids[0]] and one.json["kept_until"] is None
        assert woken_state(client, ids[0])["payload"] == {"n": 9007199254740993}
        assert client.get(ids[1]).status == "waiting"
        shown = actionctl(server.address, "ls", "--status", "waiting", "--queue", name)
        assert [a["id"] for a in shown.json] == [ids[1]]
        assert shown.json[0]["waiting_for"] == "signal" and shown.json[0]["wait_signal"] == name
        stats = actionctl(server.address, "stats", "--queue", name).json
        assert [row["waiting"] for row in stats["stats"]] == [1]
        every = actionctl(server.address, "signal", name, "--keep", "10m")
        assert every.code == 0 and every.json["woken"] == [ids[1]]
        assert every.json["kept_until"] is not None and every.json["signal_id"] > 0
        bad = actionctl(server.address, "signal", "", "--payload", "{}")
        assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT"
        bad_payload = actionctl(server.address, "signal", name, "--payload", "[1]")
        assert bad_payload.code == 1 and bad_payload.error["code"] == "INVALID_ARGUMENT"
        too_long = actionctl(server.address, "signal", name, "--keep", "31d")
        assert too_long.code != 0
