"""The command of queue limits: `queue set Q --concurrency N --rate 10/s
[--type T | --per-key]` (SetQueueLimits)."""

from __future__ import annotations

from typing import Any

import click
from actionq import QueueLimit, parse_duration

from .output import client, emit_json
from .params import COUNT, MAX_INT32


class RateSpec(click.ParamType[tuple[int, float]]):
    """A rate: COUNT/PERIOD (`10/s`, `100/1m`, `5/2s`, `0.5` not allowed) or a
    bare COUNT (per second); 0 removes the rate limit."""

    name = "rate"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        count, _, period = str(value).strip().partition("/")
        try:
            rate = int(count)
        except ValueError:
            self.fail(f"{value!r}: the count before '/' must be a whole number", param, ctx)
        if not 0 <= rate <= MAX_INT32:
            self.fail(f"{value!r}: the count must be between 0 and {MAX_INT32}", param, ctx)
        seconds = 1.0
        if period:
            spelled = period if period[0].isdigit() else f"1{period}"
            try:
                seconds = parse_duration(spelled, "the period")
            except ValueError as exc:
                self.fail(f"{value!r}: {exc}", param, ctx)
            if seconds <= 0:
                self.fail(f"{value!r}: the period must be longer than 0", param, ctx)
        return rate, seconds


RATE = RateSpec()


@click.group("queue")
def queue() -> None:
    """A queue's limits on claims."""


@queue.command("set")
@click.argument("name")
@click.option(
    "--concurrency",
    type=COUNT,
    default=None,
    help="At most this many claimed at once (0 removes the concurrency limit).",
)
@click.option(
    "--rate",
    type=RATE,
    default=None,
    help="At most COUNT claims per PERIOD: 10/s, 100/1m, 5/2s (0 removes the rate limit).",
)
@click.option("--type", "action_type", default="", help="The limit is on this action type.")
@click.option(
    "--per-key", is_flag=True, help="The limit is on each concurrency key value separately."
)
@click.option(
    "--replace", is_flag=True, help="Remove the queue's other limits first (alone: remove all)."
)
@click.option("--actor", default="", help="Recorded as the event's actor (default: operator).")
def set_limits(
    name: str,
    concurrency: int | None,
    rate: tuple[int, float] | None,
    action_type: str,
    per_key: bool,
    replace: bool,
    actor: str,
) -> None:
    """Set a concurrency and/or rate limit on a queue's claims (creating the
    queue if needed): on the whole queue, on one action type (--type) or on
    each concurrency key (--per-key). Prints the queue with its limits."""
    if action_type and per_key:
        raise click.UsageError("--type and --per-key: give one or the other")
    limits = []
    if concurrency is not None or rate is not None:
        scope = "key" if per_key else "type" if action_type else "queue"
        # An option not given keeps the current value of this scope's limit.
        current = _current(name, scope, action_type) if not replace else None
        if concurrency is None:
            concurrency = current.concurrency if current else 0
        if rate is None:
            rate = (current.rate, current.period or 1.0) if current else (0, 1.0)
        count, period = rate
        limits.append(
            QueueLimit(
                scope=scope,  # type: ignore[arg-type]
                action_type=action_type,
                concurrency=concurrency,
                rate=count,
                period=period if count else None,
            )
        )
    elif not replace:
        raise click.UsageError("give --concurrency and/or --rate (or --replace to remove all)")
    emit_json(client().set_queue_limits(name, limits, replace=replace, actor=actor).to_json())


def _current(name: str, scope: str, action_type: str) -> QueueLimit | None:
    for q in client().list_queues():
        if q.name == name:
            for limit in q.limits:
                if limit.scope == scope and limit.action_type == action_type:
                    return limit
    return None


COMMANDS = (queue,)
