"""Figures and the arithmetic over them."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figures:
    """One system's figures from one run."""

    system: str
    enqueue_per_s: float
    processed_per_s: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    server_rss_mb: float | None = None
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

    rss = [r.server_rss_mb for r in runs if r.server_rss_mb is not None]
    return Figures(
        system=runs[0].system,
        enqueue_per_s=med("enqueue_per_s"),
        processed_per_s=med("processed_per_s"),
        latency_p50_ms=med("latency_p50_ms"),
        latency_p95_ms=med("latency_p95_ms"),
        latency_p99_ms=med("latency_p99_ms"),
        server_rss_mb=max(rss) if rss else None,
        extra={"runs": len(runs), **runs[-1].extra},
    )
