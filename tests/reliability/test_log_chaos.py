"""Reliability 6: event-log completeness under chaos. Eight writers enqueue
batches with random delays; one batch in ten is refused inside the server's
transaction (an idempotency key conflict found after the batch's rows and
events were written), so it rolls back. Four watchers drop their stream and
reconnect at random earlier cursors. Every watcher's every stretch is exactly
the log after its cursor: lost, duplicated and out of order all 0; rolled-back
batches left no action and no event; every committed action has its event."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from actionq import Client, Event, EventStream, IdempotencyKeyConflict, new_action

from tests.conftest import fresh_schema
from tests.support import ServerProcess, start_server, wait_until

from .figures import figure

WRITERS = 8
WATCHERS = 4
BATCHES = 60  # per writer; every tenth is refused


@pytest.fixture
def chaos_server(pg_dsn: str) -> Iterator[ServerProcess]:
    server = start_server({"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema()})
    try:
        yield server
    finally:
        server.stop()


def test_log_is_complete_under_rollbacks_and_reconnecting_watchers(
    chaos_server: ServerProcess, project: str
) -> None:
    address = chaos_server.address
    committed: list[int] = []
    refused_projects: list[str] = []
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            with Client(address) as mine:
                key = f"key-{project}-{w}"
                committed.extend(
                    mine.enqueue_ids([new_action("chaos.t", project, idempotency_key=key)]).ids
                )
                for b in range(BATCHES):
                    time.sleep(random.uniform(0, 0.02))  # workload: random delays
                    where = f"{project}-w{w}-b{b}"
                    items = [new_action("chaos.t", where) for _ in range(random.randint(1, 8))]
                    if b % 10 == 5:
                        # Same key, other payload: refused after the rows are in.
                        items.insert(
                            len(items) // 2,
                            new_action("chaos.t", project, idempotency_key=key, payload={"b": b}),
                        )
                        with pytest.raises(IdempotencyKeyConflict):
                            mine.enqueue_ids(items)
                        refused_projects.append(where)
                    else:
                        committed.extend(mine.enqueue_ids(items).ids)
        except BaseException as exc:
            errors.append(exc)

    final: list[list[Event]] = []
    stretches: list[tuple[str, list[Event]]] = []  # (start cursor, events read)

    last: list[int] = []  # the id of the log's last event, once written
    current: dict[int, EventStream] = {}
    at_end: set[int] = set()  # watchers that have read the last event

    def watch(slot: int) -> None:
        rng = random.Random(slot)
        seen: list[str] = [""]
        try:
            with Client(address) as mine:
                while not (final and slot in at_end):
                    start = rng.choice(seen[-50:])
                    got: list[Event] = []
                    stretches.append((start, got))
                    stream = current[slot] = mine.watch_events(
                        after_cursor=start, max_batch=rng.randint(1, 40)
                    )
                    reads = rng.randint(1, 6)
                    for batch in stream:
                        got.extend(batch.events)
                        seen.extend(e.cursor for e in batch.events)
                        if last and any(e.id == last[0] for e in batch.events):
                            at_end.add(slot)
                        reads -= 1
                        if reads == 0 and not final:
                            break
                    stream.cancel()
        except BaseException as exc:
            errors.append(exc)

    watchers = [threading.Thread(target=watch, args=(i,), daemon=True) for i in range(WATCHERS)]
    writers = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in watchers + writers:
        t.start()
    for t in writers:
        t.join(120)
    assert not errors, errors
    with Client(address) as reader:
        # The last event: watchers stop once they have read it.
        last.append(reader.emit("coordinator_cycle", "chaos:end", {}).id)
        log: list[Event] = []

        def settled() -> bool:
            log[:] = list(reader.iter_events())
            enqueued = {e.action_id for e in log if e.event_type == "action_enqueued"}
            return enqueued >= set(committed) and bool(log) and log[-1].id == last[0]

        assert wait_until(settled, timeout=60)
        final.append(log)
        for where in refused_projects:
            assert reader.list_actions(project=where).actions == []

    def watchers_done() -> bool:
        # A watcher that has read the end waits for more: end its stream.
        for slot in list(at_end):
            current[slot].cancel()
        return not any(t.is_alive() for t in watchers)

    assert wait_until(watchers_done, timeout=60, interval=0.1)
    assert not errors, errors
    assert not any(t.is_alive() for t in watchers)

    enqueued = Counter(e.action_id for e in log if e.event_type == "action_enqueued")
    assert set(enqueued) == set(committed) and set(enqueued.values()) == {1}
    assert len(refused_projects) == WRITERS * (BATCHES // 10)
    index = {e.cursor: i for i, e in enumerate(log)}
    ids = [e.id for e in log]
    lost = duplicated = out_of_order = mismatched = 0
    for start, got in stretches:
        first = index[start] + 1 if start else 0
        expected = ids[first : first + len(got)]
        read = [e.id for e in got]
        # Order is the log's (cursor) order; ids are identities, not positions.
        positions = [index[e.cursor] for e in got]
        duplicated += len(read) - len(set(read))
        out_of_order += sum(1 for a, b in itertools.pairwise(positions) if b < a)
        lost += len(set(expected) - set(read))
        mismatched += read != expected
    figure(
        "log_chaos_lost_duplicated_out_of_order",
        f"{lost}/{duplicated}/{out_of_order}",
        events=len(log),
        stretches=len(stretches),
        rolled_back_batches=len(refused_projects),
    )
    assert (lost, duplicated, out_of_order, mismatched) == (0, 0, 0, 0)
    assert len(stretches) > WATCHERS * 5, "the watchers hardly reconnected"
    # Streams ended by their readers mid-write leave no error in the log.
    assert "Traceback" not in chaos_server.log
