"""What every command prints and how it ends: one JSON document on stdout, or
one JSON error object on stderr and exit 1; progress on a terminal only."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import click
from actionq import AsyncClient, Client
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from . import tables

EXIT_ERROR = 1
EXIT_NOTHING = 2
EXIT_INTERRUPTED = 130


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout (a table with `--format table`)."""
    if tables.chosen() == "table":
        tables.render(value)
        return
    click.echo(json.dumps(value, ensure_ascii=False))


def fail(code: str, message: str, reason: str = "") -> NoReturn:
    """Print one JSON error on stderr and exit 1."""
    error = {"code": code, "reason": reason, "message": message}
    click.echo(json.dumps({"error": error}), err=True)
    sys.exit(EXIT_ERROR)


def bad_input(message: str) -> NoReturn:
    """Refuse input that actionctl itself found wrong, before any call."""
    fail("INVALID_ARGUMENT", message, "INVALID_FIELD")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of the range of a double")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(option: str, text: str) -> dict[str, Any]:
    """Parse an option's JSON object (integers keep every digit; NaN and
    Infinity are refused) or fail with INVALID_ARGUMENT naming the option."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        bad_input(f"{option}: not valid JSON ({exc.msg})")
    except (ValueError, RecursionError) as exc:
        bad_input(f"{option}: not valid JSON ({exc or 'nested too deeply'})")
    if not isinstance(value, dict):
        bad_input(f"{option}: must be a JSON object")
    return value


def client() -> Client:
    """The client of this invocation."""
    found = click.get_current_context().find_object(Client)
    assert found is not None
    return found


# ctx.meta key: the connection options of this invocation (address, timeout,
# token, TLS files), for the commands that need an asyncio client too.
CONNECT = "actionq.connect"


def async_client_factory() -> Callable[[], AsyncClient]:
    """Makes asyncio clients connected like this invocation's client."""
    options = dict(click.get_current_context().meta[CONNECT])
    return lambda: AsyncClient(**options)


def _progress_mode() -> str:
    """ACTIONQ_PROGRESS: auto (a bar on a terminal only), always or never."""
    return os.environ.get("ACTIONQ_PROGRESS", "auto")


@contextlib.contextmanager
def progress(label: str) -> Iterator[Callable[[int], None]]:
    """A running count on stderr while stderr is a terminal (or
    ACTIONQ_PROGRESS=always); yields the function that adds to it. Silent when
    stderr is piped or redirected."""
    mode = _progress_mode()
    if mode == "never" or (mode != "always" and not sys.stderr.isatty()):
        yield lambda _: None
        return
    console = Console(stderr=True, force_terminal=mode == "always" or None)
    columns = (TextColumn(label), BarColumn(), TextColumn("{task.completed:,.0f} done"))
    # No total: the count is not known before the last batch.
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)
