"""Reliability 1: worker processes killed (-9) in the middle of actions under
load. Every action ends exactly once (one terminal event each), no completion
is accepted for a lease that was taken over, and an orphaned action is claimed
again about a lease plus a sweep interval after its worker died."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime

import pytest
from actionq import Client, new_action

from tests.conftest import fresh_schema
from tests.support import ServerProcess, start_server, wait_until

from .checks import TERMINAL, completions_after_takeover, settled_events, story
from .figures import figure
from .workers import start_worker

ACTIONS = 240
WORKERS = 4
KILLS = 6
LEASE = 2.0
SWEEP = 0.5


@pytest.fixture
def sweeping_server(pg_dsn: str) -> Iterator[ServerProcess]:
    server = start_server(
        {
            "ACTIONQ_URL": pg_dsn,
            "ACTIONQ_SCHEMA": fresh_schema(),
            "ACTIONQ_SWEEP_INTERVAL": str(SWEEP),
        }
    )
    try:
        yield server
    finally:
        server.stop()


def test_killed_workers_lose_nothing_and_complete_nothing_twice(
    sweeping_server: ServerProcess, project: str
) -> None:
    server = sweeping_server
    client = Client(server.address)
    items = [new_action("kill.t", project, max_attempts=10) for _ in range(ACTIONS)]
    ids = [e.action.id for e in client.enqueue(items)]
    workers = [start_worker(server.address, f"w{i}", project, LEASE) for i in range(WORKERS)]
    orphans: dict[int, float] = {}  # action id -> when its worker was killed
    try:
        for k in range(KILLS):
            victim = workers[k % len(workers)]
            assert wait_until(lambda v=victim: bool(v.holding()), timeout=60, interval=0.01)
            victim.kill()
            killed_at = time.time()
            orphans.update(dict.fromkeys(victim.holding(), killed_at))
            workers[k % len(workers)] = start_worker(
                server.address, f"w{len(workers) + k}", project, LEASE
            )
        assert wait_until(lambda: _all_completed(client, project), timeout=120, interval=0.5)
    finally:
        for w in workers:
            w.kill()
    events = settled_events(client, ids)
    client.close()
    terminal = Counter(e.action_id for e in events if e.event_type in TERMINAL)
    missing = set(ids) - set(terminal)
    twice = {a: n for a, n in terminal.items() if n != 1}
    assert not missing and not twice, (sorted(missing), twice, story(events, missing | set(twice)))
    claimed_at: dict[int, list[datetime]] = defaultdict(list)
    for e in events:
        if e.event_type == "action_claimed" and e.action_id is not None and e.created_at:
            claimed_at[e.action_id].append(e.created_at)
    taken_over_completions = completions_after_takeover(events)
    assert taken_over_completions == 0
    assert orphans, "no worker was killed while holding an action"
    recoveries = []
    for action_id, killed_at in orphans.items():
        later = [at for at in claimed_at[action_id] if at.timestamp() > killed_at]
        assert later, f"orphaned action {action_id} was never claimed again"
        recoveries.append(min(later).timestamp() - killed_at)
    worst = max(recoveries)
    figure(
        "worker_kill_recovery_seconds",
        f"max {worst:.2f} / mean {sum(recoveries) / len(recoveries):.2f} "
        f"vs lease+sweep {LEASE + SWEEP:.1f}",
        orphans=len(orphans),
        kills=KILLS,
    )
    figure("worker_kill_terminal_events_per_action", "1 (all)", actions=ACTIONS)
    figure("worker_kill_completions_after_takeover", taken_over_completions)
    # Generous: a busy machine delays the sweep and the next claim.
    assert worst < LEASE + SWEEP + 30


def _all_completed(client: Client, project: str) -> bool:
    stats = client.stats(project=project, include_completed=True).stats
    return [(s.completed, s.pending, s.claimed) for s in stats] == [(ACTIONS, 0, 0)]
