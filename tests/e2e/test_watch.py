"""WatchEvents: replay then live, exactly once, in cursor order, resumable."""

from __future__ import annotations

import asyncio
import queue
import threading
import time

import asyncpg
from actionq import Client, Event, new_action

from tests.conftest import ServerProcess
from tests.support import refusal


class Collector:
    """Reads a WatchEvents stream on a thread."""

    def __init__(self, client: Client, **request: object) -> None:
        self.stream = client.watch_events(**request)  # type: ignore[arg-type]
        self.events: queue.Queue[Event] = queue.Queue()
        self.cursors: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for message in self.stream:
            self.cursors.append(message.cursor)
            for event in message.events:
                self.events.put(event)

    def take(self, n: int, timeout: float = 10.0) -> list[Event]:
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                got.append(self.events.get(timeout=remaining))
            except queue.Empty:
                break
        return got

    def close(self) -> None:
        self.stream.cancel()
        self.thread.join(5)


def test_replay_then_live(client: Client, project: str) -> None:
    start = client.stats().latest_event_cursor
    ids = [e.action.id for e in client.enqueue([new_action("watch.t", project)] * 3)]
    watcher = Collector(client, after_cursor=start, action_ids=ids)
    try:
        replayed = watcher.take(3)
        assert [(e.action_id, e.event_type) for e in replayed] == [
            (i, "action_enqueued") for i in ids
        ]
        held = client.claim("w", project=project, action_types=["watch.t"])[0]
        live = watcher.take(1)
        assert [(e.action_id, e.event_type) for e in live] == [(held.action.id, "action_claimed")]
        client.complete(held.action.id, held.lease_token, result_ref="r")
        (done,) = watcher.take(1)
        assert done.event_type == "action_completed"
        cursors = [e.cursor for e in replayed + live + [done]]
        assert all(cursors) and len(set(cursors)) == 5
        assert watcher.events.empty()
    finally:
        watcher.close()


def test_event_type_filter_and_from_end(client: Client) -> None:
    client.emit("coordinator_paused", "old:one", {})
    watcher = Collector(client, from_end=True, event_types=["coordinator_cycle"])
    try:
        time.sleep(0.3)
        client.emit("coordinator_paused", "x:ignored", {})
        mine = client.emit("coordinator_cycle", "x:wanted", {"n": 1})
        (got,) = watcher.take(1)
        assert got.id == mine.id
    finally:
        watcher.close()


def test_resume_after_disconnect_loses_and_repeats_nothing(client: Client) -> None:
    start = client.stats().latest_event_cursor
    actor = f"resume:{time.monotonic_ns()}"
    emitted: list[int] = []
    stop = threading.Event()

    def produce() -> None:
        while not stop.is_set() and len(emitted) < 300:
            emitted.append(client.emit("coordinator_cycle", actor, {"i": len(emitted)}).id)

    producer = threading.Thread(target=produce)
    producer.start()
    received: list[int] = []
    cursor = start
    try:
        for _ in range(6):
            watcher = Collector(client, after_cursor=cursor, event_types=["coordinator_cycle"])
            got = [e for e in watcher.take(40, timeout=5) if e.actor == actor]
            watcher.close()
            received.extend(e.id for e in got)
            if got:
                cursor = got[-1].cursor
    finally:
        stop.set()
        producer.join()
    watcher = Collector(client, after_cursor=cursor, event_types=["coordinator_cycle"])
    try:
        while len(received) < len(emitted):
            batch = watcher.take(len(emitted) - len(received), timeout=10)
            if not batch:
                break
            received.extend(e.id for e in batch if e.actor == actor)
    finally:
        watcher.close()
    assert received == emitted, "events were lost, repeated or reordered"


def test_event_committed_late_is_not_skipped(
    client: Client, server: ServerProcess, pg_dsn: str
) -> None:
    """Transaction A writes an event and stays open while B writes a later one.

    B does not wait for A (no writer waits for another's commit); the watcher
    sees neither until A commits, then both, once each, A first.
    """
    start = client.stats().latest_event_cursor
    watcher = Collector(client, after_cursor=start, event_types=["coordinator_cycle"])
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(
        asyncpg.connect(pg_dsn, server_settings={"search_path": server.schema})
    )
    try:
        tx = conn.transaction()
        loop.run_until_complete(tx.start())
        a_id = loop.run_until_complete(
            conn.fetchval(
                "INSERT INTO events (event_type, actor, payload) "
                "VALUES ('coordinator_cycle', 'gap:A', '{}') RETURNING id"
            )
        )
        b_done: list[int] = []
        b = threading.Thread(
            target=lambda: b_done.append(client.emit("coordinator_cycle", "gap:B", {}).id)
        )
        b.start()
        b.join(10)
        assert b_done, "B waited for A's commit"
        early = watcher.take(1, timeout=1.0)
        assert early == [], "the watcher saw B's event while A's earlier one was uncommitted"
        loop.run_until_complete(tx.commit())
        got = watcher.take(2)
        assert [(e.id, e.actor) for e in got] == [(a_id, "gap:A"), (b_done[0], "gap:B")]
        assert watcher.take(1, timeout=1.0) == []
    finally:
        loop.run_until_complete(conn.close())
        loop.close()
        watcher.close()


def test_log_is_append_only(server: ServerProcess, pg_dsn: str) -> None:
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events", "TRUNCATE events"):
        assert refusal(pg_dsn, server.schema, statement) == "InsufficientPrivilegeError"
