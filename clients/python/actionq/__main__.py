"""`python -m actionq worker package.module:app`: run a WorkerApp until SIGTERM.

    python -m actionq worker billing.workers:app --queue mail --queue mail-bulk \\
        --concurrency 16 --server actionq:50051 --grace 60

SIGTERM or SIGINT stops claiming at once (a long poll in flight is cancelled),
lets running handlers finish within --grace seconds, then cancels the rest and
fails their actions for a retry. The exit status is 0 after such a stop, 2 for
bad arguments or a target that is not a WorkerApp.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from ._async_client import AsyncClient
from .app import WorkerApp
from .durations import parse_duration


def load_app(spec: str) -> WorkerApp:
    """The WorkerApp named by "package.module:attribute" (the current folder is
    importable, as it is for `python -m`)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"worker target {spec!r} must be package.module:attribute")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ValueError(f"worker target {spec!r}: cannot import {module_name!r} ({exc})") from None
    target = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ValueError(
                f"worker target {spec!r}: {module_name} has no attribute {attribute!r}"
            )
        target = getattr(target, part)
    if not isinstance(target, WorkerApp):
        raise ValueError(f"worker target {spec!r} is a {type(target).__name__}, not a WorkerApp")
    if not target.handlers:
        raise ValueError(f"worker target {spec!r} has no handlers")
    return target


def _seconds(text: str) -> float:
    try:
        return parse_duration(text)
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m actionq", description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run a WorkerApp until SIGTERM")
    worker.add_argument("target", help="the app, as package.module:attribute")
    worker.add_argument(
        "--queue",
        action="append",
        default=None,
        help="a queue to claim from (repeatable); default: the app's queues, else 'default'",
    )
    worker.add_argument(
        "--concurrency", type=_positive, help="handlers running at once across all types"
    )
    worker.add_argument("--server", help="server address (default: $ACTIONQ_SERVER or local)")
    worker.add_argument("--project", help="claim only this project's actions")
    worker.add_argument("--name", help="worker id recorded as claimed_by")
    worker.add_argument("--lease", type=_seconds, help="lease per claim, e.g. 30s")
    worker.add_argument("--poll-wait", type=_seconds, help="long-poll wait per claim, e.g. 10s")
    worker.add_argument(
        "--grace",
        type=_seconds,
        help="on SIGTERM, how long running handlers may take to finish, e.g. 30s",
    )
    worker.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    return top


async def serve(app: WorkerApp, args: argparse.Namespace) -> None:
    """Run `app` with the command line's settings until a signal stops it."""
    for option in ("project", "lease", "poll_wait", "grace"):
        value = getattr(args, option)
        if value is not None:
            setattr(app, option, value)
    async with AsyncClient(args.server) as client:
        await app.run(
            client,
            queues=args.queue,
            concurrency=args.concurrency,
            worker_id=args.name,
            install_signals=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point; returns the exit status."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        app = load_app(args.target)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    log = logging.getLogger("actionq.worker")
    log.info("worker %s: handling %s", app.name, ", ".join(sorted(app.handlers)))
    asyncio.run(serve(app, args))
    log.info("worker %s stopped after %d actions", app.name, app.processed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
