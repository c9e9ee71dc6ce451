"""`actionctl worker`: a shell-job queue in one command. It claims actions whose
payload names a command (see `runner`), runs each as a subprocess while
heartbeating its lease, and reports how it ended: exit 0 completes with the
output as the result; anything else fails, so retries and dead letters apply;
a payload that names no runnable command is rejected (never retried).

SIGTERM or SIGINT stops claiming at once; running commands get `--grace` to
finish, then their process groups are killed and they are failed for an
immediate retry elsewhere. A second signal cuts the grace short. Each finished
action is one JSON line on stderr; after a stop the worker prints one JSON
record of its outcomes on stdout and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import click
from actionq import (
    ActionqError,
    AsyncClient,
    ClaimedAction,
    DeadlineExceeded,
    FailedPrecondition,
    NotFound,
    Unavailable,
)

from .output import async_client_factory, emit_json
from .params import Duration
from .runner import (
    MAX_TIMEOUT_SECONDS,
    CommandSpec,
    Finished,
    PayloadError,
    command_spec,
    run_command,
)

VALIDATOR = "actionctl-worker"
# The longest a Claim waits for work (the server's cap is 60 s).
POLL_WAIT = 30.0
# Pause after a claim the server could not answer, doubling up to the second.
CLAIM_BACKOFF = (0.5, 10.0)
# Attempts to report an outcome while the server is unavailable.
REPORT_ATTEMPTS = 5
MAX_OUTPUT = 1_000_000


def log_line(**fields: Any) -> None:
    """One JSON line on stderr."""
    sys.stderr.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stderr.flush()


@dataclass(slots=True)
class Job:
    """One claimed action being run: its lease, and the future that kills its
    command with a reason ("stop", "cancelled", "lease lost")."""

    claimed: ClaimedAction
    kill: asyncio.Future[str]
    began: float = field(default_factory=time.monotonic)

    def stop(self, reason: str) -> None:
        """Kill the command (if still running) for `reason`."""
        if not self.kill.done():
            self.kill.set_result(reason)


@dataclass
class Settings:
    """The worker's options."""

    name: str
    action_types: list[str]
    queues: list[str]
    project: str
    concurrency: int
    lease: float
    grace: float
    max_output: int
    default_timeout: float
    allow_shell: bool


class CommandWorker:
    """Claims shell jobs and runs them, `concurrency` at a time."""

    def __init__(self, client: AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.jobs: dict[asyncio.Task[None], Job] = {}
        self._stopping = asyncio.Event()
        self._hurry = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self.outcomes: Counter[str] = Counter()

    def stop(self) -> None:
        """Stop claiming; a second call cuts the grace period short."""
        if self._stopping.is_set():
            self._hurry.set()
            log_line(event="worker_hurried", worker=self.settings.name, running=len(self.jobs))
            return
        self._stopping.set()
        log_line(
            event="worker_stopping",
            worker=self.settings.name,
            running=len(self.jobs),
            grace_seconds=self.settings.grace,
        )

    async def run(self) -> None:
        """Claim and run until stopped, then drain within the grace period."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        s = self.settings
        log_line(
            event="worker_started",
            worker=s.name,
            action_types=s.action_types,
            queues=s.queues or ["default"],
            concurrency=s.concurrency,
            pid=os.getpid(),
        )
        try:
            await self._claim_loop()
        finally:
            await self._drain()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        log_line(event="worker_stopped", worker=s.name)

    async def _drain(self) -> None:
        """Let running commands finish within the grace period, then kill the
        rest and wait for their failures to be reported."""
        await self._wait_for_jobs(self.settings.grace)
        for job in list(self.jobs.values()):
            job.stop("stop")
        if self.jobs:
            await asyncio.wait(set(self.jobs))

    async def _wait_for_jobs(self, grace: float) -> None:
        """Wait until no job runs, `grace` passes, or a second signal comes."""
        deadline = time.monotonic() + grace
        hurry = asyncio.create_task(self._hurry.wait())
        try:
            while self.jobs and not hurry.done():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                await asyncio.wait(
                    {*self.jobs, hurry}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
        finally:
            hurry.cancel()

    async def _claim_loop(self) -> None:
        """Long-poll for work while a slot is free, until stopping; a claim in
        flight when the stop comes is cancelled rather than waited out."""
        s = self.settings
        pause = CLAIM_BACKOFF[0]
        while await self._free_slot():
            claim = asyncio.ensure_future(
                self.client.claim(
                    s.name,
                    queue=s.queues[0] if len(s.queues) == 1 else "",
                    queues=s.queues if len(s.queues) > 1 else (),
                    action_types=s.action_types,
                    project=s.project,
                    max_actions=s.concurrency - len(self.jobs),
                    lease=s.lease,
                    wait=POLL_WAIT,
                )
            )
            if not await self._unless_stopping(claim):
                claim.cancel()
                # A claim that answered just before it was cancelled still counts.
                with contextlib.suppress(asyncio.CancelledError, ActionqError):
                    for item in await claim:
                        self._start(item)
                return
            try:
                claimed = claim.result()
            except (Unavailable, DeadlineExceeded) as exc:
                log_line(event="claim_failed", worker=s.name, error=exc.to_json(), retry_in=pause)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)
                pause = min(pause * 2, CLAIM_BACKOFF[1])
                continue
            pause = CLAIM_BACKOFF[0]
            for item in claimed:
                self._start(item)

    async def _free_slot(self) -> bool:
        """Wait until fewer than `concurrency` commands run; False when stopping."""
        while len(self.jobs) >= self.settings.concurrency and not self._stopping.is_set():
            self._slot_freed.clear()
            freed = asyncio.ensure_future(self._slot_freed.wait())
            if not await self._unless_stopping(freed):
                freed.cancel()
        return not self._stopping.is_set()

    async def _unless_stopping(self, waited: asyncio.Future[Any]) -> bool:
        """Wait for `waited` or the stop, whichever comes first; True if `waited` is done."""
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({waited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        return waited.done()

    def _start(self, claimed: ClaimedAction) -> None:
        kill: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        job = Job(claimed, kill)
        task = asyncio.create_task(self._process(job))
        self.jobs[task] = job
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.jobs.pop(task, None)
        self._slot_freed.set()
        if not task.cancelled() and task.exception() is not None:
            log_line(event="worker_error", worker=self.settings.name, error=repr(task.exception()))

    async def _process(self, job: Job) -> None:
        s = self.settings
        action = job.claimed.action
        try:
            spec = command_spec(
                action.payload, allow_shell=s.allow_shell, default_timeout=s.default_timeout
            )
        except PayloadError as exc:
            await self._report(job, "rejected", str(exc), None, None)
            return
        beats = asyncio.create_task(self._heartbeats(job))
        try:
            finished = await run_command(
                spec,
                max_output=s.max_output,
                kill=job.kill,
                extra_env={
                    "ACTIONQ_ACTION_ID": str(action.id),
                    "ACTIONQ_ATTEMPT": str(action.attempt),
                },
            )
        finally:
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
        await self._conclude(job, spec, finished)

    async def _conclude(self, job: Job, spec: CommandSpec, finished: Finished) -> None:
        if finished.killed in ("cancelled", "lease lost"):
            # Nothing to report: the action is cancelled, or someone else holds it.
            self._log(job, finished.killed, finished.failure_reason(), finished)
            return
        if finished.exit_code == 0 and finished.killed is None:
            await self._report(job, "completed", "", finished.result(), finished)
        else:
            await self._report(job, "failed", finished.failure_reason(), None, finished)

    async def _report(
        self,
        job: Job,
        outcome: str,
        reason: str,
        result: dict[str, Any] | None,
        finished: Finished | None,
    ) -> None:
        """Complete, fail or reject the action, retrying while the server is
        unavailable; log the outcome."""
        action_id, token = job.claimed.action.id, job.claimed.lease_token
        stopped = finished is not None and finished.killed == "stop"
        pause = CLAIM_BACKOFF[0]
        for attempt in range(1, REPORT_ATTEMPTS + 1):
            try:
                if outcome == "completed":
                    await self.client.complete(action_id, token, result=result)
                elif outcome == "rejected":
                    await self.client.reject(action_id, token, reason=reason, validator=VALIDATOR)
                else:
                    await self.client.fail(
                        action_id, token, reason=reason, retry_delay=0.0 if stopped else None
                    )
            except (Unavailable, DeadlineExceeded) as exc:
                if attempt == REPORT_ATTEMPTS:
                    self._log(job, "unreported", reason, finished, error=exc.to_json())
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, CLAIM_BACKOFF[1])
            except ActionqError as exc:
                self._log(job, "unreported", reason, finished, error=exc.to_json())
                return
            else:
                self._log(job, outcome, reason, finished)
                return

    async def _heartbeats(self, job: Job) -> None:
        """Extend the lease every third of it while the command runs; stop the
        command when the action was cancelled or the lease is lost."""
        lease = self.settings.lease
        action_id, token = job.claimed.action.id, job.claimed.lease_token
        while True:
            await asyncio.sleep(lease / 3)
            try:
                beat = await self.client.heartbeat(action_id, token, lease)
            except (FailedPrecondition, NotFound):
                job.stop("lease lost")
                return
            except ActionqError as exc:
                log_line(event="heartbeat_failed", id=action_id, error=exc.to_json())
                continue
            if beat.cancelled:
                job.stop("cancelled")
                return

    def _log(
        self,
        job: Job,
        outcome: str,
        reason: str,
        finished: Finished | None,
        **extra: Any,
    ) -> None:
        action = job.claimed.action
        self.outcomes[outcome] += 1
        log_line(
            event="action_finished",
            id=action.id,
            action_type=action.action_type,
            attempt=action.attempt,
            outcome=outcome,
            exit_code=finished.exit_code if finished else None,
            duration_seconds=round(finished.duration, 3) if finished else 0.0,
            reason=reason or None,
            **extra,
        )


def _default_name() -> str:
    return f"actionctl-worker:{socket.gethostname()}:{os.getpid()}"


@click.command("worker")
@click.option(
    "--type", "action_types", multiple=True, required=True, help="Action type (repeatable)."
)
@click.option("--queue", "queues", multiple=True, help="Queue (repeatable; default: default).")
@click.option("--project", default="", help="Only this project.")
@click.option("--name", default=None, help="Worker name (default: actionctl-worker:HOST:PID).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Commands run at once.",
)
@click.option(
    "--lease",
    type=Duration(3.0, 24 * 3600.0),
    default="30s",
    show_default=True,
    help="Lease per claim, renewed every third of it while a command runs.",
)
@click.option(
    "--grace",
    type=Duration(0.0, 24 * 3600.0),
    default="30s",
    show_default=True,
    help="On SIGTERM/SIGINT, how long running commands may still take.",
)
@click.option(
    "--max-output",
    type=click.IntRange(0, MAX_OUTPUT),
    default=65536,
    show_default=True,
    help="Bytes of stdout and of stderr kept (the head); the rest is dropped and marked.",
)
@click.option(
    "--default-timeout",
    type=Duration(0.001, MAX_TIMEOUT_SECONDS),
    default="1h",
    show_default=True,
    help="Timeout of commands whose payload gives none.",
)
@click.option(
    "--allow-shell",
    is_flag=True,
    help='Run a string command through /bin/sh -c when its payload says "shell": true.',
)
def worker(
    action_types: tuple[str, ...],
    queues: tuple[str, ...],
    project: str,
    name: str | None,
    concurrency: int,
    lease: float,
    grace: float,
    max_output: int,
    default_timeout: float,
    allow_shell: bool,
) -> None:
    """Run shell jobs: claim actions whose payload holds a command (an argv
    list), run each as a subprocess, complete on exit 0, fail otherwise."""
    settings = Settings(
        name=name or _default_name(),
        action_types=list(action_types),
        queues=list(queues),
        project=project,
        concurrency=concurrency,
        lease=lease,
        grace=grace,
        max_output=max_output,
        default_timeout=default_timeout,
        allow_shell=allow_shell,
    )
    connect = async_client_factory()

    async def main() -> None:
        async with connect() as connection:
            runner = CommandWorker(connection, settings)
            await runner.run()
            emit_json({"worker": settings.name, "outcomes": dict(sorted(runner.outcomes.items()))})

    asyncio.run(main())
