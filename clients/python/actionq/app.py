"""WorkerApp: one handler per action type, registered with a decorator.

    from pydantic import BaseModel
    from actionq import Job, RetryIn, WorkerApp

    app = WorkerApp("billing")

    class Email(BaseModel):
        to: str
        subject: str

    @app.handler("email.send", concurrency=4, timeout=30, retry_on=(ConnectionError,),
                 backoff="exponential:1s:5m:0.2", model=Email)
    async def send(job: Job[Email]) -> dict:
        await job.heartbeat(progress={"step": "connecting"})
        return {"sent_to": job.payload.to}

Run it with `python -m actionq worker billing.workers:app --queue mail`, or
`await app.run(AsyncClient(...))`.

Each registration has its own `concurrency` (at most that many of its actions
run at once; the worker never claims more than its free slots), `timeout`
(seconds; the handler is cancelled and the attempt fails, as a TimeoutError),
`retry_on` (when given, only these exception types retry; any other fails the
action for good) and `backoff` (the delay before a retry, computed here from
the attempt and sent with the failure; without it the action's own policy
applies). With a pydantic `model` the payload is validated before the handler
runs: an invalid payload rejects the action (validator: the app's name), and
the handler gets the model instance as `job.payload`.

A handler gets a `Job`: the claimed action's fields, its payload, and
`await job.heartbeat(progress={...})` (or `job.heartbeat_sync(...)` from a
plain function, which runs in a thread). Returning completes the action; the
exceptions of `actionq.outcomes` (`Reject`, `FailNoRetry`, `RetryIn`) choose
another end; any other exception fails the attempt.

Durable waits: `await job.wait_for_signal("approved", timeout=3600)` and
`await job.sleep(timedelta(hours=1))` return the `WakeUp` once the wait is
over; until then they raise `Suspended`, which ends this run of the handler
without completing or failing the action: the action waits on the server
(its lease given up, its attempt not used), is pending again when the signal
arrives or the time passes, and its handler then runs again from the start.
Steps done before the wait should use `job.step(...)`, which returns their
stored results on the re-run, so that the handler continues past the wait.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import inspect
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from ._async_client import AsyncClient
from .errors import ActionqError, FailedPrecondition, NotFound
from .outcomes import (
    FailNoRetry,
    Reject,
    RetryIn,
    as_result,
    clip_reason,
    failure_reason,
)
from .records import Action, Backoff, ClaimedAction, WakeUp
from .tracing import continued

log = logging.getLogger(__name__)

P = TypeVar("P")
HandlerFunction = Callable[["Job[Any]"], Awaitable[Any] | Any]

# The pause after a failed Claim before the next one.
CLAIM_RETRY_PAUSE = 1.0
# How long a Claim in flight when the worker stops may still land.
CLAIM_SETTLE_SECONDS = 1.0


class JobCancelled(Exception):
    """Raised by `Job.heartbeat_sync` when the action was cancelled, its lease
    lost, its timeout passed or the worker is stopping: a plain-function
    handler should stop working on it."""


class Suspended(BaseException):
    """Raised by `Job.wait_for_signal` and `Job.sleep` when the action now
    waits on the server: the WorkerApp ends this run of the handler without
    completing or failing the action, which runs again once it wakes. A
    BaseException, like asyncio.CancelledError, so that a handler's
    `except Exception` does not swallow it."""

    def __init__(self, action_id: int, step: str) -> None:
        super().__init__(f"action {action_id} waits ({step})")
        self.action_id = action_id
        self.step = step


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """One registration: the function and how the app runs it."""

    action_type: str
    function: HandlerFunction
    concurrency: int | None
    timeout: float | None
    retry_on: tuple[type[BaseException], ...] | None
    backoff: Backoff | None
    model: type[Any] | None

    @property
    def is_async(self) -> bool:
        """True for `async def` handlers; plain functions run in a thread."""
        return inspect.iscoroutinefunction(self.function)

    def retries(self, exc: BaseException) -> bool:
        """Whether a failure with `exc` may be retried."""
        return self.retry_on is None or isinstance(exc, self.retry_on)


class Job(Generic[P]):
    """A claimed action handed to a handler: its fields, its payload (a dict,
    or the registration's pydantic model), the lease, and heartbeats."""

    def __init__(self, action: Action, lease_token: str, payload: P, runtime: _Runtime) -> None:
        self.action = action
        self.lease_token = lease_token
        self.payload: P = payload
        self.deadline: datetime | None = action.claim_deadline
        self._runtime = runtime
        self._loop = asyncio.get_running_loop()
        self._stopped = False
        self._why = ""
        self._saved: dict[str, dict[str, Any]] | None = None
        self._sleeps = 0

    @property
    def id(self) -> int:
        """The action's id."""
        return self.action.id

    @property
    def action_type(self) -> str:
        """The action's type."""
        return self.action.action_type

    @property
    def queue(self) -> str:
        """The queue it was claimed from."""
        return self.action.queue

    @property
    def project(self) -> str:
        """The action's project."""
        return self.action.project

    @property
    def target_ref(self) -> str | None:
        """What the action works on, if it says."""
        return self.action.target_ref

    @property
    def attempt(self) -> int:
        """This attempt's number: 1 for the first claim."""
        return self.action.attempt

    @property
    def max_attempts(self) -> int:
        """The claims the action gets before it ends failed."""
        return self.action.max_attempts

    @property
    def last_attempt(self) -> bool:
        """True when a failure now ends the action failed."""
        return self.action.attempt >= self.action.max_attempts

    @property
    def stopped(self) -> bool:
        """True once the handler should stop: the action was cancelled, its
        lease lost, its timeout passed or the worker is stopping. Plain-function
        handlers, which cannot be interrupted, should check it."""
        return self._stopped

    async def heartbeat(self, progress: dict[str, Any] | None = None) -> None:
        """Extend the lease now; with `progress` (a JSON object) also record it
        on the action, where watchers see it as an action_progress event."""
        await self._runtime.beat(self, progress)

    def heartbeat_sync(self, progress: dict[str, Any] | None = None) -> None:
        """`heartbeat` for a plain-function handler (it runs in a thread):
        blocks until sent; raises JobCancelled once the job is stopped."""
        if self._stopped:
            raise JobCancelled(self._why)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            raise RuntimeError("heartbeat_sync blocks: use `await job.heartbeat()` in async code")
        asyncio.run_coroutine_threadsafe(self.heartbeat(progress), self._loop).result()
        if self._stopped:
            raise JobCancelled(self._why)

    async def checkpoint(self, step: str, state: dict[str, Any] | None = None) -> None:
        """Save (or replace) a step's JSON state under this job's lease; a later
        attempt of the action reads it with `checkpoints()`."""
        await self._runtime.client.save_checkpoint(self.id, self.lease_token, step, state)
        self._saved = None

    async def checkpoints(self) -> dict[str, dict[str, Any]]:
        """The state of every step saved by this or an earlier attempt, by step
        name, oldest step first."""
        if self._saved is None:
            found = await self._runtime.client.get_checkpoints(self.id)
            self._saved = {k.step: k.state for k in found}
        return dict(self._saved)

    async def step(self, name: str, run: Callable[[], Awaitable[Any]]) -> Any:
        """Run a step once across attempts: when an earlier attempt completed
        it, return its stored result without running it again; otherwise await
        `run()`, store its result (any JSON value) as the step's checkpoint and
        return it. A retried action thus resumes after its last completed step."""
        saved = await self.checkpoints()
        if name in saved and "result" in saved[name]:
            return saved[name]["result"]
        result = await run()
        await self.checkpoint(name, {"result": result})
        return result

    @property
    def workflow_id(self) -> str | None:
        """The workflow run the action belongs to, if any."""
        return self.action.workflow_id

    async def dependency_results(self) -> dict[int, dict[str, Any] | None]:
        """The results of the actions this one depended on (all completed
        before it was claimed), by id: one GetWorkflow, then GetAction for any
        the run's listing did not carry."""
        wanted = list(self.action.depends_on)
        if not wanted:
            return {}
        client = self._runtime.client
        found: dict[int, dict[str, Any] | None] = {}
        if self.action.workflow_id is not None:
            run = await client.get_workflow(self.action.workflow_id)
            needed = set(wanted)
            found = {a.id: a.result for a in run.actions if a.id in needed}
        for action_id in wanted:
            if action_id not in found:
                found[action_id] = (await client.get(action_id)).result
        return {i: found[i] for i in wanted}

    async def wait_for_signal(
        self, name: str, *, step: str | None = None, timeout: float | timedelta | None = None
    ) -> WakeUp:
        """Wait durably for the signal `name` (at most `timeout`, seconds or a
        timedelta; None: no timeout). Returns the WakeUp (`.payload`, or
        `.timed_out`) when the wait is over: its step woke before (this is a
        re-run after the wake) or a kept signal matches now. Otherwise the
        action starts waiting and `Suspended` ends this run of the handler.
        The step defaults to "signal:<name>"; give distinct steps to wait for
        one name more than once."""
        return await self._suspend(step or f"signal:{name}", name, timeout)

    async def sleep(self, duration: float | timedelta, *, step: str | None = None) -> WakeUp:
        """Sleep durably for `duration` (seconds or a timedelta): the action
        waits on the server without a lease and runs again once the time has
        passed (`Suspended` ends this run); on that re-run the same sleep
        returns its WakeUp (timed_out True) at once. The step defaults to
        "sleep:<n>", n counting the sleeps of this run of the handler from 0,
        so a handler must reach its sleeps in the same order on every run (or
        name them)."""
        if step is None:
            step = f"sleep:{self._sleeps}"
            self._sleeps += 1
        return await self._suspend(step, "", duration)

    async def _suspend(self, step: str, signal: str, timeout: float | timedelta | None) -> WakeUp:
        done = await self._runtime.client.suspend(
            self.id, self.lease_token, step, signal=signal, timeout=timeout
        )
        self._saved = None
        if done.suspended or done.wake is None:
            self._stop(f"waiting ({step})")
            raise Suspended(self.id, step)
        return done.wake

    def _stop(self, why: str) -> None:
        """Mark the job stopped (the first reason given is kept)."""
        self._stopped = True
        self._why = self._why or why

    def __repr__(self) -> str:
        return f"Job(id={self.id}, action_type={self.action_type!r}, attempt={self.attempt})"


class WorkerApp:
    """Handlers by action type, and the loop that claims and runs them.

    `name` identifies the worker (its claims are recorded as
    "<name>:<host>:<pid>" unless `worker_id` is given to `run`) and is the
    validator of payloads its models reject. `concurrency` bounds the handlers
    running at once across all types; each registration may bound its own."""

    def __init__(
        self,
        name: str,
        *,
        queues: Sequence[str] = (),
        project: str = "",
        concurrency: int = 10,
        lease: float = 30.0,
        poll_wait: float = 10.0,
        grace: float = 30.0,
    ) -> None:
        if not name:
            raise ValueError("a WorkerApp needs a name")
        self.name = name
        self.queues = list(queues)
        self.project = project
        self.concurrency = concurrency
        self.lease = lease
        self.poll_wait = poll_wait
        self.grace = grace
        self.handlers: dict[str, HandlerSpec] = {}
        # Actions handled (completed, failed, rejected or stopped) by its runs.
        self.processed = 0
        self._runtime: _Runtime | None = None
        self._stop_requested = False

    def handler(
        self,
        action_type: str,
        *,
        concurrency: int | None = None,
        timeout: float | None = None,
        retry_on: Iterable[type[BaseException]] | type[BaseException] | None = None,
        backoff: Backoff | str | None = None,
        model: type[Any] | None = None,
    ) -> Callable[[HandlerFunction], HandlerFunction]:
        """Register the decorated function for `action_type` (see the module
        docstring for the options). Returns the function unchanged."""
        if action_type in self.handlers:
            raise ValueError(f"action type {action_type!r} already has a handler")
        if concurrency is not None and concurrency < 1:
            raise ValueError(f"concurrency of {action_type!r} must be at least 1")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout of {action_type!r} must be a positive number of seconds")
        if model is not None and not callable(getattr(model, "model_validate", None)):
            raise TypeError(f"model of {action_type!r} must be a pydantic model class")
        if isinstance(retry_on, type):
            retry_on = (retry_on,)
        kinds = tuple(retry_on) if retry_on is not None else None
        policy = Backoff.of(backoff)

        def register(function: HandlerFunction) -> HandlerFunction:
            self.handlers[action_type] = HandlerSpec(
                action_type, function, concurrency, timeout, kinds, policy, model
            )
            return function

        return register

    def stop(self) -> None:
        """Stop claiming now (a long poll in flight is cancelled); `run`
        returns once the handlers in flight finish, or after the grace period
        (then they are cancelled and their actions failed for a retry)."""
        self._stop_requested = True
        if self._runtime is not None:
            self._runtime.stop()

    async def run(
        self,
        client: AsyncClient | None = None,
        *,
        queues: Sequence[str] | None = None,
        concurrency: int | None = None,
        worker_id: str | None = None,
        install_signals: bool = False,
    ) -> None:
        """Claim and handle actions until `stop()` (or SIGTERM/SIGINT with
        `install_signals`). Without a client one is made from ACTIONQ_SERVER
        and closed at the end."""
        if not self.handlers:
            raise ValueError(f"WorkerApp {self.name!r} has no handlers")
        own = client is None
        runtime = _Runtime(
            self,
            client or AsyncClient(),
            queues=list(queues) if queues is not None else self.queues,
            concurrency=concurrency or self.concurrency,
            worker_id=worker_id or f"{self.name}:{socket.gethostname()}:{os.getpid()}",
        )
        self._runtime = runtime
        if self._stop_requested:
            runtime.stop()
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stop)
        try:
            await runtime.run()
        finally:
            self._runtime = None
            self._stop_requested = False
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)
            if own:
                await runtime.client.close()


@dataclass(slots=True)
class _Running:
    """A handler in flight: its job, task, and when it last heartbeated."""

    job: Job[Any]
    task: asyncio.Task[None]
    last_beat: float
    reported: bool = False
    abandoned: bool = False


@dataclass
class _Runtime:
    """One run of a WorkerApp: slots per type, the claim loop, heartbeats."""

    app: WorkerApp
    client: AsyncClient
    queues: list[str]
    concurrency: int
    worker_id: str
    _running: dict[int, _Running] = field(default_factory=dict)
    _busy: dict[str, int] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _freed: asyncio.Event = field(default_factory=asyncio.Event)
    _threads: concurrent.futures.ThreadPoolExecutor | None = None

    def stop(self) -> None:
        self._stopping.set()

    def free_slots(self) -> dict[str, int]:
        """Free slots per action type, each bounded by the app's free slots."""
        total = self.concurrency - len(self._running)
        free: dict[str, int] = {}
        for action_type, spec in self.app.handlers.items():
            own = (spec.concurrency or total) - self._busy.get(action_type, 0)
            if min(own, total) > 0:
                free[action_type] = min(own, total)
        return free

    async def run(self) -> None:
        self._threads = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix=f"actionq-{self.app.name}"
        )
        beats = asyncio.create_task(self._heartbeats())
        try:
            while not self._stopping.is_set():
                for item in await self._claim():
                    self._start(item)
        finally:
            await self._drain()
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
            self._threads.shutdown(wait=False, cancel_futures=True)

    async def _claim(self) -> list[ClaimedAction]:
        """Wait for a free slot, then long-poll for the types that have one.

        One Claim asks for as many actions as the most constrained of those
        types has free slots, so that no type gets more than it can run."""
        free = self.free_slots()
        while not free:
            self._freed.clear()
            if await self._until_stopping(self._freed.wait()) is None:
                return []
            free = self.free_slots()
        queue, queues = "", self.queues
        if len(queues) == 1:
            queue, queues = queues[0], []
        request = self.client.claim(
            self.worker_id,
            queue=queue,
            queues=queues,
            action_types=sorted(free),
            project=self.app.project,
            max_actions=min(free.values()),
            lease=self.app.lease,
            wait=self.app.poll_wait,
        )
        try:
            # A claim the server already answered must still be received, or
            # its actions would stay claimed until their leases expire: on
            # stop it gets a moment to land before it is cancelled (a claim
            # cancelled while the server commits is released by the server).
            claimed = await self._until_stopping(request, settle=CLAIM_SETTLE_SECONDS)
        except ActionqError as exc:
            log.warning("claim failed: %s; retrying in %.0fs", exc, CLAIM_RETRY_PAUSE)
            await self._until_stopping(asyncio.sleep(CLAIM_RETRY_PAUSE))
            return []
        return claimed or []

    async def _until_stopping(self, work: Awaitable[Any], settle: float = 0.0) -> Any:
        """`work`'s result, or None soon after stop() is called: the work gets
        `settle` seconds more to finish, then it is cancelled (a result it
        already had is still returned)."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not task.done() and settle > 0:
            await asyncio.wait({task}, timeout=settle)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ActionqError):
                await task
            if task.cancelled():
                return None
        return task.result()

    def _start(self, item: ClaimedAction) -> None:
        action = item.action
        spec = self.app.handlers.get(action.action_type)
        if spec is None:
            # Only registered types are claimed; a server that ignored the
            # filter would land here.
            log.error("claimed action %s of unregistered type %r", action.id, action.action_type)
            return
        job: Job[Any] = Job(action, item.lease_token, action.payload, self)
        task = asyncio.create_task(self._process(spec, job), name=f"actionq-job-{action.id}")
        self._running[action.id] = _Running(job, task, time.monotonic())
        self._busy[spec.action_type] = self._busy.get(spec.action_type, 0) + 1

    def _finish(self, spec: HandlerSpec, action_id: int) -> None:
        self._running.pop(action_id, None)
        self._busy[spec.action_type] -= 1
        self.app.processed += 1
        self._freed.set()

    async def _process(self, spec: HandlerSpec, job: Job[Any]) -> None:
        try:
            with continued(job.action):
                await self._settle(spec, job)
        finally:
            self._finish(spec, job.id)

    async def _settle(self, spec: HandlerSpec, job: Job[Any]) -> None:
        """Validate, run the handler under its timeout, and report how it ended."""
        if spec.model is not None:
            try:
                job.payload = spec.model.model_validate(job.action.payload)
            except Exception as exc:
                reason = _validation_reason(spec.model, exc)
                await self._report(job, self._reject, job, reason, self.app.name)
                return
        try:
            async with asyncio.timeout(spec.timeout) as limit:
                value = await self._invoke(spec, job)
            outcome = as_result(value)
        except Suspended as waiting:
            log.info("action %s: %s", job.id, waiting)
            return
        except asyncio.CancelledError:
            running = self._running.get(job.id)
            if running is not None and running.abandoned:
                reason = "the worker stopped before the handler finished"
                await self._report(job, self._fail, job, reason, retry_delay=0.0)
                return
            if job._stopped:
                log.info("action %s: handler stopped (%s)", job.id, job._why)
                return
            raise
        except TimeoutError as exc:
            failure: Exception = exc
            if limit.expired():
                job._stop(f"timed out after {spec.timeout:g}s")
                failure = TimeoutError(f"the handler timed out after {spec.timeout:g}s")
            await self._report_failure(spec, job, failure)
            return
        except Exception as exc:
            await self._report_failure(spec, job, exc)
            return
        await self._report(
            job,
            self.client.complete,
            job.id,
            job.lease_token,
            result_ref=outcome.ref,
            result=outcome.data,
        )

    async def _invoke(self, spec: HandlerSpec, job: Job[Any]) -> Any:
        if spec.is_async:
            return await spec.function(job)
        loop = asyncio.get_running_loop()
        # The thread runs in this task's context (its trace span, for one).
        context = contextvars.copy_context()
        return await loop.run_in_executor(
            self._threads, functools.partial(context.run, spec.function, job)
        )

    async def _report_failure(self, spec: HandlerSpec, job: Job[Any], exc: Exception) -> None:
        reason = failure_reason(exc)
        if isinstance(exc, Reject):
            await self._report(job, self._reject, job, reason, exc.validator or self.app.name)
        elif isinstance(exc, RetryIn):
            await self._report(job, self._fail, job, reason, retry_delay=exc.seconds)
        elif isinstance(exc, FailNoRetry) or not spec.retries(exc):
            await self._report(job, self._fail, job, reason, no_retry=True)
        else:
            delay = spec.backoff.delay(job.attempt) if spec.backoff is not None else None
            await self._report(job, self._fail, job, reason, retry_delay=delay)

    async def _fail(
        self,
        job: Job[Any],
        reason: str,
        *,
        retry_delay: float | None = None,
        no_retry: bool = False,
    ) -> None:
        await self.client.fail(
            job.id, job.lease_token, reason=reason, retry_delay=retry_delay, no_retry=no_retry
        )

    async def _reject(self, job: Job[Any], reason: str, validator: str) -> None:
        await self.client.reject(job.id, job.lease_token, reason=reason, validator=validator)

    async def _report(
        self, job: Job[Any], call: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
    ) -> None:
        """Send an outcome; a refusal (the lease was lost meanwhile) is logged."""
        try:
            await call(*args, **kwargs)
        except ActionqError as exc:
            log.warning("could not report the outcome of action %s: %s", job.id, exc)

    async def beat(self, job: Job[Any], progress: dict[str, Any] | None = None) -> None:
        """Heartbeat one job; stop it when the action was cancelled or lost."""
        try:
            answer = await self.client.heartbeat(
                job.id, job.lease_token, self.app.lease, progress=progress
            )
        except ActionqError as exc:
            log.warning("heartbeat of action %s failed: %s", job.id, exc)
            if isinstance(exc, FailedPrecondition | NotFound):
                self._halt(job, "its lease was lost")
            return
        running = self._running.get(job.id)
        if running is not None:
            running.last_beat = time.monotonic()
        if answer.cancelled:
            self._halt(job, "the action was cancelled")
        else:
            job.deadline = answer.claim_deadline

    def _halt(self, job: Job[Any], why: str) -> None:
        """Stop a job's handler without reporting anything (also when the
        handler's own heartbeat learned it: its next await raises)."""
        job._stop(why)
        running = self._running.get(job.id)
        if running is not None:
            running.task.cancel()

    async def _heartbeats(self) -> None:
        """One loop for every job: each running longer than lease/3 since its
        last beat gets one."""
        every = self.app.lease / 3
        while True:
            await asyncio.sleep(every / 2)
            now = time.monotonic()
            due = [r.job for r in self._running.values() if now - r.last_beat >= every]
            if due:
                await asyncio.gather(*(self.beat(job) for job in due))

    async def _drain(self) -> None:
        """Let handlers in flight finish within the grace period, then cancel
        the rest and fail them for a retry."""
        tasks = {r.task for r in self._running.values()}
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=self.app.grace)
        for running in list(self._running.values()):
            if running.task in late:
                running.abandoned = True
                running.job._stop("the worker is stopping")
                running.task.cancel()
        if late:
            await asyncio.wait(late, timeout=self.app.grace + 10)


def _validation_reason(model: type[Any], exc: Exception) -> str:
    """A pydantic ValidationError as one line naming each bad field."""
    errors = getattr(exc, "errors", None)
    details: list[str] = []
    if callable(errors):
        with contextlib.suppress(Exception):
            for error in errors():
                where = ".".join(str(part) for part in error.get("loc", ())) or "payload"
                details.append(f"{where}: {error.get('msg', 'invalid')}")
    text = "; ".join(details) or f"{type(exc).__name__}: {exc}"
    return clip_reason(f"payload does not match {model.__name__}: {text}")
