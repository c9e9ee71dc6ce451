"""The baseline: a queue in plain SQL with asyncpg, no framework.

The same workload as actionq's run (batched enqueue, `FOR UPDATE SKIP LOCKED`
claims in batches, batched completion, LISTEN/NOTIFY wake-ups) against the
same PostgreSQL, so that the ratio between the two is what the hop costs;
and single-row INSERTs from concurrent connections, the floor for
one-action-per-call producers.
"""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg

from .measure import CpuClock, Figures, cpu_per_action, percentile_ms

SCHEMA = """
DROP SCHEMA IF EXISTS bench_plain CASCADE;
CREATE SCHEMA bench_plain;
CREATE TABLE bench_plain.jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    priority int NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending',
    payload jsonb NOT NULL,
    claimed_by text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON bench_plain.jobs (priority, id) WHERE status = 'pending';
"""
ENQUEUE = "INSERT INTO bench_plain.jobs (payload) SELECT p FROM unnest($1::jsonb[]) AS p"
CLAIM = """
WITH picked AS (
    SELECT id FROM bench_plain.jobs WHERE status = 'pending'
    ORDER BY priority, id LIMIT $1 FOR UPDATE SKIP LOCKED
)
UPDATE bench_plain.jobs j SET status = 'claimed', claimed_by = $2
FROM picked WHERE j.id = picked.id RETURNING j.id, j.payload
"""
COMPLETE = "UPDATE bench_plain.jobs SET status = 'done' WHERE id = ANY($1::bigint[])"
NOTIFY = "SELECT pg_notify('bench_plain', '')"
SINGLE = "INSERT INTO bench_plain.jobs (payload) VALUES ($1::jsonb)"


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
    """Enqueue, process, measure wake-up latency and single-row inserts from
    concurrent connections; verify every job ended once."""
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(SCHEMA)
        clock = CpuClock(await CpuClock.find_postmaster(admin), {})
        payloads = [json.dumps({"n": i}) for i in range(actions)]
        cpu = clock.read()
        began = time.perf_counter()
        for start in range(0, actions, enqueue_batch):
            await admin.execute(ENQUEUE, payloads[start : start + enqueue_batch])
        enqueue_s = time.perf_counter() - began
        enqueue_cpu = cpu_per_action(cpu, clock.read(), actions)

        processed = [0] * workers

        async def worker(slot: int) -> None:
            conn = await asyncpg.connect(dsn)
            try:
                while True:
                    rows = await conn.fetch(CLAIM, claim_batch, f"w{slot}")
                    if not rows:
                        return
                    await conn.execute(COMPLETE, [r["id"] for r in rows])
                    processed[slot] += len(rows)
            finally:
                await conn.close()

        cpu = clock.read()
        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(workers)))
        process_s = time.perf_counter() - began
        process_cpu = cpu_per_action(cpu, clock.read(), actions)
        done = await admin.fetchval("SELECT count(*) FROM bench_plain.jobs WHERE status = 'done'")
        assert done == actions == sum(processed), (done, actions, processed)
        latencies = await _latency(dsn, admin, latency_samples)
        cpu = clock.read()
        single_s = await _single(dsn, single_calls, producers)
        single_cpu = cpu_per_action(cpu, clock.read(), single_calls)
        inserted = await admin.fetchval(
            "SELECT count(*) FROM bench_plain.jobs WHERE payload ? 'single'"
        )
        assert inserted == single_calls, (inserted, single_calls)
    finally:
        await admin.execute("DROP SCHEMA IF EXISTS bench_plain CASCADE")
        await admin.close()
    return Figures(
        system="plain SQL (asyncpg)",
        enqueue_per_s=actions / enqueue_s,
        processed_per_s=actions / process_s,
        latency_p50_ms=percentile_ms(latencies, 50),
        latency_p95_ms=percentile_ms(latencies, 95),
        latency_p99_ms=percentile_ms(latencies, 99),
        single_enqueue_per_s=single_calls / single_s,
        # The producer and the workers are this process ("bench").
        enqueue_cpu_us=enqueue_cpu,
        process_cpu_us=process_cpu,
        single_cpu_us=single_cpu,
    )


async def _single(dsn: str, calls: int, producers: int) -> float:
    """`producers` connections each INSERT one row per statement until `calls` are made."""
    conns = [await asyncpg.connect(dsn) for _ in range(producers)]
    remaining = iter(range(calls))

    async def producer(conn: asyncpg.Connection) -> None:
        for n in remaining:
            await conn.execute(SINGLE, json.dumps({"single": n}))

    try:
        began = time.perf_counter()
        await asyncio.gather(*(producer(c) for c in conns))
        return time.perf_counter() - began
    finally:
        for conn in conns:
            await conn.close()


async def _latency(dsn: str, admin: asyncpg.Connection, samples: int) -> list[float]:
    """An idle worker woken by NOTIFY: the producer's call -> the worker has the job."""
    listener = await asyncpg.connect(dsn)
    worker = await asyncpg.connect(dsn)
    woken = asyncio.Event()
    await listener.add_listener("bench_plain", lambda *_: woken.set())
    got: asyncio.Queue[float] = asyncio.Queue()

    async def idle_worker() -> None:
        while True:
            await woken.wait()
            woken.clear()
            rows = await worker.fetch(CLAIM, 1, "idle")
            if rows:
                got.put_nowait(time.perf_counter())
                await worker.execute(COMPLETE, [r["id"] for r in rows])

    task = asyncio.create_task(idle_worker())
    latencies = []
    try:
        for i in range(samples):
            sent = time.perf_counter()
            async with admin.transaction():
                await admin.execute(ENQUEUE, [json.dumps({"latency": i})])
                await admin.execute(NOTIFY)
            latencies.append(await asyncio.wait_for(got.get(), 10) - sent)
            await asyncio.sleep(0.005)
    finally:
        task.cancel()
        await listener.close()
        await worker.close()
    return latencies
