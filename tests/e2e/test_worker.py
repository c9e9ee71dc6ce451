"""The Python Worker helper against the real server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from actionq import Action, AsyncClient, Client, Result, Worker, new_action

from tests.conftest import ServerProcess


def run_worker(make: Callable[[], Worker], until: object, timeout: float = 30) -> None:
    """Run the worker `make()` builds (inside the loop) until `until()`, then stop it."""

    async def main() -> None:
        worker = make()
        task = asyncio.create_task(worker.run())
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:  # type: ignore[operator]
            await asyncio.sleep(0.05)
        worker.stop()
        await asyncio.wait_for(task, timeout=30)
        await worker.client.close()

    asyncio.run(main())


def test_worker_completes_fails_and_records_results(
    server: ServerProcess, client: Client, project: str
) -> None:
    stored = client.enqueue([new_action("worker.t", project, payload={"n": n}) for n in range(20)])
    ids = [e.action.id for e in stored]

    async def handle(action: Action) -> Result:
        n = int(action.payload["n"])
        if n % 5 == 0:
            raise ValueError(f"n={n} is not welcome")
        if n == 7:
            return 7  # type: ignore[return-value]
        return Result(ref=f"done:{n}", data={"square": n * n})

    make = lambda: Worker(  # noqa: E731
        AsyncClient(server.address),
        handle,
        name="py-worker",
        project=project,
        action_types=["worker.t"],
        concurrency=4,
        poll_wait=1,
    )
    finished = lambda: all(  # noqa: E731
        client.get(i).status in ("completed", "failed") for i in ids
    )
    run_worker(make, finished)
    for n, action_id in enumerate(ids):
        action = client.get(action_id)
        if n % 5 == 0:
            assert action.status == "failed"
            assert action.failure_reason == f"ValueError: n={n} is not welcome"
        elif n == 7:
            # A handler returning something the worker cannot report fails the action.
            assert action.status == "failed"
            assert (action.failure_reason or "").startswith("TypeError: handler returned int")
        else:
            assert action.status == "completed"
            assert action.result_ref == f"done:{n}" and action.result == {"square": n * n}
            assert action.claimed_by == "py-worker"


def test_worker_heartbeats_long_handlers(
    server: ServerProcess, client: Client, project: str
) -> None:
    action = client.add("worker.slow", project)

    def slow(_: Action) -> str:
        time.sleep(3.5)
        return "slow but alive"

    make = lambda: Worker(  # noqa: E731
        AsyncClient(server.address),
        slow,
        name="py-slow",
        project=project,
        action_types=["worker.slow"],
        lease=1.5,
        poll_wait=1,
    )
    swept: list[int] = []

    def finished() -> bool:
        swept.extend(a.id for a in client.sweep())
        return client.get(action.id).status == "completed"

    run_worker(make, finished)
    assert action.id not in swept, "the lease expired although the worker heartbeated"
    assert client.get(action.id).result_ref == "slow but alive"


def test_worker_stops_a_handler_when_the_action_is_cancelled(
    server: ServerProcess, client: Client, project: str
) -> None:
    action = client.add("worker.cancel", project)
    started = threading.Event()
    interrupted = threading.Event()

    async def forever(_: Action) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            interrupted.set()
            raise

    make = lambda: Worker(  # noqa: E731
        AsyncClient(server.address),
        forever,
        name="py-cancel",
        project=project,
        action_types=["worker.cancel"],
        lease=1.5,
        poll_wait=1,
    )

    def cancel_once_started() -> bool:
        if started.is_set() and client.get(action.id).status == "claimed":
            client.cancel(action.id, reason="no longer needed")
        return interrupted.is_set()

    run_worker(make, cancel_once_started)
    assert interrupted.is_set()
    final = client.get(action.id)
    assert final.status == "cancelled" and not final.result_ref


def test_stop_lets_in_flight_handlers_finish(
    server: ServerProcess, client: Client, project: str
) -> None:
    action = client.add("worker.drain", project)
    started = threading.Event()

    async def slowish(_: Action) -> str:
        started.set()
        await asyncio.sleep(1.0)
        return "finished during drain"

    make = lambda: Worker(  # noqa: E731
        AsyncClient(server.address),
        slowish,
        name="py-drain",
        project=project,
        action_types=["worker.drain"],
        poll_wait=5,
    )
    run_worker(make, started.is_set)
    done = client.get(action.id)
    assert done.status == "completed"
    assert done.result_ref == "finished during drain"
