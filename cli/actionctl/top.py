"""`actionctl top`: a full-screen terminal view for operators without a
browser — per queue and type counts, throughput, oldest due, leases held, the
newest events scrolling; keys to filter by queue and to pause. Drawn with
textual; fits 80x24."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ClassVar

import click
from actionq import ActionqError, AsyncClient, Event, QueueStat
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Input, RichLog, Static

from .output import async_client_factory, client

# How often the counts are read again (events stream in as they happen).
REFRESH_SECONDS = 1.0
MAX_EVENTS = 200
COLUMNS = ("queue", "type", "due", "sched", "leased", "wait", "ok/m", "bad/m", "oldest")


class Top(App[None]):
    """The view; `connect` makes a client connected like actionctl's."""

    CSS = """
    #status { height: 1; background: $boost; }
    #queues { height: 1fr; min-height: 5; }
    #events { height: 8; border-top: solid $secondary; }
    #filter { dock: bottom; display: none; }
    #filter.shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "filter", "Filter queue"),
        Binding("escape", "clear_filter", "All queues", show=False),
        Binding("p", "toggle_pause", "Pause/resume queue"),
        Binding("space", "freeze", "Freeze"),
    ]

    def __init__(self, address: str, connect: Callable[[], AsyncClient]) -> None:
        super().__init__()
        self.address = address
        self._connect = connect
        self.queue_filter = ""
        self.frozen = False
        self.paused: dict[str, bool] = {}
        self.rows: list[tuple[str, str]] = []
        self.error = ""
        self._client: AsyncClient | None = None
        self._cursor = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield DataTable(id="queues", cursor_type="row", zebra_stripes=True)
        yield RichLog(id="events", max_lines=MAX_EVENTS, wrap=False, markup=False)
        yield Input(placeholder="queue name (Enter to filter, empty for all)", id="filter")
        yield Footer()

    async def on_mount(self) -> None:
        self._client = self._connect()
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        # Events are followed from before the first counts are shown, so that
        # nothing that happens once the screen is up is missed.
        try:
            self._cursor = (await self.api.stats()).latest_event_cursor
        except ActionqError as exc:
            self.error = f"{exc.code}: {exc.message}"
        await self.refresh_counts()
        self.set_interval(REFRESH_SECONDS, self.refresh_counts)
        self.run_worker(self.follow_events(), exclusive=True, group="events")

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.close()

    @property
    def api(self) -> AsyncClient:
        assert self._client is not None
        return self._client

    # ---- data -------------------------------------------------------------

    async def refresh_counts(self) -> None:
        if self.frozen:
            return
        try:
            stats = await self.api.stats(queue=self.queue_filter)
            queues = await self.api.list_queues()
        except ActionqError as exc:
            self.error = f"{exc.code}: {exc.message}"
            self.show_status()
            return
        self.error = ""
        self.paused = {q.name: q.paused for q in queues}
        self.fill(stats.stats)
        self.show_status()

    def fill(self, stats: Iterable[QueueStat]) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_queue()
        table.clear()
        self.rows = []
        for s in sorted(stats, key=lambda s: (s.queue, s.action_type)):
            name = _cut(s.queue, 16) + (" ⏸" if self.paused.get(s.queue) else "")
            table.add_row(
                name,
                _cut(s.action_type, 18),
                str(s.pending - s.scheduled),
                str(s.scheduled),
                str(s.claimed),
                str(getattr(s, "waiting", 0)),
                str(s.completed_last_minute),
                str(s.failed_last_minute),
                _age(s.oldest_pending_age),
            )
            self.rows.append((s.queue, s.action_type))
        queues = [q for q, _ in self.rows]
        if selected in queues:
            table.move_cursor(row=queues.index(selected))

    async def follow_events(self) -> None:
        log = self.query_one(RichLog)
        while True:
            try:
                stream = (
                    self.api.follow_events(after_cursor=self._cursor)
                    if self._cursor
                    else self.api.follow_events(from_end=True)
                )
                async for event in stream:
                    self._cursor = event.cursor
                    if not self.frozen:
                        log.write(_event_line(event))
            except ActionqError as exc:
                self.error = f"events: {exc.code}"
                self.show_status()
                await asyncio.sleep(REFRESH_SECONDS)

    def show_status(self) -> None:
        parts = [f"actionq top · {self.address}"]
        parts.append(f"queue={self.queue_filter}" if self.queue_filter else "all queues")
        if self.frozen:
            parts.append("FROZEN")
        if self.error:
            parts.append(f"! {self.error}")
        self.query_one("#status", Static).update(" · ".join(parts))

    def selected_queue(self) -> str:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return ""
        return self.rows[table.cursor_row][0]

    # ---- keys -------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("shown")
        box.value = self.queue_filter
        box.focus()

    async def on_input_submitted(self, message: Input.Submitted) -> None:
        self.queue_filter = message.value.strip()
        message.input.remove_class("shown")
        self.query_one(DataTable).focus()
        await self.refresh_counts()

    async def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).remove_class("shown")
        self.queue_filter = ""
        self.query_one(DataTable).focus()
        await self.refresh_counts()

    async def action_toggle_pause(self) -> None:
        queue = self.selected_queue()
        if not queue:
            return
        try:
            if self.paused.get(queue):
                await self.api.resume_queue(queue, actor="human:top")
            else:
                await self.api.pause_queue(queue, actor="human:top", reason="actionctl top")
        except ActionqError as exc:
            self.error = f"{exc.code}: {exc.message}"
        await self.refresh_counts()

    async def action_freeze(self) -> None:
        self.frozen = not self.frozen
        self.show_status()
        if not self.frozen:
            await self.refresh_counts()


def _cut(text: str, width: int) -> str:
    """Long names shortened, so that every column fits 80 columns."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds <= 0:
        return "-"
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _event_line(e: Event) -> str:
    when = e.created_at.strftime("%H:%M:%S") if e.created_at else ""
    target = f"#{e.action_id}" if e.action_id else ""
    return f"{when} {e.event_type:<22} {target:<9} {e.actor}"


@click.command("top")
def top(**_: Any) -> None:
    """A full-screen live view: counts per queue and type, throughput, oldest
    due, leases held, the newest events. Keys: / filter by queue, Esc all
    queues, p pause/resume the selected queue, space freeze, q quit."""
    Top(client().address, async_client_factory()).run()
