"""The commands of cron schedules: `schedule create`, `schedule ls`,
`schedule pause`, `schedule resume` and `schedule delete`."""

from __future__ import annotations

import click
from actionq import Backoff, new_action

from .output import client, emit_json, json_object
from .params import BACKOFF, INT32, POSITIVE, SECONDS


@click.group("schedule")
def schedule() -> None:
    """Cron schedules: enqueue an action at each tick of a cron expression."""


@schedule.command("create")
@click.argument("name")
@click.option(
    "--cron",
    required=True,
    help='Five fields ("0 9 * * 1-5"), six with a leading seconds field, or @hourly etc.',
)
@click.option("--tz", "time_zone", default="", help="IANA time zone (default: UTC).")
@click.option("--type", "action_type", required=True, help="Action type.")
@click.option("--project", required=True, help="Project.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option("--payload", default="{}", help="JSON object handed to the worker.")
@click.option("--priority", type=INT32, default=0, show_default=True, help="Smaller first.")
@click.option(
    "--max-attempts",
    type=POSITIVE,
    default=None,
    help="Claims before it ends as failed (default: the queue's, else 1).",
)
@click.option("--target", default="", help="Target reference.")
@click.option("--created-by", default="", help="Producer of the actions (default: schedule:NAME).")
@click.option(
    "--backoff",
    type=BACKOFF,
    default=None,
    help="Retry delays: exponential:BASE:MAX[:JITTER] or fixed:DELAY[:JITTER].",
)
@click.option(
    "--delay", type=SECONDS, default=None, help="Each action is due this long after its tick."
)
@click.option("--replace", is_flag=True, help="Replace a schedule of this name.")
@click.option("--paused", is_flag=True, help="Create it paused.")
def create(
    name: str,
    cron: str,
    time_zone: str,
    action_type: str,
    project: str,
    queue: str,
    payload: str,
    priority: int,
    max_attempts: int | None,
    target: str,
    created_by: str,
    backoff: Backoff | None,
    delay: float | None,
    replace: bool,
    paused: bool,
) -> None:
    """Create (or with --replace, replace) a schedule and print it."""
    template = new_action(
        action_type,
        project,
        queue=queue,
        target_ref=target,
        payload=json_object("--payload", payload),
        priority=priority,
        created_by=created_by,
        max_attempts=max_attempts or 0,
        backoff=backoff,
        delay=delay,
    )
    stored = client().create_schedule(
        name, cron, template, time_zone=time_zone, replace=replace, paused=paused
    )
    emit_json(stored.to_json())


@schedule.command("ls")
def list_schedules() -> None:
    """Every schedule, by name (JSON array)."""
    emit_json([s.to_json() for s in client().list_schedules()])


@schedule.command("pause")
@click.argument("name")
def pause(name: str) -> None:
    """Stop a schedule's ticks; prints it."""
    emit_json(client().pause_schedule(name).to_json())


@schedule.command("resume")
@click.argument("name")
def resume(name: str) -> None:
    """Restart a paused schedule from its next tick (no catch-up); prints it."""
    emit_json(client().resume_schedule(name).to_json())


@schedule.command("delete")
@click.argument("name")
def delete(name: str) -> None:
    """Remove a schedule (its actions stay); prints it as it was."""
    emit_json(client().delete_schedule(name).to_json())


COMMANDS = (schedule,)
