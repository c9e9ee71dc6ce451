"""Long-polling claims and live event following on top of the store.

Waiting costs nothing per waiter: claims sleep until the listener says their
queue has work (a NOTIFY), or until their queue's due timer fires (one timer
per queue and server, set from the notifications and, once per queue, from
the table); watchers sleep until the readable end of the log moves, which one
follower per server tracks. A slow safety check per server catches what a
lost notification would miss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from .domain.errors import DeadlineExceeded, OutOfRange, action_not_found
from .domain.models import (
    FINISHING_EVENT_TYPES,
    TERMINAL_STATUSES,
    Action,
    Claimed,
    ClaimSpec,
    EventFilter,
    EventPage,
    LogPosition,
)
from .store.notify import Listener
from .store.repository import Store

log = logging.getLogger(__name__)

LOG_KEY = "log"
FOLLOWER_KEY = "follower"
FINISH_KEY = "finish"
# Finishing events the finish follower reads at once.
FINISH_BATCH = 1000
# How long a watcher that just delivered events lets the next ones gather (one
# read and one message carry them, instead of one per commit).
BUSY_COALESCE_SECONDS = 0.010
# When a due timer fires, waiters are woken now and once more a little later,
# covering the error of the database-to-local clock offset.
DUE_TAPS = (0.002, 0.025)
# How often a server checks that no queue it has waiters on holds due work.
SAFETY_CHECK_SECONDS = 2.0
# How long the log must stay quiet, while committed events wait behind an older
# open transaction, before the follower re-reads the horizon (doubling up to
# the maximum).
HELD_BACK_POLL = (0.010, 0.2)


class DueTimers:
    """One timer per queue, set to the earliest known time its work falls due.

    Only the earliest time is kept (memory is one entry per queue): after a
    timer fires, the next waiter on the queue reads the next time from the
    table (see QueueService._learn_due).
    """

    def __init__(self, wake: Callable[[str], None]) -> None:
        self._wake = wake
        self._due: dict[str, float] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.fired: set[str] = set()

    def add(self, queue: str, when: float) -> None:
        """Remember that work in `queue` falls due at `when` (time.time() clock)."""
        if queue in self._due and self._due[queue] <= when:
            return
        self._due[queue] = when
        loop = asyncio.get_running_loop()
        handle = self._timers.pop(queue, None)
        if handle is not None:
            handle.cancel()
        delay = max(0.0, when - time.time()) + DUE_TAPS[0]
        self._timers[queue] = loop.call_later(delay, self._fire, queue)

    def _fire(self, queue: str) -> None:
        loop = asyncio.get_running_loop()
        self._timers.pop(queue, None)
        self._due.pop(queue, None)
        self.fired.add(queue)
        self._wake(queue)
        loop.call_later(DUE_TAPS[1] - DUE_TAPS[0], self._wake, queue)

    def clear(self) -> None:
        """Forget every time (the listener reconnected; they are learned again)."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._due.clear()


class QueueService:
    """The waiting parts of the API; everything else goes straight to the store."""

    def __init__(self, store: Store, listener: Listener) -> None:
        self.store = store
        self.listener = listener
        self._closing = asyncio.Event()
        self.timers = DueTimers(listener.work.wake)
        # Queues whose next due time was read from the table since the listener
        # last (re)connected; the notifications keep it current from then on.
        self._learned: set[str] = set()
        self._watchers = 0
        self._horizon = LogPosition.start()
        listener.on_due = self.timers.add
        listener.on_connect = self._relearn
        self._tasks: list[asyncio.Task[None]] = []
        # WaitAction: the waiters of each action id, and where the finish
        # follower reads the log (None while nobody waits).
        self._finish_waiters: dict[int, set[asyncio.Event]] = {}
        self._finish_cursor: LogPosition | None = None

    def start(self) -> None:
        """Start the per-server loops: the log follower and the safety check."""
        self._tasks = [
            asyncio.create_task(self._follow_log(), name="actionq-log-follower"),
            asyncio.create_task(self._check_waiters(), name="actionq-safety-check"),
            asyncio.create_task(self._follow_finishes(), name="actionq-finish-follower"),
        ]

    async def stop(self) -> None:
        """Stop the per-server loops."""
        self.close()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def close(self) -> None:
        """Release every waiter: claims return what they have, watches end."""
        self._closing.set()

    @property
    def closing(self) -> bool:
        """True once the server is draining."""
        return self._closing.is_set()

    def _relearn(self) -> None:
        self.timers.clear()
        self._learned.clear()

    async def claim(self, spec: ClaimSpec) -> list[Claimed]:
        """Claim now, or wait up to spec.wait_seconds for work to arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + spec.wait_seconds
        while True:
            armed = [self.listener.work.arm(q) for q in spec.queues]
            claimed = await self._claim_or_release(spec)
            remaining = deadline - loop.time()
            if claimed or remaining <= 0 or self.closing:
                return claimed
            for queue in spec.queues:
                await self._learn_due(queue)
            # A limited queue's freed slot wakes its claimers by notification;
            # a rate limit's next token does not: look again by then (<= 1 s).
            recheck = await self.store.limits.recheck_seconds(spec.queues)
            await self._wait_any(armed, remaining if recheck is None else min(remaining, recheck))

    async def _claim_or_release(self, spec: ClaimSpec) -> list[Claimed]:
        """Claim; when the call is cancelled while the claim runs (its caller
        went away), let the claim finish and put back what it took, so that no
        lease is left to expire unreceived and use up an attempt."""
        claiming = asyncio.ensure_future(self.store.claim(spec))
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                claimed = await claiming
                if claimed:
                    released = await self.store.release(claimed, spec.worker)
                    log.info("released %d unreceived claims of %s", len(released), spec.worker)
            raise

    async def _learn_due(self, queue: str) -> None:
        """Read once when the queue's delayed work falls due; a fired timer is
        followed by another read, which finds the next time."""
        if queue in self.timers.fired:
            self.timers.fired.discard(queue)
            self._learned.discard(queue)
        if queue in self._learned:
            return
        self._learned.add(queue)
        try:
            due = await self.store.next_due(queue)
        except Exception:
            self._learned.discard(queue)
            raise
        if due is not None:
            self.timers.add(queue, self.listener.local_time(due))

    async def watch(
        self, after: LogPosition, where: EventFilter, max_batch: int, *, from_end: bool
    ) -> AsyncIterator[EventPage]:
        """Pages of events after the position, forever, until the server closes."""
        cursor = (await self.store.horizon())[0] if from_end else after
        self._watchers += 1
        self.listener.events.wake(FOLLOWER_KEY)
        loop = asyncio.get_running_loop()
        try:
            while not self.closing:
                armed = self.listener.events.arm(LOG_KEY)
                read_at = loop.time()
                page = await self.store.list_events(cursor, where, max_batch)
                cursor = page.next_cursor
                if page.events:
                    yield page
                if len(page.events) < max_batch:
                    await self._wait(armed, None)
                    # A busy log wakes a watcher at every commit, and most reads
                    # would find little or nothing (held back by transactions
                    # in flight): read at most once per interval, so that one
                    # read and one message carry many commits.
                    rest = BUSY_COALESCE_SECONDS - (loop.time() - read_at)
                    if rest > 0:
                        await asyncio.sleep(rest)
        finally:
            self._watchers -= 1

    async def _follow_log(self) -> None:
        """Wake watchers when the readable end of the log moves while nobody
        else would: committed events waiting behind an older open transaction
        that ends without writing an event (so without a notification).

        While the log is busy, every commit's notification wakes the watchers,
        which read for themselves; the follower reads the horizon (one query per
        server, not per watcher) only when it has gone quiet for a poll interval
        with events still held back, doubling the interval up to its maximum.
        """
        poll = HELD_BACK_POLL[0]
        held_back = False
        while not self.closing:
            armed = self.listener.events.arm(FOLLOWER_KEY)
            if not self._watchers:
                await self._wait(armed, None)
                continue
            if held_back:
                if await self._wait(armed, poll):
                    continue
                poll = min(poll * 2, HELD_BACK_POLL[1])
            else:
                await self._wait(armed, None)
                poll = HELD_BACK_POLL[0]
            try:
                horizon, held_back = await self.store.horizon()
            except Exception as exc:
                log.warning("log follower: %s", exc)
                held_back, horizon = True, self._horizon
            if horizon > self._horizon:
                self._horizon = horizon
                self.listener.events.wake(LOG_KEY)

    async def _check_waiters(self) -> None:
        """Now and then, wake the waiters of any queue that holds due work."""
        while not self.closing:
            await asyncio.sleep(SAFETY_CHECK_SECONDS)
            queues = self.listener.work.keys()
            if not queues:
                continue
            try:
                for queue in await self.store.due_queues(queues):
                    self.listener.work.wake(queue)
            except Exception as exc:
                log.warning("safety check: %s", exc)

    async def wait_finished(self, ids: list[int], timeout: float) -> list[Action]:
        """The actions, once every one is in a terminal status; DeadlineExceeded
        when `timeout` passes first. Woken by the finish follower, which reads
        the log's finishing events once per server for every waiter."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        woken = asyncio.Event()
        wanted = set(ids)
        for i in wanted:
            self._finish_waiters.setdefault(i, set()).add(woken)
        self._watchers += 1
        try:
            if self._finish_cursor is None:
                # Taken before the first read of the actions: whatever finishes
                # after that read writes its event after this position.
                position, _ = await self.store.horizon()
                if self._finish_cursor is None:
                    self._finish_cursor = position
                self.listener.events.wake(FINISH_KEY)
            while True:
                woken.clear()
                found = await self.store.get_many(ids)
                for i in ids:
                    if i not in found:
                        raise action_not_found(i, field="ids")
                if all(found[i].status in TERMINAL_STATUSES for i in wanted):
                    return [found[i] for i in ids]
                remaining = deadline - loop.time()
                if remaining <= 0 or self.closing:
                    waiting = sorted(i for i in wanted if found[i].status not in TERMINAL_STATUSES)
                    raise DeadlineExceeded(
                        f"timeout: {len(waiting)} of the actions did not finish in time "
                        f"(still unfinished: {', '.join(map(str, waiting[:10]))})"
                    )
                await self._wait(woken, remaining)
        finally:
            self._watchers -= 1
            for i in wanted:
                waiters = self._finish_waiters.get(i)
                if waiters is not None:
                    waiters.discard(woken)
                    if not waiters:
                        del self._finish_waiters[i]

    async def _follow_finishes(self) -> None:
        """Read the log's finishing events of the actions someone waits for, and
        wake their waiters: one read per server whatever the number of waiters."""
        loop = asyncio.get_running_loop()
        while not self.closing:
            armed = self.listener.events.arm(LOG_KEY)
            if not self._finish_waiters or self._finish_cursor is None:
                self._finish_cursor = None
                await self._wait(self.listener.events.arm(FINISH_KEY), None)
                continue
            read_at = loop.time()
            watched = list(self._finish_waiters)
            where = EventFilter(action_ids=watched, event_types=list(FINISHING_EVENT_TYPES))
            try:
                page = await self.store.list_events(self._finish_cursor, where, FINISH_BATCH)
            except OutOfRange:
                # Retention dropped events the follower had not read: read on
                # from the end, and every waiter reads its actions again (what
                # finished before the end is in that read).
                try:
                    self._finish_cursor = (await self.store.horizon())[0]
                except Exception as exc:
                    log.warning("finish follower: %s", exc)
                    await self._wait(armed, SAFETY_CHECK_SECONDS)
                    continue
                for waiters in list(self._finish_waiters.values()):
                    for waiter in waiters:
                        waiter.set()
                continue
            except Exception as exc:
                log.warning("finish follower: %s", exc)
                await self._wait(armed, SAFETY_CHECK_SECONDS)
                continue
            if self._finish_cursor is not None:
                self._finish_cursor = page.next_cursor
            for e in page.events:
                for waiter in self._finish_waiters.get(e.action_id or 0, ()):
                    waiter.set()
            # Waiters that arrived during the read were not in its filter, and
            # the cursor moved past what it skipped: they read their actions
            # again (anything that finished up to here is in that read).
            for i in set(self._finish_waiters).difference(watched):
                for waiter in self._finish_waiters[i]:
                    waiter.set()
            if len(page.events) < FINISH_BATCH:
                await self._wait(armed, SAFETY_CHECK_SECONDS)
                rest = BUSY_COALESCE_SECONDS - (loop.time() - read_at)
                if rest > 0:
                    await asyncio.sleep(rest)

    async def _wait(self, armed: asyncio.Event, timeout: float | None) -> bool:
        """Wait until `armed` is set, the server closes or `timeout` passes;
        True when `armed` was set."""
        return await self._wait_any([armed], timeout)

    async def _wait_any(self, armed: list[asyncio.Event], timeout: float | None) -> bool:
        """Wait until one of `armed` is set, the server closes or `timeout`
        passes; True when one of `armed` was set."""
        closing = asyncio.ensure_future(self._closing.wait())
        woken = [asyncio.ensure_future(a.wait()) for a in armed]
        try:
            await asyncio.wait({closing, *woken}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            for task in (closing, *woken):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return any(a.is_set() for a in armed)
