"""actionq with a concurrency limit on a queue (SetQueueLimits), through the
real server: the limited queue's processed/s and claim latency, and whether a
busy limited queue slows an unlimited one.

One server, a fresh schema per run, three phases:

1. **limited**: `actions` no-op actions in queue `limited` (concurrency limit
   `concurrency`); `workers` claim loops (one AsyncClient each, claims of up to
   `claim_batch` with a 1 s long poll, completions by CompleteMany) in this
   process; processed/s from the loops' start to the last acknowledged
   completion, and the latency of each Claim call that returned work (p50,
   p99; it includes the wait for a freed slot).
2. **unlimited alone**: `actions` no-op actions in queue `default`, processed
   by the same worker process as the main scenario (4 Worker helpers).
3. **unlimited while the limited queue is busy**: the same, while a second
   process keeps `workers` claim loops busy on a limited backlog;
4. **control**: the same, while those loops are busy on an unlimited queue,
   claiming at most `concurrency` at a time (the same kind of load without
   the limit): on a small machine any busy neighbour takes CPU, and this
   separates that from what the limit itself costs the unlimited queue.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import asyncpg
import uvloop
from actionq import AsyncClient, Client, QueueLimit, completion, new_action

from .actionq_run import ACTION_TYPE, _work, start_servers
from .measure import percentile_ms

LIMITED_QUEUE = "limited"
LIMITED_TYPE = "bench.limited"
CONTROL_QUEUE = "control"


async def _limited_loops(
    address: str,
    workers: int,
    claim_batch: int,
    target: int | None,
    stop: Any = None,
    queue: str = LIMITED_QUEUE,
) -> tuple[float, list[float], int]:
    """`workers` claim-and-complete loops on the limited queue until `target`
    completions were acknowledged (or `stop` is set); elapsed seconds, the
    latencies of the claims that returned work, the most claimed at once seen
    by this process."""
    clients = [AsyncClient(address) for _ in range(workers)]
    done = 0
    latencies: list[float] = []
    finished = asyncio.Event()

    async def loop(i: int) -> None:
        nonlocal done
        c = clients[i]
        while not finished.is_set():
            if stop is not None and stop.is_set():
                finished.set()
                return
            sent = time.perf_counter()
            claimed = await c.claim(f"limited-{i}", queue=queue, max_actions=claim_batch, wait=1)
            if not claimed:
                continue
            latencies.append(time.perf_counter() - sent)
            await c.complete_many(completion(x.action.id, x.lease_token) for x in claimed)
            done += len(claimed)
            if target is not None and done >= target:
                finished.set()

    began = time.perf_counter()
    try:
        await asyncio.gather(*(loop(i) for i in range(workers)))
    finally:
        for c in clients:
            await c.close()
    return time.perf_counter() - began, latencies, done


def _background(
    address: str, workers: int, claim_batch: int, stop: Any, ready: Any, queue: str
) -> None:
    """Child process: keep a queue busy until `stop` is set."""

    async def main() -> None:
        ready.set()
        await _limited_loops(address, workers, claim_batch, None, stop, queue)

    uvloop.run(main())


async def _max_claimed_ok(dsn: str, schema: str, concurrency: int) -> None:
    """Every limited action completed, claimed once; the log never shows more
    than `concurrency` claimed at once (rebuilt in log order)."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        rows = await conn.fetch(
            "SELECT e.event_type, e.action_id FROM events e JOIN actions a ON a.id = e.action_id"
            " WHERE a.queue = $1 AND e.event_type IN ('action_claimed', 'action_completed')"
            " ORDER BY e.id",
            LIMITED_QUEUE,
        )
        running: set[int] = set()
        most = 0
        for r in rows:
            if r["event_type"] == "action_claimed":
                running.add(r["action_id"])
                most = max(most, len(running))
            else:
                running.discard(r["action_id"])
        assert most <= concurrency, f"{most} claimed at once under a limit of {concurrency}"
    finally:
        await conn.close()


def _enqueue(client: Client, action_type: str, queue: str, count: int) -> None:
    for start in range(0, count, 1000):
        size = min(1000, count - start)
        client.enqueue_ids(
            [
                new_action(action_type, "bench", queue=queue, payload={"n": start + i})
                for i in range(size)
            ]
        )


def _unlimited(addresses: list[str], workers: int, actions: int, claim_batch: int) -> float:
    spawn = multiprocessing.get_context("spawn")
    elapsed, cpu = spawn.Value("d", 0.0), spawn.Value("d", 0.0)
    child = spawn.Process(
        target=_work, args=(addresses, workers, actions, claim_batch, elapsed, cpu)
    )
    child.start()
    child.join()
    assert child.exitcode == 0, "worker process failed"
    return float(actions / elapsed.value)


def run(
    dsn: str, *, actions: int, workers: int, claim_batch: int, concurrency: int
) -> dict[str, float]:
    """One run of the three phases on a fresh schema."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    (server,) = start_servers(dsn, schema, 1)
    try:
        with Client(server.address, timeout=60) as client:
            client.set_queue_limits(LIMITED_QUEUE, [QueueLimit("queue", concurrency=concurrency)])
            _enqueue(client, LIMITED_TYPE, LIMITED_QUEUE, actions)
            elapsed, latencies, done = uvloop.run(
                _limited_loops(server.address, workers, claim_batch, actions)
            )
            asyncio.run(_max_claimed_ok(dsn, schema, concurrency))
            limited_per_s = done / elapsed

            _enqueue(client, ACTION_TYPE, "default", actions)
            alone = _unlimited([server.address], workers, actions, claim_batch)

            # Beside the limited queue kept busy (a backlog the background
            # loops cannot finish during the phase); then, as a control, beside
            # an unlimited queue kept busy by the same loops claiming at most
            # `concurrency` at a time (the same load, without the limit).
            _enqueue(client, LIMITED_TYPE, LIMITED_QUEUE, actions)
            _enqueue(client, LIMITED_TYPE, CONTROL_QUEUE, actions)
            beside = {}
            for queue, batch in ((LIMITED_QUEUE, claim_batch), (CONTROL_QUEUE, concurrency)):
                _enqueue(client, ACTION_TYPE, "default", actions)
                spawn = multiprocessing.get_context("spawn")
                stop, ready = spawn.Event(), spawn.Event()
                busy = spawn.Process(
                    target=_background,
                    args=(server.address, workers, batch, stop, ready, queue),
                )
                busy.start()
                ready.wait(60)
                beside[queue] = _unlimited([server.address], workers, actions, claim_batch)
                stop.set()
                busy.join(60)
            asyncio.run(_max_claimed_ok(dsn, schema, concurrency))
    finally:
        server.stop()
    return {
        "limited_processed_per_s": limited_per_s,
        "limited_claim_p50_ms": percentile_ms(latencies, 50),
        "limited_claim_p99_ms": percentile_ms(latencies, 99),
        "unlimited_alone_per_s": alone,
        "unlimited_beside_limited_per_s": beside[LIMITED_QUEUE],
        "unlimited_beside_control_per_s": beside[CONTROL_QUEUE],
    }
