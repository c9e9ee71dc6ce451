"""Reliability 8: three server replicas on one database, worker processes
spread over them, one replica killed (-9) mid-run: every action is completed
exactly once, and its workers carry on through the other replicas."""

from __future__ import annotations

import signal
import time
from collections import Counter

from actionq import Client, new_action

from tests.conftest import fresh_schema
from tests.support import ServerProcess, start_server, wait_until

from .checks import completions_after_takeover, settled_events
from .figures import figure
from .workers import start_worker

ACTIONS = 300
REPLICAS = 3
WORKERS = 6
LEASE = 2.0


def test_a_replica_killed_mid_run_loses_and_repeats_nothing(pg_dsn: str, project: str) -> None:
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "0.5"}
    replicas: list[ServerProcess] = []
    workers = []
    try:
        for _ in range(REPLICAS):
            replicas.append(start_server(env))
        addresses = [r.address for r in replicas]
        client = Client(addresses[1])
        items = [new_action("replica.t", project, max_attempts=10) for _ in range(ACTIONS)]
        ids = [e.action.id for e in client.enqueue(items)]
        for i in range(WORKERS):
            # Each worker starts on replica i % 3 and fails over in turn.
            mine = addresses[i % REPLICAS :] + addresses[: i % REPLICAS]
            workers.append(start_worker(",".join(mine), f"w{i}", project, LEASE))
        on_first = [w for i, w in enumerate(workers) if i % REPLICAS == 0]
        assert wait_until(lambda: any(w.holding() for w in on_first), timeout=60, interval=0.01)
        replicas[0].stop(signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_until(lambda: _all_completed(client, project), timeout=120, interval=0.5)
        finished_after = time.monotonic() - killed_at
        events = settled_events(client, ids)
        client.close()
    finally:
        for w in workers:
            w.kill()
        for r in replicas:
            r.stop()
    completed = Counter(e.action_id for e in events if e.event_type == "action_completed")
    stale = completions_after_takeover(events)
    once = sum(1 for n in completed.values() if n == 1)
    figure("replicas_completed_exactly_once", f"{once}/{ACTIONS}", replicas=REPLICAS)
    figure("replicas_finish_after_kill_seconds", round(finished_after, 2))
    assert set(completed) == set(ids) and once == ACTIONS
    assert stale == 0
    for r in replicas[1:]:
        assert "Traceback" not in r.log


def _all_completed(client: Client, project: str) -> bool:
    stats = client.stats(project=project, include_completed=True).stats
    return [(s.completed, s.pending, s.claimed) for s in stats] == [(ACTIONS, 0, 0)]
