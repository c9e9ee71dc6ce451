"""Many workers contend for the same actions; each is claimed exactly once."""

from __future__ import annotations

import threading
from collections import Counter

from actionq import Client, new_action

from tests.conftest import ServerProcess


def test_eight_workers_claim_two_thousand_actions_exactly_once(
    server: ServerProcess, client: Client, project: str
) -> None:
    ids: list[int] = []
    for _ in range(4):
        batch = [new_action("conc.t", project, payload={"n": i}) for i in range(500)]
        ids.extend(e.action.id for e in client.enqueue(batch))
    claims: list[list[int]] = [[] for _ in range(8)]
    errors: list[BaseException] = []

    def work(slot: int) -> None:
        try:
            with Client(server.address) as mine:
                while True:
                    got = mine.claim(
                        f"w{slot}", project=project, action_types=["conc.t"], max_actions=7
                    )
                    if not got:
                        return
                    for item in got:
                        claims[slot].append(item.action.id)
                        mine.complete(item.action.id, item.lease_token, result_ref=f"w{slot}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    counted = Counter(i for mine in claims for i in mine)
    assert sorted(counted) == sorted(ids)
    assert set(counted.values()) == {1}, "an action was claimed twice"
    assert sum(1 for mine in claims if mine) >= 2, "workers did not actually contend"
    claimed_events = Counter(
        e.action_id for e in client.iter_events(action_ids=ids, event_types=["action_claimed"])
    )
    assert set(claimed_events.values()) == {1} and len(claimed_events) == 2000
    stats = client.stats(project=project, include_completed=True).stats
    assert [(s.completed, s.pending, s.claimed) for s in stats] == [(2000, 0, 0)]
