"""Checkpoints through the real server: saved under a lease, read back by a
later attempt, fenced by the lease, and the Python worker's step helper that
resumes a retried action after its last completed step."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from actionq import (
    ActionNotFound,
    AsyncClient,
    Client,
    IllegalTransition,
    InvalidField,
    Job,
    StaleLease,
    WorkerApp,
)

from tests.conftest import ServerProcess
from tests.support import actionctl


def test_a_retried_attempt_reads_what_the_earlier_one_saved(client: Client, project: str) -> None:
    queue = f"cp-{uuid.uuid4().hex[:8]}"
    action = client.add("cp.task", project, queue=queue, max_attempts=3)
    first = client.claim("w1", queue=queue)[0]
    saved = client.save_checkpoint(action.id, first.lease_token, "download", {"n": 2**63 - 1})
    assert (saved.step, saved.attempt, saved.state) == ("download", 1, {"n": 2**63 - 1})
    again = client.save_checkpoint(action.id, first.lease_token, "download", {"n": 1})
    assert again.state == {"n": 1} and again.created_at == saved.created_at
    client.fail(action.id, first.lease_token, reason="crash", retry_delay=0)
    second = client.claim("w2", queue=queue, wait=10)[0]
    assert second.action.attempt == 2
    with pytest.raises(StaleLease):
        client.save_checkpoint(action.id, first.lease_token, "parse", {})
    client.save_checkpoint(action.id, second.lease_token, "parse", {"rows": 3})
    steps = client.get_checkpoints(action.id)
    assert [(k.step, k.attempt, k.state) for k in steps] == [
        ("download", 1, {"n": 1}),
        ("parse", 2, {"rows": 3}),
    ]
    client.complete(action.id, second.lease_token)
    with pytest.raises(IllegalTransition):
        client.save_checkpoint(action.id, second.lease_token, "late", {})
    events = client.list_events(action_ids=[action.id], event_types=["checkpoint_saved"]).events
    assert [(e.payload["step"], e.payload["attempt"], e.actor) for e in events] == [
        ("download", 1, "w1"),
        ("download", 1, "w1"),
        ("parse", 2, "w2"),
    ]
    assert len(client.get_checkpoints(action.id)) == 2


def test_bad_checkpoints_are_refused_and_write_nothing(client: Client, project: str) -> None:
    queue = f"cp-{uuid.uuid4().hex[:8]}"
    action = client.add("cp.bad", project, queue=queue)
    held = client.claim("w", queue=queue)[0]
    for step, state in (("", {}), ("x" * 201, {}), ("bad name", {})):
        with pytest.raises(InvalidField) as refused:
            client.save_checkpoint(action.id, held.lease_token, step, state)
        assert refused.value.message.startswith("step")
    with pytest.raises(InvalidField):
        client.save_checkpoint(action.id, "", "step", {})
    with pytest.raises(ActionNotFound):
        client.get_checkpoints(2**62)
    assert client.get_checkpoints(action.id) == []
    big = {"blob": "x" * 900_000}
    for i in range(3):
        client.save_checkpoint(action.id, held.lease_token, f"s{i}", big)
    with pytest.raises(InvalidField) as too_big:
        client.save_checkpoint(action.id, held.lease_token, "s3", big)
    assert too_big.value.message.startswith("state_json")
    assert [k.step for k in client.get_checkpoints(action.id)] == ["s0", "s1", "s2"]


def test_the_step_helper_resumes_after_the_last_completed_step(
    server: ServerProcess, project: str
) -> None:
    queue = f"cp-{uuid.uuid4().hex[:8]}"
    runs: list[tuple[str, int]] = []
    app = WorkerApp("steps", queues=[queue], poll_wait=1)

    @app.handler("cp.steps")
    async def handle(job: Job[dict[str, Any]]) -> dict[str, Any]:
        async def fetch() -> dict[str, Any]:
            runs.append(("fetch", job.attempt))
            return {"url": "s3://in", "size": 10}

        async def transform() -> int:
            runs.append(("transform", job.attempt))
            if job.attempt == 1:
                raise ConnectionError("lost the connection mid-step")
            return 42

        fetched = await job.step("fetch", fetch)
        value = await job.step("transform", transform)
        return {"size": fetched["size"], "value": value}

    async def scenario() -> tuple[Any, Any]:
        async with AsyncClient(server.address) as client:
            action = await client.add("cp.steps", project, queue=queue, max_attempts=3)
            await client.update_queue(queue, backoff="fixed:0s")
            worker = asyncio.create_task(app.run(client=client))
            try:
                done = (await client.wait([action.id], timeout=30))[0]
            finally:
                app.stop()
                await worker
            return done, await client.get_checkpoints(action.id)

    done, steps = asyncio.run(scenario())
    assert done.status == "completed" and done.attempt == 2
    assert done.result == {"size": 10, "value": 42}
    assert runs == [("fetch", 1), ("transform", 1), ("transform", 2)]
    assert [(k.step, k.attempt, k.state) for k in steps] == [
        ("fetch", 1, {"result": {"url": "s3://in", "size": 10}}),
        ("transform", 2, {"result": 42}),
    ]


def test_actionctl_saves_and_lists_checkpoints(server: ServerProcess, project: str) -> None:
    queue = f"cp-{uuid.uuid4().hex[:8]}"
    added = actionctl(
        server.address, "add", "--type", "cp.cli", "--project", project, "--queue", queue
    ).json
    held = actionctl(server.address, "claim", "--worker", "w", "--queue", queue).json
    saved = actionctl(
        server.address,
        "checkpoint",
        str(added["id"]),
        "--lease-token",
        held["lease_token"],
        "--step",
        "fetch",
        "--state",
        '{"n": 9007199254740993}',
    )
    assert saved.code == 0 and saved.json["state"] == {"n": 9007199254740993}
    listed = actionctl(server.address, "checkpoints", str(added["id"])).json
    assert [(k["step"], k["attempt"], k["state"]) for k in listed] == [
        ("fetch", 1, {"n": 9007199254740993})
    ]
    stale = actionctl(
        server.address,
        "checkpoint",
        str(added["id"]),
        "--lease-token",
        str(uuid.uuid4()),
        "--step",
        "x",
    )
    assert stale.code == 1 and stale.error["reason"] == "STALE_LEASE"
    bad = actionctl(
        server.address,
        "checkpoint",
        str(added["id"]),
        "--lease-token",
        held["lease_token"],
        "--step",
        "x",
        "--state",
        "[1]",
    )
    assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT"
    assert len(actionctl(server.address, "checkpoints", str(added["id"])).json) == 1
