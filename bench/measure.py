"""Figures and the arithmetic over them."""

from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil


@dataclass
class Figures:
    """One system's figures from one run."""

    system: str
    enqueue_per_s: float
    processed_per_s: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    # Single-action enqueue calls per second from concurrent producers.
    single_enqueue_per_s: float = float("nan")
    server_rss_mb: float | None = None
    # CPU time per action by process group (e.g. postgres, server, workers),
    # in microseconds, over the enqueue phase and over the processing phase,
    # and per call over the single-action enqueue phase.
    enqueue_cpu_us: dict[str, float] = field(default_factory=dict)
    process_cpu_us: dict[str, float] = field(default_factory=dict)
    single_cpu_us: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def percentile_ms(samples: list[float], pct: float) -> float:
    """The pct-th percentile of samples given in seconds, in milliseconds."""
    if not samples:
        return float("nan")
    ordered = sorted(max(0.0, s) for s in samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index] * 1000


def median_figures(runs: list[Figures]) -> Figures:
    """Per-field medians over several runs of one system."""

    def med(name: str) -> float:
        value: float = statistics.median(getattr(r, name) for r in runs)
        return value

    def med_cpu(name: str) -> dict[str, float]:
        keys = [k for k in getattr(runs[0], name) if all(k in getattr(r, name) for r in runs)]
        return {k: statistics.median(getattr(r, name)[k] for r in runs) for k in keys}

    rss = [r.server_rss_mb for r in runs if r.server_rss_mb is not None]
    return Figures(
        system=runs[0].system,
        enqueue_per_s=med("enqueue_per_s"),
        processed_per_s=med("processed_per_s"),
        latency_p50_ms=med("latency_p50_ms"),
        latency_p95_ms=med("latency_p95_ms"),
        latency_p99_ms=med("latency_p99_ms"),
        single_enqueue_per_s=med("single_enqueue_per_s"),
        server_rss_mb=max(rss) if rss else None,
        enqueue_cpu_us=med_cpu("enqueue_cpu_us"),
        process_cpu_us=med_cpu("process_cpu_us"),
        single_cpu_us=med_cpu("single_cpu_us"),
        extra={"runs": len(runs), **runs[-1].extra},
    )


class CpuClock:
    """CPU seconds used so far by named process groups: PostgreSQL (the
    postmaster, its live backends and the ones that have exited), given
    processes by pid, and this process."""

    def __init__(self, postmaster: psutil.Process | None, pids: dict[str, list[int]]) -> None:
        self._postmaster = postmaster
        self._groups = {name: [psutil.Process(p) for p in group] for name, group in pids.items()}

    @staticmethod
    async def find_postmaster(conn: asyncpg.Connection) -> psutil.Process | None:
        """The postmaster of a server on this machine (from its postmaster.pid), or None."""
        try:
            data_dir = await conn.fetchval("SHOW data_directory")
            pid = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
            return psutil.Process(pid)
        except (asyncpg.PostgresError, OSError, ValueError, IndexError, psutil.Error):
            return None

    def read(self) -> dict[str, float]:
        """Seconds of CPU per group now."""
        out = {name: sum(_own(p) for p in procs) for name, procs in self._groups.items()}
        if self._postmaster is not None:
            t = self._postmaster.cpu_times()
            total = t.user + t.system + t.children_user + t.children_system
            for child in self._postmaster.children():
                # One that exits between listing and reading is counted once reaped.
                with contextlib.suppress(psutil.Error):
                    total += _own(child)
            out["postgres"] = total
        out["bench"] = time.process_time()
        return out


def _own(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


def cpu_per_action(
    before: dict[str, float], after: dict[str, float], actions: int
) -> dict[str, float]:
    """Microseconds of CPU per action for each group read at both ends."""
    return {k: (after[k] - before[k]) / actions * 1e6 for k in after if k in before}
