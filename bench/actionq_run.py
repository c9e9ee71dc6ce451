"""actionq through the real gRPC API: server processes, the Python client and worker helper."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import uvloop
from actionq import AsyncClient, Client, Worker, new_action

from .measure import CpuClock, Figures, cpu_per_action, percentile_ms

SERVING = re.compile(r"actionq serving '\w+' on (\S+):(\d+)")
ACTION_TYPE = "bench.noop"
SINGLE_TYPE = "bench.single"


@dataclass
class Server:
    """One actionq-server process."""

    proc: subprocess.Popen[str]
    address: str

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_servers(dsn: str, schema: str, count: int) -> list[Server]:
    """Start `count` servers on one schema and wait until each serves."""
    binary = str(Path(sys.executable).parent / "actionq-server")
    servers = []
    for _ in range(count):
        env = {
            **os.environ,
            "ACTIONQ_URL": dsn,
            "ACTIONQ_SCHEMA": schema,
            "ACTIONQ_LISTEN": "127.0.0.1:0",
        }
        proc = subprocess.Popen(
            [binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            match = SERVING.search(line)
            if match:
                servers.append(Server(proc, f"{match.group(1)}:{match.group(2)}"))
                break
        else:
            raise RuntimeError("actionq-server exited before serving")
        threading.Thread(target=_drain, args=(proc,), daemon=True).start()
    return servers


def _drain(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for _ in proc.stdout:
        pass


def _work(
    addresses: list[str], workers: int, target: int, claim_batch: int, result: Any, cpu: Any
) -> None:
    """Child process: run `workers` Worker helpers until the server has acknowledged
    the completion of `target` actions; that moment ends the measurement, not the
    workers' shutdown (which waits for their idle long-polls to return)."""

    async def main() -> None:
        async def noop(_: Any) -> None:
            return None

        clients = [AsyncClient(addresses[i % len(addresses)]) for i in range(workers)]
        pool = [
            Worker(
                c,
                noop,
                name=f"bench-{i}",
                action_types=[ACTION_TYPE],
                concurrency=claim_batch,
                lease=60,
                poll_wait=1,
            )
            for i, c in enumerate(clients)
        ]
        began = time.perf_counter()
        tasks = [asyncio.create_task(w.run()) for w in pool]
        # Worker.processed counts an action once its outcome was acknowledged.
        cpu_began = time.process_time()
        while sum(w.processed for w in pool) < target:
            await asyncio.sleep(0.002)
        result.value = time.perf_counter() - began
        cpu.value = time.process_time() - cpu_began
        for w in pool:
            w.stop()
        await asyncio.gather(*tasks)
        for c in clients:
            await c.close()

    uvloop.run(main())


async def _wake_latency(address: str, samples: int) -> list[float]:
    """An idle worker long-polling: the producer calls Enqueue -> the handler starts."""
    started: asyncio.Queue[float] = asyncio.Queue()

    async def handler(_: Any) -> None:
        started.put_nowait(time.perf_counter())

    worker_client = AsyncClient(address)
    worker = Worker(
        worker_client,
        handler,
        name="bench-idle",
        action_types=["bench.wake"],
        concurrency=1,
        poll_wait=30,
    )
    task = asyncio.create_task(worker.run())
    producer = AsyncClient(address)
    latencies = []
    try:
        await asyncio.sleep(0.5)
        for i in range(samples):
            sent = time.perf_counter()
            await producer.enqueue_ids([new_action("bench.wake", "bench", payload={"i": i})])
            latencies.append(await asyncio.wait_for(started.get(), 10) - sent)
            await asyncio.sleep(0.02)
    finally:
        worker.stop()
        await task
        await producer.close()
        await worker_client.close()
    return latencies


async def _postmaster(dsn: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        return await CpuClock.find_postmaster(conn)
    finally:
        await conn.close()


async def _preload(dsn: str, schema: str, finished: int, pending: int) -> None:
    """Fill the table with finished rows and a pending backlog the run does not claim."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        await conn.execute(
            "INSERT INTO actions (action_type, project, created_by, status, completed_at, "
            "attempt, claimed_by, lease_token, result_ref) "
            "SELECT 'bench.old', 'bench', 'bench', 'completed', now(), 1, 'old', "
            "gen_random_uuid(), 'r' FROM generate_series(1, $1)",
            finished,
        )
        await conn.execute(
            "INSERT INTO actions (action_type, project, created_by, priority) "
            "SELECT 'bench.backlog', 'bench', 'bench', 100 FROM generate_series(1, $1)",
            pending,
        )
        await conn.execute("ANALYZE actions")
    finally:
        await conn.close()


async def _verify(dsn: str, schema: str, action_type: str, count: int) -> None:
    """Every benchmark action completed, claimed exactly once."""
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        statuses = await conn.fetch(
            "SELECT status, count(*) FROM actions WHERE action_type = $1 GROUP BY 1", action_type
        )
        assert {r["status"]: r["count"] for r in statuses} == {"completed": count}, statuses
        claims = await conn.fetchval(
            "SELECT count(*) FROM events e JOIN actions a ON a.id = e.action_id "
            "WHERE a.action_type = $1 AND e.event_type = 'action_claimed'",
            action_type,
        )
        assert claims == count, f"{claims} claims for {count} actions"
    finally:
        await conn.close()


async def _single(address: str, calls: int, producers: int) -> float:
    """`producers` asyncio tasks share one AsyncClient (one channel) and send one
    action per Enqueue call until `calls` calls are made."""
    remaining = iter(range(calls))
    client = AsyncClient(address)

    async def producer() -> None:
        for n in remaining:
            await client.enqueue_ids([new_action(SINGLE_TYPE, "bench", payload={"n": n})])

    try:
        await client.enqueue_ids([new_action("bench.warmup", "bench")])  # the channel is up
        began = time.perf_counter()
        await asyncio.gather(*(producer() for _ in range(producers)))
        return time.perf_counter() - began
    finally:
        await client.close()


async def _count(dsn: str, schema: str, action_type: str) -> int:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM actions WHERE action_type = $1", action_type
        )
        return count
    finally:
        await conn.close()


def run(
    dsn: str,
    *,
    actions: int,
    workers: int,
    enqueue_batch: int,
    claim_batch: int,
    servers: int,
    latency_samples: int,
    single_calls: int = 0,
    producers: int = 16,
    preload_finished: int = 0,
    preload_pending: int = 0,
) -> Figures:
    """One full actionq run on a fresh schema: batched enqueue, processing with a
    WatchEvents subscriber following, wake-up latency, single-action Enqueue calls."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    procs = start_servers(dsn, schema, servers)
    rss_peak = [0.0]
    sampling = threading.Event()

    def sample_rss() -> None:
        handles = [psutil.Process(p.proc.pid) for p in procs]
        while not sampling.is_set():
            rss_peak[0] = max(rss_peak[0], *(h.memory_info().rss / 2**20 for h in handles))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    try:
        if preload_finished or preload_pending:
            asyncio.run(_preload(dsn, schema, preload_finished, preload_pending))
        clock = CpuClock(asyncio.run(_postmaster(dsn)), {"server": [p.proc.pid for p in procs]})
        with Client(procs[0].address, timeout=60) as client:
            start_cursor = client.stats().latest_event_cursor
            watch = _Watcher(client, start_cursor)
            cpu = clock.read()
            began = time.perf_counter()
            for start in range(0, actions, enqueue_batch):
                size = min(enqueue_batch, actions - start)
                client.enqueue_ids(
                    [
                        new_action(ACTION_TYPE, "bench", payload={"n": start + i})
                        for i in range(size)
                    ]
                )
            enqueue_s = time.perf_counter() - began
            enqueue_cpu = cpu_per_action(cpu, clock.read(), actions)
            spawn = multiprocessing.get_context("spawn")
            elapsed, worker_cpu = spawn.Value("d", 0.0), spawn.Value("d", 0.0)
            addresses = [p.address for p in procs]
            child = spawn.Process(
                target=_work,
                args=(addresses, workers, actions, claim_batch, elapsed, worker_cpu),
            )
            child.start()
            # The processing phase's CPU is read from when the child starts
            # working to when the last completion was acknowledged.
            cpu = clock.read()
            child.join()
            assert child.exitcode == 0, "worker process failed"
            process_s = elapsed.value
            ended = time.perf_counter()
            caught_up = watch.wait_for(3 * actions, timeout=120)
            catch_up_s = time.perf_counter() - ended
            process_cpu = cpu_per_action(cpu, clock.read(), actions)
            process_cpu["workers"] = worker_cpu.value / actions * 1e6
            watch.close()
            assert caught_up, (
                f"the watcher received {watch.received} of {3 * actions} events "
                f"(in order: {watch.ordered})"
            )
        asyncio.run(_verify(dsn, schema, ACTION_TYPE, actions))
        latencies = uvloop.run(_wake_latency(procs[0].address, latency_samples))
        single_s, single_cpu = float("nan"), {}
        if single_calls:
            cpu = clock.read()
            single_s = uvloop.run(_single(procs[0].address, single_calls, producers))
            single_cpu = cpu_per_action(cpu, clock.read(), single_calls)
            stored = asyncio.run(_count(dsn, schema, SINGLE_TYPE))
            assert stored == single_calls, (stored, single_calls)
    finally:
        sampling.set()
        sampler.join()
        for p in procs:
            p.stop()
    return Figures(
        system=f"actionq via gRPC ({servers} server{'s' if servers > 1 else ''})",
        enqueue_per_s=actions / enqueue_s,
        processed_per_s=actions / process_s,
        latency_p50_ms=percentile_ms(latencies, 50),
        latency_p95_ms=percentile_ms(latencies, 95),
        latency_p99_ms=percentile_ms(latencies, 99),
        single_enqueue_per_s=single_calls / single_s if single_calls else float("nan"),
        server_rss_mb=rss_peak[0],
        enqueue_cpu_us=enqueue_cpu,
        process_cpu_us=process_cpu,
        # The producers are this process ("bench").
        single_cpu_us=single_cpu,
        extra={"watch_catch_up_s": round(catch_up_s, 3), "watch_events": watch.received},
    )


class _Watcher:
    """A WatchEvents subscriber following the log from a cursor. It counts the
    events and checks that each action's arrive once each, in lifecycle order
    (cursors are opaque: order is checked by what the events say)."""

    LIFECYCLE = ("action_enqueued", "action_claimed", "action_completed")

    def __init__(self, client: Client, cursor: str) -> None:
        self.stream = client.watch_events(after_cursor=cursor, max_batch=1000)
        self.received = 0
        self.stage: dict[int, int] = {}
        self.ordered = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for message in self.stream:
            for event in message.events:
                action = event.action_id or 0
                seen = self.stage.get(action, 0)
                expected = self.LIFECYCLE[seen] if seen < len(self.LIFECYCLE) else None
                self.ordered &= event.event_type == expected
                self.stage[action] = seen + 1
            self.received += len(message.events)

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.received < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received >= count and self.ordered

    def close(self) -> None:
        self.stream.cancel()
        self.thread.join(5)
