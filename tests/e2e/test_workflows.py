"""Workflows with dependencies through the real server: a diamond runs in
dependency order, a failed branch cancels its dependants and the run ends
failed once, Retry re-opens a run, fan-out/fan-in with 100 children and a
WorkerApp reading its dependencies' results, bad dependencies refused with
nothing written, concurrent completions of the last dependencies never losing
the ready transition nor doubling the run's end, retention of finished runs,
and the actionctl commands."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from actionq import (
    AsyncClient,
    Client,
    DependencyCycle,
    DependencyFailed,
    DependencyNotFound,
    InvalidField,
    Job,
    WorkerApp,
    WorkflowNotFound,
    new_action,
)

from tests.conftest import fresh_schema
from tests.support import ServerProcess, actionctl, sql, start_server, wait_until


@pytest.fixture
def queue() -> str:
    """A queue no other test uses."""
    return f"wf-{uuid.uuid4().hex[:10]}"


def run_id() -> str:
    return f"run-{uuid.uuid4()}"


def claim_all(client: Client, queue: str) -> dict[int, str]:
    """Claim everything due in `queue`: id -> lease token."""
    claimed = client.claim("wf-worker", queue=queue, max_actions=100)
    return {c.action.id: c.lease_token for c in claimed}


def finished_events(client: Client, workflow_id: str) -> list[dict[str, Any]]:
    return [
        e.payload
        for e in client.iter_events(event_types=["workflow_finished"])
        if e.payload["workflow_id"] == workflow_id
    ]


def event_types(client: Client, action_id: int) -> list[str]:
    return [e.event_type for e in client.iter_events(action_ids=[action_id])]


def footprint(server: ServerProcess, pg_dsn: str, project: str) -> tuple[Any, ...]:
    """What a project has stored: actions, their events, edges and runs."""
    rows = sql(
        pg_dsn,
        server.schema,
        "SELECT (SELECT count(*) FROM actions WHERE project = $1),"
        " (SELECT count(*) FROM events e JOIN actions a ON a.id = e.action_id"
        "  WHERE a.project = $1),"
        " (SELECT count(*) FROM action_dependencies d JOIN actions a ON a.id = d.action_id"
        "  WHERE a.project = $1),"
        " (SELECT count(*) FROM workflows WHERE id LIKE $1 || '%'),"
        " (SELECT max(updated_at) FROM actions WHERE project = $1)",
        project,
    )
    return tuple(rows[0])


def test_a_diamond_runs_in_dependency_order(client: Client, project: str, queue: str) -> None:
    run = run_id()
    stored = client.enqueue_workflow(
        [
            new_action("wf.a", project, queue=queue),
            new_action("wf.b", project, queue=queue, depends_on_index=[0]),
            new_action("wf.c", project, queue=queue, depends_on_index=[0]),
            new_action("wf.d", project, queue=queue, depends_on_index=[1, 2]),
        ],
        workflow_id=run,
    )
    a, b, c, d = (e.action for e in stored)
    assert {x.workflow_id for x in (a, b, c, d)} == {run}
    assert a.status == "pending" and a.depends_on == []
    assert (b.status, b.waiting_for, b.depends_on) == ("waiting", "dependencies", [a.id])
    assert (d.status, d.depends_on) == ("waiting", [b.id, c.id])
    assert event_types(client, d.id) == ["action_enqueued", "action_waiting"]

    first = claim_all(client, queue)
    assert list(first) == [a.id]
    client.complete(a.id, first[a.id], result={"step": "a"})
    second = claim_all(client, queue)
    assert sorted(second) == [b.id, c.id]
    client.complete(b.id, second[b.id], result={"step": "b"})
    assert claim_all(client, queue) == {}
    assert client.get(d.id).status == "waiting"
    wf = client.get_workflow(run)
    assert (wf.status, wf.total, wf.completed, wf.claimed, wf.waiting) == ("running", 4, 2, 1, 1)
    client.complete(c.id, second[c.id], result={"step": "c"})
    third = claim_all(client, queue)
    assert list(third) == [d.id]
    assert event_types(client, d.id) == [
        "action_enqueued",
        "action_waiting",
        "action_ready",
        "action_claimed",
    ]
    assert finished_events(client, run) == []
    client.complete(d.id, third[d.id], result={"step": "d"})

    wf = client.get_workflow(run)
    assert (wf.status, wf.total, wf.completed, wf.pending, wf.waiting) == (
        "completed",
        4,
        4,
        0,
        0,
    )
    assert wf.finished_at is not None and wf.created_at is not None
    assert [x.id for x in wf.actions] == [a.id, b.id, c.id, d.id]
    assert finished_events(client, run) == [
        {
            "workflow_id": run,
            "status": "completed",
            "counts": {"total": 4, "completed": 4, "failed": 0, "rejected": 0, "cancelled": 0},
        }
    ]
    listed = client.list_actions(workflow_id=run)
    assert [x.id for x in listed.actions] == [a.id, b.id, c.id, d.id]
    with pytest.raises(WorkflowNotFound):
        client.get_workflow(run_id())


def test_a_failed_branch_cancels_its_dependants_and_retry_reopens(
    client: Client, project: str, queue: str, server: ServerProcess, pg_dsn: str
) -> None:
    run = f"{project}-{uuid.uuid4().hex[:8]}"
    stored = client.enqueue_workflow(
        [
            new_action("wf.a", project, queue=queue),
            new_action("wf.b", project, queue=queue, depends_on_index=[0], max_attempts=3),
            new_action("wf.c", project, queue=queue, depends_on_index=[0]),
            new_action("wf.d", project, queue=queue, depends_on_index=[1, 2]),
            new_action("wf.e", project, queue=queue, depends_on_index=[3]),
        ],
        workflow_id=run,
    )
    a, b, c, d, e = (x.action.id for x in stored)
    tokens = claim_all(client, queue)
    client.complete(a, tokens[a])
    tokens = claim_all(client, queue)
    failed = client.fail(b, tokens[b], reason="the disk is full", no_retry=True)
    assert failed.status == "failed"
    cancelled_d, cancelled_e = client.get(d), client.get(e)
    assert cancelled_d.status == "cancelled" and cancelled_d.waiting_for is None
    assert cancelled_d.failure_reason == f"dependency {b} ended failed"
    assert cancelled_e.failure_reason == f"dependency {d} ended cancelled"
    assert event_types(client, d)[-1] == "action_cancelled"
    # C still runs; the run ends when it does, failed, once.
    assert client.get_workflow(run).status == "running"
    client.complete(c, tokens[c])
    wf = client.get_workflow(run)
    assert (wf.status, wf.completed, wf.failed, wf.cancelled) == ("failed", 2, 1, 2)
    assert finished_events(client, run) == [
        {
            "workflow_id": run,
            "status": "failed",
            "counts": {"total": 5, "completed": 2, "failed": 1, "rejected": 0, "cancelled": 2},
        }
    ]

    # A dependency that already ended failed is refused, with nothing written.
    before = footprint(server, pg_dsn, project)
    with pytest.raises(DependencyFailed) as refused:
        client.enqueue([new_action("wf.f", project, queue=queue, workflow_id=run, depends_on=[b])])
    assert refused.value.field == "actions[0].depends_on"
    assert footprint(server, pg_dsn, project) == before

    # Retry of the failed branch: the run runs again, D and E wait again.
    assert client.retry([b, d, e]).retried_ids == [b, d, e]
    assert client.get_workflow(run).status == "running"
    assert [client.get(x).status for x in (b, d, e)] == ["pending", "waiting", "waiting"]
    for expected in (b, d, e):
        tokens = claim_all(client, queue)
        assert list(tokens) == [expected]
        client.complete(expected, tokens[expected])
    assert client.get_workflow(run).status == "completed"
    assert [p["status"] for p in finished_events(client, run)] == ["failed", "completed"]


def test_cancelling_a_waiting_dependant_cancels_its_own(
    client: Client, project: str, queue: str
) -> None:
    stored = client.enqueue_workflow(
        [
            new_action("wf.a", project, queue=queue),
            new_action("wf.b", project, queue=queue, depends_on_index=[0]),
            new_action("wf.c", project, queue=queue, depends_on_index=[1]),
        ]
    )
    a, b, c = (x.action for x in stored)
    assert a.workflow_id is not None and uuid.UUID(a.workflow_id)
    assert client.cancel(b.id, reason="not needed").status == "cancelled"
    assert client.get(c.id).failure_reason == f"dependency {b.id} ended cancelled"
    tokens = claim_all(client, queue)
    client.complete(a.id, tokens[a.id])
    wf = client.get_workflow(a.workflow_id)
    assert (wf.status, wf.completed, wf.cancelled) == ("failed", 1, 2)


def test_fan_out_and_fan_in_with_100_children(server: ServerProcess, project: str) -> None:
    app = WorkerApp("fan-app", project=project, poll_wait=2, concurrency=110)
    suffix = uuid.uuid4().hex[:8]
    root_type, child_type, final_type = f"root.{suffix}", f"child.{suffix}", f"final.{suffix}"
    seen: dict[str, Any] = {}

    async def scenario(client: AsyncClient) -> None:
        seen["client"] = client
        run = run_id()
        await client.enqueue_workflow([new_action(root_type, project)], workflow_id=run)
        deadline = asyncio.get_running_loop().time() + 60
        while (await client.get_workflow(run)).status == "running":
            assert asyncio.get_running_loop().time() < deadline, "the run did not finish"
            await asyncio.sleep(0.05)
        seen["run"] = await client.get_workflow(run)

    @app.handler(root_type)
    async def root(job: Job[dict[str, Any]]) -> dict[str, Any]:
        children = [
            new_action(child_type, project, parent_id=job.id, payload={"n": n}) for n in range(100)
        ]
        final = new_action(final_type, project, parent_id=job.id, depends_on_index=range(100))
        stored = await seen["client"].enqueue([*children, final])
        return {"children": len(stored) - 1}

    @app.handler(child_type, concurrency=100)
    async def child(job: Job[dict[str, Any]]) -> dict[str, Any]:
        return {"square": job.payload["n"] ** 2}

    @app.handler(final_type)
    async def final(job: Job[dict[str, Any]]) -> dict[str, Any]:
        assert job.workflow_id is not None
        run = await seen["client"].get_workflow(job.workflow_id)
        seen["children_when_final_ran"] = sorted(
            a.status for a in run.actions if a.action_type == child_type
        )
        results = await job.dependency_results()
        seen["results"] = results
        return {"sum": sum(r["square"] for r in results.values() if r is not None)}

    async def main() -> None:
        async with AsyncClient(server.address) as worker, AsyncClient(server.address) as driver:
            task = asyncio.create_task(app.run(worker))
            try:
                await scenario(driver)
            finally:
                app.stop()
                await asyncio.wait_for(task, timeout=30)

    asyncio.run(main())
    wf = seen["run"]
    assert (wf.status, wf.total, wf.completed) == ("completed", 102, 102)
    root_action, *children, final_action = wf.actions
    assert root_action.action_type == root_type and final_action.action_type == final_type
    assert all(x.parent_id == root_action.id and x.workflow_id == wf.id for x in children)
    assert seen["children_when_final_ran"] == ["completed"] * 100
    assert final_action.depends_on == [x.id for x in children]
    assert seen["results"] == {x.id: {"square": x.payload["n"] ** 2} for x in children}
    assert final_action.result == {"sum": sum(n * n for n in range(100))}
    assert final_action.completed_at is not None
    assert all(
        x.completed_at is not None and x.completed_at <= final_action.completed_at for x in children
    )


def test_bad_dependencies_are_refused_with_nothing_written(
    client: Client, project: str, queue: str, server: ServerProcess, pg_dsn: str
) -> None:
    run = f"{project}-{uuid.uuid4().hex[:8]}"
    other = f"{project}-{uuid.uuid4().hex[:8]}"
    there = client.enqueue_workflow([new_action("wf.x", project, queue=queue)], workflow_id=other)
    outsider = client.add("wf.y", project, queue=queue)
    before = footprint(server, pg_dsn, project)

    def refused(error: type[Exception], field: str, *actions: Any) -> None:
        with pytest.raises(error) as caught:
            client.enqueue(list(actions))
        assert getattr(caught.value, "field", None) == field, caught.value
        assert footprint(server, pg_dsn, project) == before

    def item(**fields: Any) -> Any:
        return new_action("wf.t", project, queue=queue, **{"workflow_id": run, **fields})

    refused(
        DependencyCycle,
        "actions[0].depends_on_index",
        item(depends_on_index=[2]),
        item(depends_on_index=[0]),
        item(depends_on_index=[1]),
    )
    refused(DependencyNotFound, "actions[1].depends_on_index", item(), item(depends_on_index=[1]))
    refused(DependencyNotFound, "actions[0].depends_on_index", item(depends_on_index=[5]))
    refused(DependencyNotFound, "actions[0].depends_on_index", item(depends_on_index=[-1]))
    refused(DependencyNotFound, "actions[0].depends_on", item(depends_on=[2**62]))
    refused(
        DependencyNotFound, "actions[1].depends_on", item(), item(depends_on=[there[0].action.id])
    )
    refused(DependencyNotFound, "actions[0].depends_on", item(depends_on=[outsider.id]))
    refused(
        InvalidField,
        "actions[0].workflow_id",
        new_action("wf.t", project, queue=queue, depends_on=[outsider.id]),
    )
    refused(InvalidField, "actions[0].workflow_id", item(workflow_id="x" * 201))
    refused(InvalidField, "actions[0].workflow_id", item(workflow_id="tab\there"))
    refused(InvalidField, "actions[0].depends_on[0]", item(depends_on=[0]))


def test_keys_and_request_ids_keep_working(client: Client, project: str, queue: str) -> None:
    run = run_id()
    batch = [
        new_action("wf.a", project, queue=queue, idempotency_key=f"{run}-a"),
        new_action("wf.b", project, queue=queue, idempotency_key=f"{run}-b", depends_on_index=[0]),
    ]
    first = client.enqueue_workflow(batch, workflow_id=run, request_id=f"{run}-1")
    replay = client.enqueue_workflow(batch, workflow_id=run, request_id=f"{run}-1")
    again = client.enqueue_workflow(batch, workflow_id=run)
    assert replay.replayed and not first.replayed
    assert [e.duplicate for e in again] == [True, True]
    assert [e.action.id for e in again] == [e.action.id for e in first]
    assert client.get(first[1].action.id).depends_on == [first[0].action.id]
    assert client.get_workflow(run).total == 2


def _complete_together(address: str, items: list[tuple[int, str]]) -> None:
    """Complete each item from its own thread and client, all at once."""
    _together(address, [functools.partial(_complete, i, t) for i, t in items])


def _together(address: str, calls: list[Callable[[Client], None]]) -> None:
    """Make each call from its own thread and client, all at once."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[Client], None]) -> None:
        try:
            with Client(address) as own:
                barrier.wait(10)
                call(own)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def test_concurrent_completions_of_the_last_dependencies(
    client: Client, server: ServerProcess, project: str, queue: str
) -> None:
    for round_ in range(25):
        run = run_id()
        stored = client.enqueue_workflow(
            [
                new_action("wf.a", project, queue=queue),
                new_action("wf.b", project, queue=queue),
                new_action("wf.join", project, queue=queue, depends_on_index=[0, 1]),
            ],
            workflow_id=run,
        )
        a, b, join = (e.action.id for e in stored)
        tokens = claim_all(client, queue)
        assert sorted(tokens) == [a, b]
        _complete_together(server.address, [(a, tokens[a]), (b, tokens[b])])
        assert client.get(join).status == "pending", f"round {round_}: the ready was lost"
        tokens = claim_all(client, queue)
        assert list(tokens) == [join]
        client.complete(join, tokens[join])
        assert len(finished_events(client, run)) == 1

        # Two last actions of a run (nothing depends on them) ending at once.
        run = run_id()
        stored = client.enqueue_workflow(
            [new_action("wf.a", project, queue=queue), new_action("wf.b", project, queue=queue)],
            workflow_id=run,
        )
        tokens = claim_all(client, queue)
        _complete_together(server.address, list(tokens.items()))
        assert [p["status"] for p in finished_events(client, run)] == ["completed"]


def test_retention_prunes_finished_runs(pg_dsn: str, project: str) -> None:
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        with Client(proc.address) as client:
            run = run_id()
            stored = client.enqueue_workflow(
                [
                    new_action("wf.a", project),
                    new_action("wf.b", project, depends_on_index=[0]),
                    new_action("wf.c", project, depends_on_index=[0, 1]),
                ],
                workflow_id=run,
            )
            for expected in stored:
                (claimed,) = client.claim("w", project=project)
                assert claimed.action.id == expected.action.id
                client.complete(claimed.action.id, claimed.lease_token)
            assert client.get_workflow(run).status == "completed"
            pruned = client.prune(older_than=0, limit=1000)
            assert pruned.pruned_actions >= 3
            while pruned.more:
                pruned = client.prune(older_than=0, limit=1000)
            with pytest.raises(WorkflowNotFound):
                client.get_workflow(run)
            left = sql(
                pg_dsn,
                proc.schema,
                "SELECT (SELECT count(*) FROM action_dependencies),"
                " (SELECT count(*) FROM workflows)",
            )
            assert tuple(left[0]) == (0, 0)
    finally:
        proc.stop()


def test_actionctl_workflow_commands(
    server: ServerProcess, project: str, queue: str, tmp_path: Path
) -> None:
    run = run_id()
    spec = tmp_path / "run.json"
    spec.write_text(
        json.dumps(
            {
                "workflow_id": run,
                "actions": [
                    {"type": "wf.fetch", "project": project, "queue": queue, "payload": {"u": 1}},
                    {
                        "type": "wf.parse",
                        "project": project,
                        "queue": queue,
                        "depends_on_index": [0],
                    },
                ],
            }
        )
    )
    started = actionctl(server.address, "workflow", "start", str(spec))
    assert started.code == 0, started.stderr
    assert started.json["workflow_id"] == run
    fetch, parse = started.json["actions"]
    assert (fetch["status"], parse["status"]) == ("pending", "waiting")

    added = actionctl(
        server.address,
        "add",
        "--type",
        "wf.report",
        "--project",
        project,
        "--queue",
        queue,
        "--workflow",
        run,
        "--depends-on",
        str(parse["id"]),
        "--depends-on",
        str(fetch["id"]),
    )
    assert added.code == 0, added.stderr
    assert added.json["status"] == "waiting"
    assert added.json["depends_on"] == [fetch["id"], parse["id"]]

    shown = actionctl(server.address, "workflow", run)
    assert shown.code == 0, shown.stderr
    assert shown.json["workflow"]["status"] == "running"
    assert (shown.json["workflow"]["total"], shown.json["workflow"]["waiting"]) == (3, 2)
    assert [a["status"] for a in shown.json["actions"]] == ["pending", "waiting", "waiting"]
    assert actionctl(server.address, "workflow", "show", run).json == shown.json
    listed = actionctl(server.address, "ls", "--workflow", run)
    assert [a["id"] for a in listed.json] == [a["id"] for a in shown.json["actions"]]

    missing = actionctl(server.address, "workflow", run_id())
    assert missing.code == 1
    assert (missing.error["code"], missing.error["reason"]) == ("NOT_FOUND", "WORKFLOW_NOT_FOUND")
    spec.write_text(json.dumps([{"type": "wf.x", "project": project, "depends_on_index": [0]}]))
    cycle = actionctl(server.address, "workflow", "start", str(spec))
    assert cycle.code == 1 and cycle.error["reason"] == "DEPENDENCY_NOT_FOUND"
    spec.write_text(json.dumps([{"type": "wf.x", "project": project, "colour": "red"}]))
    unknown = actionctl(server.address, "workflow", "start", str(spec))
    assert unknown.code == 1 and "colour" in unknown.error["message"]


def test_a_cancel_racing_a_settlement_ends_the_run_once(
    client: Client, server: ServerProcess, project: str, queue: str
) -> None:
    for _ in range(20):
        run = run_id()
        stored = client.enqueue_workflow(
            [
                new_action("wf.a", project, queue=queue),
                new_action("wf.d", project, queue=queue, depends_on_index=[0]),
            ],
            workflow_id=run,
        )
        a, d = (e.action.id for e in stored)
        tokens = claim_all(client, queue)
        _together(
            server.address,
            [
                functools.partial(_complete, a, tokens[a]),
                functools.partial(_cancel, d),
            ],
        )
        assert client.get(d).status == "cancelled"
        assert [p["status"] for p in finished_events(client, run)] == ["failed"]


def _complete(action_id: int, token: str, own: Client) -> None:
    own.complete(action_id, token)


def _cancel(action_id: int, own: Client) -> None:
    own.cancel(action_id, reason="changed my mind")


def test_a_lease_expiring_on_the_last_attempt_settles_the_run(
    client: Client, project: str, queue: str
) -> None:
    run = run_id()
    stored = client.enqueue_workflow(
        [
            new_action("wf.a", project, queue=queue, max_attempts=1),
            new_action("wf.d", project, queue=queue, depends_on_index=[0]),
        ],
        workflow_id=run,
    )
    a, d = (e.action.id for e in stored)
    (claimed,) = client.claim("wf-worker", queue=queue, lease=1)
    assert claimed.action.id == a

    def swept() -> bool:
        client.sweep()
        return client.get(a).status == "failed"

    assert wait_until(swept, timeout=20, interval=0.2)
    assert client.get(d).failure_reason == f"dependency {a} ended failed"
    assert [p["status"] for p in finished_events(client, run)] == ["failed"]
