"""The live stream: Server-Sent Events that follow the event log from its end
through QueueService.watch (one reader per open page; the service's follower
and notifications wake it) and push what happened.

Each message (event type "events") carries how many events were read, the
newest of them without payloads, and the cursor reached; the page re-reads
its counts when one arrives. A busy log is coalesced into at most one message
per PUSH_INTERVAL; a quiet one is kept open with a comment every KEEPALIVE
seconds (which also notices a page that went away).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import web

from ..domain.errors import ActionqError
from ..domain.models import EventFilter, EventPage, LogPosition
from ..service import QueueService
from . import views

log = logging.getLogger(__name__)

PUSH_INTERVAL = 0.25
KEEPALIVE = 15.0
# Events read per page of the log, and pages held while the page reads slowly
# (the reader then waits; the log keeps everything until it catches up).
READ_BATCH = 500
BUFFERED_PAGES = 16
# The events one message names (the count covers the rest).
SHOWN_EVENTS = 50
# How long the browser waits before reconnecting a stream that ended.
RECONNECT_MS = 2000

_END = None


class LiveStream:
    """The handler of /api/live."""

    def __init__(self, service: QueueService) -> None:
        self._service = service

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Stream events until the page goes away or the server drains."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        try:
            await response.write(f"retry: {RECONNECT_MS}\n\n".encode())
            # The end of the log, taken before the page hears "hello" (after
            # which it reads its counts): whatever commits later is pushed.
            try:
                start, _ = await self._service.store.horizon()
            except ActionqError as exc:
                await response.write(_message("problem", {"message": exc.message}))
                return response
            await response.write(_message("hello", {"cursor": start.token()}))
        except ConnectionResetError:
            return response
        pages: asyncio.Queue[EventPage | str | None] = asyncio.Queue(BUFFERED_PAGES)
        reader = asyncio.create_task(self._read(pages, start), name="actionq-dashboard-live")
        try:
            await self._push(response, pages)
        except ConnectionResetError:
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        return response

    async def _read(self, pages: asyncio.Queue[EventPage | str | None], start: LogPosition) -> None:
        try:
            async for page in self._service.watch(start, EventFilter(), READ_BATCH, from_end=False):
                await pages.put(page)
        except ActionqError as exc:
            await pages.put(exc.message)
        except Exception as exc:
            log.warning("dashboard live stream: %s", exc)
            await pages.put("the event stream failed; reconnecting")
        await pages.put(_END)

    async def _push(
        self, response: web.StreamResponse, pages: asyncio.Queue[EventPage | str | None]
    ) -> None:
        while True:
            try:
                first = await asyncio.wait_for(pages.get(), KEEPALIVE)
            except TimeoutError:
                await response.write(b": keepalive\n\n")
                continue
            batch = [first]
            while not pages.empty():
                batch.append(pages.get_nowait())
            read = [p for p in batch if isinstance(p, EventPage)]
            if read:
                await response.write(_message("events", _summary(read)))
            for problem in (p for p in batch if isinstance(p, str)):
                await response.write(_message("problem", {"message": problem}))
            if _END in batch:
                return
            await asyncio.sleep(PUSH_INTERVAL)


def _summary(pages: list[EventPage]) -> dict[str, object]:
    events = [e for p in pages for e in p.events]
    return {
        "count": len(events),
        "cursor": pages[-1].next_cursor.token(),
        "events": [views.event_brief(e) for e in events[-SHOWN_EVENTS:]],
    }


def _message(kind: str, data: object) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
