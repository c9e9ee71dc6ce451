"""`python -m bench.soak`: steady load for many minutes, one row per minute.

A producer enqueues at a fixed rate, workers claim (long poll), complete in
batches; every minute the row shows what was processed, the server's RSS, the
dead and live tuples of the busy tables (and how often autovacuum ran), and
the claim latency as a worker sees it: pickup, from the action's own
created_at to the moment its Claim returned it. The summary says
whether throughput, RSS and p99 stayed steady. Not a test: run it and read it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import click
import psutil
import uvloop
from actionq import AsyncClient, new_action
from actionq._wire import completion

from . import actionq_run as run
from .__main__ import _postgres
from .measure import percentile_ms

ACTION_TYPE = "soak.task"
SCHEMA = "soak"
TABLES = ("actions", "events", "enqueue_requests")


@dataclass
class Minute:
    """What one minute of the soak saw."""

    processed: int = 0
    pickup: list[float] = field(default_factory=list)


async def _producer(client: AsyncClient, rate: int, stop: float) -> None:
    tick = 0.1
    per_tick = max(1, round(rate * tick))
    began = time.monotonic()
    sent = 0
    while time.monotonic() < stop:
        await client.enqueue_ids([new_action(ACTION_TYPE, "soak")] * per_tick)
        sent += 1
        # Paces the load: the next batch is due at began + sent * tick.
        await asyncio.sleep(max(0.0, began + sent * tick - time.monotonic()))


async def _worker(client: AsyncClient, name: str, stop: float, minutes: list[Minute]) -> None:
    while time.monotonic() < stop:
        claimed = await client.claim(name, action_types=[ACTION_TYPE], max_actions=50, wait=1.0)
        if not claimed:
            continue
        now = datetime.now(UTC)
        minute = minutes[-1]
        for c in claimed:
            if c.action.created_at is not None:
                minute.pickup.append((now - c.action.created_at).total_seconds())
        await client.complete_many(
            completion(c.action.id, c.lease_token, result_ref="ok") for c in claimed
        )
        minutes[-1].processed += len(claimed)


async def _tables(dsn: str) -> dict[str, tuple[int, int, int]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT relname, n_live_tup, n_dead_tup, autovacuum_count"
            " FROM pg_stat_user_tables WHERE schemaname = $1",
            SCHEMA,
        )
    finally:
        await conn.close()
    found: dict[str, tuple[int, int, int]] = {}
    for r in rows:
        # Event partitions add up under "events".
        name = "events" if r["relname"].startswith("events") else r["relname"]
        live, dead, vacuums = found.get(name, (0, 0, 0))
        found[name] = (live + r[1], dead + r[2], vacuums + r[3])
    return found


async def _soak(dsn: str, address: str, pid: int, minutes_: int, rate: int, workers: int) -> None:
    server = psutil.Process(pid)
    stop = time.monotonic() + minutes_ * 60
    minutes = [Minute()]
    clients = [AsyncClient(address, timeout=60) for _ in range(workers + 1)]
    tasks = [asyncio.create_task(_producer(clients[0], rate, stop))]
    tasks += [
        asyncio.create_task(_worker(c, f"soak-{i}", stop + 5, minutes))
        for i, c in enumerate(clients[1:])
    ]
    header = f"{'min':>3} {'done/s':>7} {'rss MB':>7} {'pickup p50':>10} {'p99 ms':>7} " + " ".join(
        f"{t + ' live/dead/av':>26}" for t in TABLES
    )
    print(header, flush=True)
    rows: list[tuple[float, float, float]] = []
    for index in range(minutes_):
        await asyncio.sleep(60)  # the reporting period, not a synchronization
        done, minutes[-1:] = minutes[-1], [Minute()]
        rss = server.memory_info().rss / 2**20
        tables = await _tables(dsn)
        p99 = percentile_ms(done.pickup, 99)
        rows.append((done.processed / 60, rss, p99))
        print(
            f"{index + 1:>3} {done.processed / 60:>7.0f} {rss:>7.1f}"
            f" {percentile_ms(done.pickup, 50):>10.1f} {p99:>7.1f}"
            " "
            + " ".join(f"{'/'.join(str(v) for v in tables.get(t, (0, 0, 0))):>26}" for t in TABLES),
            flush=True,
        )
    await asyncio.gather(*tasks)
    for c in clients:
        await c.close()
    steady = rows[1:] or rows  # the first minute warms up
    rates, rss_mb, p99s = zip(*steady, strict=True)
    print(
        f"\nthroughput {min(rates):.0f}..{max(rates):.0f}/s"
        f" (max/min {max(rates) / min(rates):.2f});"
        f" RSS {rss_mb[0]:.1f} → {rss_mb[-1]:.1f} MB (max {max(rss_mb):.1f});"
        f" pickup p99 {min(p99s):.1f}..{max(p99s):.1f} ms"
    )


@click.command()
@click.option("--minutes", default=10, show_default=True)
@click.option("--rate", default=500, show_default=True, help="Actions enqueued per second.")
@click.option("--workers", default=4, show_default=True)
def main(minutes: int, rate: int, workers: int) -> None:
    """Run the soak and print one row per minute."""
    with _postgres() as dsn:
        (server,) = run.start_servers(dsn, SCHEMA, 1)
        try:
            uvloop.run(_soak(dsn, server.address, server.proc.pid, minutes, rate, workers))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
