"""actionctl: the operator's CLI. JSON on stdout; errors as one JSON object on
stderr with exit 1; `claim` exits 2 when nothing is available."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from actionq import Client, Error, action_record, event_record, new_action
from actionq.client import STATUS_NAMES
from actionq.records import rfc3339

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERROR = 1
EXIT_NOTHING = 2


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
    click.echo(json.dumps(value, ensure_ascii=False))


def fail(code: str, message: str) -> NoReturn:
    """Print one JSON error on stderr and exit 1."""
    click.echo(json.dumps({"error": {"code": code, "message": message}}), err=True)
    sys.exit(EXIT_ERROR)


def json_object(option: str, text: str) -> dict[str, Any]:
    """Parse an option's JSON object or fail with INVALID_ARGUMENT."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        fail("INVALID_ARGUMENT", f"{option}: not valid JSON ({exc.msg})")
    if not isinstance(value, dict):
        fail("INVALID_ARGUMENT", f"{option}: must be a JSON object")
    return value


def calls_server(fn: F) -> F:
    """Turn client errors into the JSON error contract."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Error as exc:
            fail(exc.code, exc.message)

    return wrapper  # type: ignore[return-value]


def client() -> Client:
    """The client for this invocation."""
    ctx = click.get_current_context()
    found = ctx.find_object(Client)
    assert found is not None
    return found


class _JsonGroup(click.Group):
    """Usage errors follow the JSON error contract as well."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            sys.exit(130)
        except click.UsageError as exc:
            fail("INVALID_ARGUMENT", exc.format_message())
        except click.ClickException as exc:
            fail("INVALID_ARGUMENT", exc.format_message())


@click.group(cls=_JsonGroup)
@click.option(
    "--server",
    envvar="ACTIONQ_SERVER",
    default="127.0.0.1:50051",
    show_default=True,
    help="actionq server address (env ACTIONQ_SERVER).",
)
@click.option("--timeout", default=10.0, show_default=True, help="Per-call deadline, seconds.")
@click.pass_context
def cli(ctx: click.Context, server: str, timeout: float) -> None:
    """Operate an actionq server over gRPC."""
    ctx.obj = ctx.with_resource(Client(server, timeout=timeout))


@cli.command()
@calls_server
def migrate() -> None:
    """Create or upgrade the schema (idempotent)."""
    report = client().migrate()
    emit_json({"schema": report.schema, "version": report.version, "applied": list(report.applied)})


@cli.command()
@click.option("--type", "action_type", required=True, help="Action type.")
@click.option("--project", required=True, help="Project.")
@click.option("--target", default="", help="Target reference.")
@click.option("--source", "sources", multiple=True, help="Source reference (repeatable).")
@click.option("--priority", default=0, show_default=True, help="Smaller is claimed first.")
@click.option("--parent", default=0, help="Parent action id.")
@click.option("--created-by", default="human:cli", show_default=True, help="Producer.")
@click.option("--payload", default="{}", help="JSON object handed to the worker.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option("--idempotency-key", default="", help="Return the existing action with this key.")
@click.option("--max-attempts", default=0, help="Claims before a failing action ends as failed.")
@click.option("--delay", type=float, default=None, help="Not claimable for this many seconds.")
@calls_server
def add(
    action_type: str,
    project: str,
    target: str,
    sources: tuple[str, ...],
    priority: int,
    parent: int,
    created_by: str,
    payload: str,
    queue: str,
    idempotency_key: str,
    max_attempts: int,
    delay: float | None,
) -> None:
    """Enqueue an action and print it."""
    message = new_action(
        action_type,
        project,
        queue=queue,
        target_ref=target,
        source_refs=sources,
        payload=json_object("--payload", payload),
        priority=priority,
        parent_id=parent,
        created_by=created_by,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
        delay=delay,
    )
    enqueued = client().enqueue([message])[0]
    record = action_record(enqueued.action)
    if enqueued.duplicate:
        record["duplicate"] = True
    emit_json(record)


@cli.command("ls")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(sorted(STATUS_NAMES)),
    help="Only this status (repeatable).",
)
@click.option("--type", "action_type", default="", help="Only this action type.")
@click.option("--project", default="", help="Only this project.")
@click.option("--queue", default="", help="Only this queue.")
@click.option("--limit", default=100, show_default=True, help="At most this many actions.")
@click.option("--newest-first", is_flag=True, help="Newest first instead of oldest first.")
@calls_server
def list_actions(
    statuses: tuple[str, ...],
    action_type: str,
    project: str,
    queue: str,
    limit: int,
    newest_first: bool,
) -> None:
    """List actions as a JSON array."""
    if limit < 1:
        fail("INVALID_ARGUMENT", "--limit: must be at least 1")
    found: list[dict[str, Any]] = []
    token = ""
    while len(found) < limit:
        page = client().list_actions(
            statuses=statuses,
            action_type=action_type,
            project=project,
            queue=queue,
            page_size=min(1000, limit - len(found)),
            page_token=token,
            newest_first=newest_first,
        )
        found.extend(action_record(a) for a in page.actions)
        token = page.next_page_token
        if not token:
            break
    emit_json(found)


@cli.command()
@click.argument("action_id", type=int)
@calls_server
def show(action_id: int) -> None:
    """Show one action and its events."""
    action = client().get(action_id)
    events: list[dict[str, Any]] = []
    cursor = 0
    while True:
        page = client().list_events(after_cursor=cursor, action_ids=[action_id], page_size=1000)
        events.extend(event_record(e) for e in page.events)
        if len(page.events) < 1000:
            break
        cursor = page.next_cursor
    emit_json({"action": action_record(action), "events": events})


@cli.command()
@click.option("--worker", required=True, help="Who claims.")
@click.option("--type", "action_types", multiple=True, help="Only this action type (repeatable).")
@click.option("--project", default="", help="Only this project.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option("--lease", default=30.0, show_default=True, help="Lease length, seconds.")
@click.option("--wait", default=0.0, show_default=True, help="Wait up to this long for work.")
@calls_server
def claim(
    worker: str,
    action_types: tuple[str, ...],
    project: str,
    queue: str,
    lease: float,
    wait: float,
) -> None:
    """Claim the next action and print it with its lease token; exit 2 if none."""
    claimed = client().claim(
        worker, queue=queue, action_types=action_types, project=project, lease=lease, wait=wait
    )
    if not claimed:
        sys.exit(EXIT_NOTHING)
    record = action_record(claimed[0].action)
    record["lease_token"] = claimed[0].lease_token
    emit_json(record)


@cli.command()
@click.argument("action_id", type=int)
@click.option("--lease-token", required=True, help="Lease token from claim.")
@click.option("--lease", default=30.0, show_default=True, help="New lease length, seconds.")
@calls_server
def heartbeat(action_id: int, lease_token: str, lease: float) -> None:
    """Extend the lease of a claimed action."""
    response = client().heartbeat(action_id, lease_token, lease)
    emit_json(
        {
            "id": action_id,
            "claim_deadline": rfc3339(response, "claim_deadline"),
            "cancelled": response.cancelled,
        }
    )


lease_option = click.option(
    "--lease-token", default="", help="Lease token from claim; omitted acts on the current claim."
)


@cli.command()
@click.argument("action_id", type=int)
@click.option("--result", "result_ref", required=True, help="Reference to the outcome.")
@click.option("--result-json", default=None, help="Structured outcome (JSON object).")
@lease_option
@calls_server
def complete(action_id: int, result_ref: str, result_json: str | None, lease_token: str) -> None:
    """Mark a claimed action completed."""
    result = json_object("--result-json", result_json) if result_json is not None else None
    action = client().complete(action_id, lease_token, result_ref=result_ref, result=result)
    emit_json(action_record(action))


@cli.command("fail")
@click.argument("action_id", type=int)
@click.option("--reason", required=True, help="Why it failed.")
@click.option("--no-retry", is_flag=True, help="End as failed even if attempts remain.")
@lease_option
@calls_server
def fail_action(action_id: int, reason: str, no_retry: bool, lease_token: str) -> None:
    """Mark a claimed action failed (or pending again while attempts remain)."""
    action = client().fail(action_id, lease_token, reason=reason, no_retry=no_retry)
    emit_json(action_record(action))


@cli.command()
@click.argument("action_id", type=int)
@click.option("--reason", required=True, help="Why it was rejected.")
@click.option("--validator", required=True, help="The validator that rejected it.")
@lease_option
@calls_server
def reject(action_id: int, reason: str, validator: str, lease_token: str) -> None:
    """Reject a claimed action after validation."""
    action = client().reject(action_id, lease_token, reason=reason, validator=validator)
    emit_json(action_record(action))


@cli.command()
@click.argument("action_id", type=int)
@click.option("--reason", required=True, help="Why it is cancelled.")
@click.option("--actor", default="human:cli", show_default=True, help="Who cancels.")
@calls_server
def cancel(action_id: int, reason: str, actor: str) -> None:
    """Cancel a pending or claimed action."""
    emit_json(action_record(client().cancel(action_id, reason=reason, actor=actor)))


@cli.command()
@calls_server
def sweep() -> None:
    """Requeue expired claims; print what was requeued."""
    requeued = client().sweep()
    emit_json({"requeued": [action_record(a) for a in requeued], "count": len(requeued)})


@cli.command()
@click.option("--action", "action_ids", multiple=True, type=int, help="Only this action's events.")
@click.option("--type", "event_types", multiple=True, help="Only this event type (repeatable).")
@click.option("--after", default=0, show_default=True, help="Cursor: events after this id.")
@click.option("--limit", default=100, show_default=True, help="At most this many (not --follow).")
@click.option("--follow", is_flag=True, help="Stream events as JSON lines until interrupted.")
@calls_server
def events(
    action_ids: tuple[int, ...],
    event_types: tuple[str, ...],
    after: int,
    limit: int,
    follow: bool,
) -> None:
    """Read the event log; --follow streams it live."""
    if follow:
        followed = client().follow_events(
            after_cursor=after, action_ids=action_ids, event_types=event_types
        )
        with contextlib.suppress(KeyboardInterrupt):
            for event in followed:
                click.echo(json.dumps(event_record(event), ensure_ascii=False))
                sys.stdout.flush()
        return
    found: list[dict[str, Any]] = []
    cursor = after
    while len(found) < limit:
        page = client().list_events(
            after_cursor=cursor,
            action_ids=action_ids,
            event_types=event_types,
            page_size=min(1000, limit - len(found)),
        )
        found.extend(event_record(e) for e in page.events)
        if not page.events or page.next_cursor == cursor:
            break
        cursor = page.next_cursor
    emit_json(found)


@cli.command("emit")
@click.option(
    "--type",
    "event_type",
    required=True,
    type=click.Choice(["coordinator_cycle", "coordinator_paused"]),
    help="Event type.",
)
@click.option("--actor", required=True, help="Who emits, e.g. dispatcher:main.")
@click.option("--payload", default="{}", help="JSON object.")
@click.option("--action", "action_id", default=0, help="Action the event is about.")
@calls_server
def emit_event(event_type: str, actor: str, payload: str, action_id: int) -> None:
    """Emit a coordinator event."""
    event = client().emit(event_type, actor, json_object("--payload", payload), action_id)
    emit_json(event_record(event))


@cli.command()
@click.option("--queue", default="", help="Only this queue.")
@click.option("--project", default="", help="Only this project.")
@calls_server
def stats(queue: str, project: str) -> None:
    """Counts per queue and action type."""
    response = client().stats(queue=queue, project=project)
    rows = [
        {
            "queue": s.queue,
            "action_type": s.action_type,
            "pending": s.pending,
            "claimed": s.claimed,
            "completed": s.completed,
            "failed": s.failed,
            "rejected": s.rejected,
            "cancelled": s.cancelled,
            "oldest_pending_seconds": s.oldest_pending_age.ToTimedelta().total_seconds(),
        }
        for s in response.stats
    ]
    emit_json(
        {
            "stats": rows,
            "latest_event_cursor": response.latest_event_cursor,
            "as_of": rfc3339(response, "as_of"),
        }
    )


def main() -> None:
    """Console entry point."""
    cli()
