"""Reliability 2: a stale worker completing (or failing) after its lease was
taken over races the new holder's completion; in 1,000 rounds the server
accepts no stale transition, and every action ends once, by the new holder."""

from __future__ import annotations

import threading
from collections import Counter

from actionq import ClaimedAction, Client, StaleLease, new_action

from tests.support import ServerProcess, wait_until

from .figures import figure

ROUNDS = 1000
BATCH = 100
ENDINGS = ("action_completed", "action_failed", "action_retry_scheduled")


def test_no_stale_completion_is_accepted_in_a_thousand_races(
    server: ServerProcess, client: Client, project: str
) -> None:
    accepted_stale = refused_stale = 0
    ends: Counter[int] = Counter()
    for batch in range(ROUNDS // BATCH):
        ids, results = race_one_batch(server, client, project, f"stale.{batch}")
        accepted_stale += sum(results["old"])
        refused_stale += results["old"].count(False)
        assert all(results["new"]), "the current holder's completion was refused"
        for action_id in ids:
            got = client.get(action_id)
            assert got.status == "completed" and got.result_ref == "new", got
        ends.update(
            e.action_id for e in client.iter_events(action_ids=ids) if e.event_type in ENDINGS
        )
    figure("stale_transitions_accepted", f"{accepted_stale}/{ROUNDS}")
    assert accepted_stale == 0 and refused_stale == ROUNDS
    assert len(ends) == ROUNDS and set(ends.values()) == {1}


def race_one_batch(
    server: ServerProcess, client: Client, project: str, kind: str
) -> tuple[list[int], dict[str, list[bool]]]:
    """BATCH actions claimed by an old holder whose leases expire and are
    swept and claimed anew; then the old holder finishes each (alternately
    complete and fail) while the new one completes them, both at once."""
    items = [new_action(kind, project, max_attempts=5) for _ in range(BATCH)]
    ids = [e.action.id for e in client.enqueue(items)]
    old = client.claim("w-old", project=project, action_types=[kind], max_actions=BATCH, lease=1)
    assert len(old) == BATCH
    requeued: set[int] = set()

    def swept() -> bool:
        requeued.update(a.id for a in client.sweep().actions)
        return requeued >= set(ids)

    assert wait_until(swept, timeout=30, interval=0.2)
    new = client.claim("w-new", project=project, action_types=[kind], max_actions=BATCH)
    assert sorted(c.action.id for c in new) == sorted(ids)
    results: dict[str, list[bool]] = {"old": [], "new": []}
    start = threading.Barrier(2)

    def finish(who: str, claims: list[ClaimedAction]) -> None:
        with Client(server.address) as mine:
            start.wait()
            for n, item in enumerate(claims):
                try:
                    if who == "old" and n % 2:
                        mine.fail(item.action.id, item.lease_token, reason="stale fail")
                    else:
                        mine.complete(item.action.id, item.lease_token, result_ref=who)
                    results[who].append(True)
                except StaleLease:
                    results[who].append(False)

    racers = [
        threading.Thread(target=finish, args=("old", old)),
        threading.Thread(target=finish, args=("new", new)),
    ]
    for t in racers:
        t.start()
    for t in racers:
        t.join(120)
    return ids, results
