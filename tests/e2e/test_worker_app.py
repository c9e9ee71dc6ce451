"""WorkerApp and `python -m actionq worker` against the real server: results,
pydantic rejections, retry_on, RetryIn, progress, timeouts, prompt stop, and
the runner's graceful stop on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from actionq import (
    AsyncClient,
    ClaimedAction,
    Client,
    Event,
    Job,
    RetryIn,
    WorkerApp,
    new_action,
)
from pydantic import BaseModel

from tests.support import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def unique(prefix: str) -> str:
    """An action type no other test uses."""
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


def run_app(
    app: WorkerApp,
    address: str,
    scenario: Callable[[AsyncClient], Awaitable[None]],
) -> None:
    """Run `app` against the server while `scenario` (given its own client)
    drives the test; then stop the app and wait for it."""

    async def main() -> None:
        async with AsyncClient(address) as worker_client, AsyncClient(address) as client:
            task = asyncio.create_task(app.run(worker_client))
            try:
                await scenario(client)
            finally:
                app.stop()
                await asyncio.wait_for(task, timeout=30)

    asyncio.run(main())


def following(
    client: AsyncClient, ids: list[int], types: Sequence[str] = ()
) -> AsyncGenerator[Event, None]:
    """The events of these actions, live (closable with contextlib.aclosing)."""
    return cast(
        AsyncGenerator[Event, None], client.follow_events(action_ids=ids, event_types=types)
    )


async def settled(client: AsyncClient, action_id: int, *statuses: str) -> Any:
    """The action once it is in one of `statuses` (read after each of its events)."""
    async with (
        asyncio.timeout(30),
        contextlib.aclosing(following(client, [action_id])) as events,
    ):
        async for _ in events:
            action = await client.get(action_id)
            if action.status in statuses:
                return action
    raise AssertionError("the event stream ended")


async def after_event(client: AsyncClient, action_id: int, event_type: str) -> Any:
    """The action once its log shows `event_type`."""
    async with (
        asyncio.timeout(30),
        contextlib.aclosing(following(client, [action_id])) as events,
    ):
        async for event in events:
            if event.event_type == event_type:
                return await client.get(action_id)
    raise AssertionError("the event stream ended")


class Invoice(BaseModel):
    customer: str
    cents: int


def test_results_rejections_and_retry_rules(server: ServerProcess, project: str) -> None:
    app = WorkerApp("billing-app", project=project, poll_wait=2)
    invoice_type, flaky_type, later_type = unique("invoice"), unique("flaky"), unique("later")

    @app.handler(invoice_type, concurrency=2, model=Invoice)
    async def bill(job: Job[Invoice]) -> dict[str, Any]:
        return {"customer": job.payload.customer, "total": job.payload.cents * 2}

    @app.handler(flaky_type, retry_on=(ConnectionError,))
    def flaky(job: Job[dict[str, Any]]) -> str:
        if job.payload["fault"] == "network":
            raise ConnectionError("connection reset")
        raise ValueError("the data is wrong")

    @app.handler(later_type)
    async def later(job: Job[dict[str, Any]]) -> None:
        raise RetryIn(30, "the partner is closed")

    async def scenario(client: AsyncClient) -> None:
        stored = await client.enqueue(
            [
                new_action(invoice_type, project, payload={"customer": "ada", "cents": 21}),
                new_action(invoice_type, project, payload={"customer": "bob"}),
                new_action(flaky_type, project, payload={"fault": "data"}, max_attempts=3),
                new_action(
                    flaky_type,
                    project,
                    payload={"fault": "network"},
                    max_attempts=3,
                    backoff="fixed:1h",
                ),
                new_action(later_type, project, max_attempts=3),
            ]
        )
        good, bad, data, network, closed = (e.action.id for e in stored)

        done = await settled(client, good, "completed")
        assert done.result == {"customer": "ada", "total": 42}

        rejected = await settled(client, bad, "rejected")
        assert rejected.rejected_by == "billing-app" and rejected.attempt == 1
        assert (rejected.failure_reason or "").startswith(
            "payload does not match Invoice: cents: Field required"
        )

        # Not a ConnectionError: failed for good although attempts remain.
        failed = await settled(client, data, "failed")
        assert failed.attempt == 1 and failed.max_attempts == 3
        assert failed.failure_reason == "ValueError: the data is wrong"

        # A ConnectionError: retried under the action's own policy (1 h).
        retried = await after_event(client, network, "action_retry_scheduled")
        assert (
            retried.attempt == 1 and retried.failure_reason == "ConnectionError: connection reset"
        )
        assert retried.run_after - retried.updated_at == timedelta(hours=1)

        waiting = await after_event(client, closed, "action_retry_scheduled")
        assert waiting.run_after - waiting.updated_at == timedelta(seconds=30)
        assert waiting.failure_reason == "the partner is closed"
        events = await client.list_events(
            action_ids=[closed], event_types=["action_retry_scheduled"]
        )
        assert [e.payload["delay_seconds"] for e in events.events] == [30]

    run_app(app, server.address, scenario)


def test_progress_is_stored_and_logged(server: ServerProcess, project: str) -> None:
    app = WorkerApp("progress-app", project=project, poll_wait=2)
    kind = unique("progress")
    go_on = threading.Event()

    @app.handler(kind)
    def crunch(job: Job[dict[str, Any]]) -> str:
        job.heartbeat_sync(progress={"rows": 500, "of": 1000})
        assert go_on.wait(30)
        return "crunched"

    async def scenario(client: AsyncClient) -> None:
        action = await client.add(kind, project, payload={})
        progress = following(client, [action.id], ["action_progress"])
        async with asyncio.timeout(30), contextlib.aclosing(progress) as events:
            async for event in events:
                assert event.payload["progress"] == {"rows": 500, "of": 1000}
                assert event.payload["attempt"] == 1
                break
        held = await client.get(action.id)
        assert held.status == "claimed" and held.progress == {"rows": 500, "of": 1000}
        go_on.set()
        done = await settled(client, action.id, "completed")
        assert done.result_ref == "crunched"

    run_app(app, server.address, scenario)


def test_a_timeout_fails_the_attempt(server: ServerProcess, project: str) -> None:
    app = WorkerApp("timeout-app", project=project, poll_wait=2)
    kind = unique("timeout")
    interrupted = threading.Event()

    @app.handler(kind, timeout=0.5, backoff="fixed:1h")
    async def hang(job: Job[dict[str, Any]]) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            interrupted.set()
            raise

    async def scenario(client: AsyncClient) -> None:
        action = await client.add(kind, project, max_attempts=2)
        # Not "pending" as such: it is pending before its first claim too.
        retried = await after_event(client, action.id, "action_retry_scheduled")
        assert interrupted.is_set()
        assert retried.attempt == 1
        assert retried.failure_reason == "TimeoutError: the handler timed out after 0.5s"
        # The registration's backoff chose the delay: fixed 1 h.
        assert retried.run_after - retried.updated_at == timedelta(hours=1)

    run_app(app, server.address, scenario)


class ClaimWatcher(AsyncClient):
    """A client that says when a claim is on its way to the server."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.claiming = asyncio.Event()

    async def claim(self, worker: str, **request: Any) -> list[ClaimedAction]:
        self.claiming.set()
        return await super().claim(worker, **request)


def test_stop_returns_promptly_during_a_long_poll(server: ServerProcess, project: str) -> None:
    app = WorkerApp("idle-app", project=project, poll_wait=60)
    app.handler(unique("idle"))(lambda job: None)

    async def main() -> None:
        client = ClaimWatcher(server.address)
        try:
            task = asyncio.create_task(app.run(client))
            await asyncio.wait_for(client.claiming.wait(), 30)
            app.stop()
            # The claim polls for up to 60 s; stopping must not wait it out.
            await asyncio.wait_for(task, timeout=20)
        finally:
            await client.close()

    asyncio.run(main())


# The app `python -m actionq worker tests.e2e.test_worker_app:RUNNER` runs.
RUNNER = WorkerApp("runner-app")
RUNNER_TYPE = "runner.echo"


@RUNNER.handler(RUNNER_TYPE, concurrency=2)
async def echo(job: Job[dict[str, Any]]) -> dict[str, Any]:
    await asyncio.sleep(float(job.payload.get("seconds", 0)))
    return {"echo": job.payload["n"], "worker": job.action.claimed_by}


def test_the_runner_processes_work_and_drains_on_sigterm(
    server: ServerProcess, client: Client, project: str
) -> None:
    queue = f"q-{uuid.uuid4().hex[:8]}"
    quick = client.enqueue(
        [new_action(RUNNER_TYPE, project, queue=queue, payload={"n": n}) for n in range(6)]
    )
    ids = [e.action.id for e in quick]
    command = [
        sys.executable,
        "-m",
        "actionq",
        "worker",
        "tests.e2e.test_worker_app:RUNNER",
        "--server",
        server.address,
        "--queue",
        queue,
        "--project",
        project,
        "--concurrency",
        "4",
        "--name",
        "runner-1",
        "--poll-wait",
        "30s",
        "--grace",
        "30s",
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "clients/python")])}
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        finished = client.wait(ids, timeout=60)
        assert [a.status for a in finished] == ["completed"] * 6
        assert [a.result for a in finished] == [{"echo": n, "worker": "runner-1"} for n in range(6)]

        # A handler in flight when SIGTERM arrives finishes within the grace.
        slow = client.add(RUNNER_TYPE, project, queue=queue, payload={"n": 99, "seconds": 1.5})
        deadline = time.monotonic() + 30
        while client.get(slow.id).status != "claimed":
            assert time.monotonic() < deadline, "the runner never claimed the slow action"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, output
        assert client.get(slow.id).status == "completed"
        assert "worker runner-app stopped after 7 actions" in output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
