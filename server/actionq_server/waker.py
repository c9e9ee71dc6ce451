"""The waker loop every server replica runs: it ends the waits whose timeout
passed (durable sleeps, and signal waits with a timeout), then sleeps until
the earliest remaining timeout (database time), at most MAX_SLEEP_SECONDS so
that waits stored through other replicas are seen; a Suspend with a timeout
stored through this server wakes it at once (Waker.poke). Replicas need no
leader: each waiter is taken with FOR UPDATE SKIP LOCKED in the statement that
wakes it. Once a minute it also deletes the signals no longer kept."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .store.signals import TIMEOUT_BATCH, SignalStore

log = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 1.0
# After a failure (database unreachable), wait this long before trying again.
RETRY_SECONDS = 1.0
# How often signals past their keep are deleted.
PRUNE_EVERY_SECONDS = 60.0


class Waker:
    """Wakes timed-out waiters promptly; poke() when a new timeout is stored."""

    def __init__(self, signals: SignalStore, max_sleep: float = MAX_SLEEP_SECONDS) -> None:
        self._signals = signals
        self._max_sleep = max_sleep
        self._poked = asyncio.Event()

    def poke(self) -> None:
        """A wait with a timeout was stored: look at the timeouts again now."""
        self._poked.set()

    async def run_forever(self) -> None:
        """Wake timed-out waiters until cancelled."""
        loop = asyncio.get_running_loop()
        pruned_at = loop.time() - PRUNE_EVERY_SECONDS
        while True:
            self._poked.clear()
            try:
                while await self._signals.wake_timed_out() >= TIMEOUT_BATCH:
                    await asyncio.sleep(0)
                if loop.time() - pruned_at >= PRUNE_EVERY_SECONDS:
                    pruned_at = loop.time()
                    await self._signals.prune()
                now, earliest = await self._signals.next_timeout()
                pause = self._max_sleep
                if earliest is not None:
                    pause = min(pause, (earliest - now).total_seconds())
            except Exception as exc:
                log.warning("waker: %s", exc)
                pause = RETRY_SECONDS
            if pause > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._poked.wait(), timeout=pause)
            else:
                # The earliest is due but was held by another replica (or
                # came due between the statements): look again shortly.
                await asyncio.sleep(0.01)
