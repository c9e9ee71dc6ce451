"""Reliability 5: a watcher that stops reading. Writes wait for the reader's
flow-control window (at most a page is buffered per stream), so server memory
and database connections stay bounded; a stream stalled past
ACTIONQ_WATCH_STALL_SECONDS is closed with RESOURCE_EXHAUSTED /
WATCHER_TOO_SLOW, and follow_events resumes by cursor, losing and repeating
nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from actionq import Client, WatcherTooSlow

from tests.conftest import fresh_schema
from tests.support import ServerProcess, log_records, sql, start_server, wait_until

from .figures import figure

# Enough log to overflow any flow-control window many times over (~6 MB).
EVENTS = 400
FILLER = "x" * 16_000
SLOW_WATCHERS = 4


def rss_kib(server: ServerProcess) -> int:
    with open(f"/proc/{server.proc.pid}/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0])


def closed_slow(server: ServerProcess) -> int:
    return sum(1 for r in log_records(server.output) if r.get("event") == "watcher_too_slow")


@pytest.fixture
def slow_server(pg_dsn: str) -> Iterator[tuple[ServerProcess, str]]:
    schema = fresh_schema()
    server = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema, "ACTIONQ_WATCH_STALL_SECONDS": "1"}
    )
    try:
        yield server, schema
    finally:
        server.stop()


def test_a_stalled_watcher_is_closed_and_resumes_by_cursor(
    slow_server: tuple[ServerProcess, str], pg_dsn: str
) -> None:
    server, schema = slow_server
    client = Client(server.address)
    sent = [
        client.emit("coordinator_cycle", "filler", {"n": i, "f": FILLER}).id for i in range(EVENTS)
    ]
    base_rss = rss_kib(server)
    # Streams that read one batch and then nothing.
    streams = [client.watch_events(max_batch=20) for _ in range(SLOW_WATCHERS)]
    iterators = [iter(s) for s in streams]
    firsts = [next(it) for it in iterators]
    assert wait_until(lambda: closed_slow(server) >= SLOW_WATCHERS, timeout=60)
    grown = (rss_kib(server) - base_rss) / 1024
    connections = sql(
        pg_dsn,
        schema,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
        f"actionq:{schema}",
    )[0]["n"]
    # Now read on: what was sent arrives, then the status naming the cursor.
    first, it = firsts[0], iterators[0]
    got = [e.id for e in first.events]
    cursors = [first.cursor]
    with pytest.raises(WatcherTooSlow) as closed:
        for batch in it:
            got.extend(e.id for e in batch.events)
            cursors.append(batch.cursor)
    assert closed.value.code == "RESOURCE_EXHAUSTED" and closed.value.reason == "WATCHER_TOO_SLOW"
    assert closed.value.metadata["cursor"] in cursors, "the error's cursor is one the reader got"
    assert got == sent[: len(got)] and len(got) < EVENTS
    for s in streams:
        s.cancel()

    # follow_events with a reader that stalls once: closed, resumed, exact.
    received: list[int] = []
    first_seen = threading.Event()
    stalled = threading.Event()
    before = closed_slow(server)
    more: list[int] = []

    def follow() -> None:
        for event in client.follow_events(from_end=True, retry_delay=0.1):
            if not first_seen.is_set():
                first_seen.set()
                # Stop reading until the server gives up on this stream.
                assert wait_until(lambda: closed_slow(server) > before, timeout=60)
                stalled.set()
            received.append(event.id)
            if len(received) > EVENTS:
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()

    def marker_seen() -> bool:
        more.append(client.emit("coordinator_cycle", "marker", {}).id)
        return first_seen.is_set()

    # Markers until the follower's stream (opened at the log's end) has one.
    assert wait_until(marker_seen, timeout=30, interval=0.2)
    more += [
        client.emit("coordinator_cycle", "filler", {"n": i, "f": FILLER}).id for i in range(EVENTS)
    ]
    follower.join(90)
    assert stalled.is_set() and not follower.is_alive()
    expected = [i for i in more if i >= received[0]][: len(received)]
    lost = len(set(expected) - set(received))
    repeated = len(received) - len(set(received))
    assert received == expected, (lost, repeated)
    client.close()
    assert "Traceback" not in server.log
    figure("slow_watcher_rss_growth_mib", round(grown, 1), watchers=SLOW_WATCHERS, log_mib=6)
    figure("slow_watcher_db_connections", connections)
    figure("slow_watcher_resume_lost_repeated", f"{lost}/{repeated}")
    assert grown < 64, f"server RSS grew {grown:.0f} MiB with {SLOW_WATCHERS} stalled watchers"
    assert connections <= 10
