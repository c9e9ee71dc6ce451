"""The command of signals: `signal NAME` wakes the actions waiting for it."""

from __future__ import annotations

import click

from .output import client, emit_json, json_object
from .params import Duration

# A signal is kept 0 s to 30 days (unset: the server's 24 h).
KEEP = Duration(maximum=30 * 86400.0)


@click.command("signal")
@click.argument("name")
@click.option("--payload", default="{}", show_default=True, help="JSON object for the waiters.")
@click.option(
    "--one",
    is_flag=True,
    help="Wake only the action waiting longest (or, if none waits, the first to wait), "
    "then the signal is used up. Default: wake every waiter.",
)
@click.option(
    "--keep",
    type=KEEP,
    default=None,
    help="How long actions that start waiting later still receive it, e.g. 10m, 2h, 0 "
    "(not kept); default 24h, at most 30 days.",
)
@click.option("--actor", default="", help="Who sends it (default: operator).")
def send_signal(name: str, payload: str, one: bool, keep: float | None, actor: str) -> None:
    """Send the signal NAME: wake the actions waiting for it and keep it for
    later waiters; prints the signal's id, the woken action ids and until when
    it is kept."""
    sent = client().signal(
        name,
        json_object("--payload", payload),
        mode="one" if one else "broadcast",
        keep=keep,
        actor=actor,
    )
    emit_json(sent.to_json())


COMMANDS = (send_signal,)
