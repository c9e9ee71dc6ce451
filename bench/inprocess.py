"""actionq's own store in-process, without gRPC: what the data model costs.

The same workload as the other two systems, driven straight through the
server's `Store` (the SQL, the row conversions, the events and triggers), with
no server process, no protobuf and no network hop. Set beside plain SQL it
shows what the data model costs; set beside the gRPC run, what the hop costs.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import asyncpg
from actionq_server.domain.models import ClaimSpec, Completion, NewAction
from actionq_server.store.repository import Store, init_connection

from .actionq_run import ACTION_TYPE, _verify
from .measure import CpuClock, Figures, cpu_per_action


async def run(
    dsn: str, actions: int, workers: int, enqueue_batch: int, claim_batch: int
) -> Figures:
    """Enqueue and process through the Store; verify every action ended once."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(
        dsn,
        min_size=workers + 1,
        max_size=workers + 1,
        init=init_connection,
        server_settings={"search_path": schema},
    )
    try:
        store = Store(pool, schema)
        await store.migrate()
        async with pool.acquire() as conn:
            clock = CpuClock(await CpuClock.find_postmaster(conn), {})
        new = [
            NewAction(
                action_type=ACTION_TYPE,
                project="bench",
                created_by="bench",
                payload=json.dumps({"n": i}),  # JSON text, as the API hands it to the store
            )
            for i in range(actions)
        ]
        cpu = clock.read()
        began = time.perf_counter()
        for start in range(0, actions, enqueue_batch):
            await store.enqueue(
                new[start : start + enqueue_batch], max_chain_depth=10, rate_limit_per_hour=0
            )
        enqueue_s = time.perf_counter() - began
        enqueue_cpu = cpu_per_action(cpu, clock.read(), actions)

        async def worker(slot: int) -> None:
            spec = ClaimSpec(
                worker=f"bench-{slot}",
                action_types=[ACTION_TYPE],
                max_actions=claim_batch,
                lease_seconds=60,
            )
            while claimed := await store.claim(spec):
                done, refused = await store.complete_many(
                    [Completion(c.action.id, c.lease_token, "", None, None) for c in claimed]
                )
                assert not refused and len(done) == len(claimed), refused

        cpu = clock.read()
        began = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(workers)))
        process_s = time.perf_counter() - began
        process_cpu = cpu_per_action(cpu, clock.read(), actions)
        await _verify(dsn, schema, ACTION_TYPE, actions)
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await pool.close()
    nan = float("nan")
    return Figures(
        system="actionq store in-process (no gRPC)",
        enqueue_per_s=actions / enqueue_s,
        processed_per_s=actions / process_s,
        latency_p50_ms=nan,
        latency_p95_ms=nan,
        latency_p99_ms=nan,
        # The producer and the workers are this process ("bench").
        enqueue_cpu_us=enqueue_cpu,
        process_cpu_us=process_cpu,
    )
