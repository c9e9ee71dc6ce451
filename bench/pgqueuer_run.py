"""PGQueuer, the Python peer: its public API, as its documentation uses it.

Producers call `Queries.enqueue`; consumers are `QueueManager`s with an
`entrypoint` each, on their own asyncpg connection (`AsyncpgDriver`), run in
drain mode for the throughput phase (they return once the queue is empty and
every completion is logged). Tables as `install()` makes them by default
(durable: every table logged), in a schema of their own per run.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg

# The 'bench' dependency group; `make lint` runs without it.
from pgqueuer import (  # type: ignore[import-not-found,unused-ignore]
    AsyncpgDriver,
    AsyncpgPoolDriver,
    Job,
    Queries,
    QueueManager,
)
from pgqueuer.types import QueueExecutionMode  # type: ignore[import-not-found,unused-ignore]

from .measure import CpuClock, Figures, cpu_per_action, percentile_ms

NOOP, WAKE, SINGLE = "bench_noop", "bench_wake", "bench_single"


async def run(
    dsn: str,
    *,
    actions: int,
    workers: int,
    enqueue_batch: int,
    claim_batch: int,
    latency_samples: int,
    single_calls: int,
    producers: int,
) -> Figures:
    """All four phases on a fresh schema; checks every job ended once."""
    schema = f"bench_pgq_{uuid.uuid4().hex[:8]}"
    settings = {"search_path": schema}

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(dsn, server_settings=settings)

    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        conn = await connect()
        queries = Queries(AsyncpgDriver(conn))
        await queries.install()
        clock = CpuClock(await CpuClock.find_postmaster(admin), {})

        payloads = [json.dumps({"n": i}).encode() for i in range(actions)]
        cpu = clock.read()
        began = time.perf_counter()
        for start in range(0, actions, enqueue_batch):
            chunk = payloads[start : start + enqueue_batch]
            await queries.enqueue([NOOP] * len(chunk), list(chunk), [0] * len(chunk))
        enqueue_s = time.perf_counter() - began
        enqueue_cpu = cpu_per_action(cpu, clock.read(), actions)
        await conn.close()

        conns = [await connect() for _ in range(workers)]
        managers = [_manager(c, NOOP, _noop) for c in conns]
        cpu = clock.read()
        began = time.perf_counter()
        await asyncio.gather(
            *(qm.run(batch_size=claim_batch, mode=QueueExecutionMode.drain) for qm in managers)
        )
        process_s = time.perf_counter() - began
        process_cpu = cpu_per_action(cpu, clock.read(), actions)
        for c in conns:
            await c.close()
        await _verify(admin, schema, NOOP, actions)

        latencies = await _wake_latency(connect, latency_samples)

        pool = await asyncpg.create_pool(
            dsn, min_size=producers, max_size=producers, server_settings=settings
        )
        try:
            cpu = clock.read()
            single_s = await _single(Queries(AsyncpgPoolDriver(pool)), single_calls, producers)
            single_cpu = cpu_per_action(cpu, clock.read(), single_calls)
        finally:
            await pool.close()
        queued = await admin.fetchval(
            f'SELECT count(*) FROM "{schema}".pgqueuer WHERE entrypoint = $1', SINGLE
        )
        assert queued == single_calls, (queued, single_calls)
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()
    return Figures(
        system=f"PGQueuer {_version()}",
        enqueue_per_s=actions / enqueue_s,
        processed_per_s=actions / process_s,
        latency_p50_ms=percentile_ms(latencies, 50),
        latency_p95_ms=percentile_ms(latencies, 95),
        latency_p99_ms=percentile_ms(latencies, 99),
        single_enqueue_per_s=single_calls / single_s,
        # The producer and the consumers are this process ("bench").
        enqueue_cpu_us=enqueue_cpu,
        process_cpu_us=process_cpu,
        single_cpu_us=single_cpu,
    )


def _version() -> str:
    return importlib.metadata.version("pgqueuer")


async def _noop(job: Job) -> None:
    return None


def _manager(conn: asyncpg.Connection, name: str, handler: Callable[[Job], Any]) -> QueueManager:
    """A consumer as PGQueuer's documentation writes one."""
    qm = QueueManager(Queries(AsyncpgDriver(conn)))
    qm.entrypoint(name)(handler)
    return qm


async def _verify(admin: asyncpg.Connection, schema: str, entrypoint: str, want: int) -> None:
    """Every job left the queue with exactly one 'successful' log entry."""
    left = await admin.fetchval(
        f'SELECT count(*) FROM "{schema}".pgqueuer WHERE entrypoint = $1', entrypoint
    )
    row = await admin.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'successful') AS ok,"
        " count(DISTINCT job_id) AS jobs, count(*) FILTER (WHERE status <> 'successful') AS other"
        f' FROM "{schema}".pgqueuer_log WHERE entrypoint = $1',
        entrypoint,
    )
    assert left == 0 and row["ok"] == row["jobs"] == want, (left, dict(row), want)


async def _wake_latency(connect: Callable[[], Any], samples: int) -> list[float]:
    """An idle consumer woken by NOTIFY: `enqueue` called -> the entrypoint starts."""
    started: asyncio.Queue[float] = asyncio.Queue()

    async def handler(_: Job) -> None:
        started.put_nowait(time.perf_counter())

    consumer = await connect()
    qm = _manager(consumer, WAKE, handler)
    task = asyncio.create_task(qm.run(batch_size=1))
    producer = await connect()
    queries = Queries(AsyncpgDriver(producer))
    latencies = []
    try:
        await asyncio.sleep(0.5)  # let the consumer reach its idle wait
        for i in range(samples):
            sent = time.perf_counter()
            await queries.enqueue(WAKE, json.dumps({"i": i}).encode())
            latencies.append(await asyncio.wait_for(started.get(), 10) - sent)
            await asyncio.sleep(0.02)
    finally:
        qm.shutdown.set()
        await task
        await producer.close()
        await consumer.close()
    return latencies


async def _single(queries: Queries, calls: int, producers: int) -> float:
    """`producers` tasks each enqueue one job per call until `calls` calls are made."""
    remaining = iter(range(calls))

    async def producer() -> None:
        for n in remaining:
            await queries.enqueue(SINGLE, json.dumps({"n": n}).encode())

    began = time.perf_counter()
    await asyncio.gather(*(producer() for _ in range(producers)))
    return time.perf_counter() - began
