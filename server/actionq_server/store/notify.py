"""LISTEN/NOTIFY on one dedicated connection. Notifications only wake waiters;
after any reconnect every waiter is woken so that it polls and closes a gap.

A work notification is `queue` when work is due now, or `queue epoch` when it
falls due at that database time; the latter goes to `on_due` with the time on
this process's wall clock (corrected for the database clock's offset), so that
one timer per queue can wake waiters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

import asyncpg

from .sql import query

log = logging.getLogger(__name__)

ALL = "*"


class Wakeups:
    """One-shot wake-up events per key; `ALL` wakes every key's waiters."""

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}

    def arm(self, key: str) -> asyncio.Event:
        """The event the next wake-up of `key` will set; take it before polling."""
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = asyncio.Event()
        return event

    def keys(self) -> list[str]:
        """The keys someone is waiting on."""
        return list(self._events)

    def wake(self, key: str) -> None:
        """Wake the waiters of `key` (or of every key for ALL)."""
        if key == ALL:
            events, self._events = list(self._events.values()), {}
        else:
            popped = self._events.pop(key, None)
            events = [popped] if popped else []
        for event in events:
            event.set()


class Listener:
    """Keeps one LISTEN connection alive and turns notifications into wake-ups."""

    def __init__(
        self,
        connect: Callable[[], asyncpg.connection.Connection],
        schema: str,
        *,
        retry_seconds: float = 0.5,
    ) -> None:
        self._connect = connect
        self.work = Wakeups()
        self.events = Wakeups()
        self._channels = {f"{schema}.work": self._on_work, f"{schema}.events": self._on_events}
        self._retry = retry_seconds
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self.connected = asyncio.Event()
        # Database clock minus this process's wall clock, measured at each connect.
        self._offset = 0.0
        self.on_due: Callable[[str, float], None] = lambda _queue, _when: None
        self.on_connect: Callable[[], None] = lambda: None

    def local_time(self, value: datetime) -> float:
        """A database timestamp on this process's wall clock (time.time())."""
        return value.timestamp() - self._offset

    def _on_work(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        queue, _, epoch = payload.partition(" ")
        if not epoch:
            self.work.wake(queue)
            return
        try:
            self.on_due(queue, float(epoch) - self._offset)
        except ValueError:
            log.warning("unexpected work notification %r", payload)

    def _on_events(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        self.events.wake(ALL)

    async def start(self) -> None:
        """Connect and keep reconnecting in the background."""
        self._task = asyncio.create_task(self._run(), name="actionq-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), timeout=10)

    async def _run(self) -> None:
        while True:
            try:
                conn = await self._connect()
                self._conn = conn
                self._lost.clear()
                conn.add_termination_listener(lambda _c: self._lost.set())
                for channel, callback in self._channels.items():
                    await conn.add_listener(channel, callback)
                await self._measure_offset(conn)
                self.connected.set()
                self.on_connect()
                self.work.wake(ALL)
                self.events.wake(ALL)
                await self._watch(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("listener connection failed: %s; retrying", exc)
            self.connected.clear()
            self.work.wake(ALL)
            self.events.wake(ALL)
            await asyncio.sleep(self._retry)

    async def _measure_offset(self, conn: asyncpg.Connection) -> None:
        # time.time(), not loop.time(): uvloop's loop clock is cached per loop
        # iteration and may be tens of milliseconds stale at a busy moment.
        before = time.time()
        now: datetime = await conn.fetchval(query("database_clock"))
        self._offset = now.timestamp() - (before + time.time()) / 2

    async def _watch(self, conn: asyncpg.Connection) -> None:
        """Return when the connection is lost; probe it now and then."""
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), timeout=5)
            if not self._lost.is_set():
                await asyncio.wait_for(conn.execute(query("connection_probe")), timeout=5)

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._conn.close(), timeout=2)
        self.work.wake(ALL)
        self.events.wake(ALL)
