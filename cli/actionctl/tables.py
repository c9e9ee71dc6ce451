"""`--format table`: JSON documents as aligned tables (rich), for people. JSON
stays the default and the contract; a table shows the columns that matter
per command, nested values as compact JSON."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich import box
from rich.console import Console
from rich.table import Table

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("json", "table")
_META = "actionctl.format"
# Columns each command shows first, in this order (others follow when present).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ls": (
        "id",
        "status",
        "queue",
        "action_type",
        "project",
        "attempt",
        "max_attempts",
        "priority",
        "run_after",
        "claimed_by",
        "target_ref",
        "failure_reason",
    ),
    "dlq": (
        "id",
        "status",
        "queue",
        "action_type",
        "project",
        "attempt",
        "max_attempts",
        "completed_at",
        "failure_reason",
        "rejected_by",
    ),
    "stats": (
        "queue",
        "action_type",
        "pending",
        "scheduled",
        "retryable",
        "claimed",
        "claimed_past_deadline",
        "waiting",
        "completed",
        "failed",
        "rejected",
        "cancelled",
        "completed_last_minute",
        "failed_last_minute",
        "oldest_pending_seconds",
    ),
    "queues": (
        "name",
        "paused",
        "pending",
        "claimed",
        "waiting",
        "max_attempts",
        "lease",
        "backoff",
        "limits",
        "paused_by",
    ),
    "events": ("cursor", "created_at", "event_type", "action_id", "actor", "payload"),
}
# Long text fields are cut in a table (the JSON output has them whole).
MAX_CELL = 60


def chosen() -> str:
    """The format this invocation asked for."""
    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get(_META, "json")) if ctx is not None else "json"


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_META] = value


def format_option(command: F) -> F:
    """`--format json|table` on a command (also accepted before the command)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_remember,
        help="json (default) or table: aligned columns for people.",
    )(command)


def render(value: Any) -> None:
    """Print a JSON-able value as a table on stdout."""
    ctx = click.get_current_context(silent=True)
    name = ctx.info_name if ctx is not None else ""
    rows = _rows(value)
    tty = sys.stdout.isatty()
    console = Console(
        file=sys.stdout,
        width=shutil.get_terminal_size((120, 24)).columns if tty else 1000,
        no_color=not tty,
        highlight=False,
        soft_wrap=False,
    )
    if rows is None:  # one object: a key/value table
        table = Table(box=box.SIMPLE, show_header=False, show_edge=False, pad_edge=False)
        table.add_column("field", style="bold")
        table.add_column("value")
        for key, item in value.items():
            table.add_row(str(key), _cell(item))
        console.print(table)
        return
    if not rows:
        console.print("(none)")
        return
    columns = _columns(rows, COLUMNS.get(name or "", ()))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)


def _rows(value: Any) -> list[dict[str, Any]] | None:
    """The list of objects a document holds: itself, or its one list field."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        others_plain = all(not isinstance(v, dict) for v in value.values())
        if len(lists) == 1 and others_plain and all(isinstance(v, dict) for v in lists[0]):
            return lists[0]
    return None


def _columns(rows: list[dict[str, Any]], preferred: tuple[str, ...]) -> list[str]:
    present: dict[str, None] = {}
    for row in rows:
        present.update(dict.fromkeys(row))
    if preferred:
        return [c for c in preferred if c in present]
    return [c for c in present if not any(isinstance(r.get(c), dict | list) for r in rows)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
