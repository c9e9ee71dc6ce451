"""Reading the event log back for the reliability tests' checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from actionq import Client, Event

from tests.support import wait_until

TERMINAL = ("action_completed", "action_failed", "action_rejected", "action_cancelled")


def settled_events(client: Client, ids: Iterable[int], timeout: float = 60) -> list[Event]:
    """The actions' events once each has a terminal event readable: the log's
    readable end can lag a commit while older transactions are open (any in
    the database), so a read right after the last completion may miss it."""
    wanted = set(ids)
    read: list[list[Event]] = [[]]

    def settled() -> bool:
        read[0] = list(client.iter_events(action_ids=sorted(wanted)))
        return {e.action_id for e in read[0] if e.event_type in TERMINAL} >= wanted

    wait_until(settled, timeout=timeout, interval=0.2)
    return read[0]


def completions_after_takeover(events: list[Event]) -> int:
    """Completions whose attempt and worker are not the action's last claim's."""
    claims: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for e in events:
        if e.event_type == "action_claimed" and e.action_id is not None:
            claims[e.action_id].append((e.payload["attempt"], e.actor))
    return sum(
        1
        for e in events
        if e.event_type == "action_completed"
        and e.action_id is not None
        and (e.payload["attempt"], e.actor) != max(claims[e.action_id])
    )


def story(events: list[Event], ids: set[int]) -> dict[int, list[str]]:
    """What the log says of these actions (for a failure message)."""
    told: dict[int, list[str]] = defaultdict(list)
    for e in events:
        if e.action_id in ids:
            told[e.action_id].append(f"{e.id}:{e.event_type}:{e.actor}:{e.payload}")
    return dict(told)
