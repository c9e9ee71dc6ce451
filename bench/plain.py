"""The baseline: a queue in plain SQL with asyncpg, no framework.

The same workload as actionq's run (batched enqueue, `FOR UPDATE SKIP LOCKED`
claims in batches, batched completion, LISTEN/NOTIFY wake-ups) against the
same PostgreSQL, so that the ratio between the two is what the hop costs.
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


async def run(
    dsn: str, actions: int, workers: int, enqueue_batch: int, claim_batch: int, latency_samples: int
) -> Figures:
    """Enqueue, process and measure wake-up latency; verify every job ended once."""
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
        # The producer and the workers are this process ("bench").
        enqueue_cpu_us=enqueue_cpu,
        process_cpu_us=process_cpu,
    )


async def _latency(dsn: str, admin: asyncpg.Connection, samples: int) -> list[float]:
    """An idle worker woken by NOTIFY: enqueue commit returns -> worker has the job."""
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
            async with admin.transaction():
                await admin.execute(ENQUEUE, [json.dumps({"latency": i})])
                await admin.execute(NOTIFY)
            sent = time.perf_counter()
            latencies.append(await asyncio.wait_for(got.get(), 10) - sent)
            await asyncio.sleep(0.005)
    finally:
        task.cancel()
        await listener.close()
        await worker.close()
    return latencies
