"""River, the Go peer: `bench/river` built with the Go toolchain and run as its own process.

The program (see bench/river/main.go) migrates River's schema, runs the phases
and prints one JSON line after each, then waits for a line on its standard
input; this side reads the CPU clocks at each of those pauses.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from .measure import CpuClock, Figures, cpu_per_action, percentile_ms

SOURCE = Path(__file__).parent / "river"


def build() -> Path | None:
    """Build the River program; None (and say why) when Go is not on PATH."""
    go = shutil.which("go")
    if go is None:
        print("River skipped: no 'go' on PATH to build bench/river")
        return None
    binary = Path(tempfile.mkdtemp(prefix="actionq-bench-river-")) / "river-bench"
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=SOURCE, check=True)
    return binary


async def _postmaster(dsn: str) -> psutil.Process | None:
    conn = await asyncpg.connect(dsn)
    try:
        return await CpuClock.find_postmaster(conn)
    finally:
        await conn.close()


async def _drop(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def run(
    binary: Path,
    dsn: str,
    *,
    actions: int,
    enqueue_batch: int,
    latency_samples: int,
    single_calls: int,
    producers: int,
) -> Figures:
    """One run of the River program on a fresh schema."""
    schema = f"bench_river_{uuid.uuid4().hex[:8]}"
    postmaster = asyncio.run(_postmaster(dsn))
    proc = subprocess.Popen(
        [
            str(binary),
            f"-dsn={dsn}",
            f"-schema={schema}",
            f"-jobs={actions}",
            f"-batch={enqueue_batch}",
            f"-latency-samples={latency_samples}",
            f"-single-calls={single_calls}",
            f"-producers={producers}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    clock = CpuClock(postmaster, {"river": [proc.pid]})
    phases: dict[str, dict[str, Any]] = {}
    cpu: dict[str, dict[str, float]] = {}
    try:
        before = clock.read()
        for line in proc.stdout:
            now = clock.read()
            figures = json.loads(line)
            phases[figures["done"]] = figures
            cpu[figures["done"]] = {k: now[k] - before[k] for k in now if k != "bench"}
            before = clock.read()
            proc.stdin.write("\n")
            proc.stdin.flush()
        proc.stdin.close()
        if proc.wait(60) != 0 or "single" not in phases:
            raise RuntimeError(f"the River program failed (exit {proc.returncode})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        asyncio.run(_drop(dsn, schema))
    latencies = phases["wake"]["latencies_s"]
    return Figures(
        system=f"River {_version()}",
        enqueue_per_s=actions / phases["enqueue"]["seconds"],
        processed_per_s=actions / phases["process"]["seconds"],
        latency_p50_ms=percentile_ms(latencies, 50),
        latency_p95_ms=percentile_ms(latencies, 95),
        latency_p99_ms=percentile_ms(latencies, 99),
        single_enqueue_per_s=single_calls / phases["single"]["seconds"],
        # The River process is the producer while enqueueing, the workers while processing.
        enqueue_cpu_us=_per(cpu["enqueue"], actions, river_as="bench"),
        process_cpu_us=_per(cpu["process"], actions, river_as="workers"),
        single_cpu_us=_per(cpu["single"], single_calls, river_as="bench"),
    )


def _per(seconds: dict[str, float], count: int, *, river_as: str) -> dict[str, float]:
    """CPU seconds by group -> microseconds per action, the River process renamed."""
    zero = dict.fromkeys(seconds, 0.0)
    out = cpu_per_action(zero, seconds, count)
    out[river_as] = out.pop("river")
    return out


def _version() -> str:
    """River's version, as pinned in bench/river/go.mod."""
    for line in (SOURCE / "go.mod").read_text().splitlines():
        parts = line.split()
        if parts[:1] == ["github.com/riverqueue/river"]:
            return parts[1]
    return "?"
