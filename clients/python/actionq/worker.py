"""Worker: claims actions, runs a handler on each with heartbeats, reports the end.

    async def handle(action: Action) -> Result:
        return Result(ref=f"thumbs/{action.target_ref}", data={"width": action.payload["width"]})

    await Worker(AsyncClient(), handle, name="worker:1", action_types=["resize"]).run()

Handlers receive the typed `Action` record (its payload a dict). Returning
normally completes the action: a `Result`, a str (used as result_ref), a dict
(the JSON result) or None; raising fails it with the error text (retried per
the action's policy), and `Reject`, `FailNoRetry` and `RetryIn` choose the end
(see `actionq.outcomes`). When a heartbeat reports the action cancelled, or
its lease lost, the handler task is cancelled and nothing is reported.
`stop()` (or SIGTERM/SIGINT under `run(install_signals=True)`) stops claiming
at once (a long poll in flight is cancelled) and waits for handlers in flight.

For a worker with several action types, each with its own concurrency,
timeout, retry rules and payload model, see `actionq.app.WorkerApp`.
Completions travel in batches through CompleteMany; a refused item's error
(e.g. `StaleLease`) is logged with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Handler", "Result", "Worker"]

from ._async_client import AsyncClient
from ._wire import completion
from .errors import ActionqError, FailedPrecondition, NotFound
from .outcomes import FailNoRetry, Reject, Result, RetryIn, as_result, failure_reason
from .records import Action, ClaimedAction
from .v1 import service_pb2 as spb

log = logging.getLogger(__name__)

Handler = Callable[[Action], Awaitable[Any] | Any]


def _completion(action_id: int, token: str, value: Any) -> spb.CompleteRequest:
    """The completion of a handler's return value; raises when it cannot be
    reported (a type it does not know, a result JSON cannot carry)."""
    outcome = as_result(value)
    return completion(action_id, token, result_ref=outcome.ref, result=outcome.data)


class Worker:
    """Runs `handler` over claimed actions, `concurrency` at a time."""

    def __init__(
        self,
        client: AsyncClient,
        handler: Handler,
        *,
        name: str,
        queue: str = "",
        action_types: Iterable[str] = (),
        project: str = "",
        concurrency: int = 4,
        lease: float = 30.0,
        poll_wait: float = 10.0,
        grace: float = 30.0,
        batch_window: float = 0.002,
    ) -> None:
        self.client = client
        self.handler = handler
        self.name = name
        self.queue = queue
        self.action_types = list(action_types)
        self.project = project
        self.concurrency = concurrency
        self.lease = lease
        self.poll_wait = poll_wait
        self.grace = grace
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._handling = 0
        self._reports = asyncio.Semaphore(concurrency)
        self._outbox = _Outbox(client, batch_window)
        self._jobs: dict[int, _Job] = {}
        self._freed = asyncio.Event()
        self.batch_window = batch_window
        self.processed = 0

    def stop(self) -> None:
        """Stop claiming; `run` returns once handlers in flight have finished."""
        self._stopping.set()

    async def run(self, *, install_signals: bool = False) -> None:
        """Claim and process until `stop()`."""
        loop = asyncio.get_running_loop()
        if install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stop)
        self._outbox.start()
        beats = asyncio.create_task(self._heartbeats())
        try:
            while not self._stopping.is_set():
                claimed = await self._claim()
                for item in claimed:
                    await self._slots.acquire()
                    self._handling += 1
                    task = asyncio.create_task(self._process(item.action, item.lease_token))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
        finally:
            if self._running:
                _, late = await asyncio.wait(self._running, timeout=self.grace)
                for task in late:
                    task.cancel()
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
            await self._outbox.stop()
            if install_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(sig)

    async def _claim(self) -> list[ClaimedAction]:
        """Wait for a free slot, then long-poll; return early when stopping."""
        await self._slots.acquire()
        self._slots.release()
        await self._gather_slots()
        free = max(1, self._free())
        claim = asyncio.ensure_future(
            self.client.claim(
                self.name,
                queue=self.queue,
                action_types=self.action_types,
                project=self.project,
                max_actions=free,
                lease=self.lease,
                wait=self.poll_wait,
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({claim, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not claim.done():
            # Stopping while the claim long-polls: cancel it rather than wait
            # out the poll.
            claim.cancel()
            with contextlib.suppress(asyncio.CancelledError, ActionqError):
                return await claim
            return []
        try:
            return claim.result()
        except ActionqError as exc:
            log.warning("claim failed: %s; retrying", exc)
            await asyncio.sleep(1.0)
            return []

    def _free(self) -> int:
        return self.concurrency - self._handling

    async def _gather_slots(self) -> None:
        """While busy, claim in larger batches: wait briefly until half the slots
        are free, so that one Claim carries many actions instead of a few."""
        deadline = time.monotonic() + self.batch_window * 2
        while self._handling and self._free() < self.concurrency // 2:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._freed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._freed.wait(), remaining)

    async def _process(self, action: Action, token: str) -> None:
        """Run the handler in this task (the heartbeat loop may cancel it), then
        report the outcome. The handler's slot frees as soon as the handler ends,
        so the next claim need not wait for the report's acknowledgement; at most
        `concurrency` reports are in flight, which holds the worker back when the
        server acknowledges slowly."""
        job = _Job(token, asyncio.current_task(), time.monotonic())  # type: ignore[arg-type]
        self._jobs[action.id] = job
        # Built only once a report permit is held, so that a task cancelled while
        # waiting for one leaves no coroutine behind that was never awaited.
        report: Callable[[], Awaitable[Any]] | None = None
        try:
            try:
                done = _completion(action.id, token, await self._invoke(action))
            except asyncio.CancelledError:
                if job.cancelled:
                    log.info("action %s was cancelled; handler stopped", action.id)
                    return
                raise
            except Exception as exc:
                report = self._failure(action.id, token, exc)
            else:
                report = functools.partial(self._outbox.complete, done)
            await self._reports.acquire()
        finally:
            del self._jobs[action.id]
            self._handling -= 1
            self._slots.release()
            self._freed.set()
            if report is None:
                self.processed += 1
        try:
            await self._report(action.id, report())
        finally:
            self._reports.release()
            self.processed += 1

    def _failure(self, action_id: int, token: str, exc: Exception) -> Callable[[], Awaitable[Any]]:
        """The report of a handler that raised: reject, fail for good, fail with
        a chosen delay, or fail for a retry under the action's policy."""
        reason = failure_reason(exc)
        if isinstance(exc, Reject):
            validator = exc.validator or self.name
            return functools.partial(
                self.client.reject, action_id, token, reason=reason, validator=validator
            )
        if isinstance(exc, FailNoRetry):
            return functools.partial(
                self.client.fail, action_id, token, reason=reason, no_retry=True
            )
        if isinstance(exc, RetryIn):
            return functools.partial(
                self.client.fail, action_id, token, reason=reason, retry_delay=exc.seconds
            )
        return functools.partial(self.client.fail, action_id, token, reason=reason)

    async def _invoke(self, action: Action) -> Any:
        if inspect.iscoroutinefunction(self.handler):
            return await self.handler(action)
        return await asyncio.to_thread(self.handler, action)

    async def _heartbeats(self) -> None:
        """One loop for every action in flight: each running longer than lease/3
        since its last beat gets one; a cancelled or lost action's task is cancelled.
        Handlers that finish quickly never cost a heartbeat."""
        every = self.lease / 3
        while True:
            await asyncio.sleep(every / 2)
            now = time.monotonic()
            due = [(i, j) for i, j in self._jobs.items() if now - j.last_beat >= every]
            if due:
                await asyncio.gather(*(self._beat(i, j) for i, j in due))

    async def _beat(self, action_id: int, job: _Job) -> None:
        try:
            response = await self.client.heartbeat(action_id, job.token, self.lease)
        except ActionqError as exc:
            log.warning("heartbeat of action %s failed: %s", action_id, exc)
            if isinstance(exc, FailedPrecondition | NotFound):
                job.stop()
            return
        job.last_beat = time.monotonic()
        if response.cancelled:
            job.stop()

    @staticmethod
    async def _report(action_id: int, call: Awaitable[Any]) -> None:
        try:
            await call
        except ActionqError as exc:
            log.warning("could not report the outcome of action %s: %s", action_id, exc)


@dataclass(slots=True)
class _Job:
    """An action being handled: its lease, its task, when it last heartbeated."""

    token: str
    task: asyncio.Task[None]
    last_beat: float
    cancelled: bool = False

    def stop(self) -> None:
        """The action was cancelled or its lease lost: stop the handler, report nothing."""
        self.cancelled = True
        self.task.cancel()


# A completion waiting to be sent, and the future its worker task awaits.
_Pending = tuple[spb.CompleteRequest, asyncio.Future[None]]


class _Outbox:
    """Collects completions for `window` seconds and sends them in one CompleteMany."""

    MAX_BATCH = 1000

    def __init__(self, client: AsyncClient, window: float) -> None:
        self._client = client
        self._window = window
        self._queue: list[_Pending] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def complete(self, request: spb.CompleteRequest) -> None:
        """Queue one completion; returns once it was sent (raises the typed
        error, e.g. `StaleLease`, if the server refused it)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((request, done))
        self._ready.set()
        await done

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._send_all()

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            if len(self._queue) < self.MAX_BATCH:
                await asyncio.sleep(self._window)
            await self._send_all()

    async def _send_all(self) -> None:
        while self._queue:
            batch, self._queue = self._next_batch(self._queue)
            if not self._queue:
                self._ready.clear()
            try:
                response = await self._client.complete_many(r for r, _ in batch)
            except ActionqError as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            refused = {f.id: f for f in response.failures}
            for request, done in batch:
                if done.done():
                    continue
                failure = refused.get(request.id)
                if failure is None:
                    done.set_result(None)
                else:
                    done.set_exception(failure.error())
        self._ready.clear()

    @classmethod
    def _next_batch(cls, queue: list[_Pending]) -> tuple[list[_Pending], list[_Pending]]:
        """Up to MAX_BATCH items with distinct ids, and the rest. The server refuses
        a batch naming an id twice, which can happen when a lease expired and this
        worker claimed the same action again before the first report went out."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        ids: set[int] = set()
        for item in queue:
            if len(batch) < cls.MAX_BATCH and item[0].id not in ids:
                ids.add(item[0].id)
                batch.append(item)
            else:
                rest.append(item)
        return batch, rest
