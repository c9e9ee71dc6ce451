"""Long-polling claims and live event following on top of the store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from .domain.models import Claimed, ClaimSpec, EventFilter, EventPage
from .store.notify import Listener
from .store.repository import Store

# How often a waiter polls on its own, in case a notification is lost.
FALLBACK_POLL_SECONDS = 1.0
LOG_KEY = "log"
# How long a watcher that just delivered events lets the next ones gather.
BUSY_COALESCE_SECONDS = 0.005


class QueueService:
    """The waiting parts of the API; everything else goes straight to the store."""

    def __init__(self, store: Store, listener: Listener) -> None:
        self.store = store
        self.listener = listener
        self._closing = asyncio.Event()

    def close(self) -> None:
        """Release every waiter: claims return what they have, watches end."""
        self._closing.set()

    @property
    def closing(self) -> bool:
        """True once the server is draining."""
        return self._closing.is_set()

    async def claim(self, spec: ClaimSpec) -> list[Claimed]:
        """Claim now, or wait up to spec.wait_seconds for work to arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + spec.wait_seconds
        while True:
            armed = self.listener.work.arm(spec.queue)
            claimed = await self.store.claim(spec)
            remaining = deadline - loop.time()
            if claimed or remaining <= 0 or self.closing:
                return claimed
            await self._wait(armed, min(remaining, FALLBACK_POLL_SECONDS))

    async def watch(
        self, after: int, where: EventFilter, max_batch: int, *, from_end: bool
    ) -> AsyncIterator[EventPage]:
        """Pages of events after the cursor, forever, until the server closes."""
        cursor = await self.store.high_water() if from_end else after
        while not self.closing:
            armed = self.listener.events.arm(LOG_KEY)
            page = await self.store.list_events(cursor, where, max_batch)
            cursor = page.next_cursor
            if page.events:
                yield page
            if len(page.events) < max_batch:
                await self._wait(armed, FALLBACK_POLL_SECONDS)
                if page.events:
                    # The log is busy: let a few more commits land so that one
                    # read and one message carry them, instead of one per commit.
                    await asyncio.sleep(BUSY_COALESCE_SECONDS)

    async def _wait(self, armed: asyncio.Event, timeout: float) -> None:
        closing = asyncio.ensure_future(self._closing.wait())
        woken = asyncio.ensure_future(armed.wait())
        try:
            await asyncio.wait({closing, woken}, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            for task in (closing, woken):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
