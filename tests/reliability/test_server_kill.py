"""Reliability 4: the server killed (-9) and restarted, twice, while watchers
stream and a writer writes: every watcher (follow_events) resumes from its
cursor and ends with exactly the log, in order, nothing lost or repeated."""

from __future__ import annotations

import random
import signal
import threading
import time

from actionq import ActionqError, Client

from tests.conftest import fresh_schema
from tests.support import ServerProcess, free_port, start_server, wait_until

from .figures import figure

WATCHERS = 4
EVENTS = 300
KILLS = 3


def test_watchers_resume_exactly_across_server_kills(pg_dsn: str) -> None:
    port = free_port()
    env = {
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_LISTEN": f"127.0.0.1:{port}",
    }
    server: list[ServerProcess] = [start_server(env)]
    address = server[0].address
    received: list[list[int]] = [[] for _ in range(WATCHERS)]
    stop = threading.Event()

    def follow(slot: int) -> None:
        with Client(address) as mine:
            for event in mine.follow_events(event_types=["coordinator_cycle"], retry_delay=0.2):
                received[slot].append(event.id)
                if stop.is_set():
                    return

    watchers = [threading.Thread(target=follow, args=(i,), daemon=True) for i in range(WATCHERS)]
    for t in watchers:
        t.start()
    written = [0]
    failed_writes = [0]

    def write() -> None:
        with Client(address, timeout=5) as mine:
            while written[0] < EVENTS:
                try:
                    mine.emit("coordinator_cycle", f"writer:{written[0]}", {})
                    written[0] += 1
                except ActionqError:
                    failed_writes[0] += 1
                    time.sleep(0.1)  # backoff while the server is down
                time.sleep(random.uniform(0, 0.01))  # workload pacing

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    downtime = []
    try:
        for k in range(KILLS):
            at = EVENTS * (k + 1) // (KILLS + 1)
            assert wait_until(lambda at=at: written[0] >= at, timeout=60, interval=0.01)
            server[0].stop(signal.SIGKILL)
            began = time.monotonic()
            server[0] = start_server(env)
            downtime.append(time.monotonic() - began)
        writer.join(120)
        assert not writer.is_alive()
        with Client(address) as reader:

            def cycles() -> list[int]:
                return [e.id for e in reader.iter_events(event_types=["coordinator_cycle"])]

            # Every acknowledged write is in the readable log (its end can lag).
            assert wait_until(lambda: len(cycles()) >= EVENTS, timeout=30)
            log = cycles()
        assert wait_until(lambda: all(len(r) >= len(log) for r in received), timeout=60)
        stop.set()
    finally:
        server[0].stop()
    lost = sum(len(set(log) - set(r)) for r in received)
    repeated = sum(len(r) - len(set(r)) for r in received)
    out_of_order = sum(1 for r in received if r != sorted(r))
    figure(
        "server_kill_watchers_lost_repeated_out_of_order",
        f"{lost}/{repeated}/{out_of_order}",
        watchers=WATCHERS,
        events=len(log),
        kills=KILLS,
        failed_writes=failed_writes[0],
    )
    figure("server_kill_restart_seconds", f"max {max(downtime):.2f}")
    for r in received:
        assert r[: len(log)] == log
    assert "Traceback" not in server[0].log
