"""The scheduler loop every server replica runs: it sleeps until the earliest
tick of a running schedule (database time), at most MAX_SLEEP_SECONDS so that
new and changed schedules are seen, and fires what is due. Replicas do not
elect a leader: each tick is claimed by a compare-and-set on its schedule's
row, in the transaction that enqueues it (store.schedules)."""

from __future__ import annotations

import asyncio
import logging

from .store.schedules import ScheduleStore

log = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 1.0
# After a failure (database unreachable), wait this long before trying again.
RETRY_SECONDS = 1.0
# When every due tick was another replica's to fire.
CONTENDED_SECONDS = 0.05


async def run_forever(schedules: ScheduleStore, max_sleep: float = MAX_SLEEP_SECONDS) -> None:
    """Fire due ticks until cancelled."""
    while True:
        try:
            now, earliest = await schedules.wake()
            if earliest is not None and earliest <= now:
                if await schedules.fire_due():
                    continue
                # Another replica holds the due rows: look again shortly.
                await asyncio.sleep(CONTENDED_SECONDS)
                continue
            pause = max_sleep
            if earliest is not None:
                pause = min(max_sleep, (earliest - now).total_seconds())
        except Exception as exc:
            log.warning("scheduler: %s", exc)
            pause = RETRY_SECONDS
        await asyncio.sleep(max(pause, 0.001))
