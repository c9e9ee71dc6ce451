"""actionctl: the operator's CLI. JSON on stdout; errors as one JSON object
`{"error": {"code": ..., "reason": ..., "message": ...}}` on stderr with exit 1,
never a traceback, whatever the input; `claim` exits 2 when nothing is available."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from itertools import islice
from typing import Any, NoReturn

import click
from actionq import STATUSES, ActionqError, Client, new_action
from actionq.records import rfc3339

EXIT_ERROR = 1
EXIT_NOTHING = 2
EXIT_INTERRUPTED = 130

MAX_INT64 = 2**63 - 1
MAX_INT32 = 2**31 - 1
# The longest Duration protobuf can carry (10,000 years); the server checks
# each call's own, much smaller, bounds.
MAX_SECONDS = 315_576_000_000.0

ACTION_ID = click.IntRange(1, MAX_INT64)
INT32 = click.IntRange(-MAX_INT32 - 1, MAX_INT32)
COUNT = click.IntRange(0, MAX_INT32)


class Seconds(click.ParamType[float]):
    """A finite number of seconds within bounds (NaN and infinities refused)."""

    name = "seconds"

    def __init__(self, minimum: float = 0.0, maximum: float = MAX_SECONDS) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            seconds = float(value)
        except (TypeError, ValueError, OverflowError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (math.isfinite(seconds) and self.minimum <= seconds <= self.maximum):
            self.fail(
                f"{value!r} is not between {self.minimum:.12g} and {self.maximum:.12g}", param, ctx
            )
        return seconds


SECONDS = Seconds()


def emit_json(value: Any) -> None:
    """Print one JSON document on stdout."""
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
    """The client for this invocation."""
    found = click.get_current_context().find_object(Client)
    assert found is not None
    return found


def _is_utf8(text: str) -> bool:
    """False for text holding lone surrogates (undecodable bytes in argv)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _JsonGroup(click.Group):
    """Runs a command and turns every way it can end into the JSON error
    contract: usage errors, refused calls, bad values, and anything unexpected."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        argv = kwargs.get("args", args[0] if args else None)
        for i, arg in enumerate(sys.argv[1:] if argv is None else argv, 1):
            if isinstance(arg, str) and not _is_utf8(arg):
                bad_input(f"argument {i} is not valid UTF-8: {arg!r}")
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            sys.exit(EXIT_INTERRUPTED)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(EXIT_NOTHING)
        except click.ClickException as exc:
            bad_input(exc.format_message())
        except ActionqError as exc:
            fail(exc.code, exc.message, exc.reason)
        except BrokenPipeError:
            sys.exit(EXIT_ERROR)
        except (ValueError, OverflowError, RecursionError) as exc:
            bad_input(str(exc) or type(exc).__name__)
        except Exception as exc:
            fail("INTERNAL", f"actionctl failed unexpectedly: {type(exc).__name__}: {exc}")


@click.group(cls=_JsonGroup)
@click.option(
    "--server",
    envvar="ACTIONQ_SERVER",
    default="127.0.0.1:50051",
    show_default=True,
    help="actionq server address (env ACTIONQ_SERVER).",
)
@click.option(
    "--timeout",
    type=Seconds(0.001, 3600.0),
    default=10.0,
    show_default=True,
    help="Per-call deadline, seconds.",
)
@click.pass_context
def cli(ctx: click.Context, server: str, timeout: float) -> None:
    """Operate an actionq server over gRPC."""
    ctx.obj = ctx.with_resource(Client(server, timeout=timeout))


@cli.command()
def migrate() -> None:
    """Create or upgrade the schema (idempotent)."""
    emit_json(client().migrate().to_json())


@cli.command()
@click.option("--type", "action_type", required=True, help="Action type.")
@click.option("--project", required=True, help="Project.")
@click.option("--target", default="", help="Target reference.")
@click.option("--source", "sources", multiple=True, help="Source reference (repeatable).")
@click.option("--priority", type=INT32, default=0, show_default=True, help="Smaller first.")
@click.option("--parent", type=click.IntRange(0, MAX_INT64), default=0, help="Parent action id.")
@click.option("--created-by", default="human:cli", show_default=True, help="Producer.")
@click.option("--payload", default="{}", help="JSON object handed to the worker.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option("--idempotency-key", default="", help="Return the existing action with this key.")
@click.option("--max-attempts", type=COUNT, default=0, help="Claims before it ends as failed.")
@click.option("--delay", type=SECONDS, default=None, help="Not claimable for this many seconds.")
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
    record = enqueued.action.to_json()
    if enqueued.duplicate:
        record["duplicate"] = True
    emit_json(record)


@cli.command("ls")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only this status (repeatable).",
)
@click.option("--type", "action_type", default="", help="Only this action type.")
@click.option("--project", default="", help="Only this project.")
@click.option("--queue", default="", help="Only this queue.")
@click.option(
    "--limit", type=click.IntRange(1, MAX_INT32), default=100, show_default=True, help="At most."
)
@click.option("--newest-first", is_flag=True, help="Newest first instead of oldest first.")
def list_actions(
    statuses: tuple[str, ...],
    action_type: str,
    project: str,
    queue: str,
    limit: int,
    newest_first: bool,
) -> None:
    """List actions as a JSON array."""
    found = client().iter_actions(
        statuses=statuses,
        action_type=action_type,
        project=project,
        queue=queue,
        page_size=min(1000, limit),
        newest_first=newest_first,
    )
    emit_json([a.to_json() for a in islice(found, limit)])


@cli.command()
@click.argument("action_id", type=ACTION_ID)
def show(action_id: int) -> None:
    """Show one action and its events."""
    action = client().get(action_id)
    events = client().iter_events(action_ids=[action_id])
    emit_json({"action": action.to_json(), "events": [e.to_json() for e in events]})


@cli.command()
@click.option("--worker", required=True, help="Who claims.")
@click.option("--type", "action_types", multiple=True, help="Only this action type (repeatable).")
@click.option("--project", default="", help="Only this project.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option("--lease", type=SECONDS, default=30.0, show_default=True, help="Lease, seconds.")
@click.option("--wait", type=SECONDS, default=0.0, show_default=True, help="Wait this long.")
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
    emit_json(claimed[0].to_json())


@cli.command()
@click.argument("action_id", type=ACTION_ID)
@click.option("--lease-token", required=True, help="Lease token from claim.")
@click.option("--lease", type=SECONDS, default=30.0, show_default=True, help="New lease, seconds.")
def heartbeat(action_id: int, lease_token: str, lease: float) -> None:
    """Extend the lease of a claimed action."""
    beat = client().heartbeat(action_id, lease_token, lease)
    deadline = rfc3339(beat.claim_deadline)
    emit_json({"id": action_id, "claim_deadline": deadline, "cancelled": beat.cancelled})


lease_option = click.option(
    "--lease-token", default="", help="Lease token from claim; omitted acts on the current claim."
)


@cli.command()
@click.argument("action_id", type=ACTION_ID)
@click.option("--result", "result_ref", required=True, help="Reference to the outcome.")
@click.option("--result-json", default=None, help="Structured outcome (JSON object).")
@lease_option
def complete(action_id: int, result_ref: str, result_json: str | None, lease_token: str) -> None:
    """Mark a claimed action completed."""
    result = json_object("--result-json", result_json) if result_json is not None else None
    action = client().complete(action_id, lease_token, result_ref=result_ref, result=result)
    emit_json(action.to_json())


@cli.command("fail")
@click.argument("action_id", type=ACTION_ID)
@click.option("--reason", required=True, help="Why it failed.")
@click.option("--no-retry", is_flag=True, help="End as failed even if attempts remain.")
@lease_option
def fail_action(action_id: int, reason: str, no_retry: bool, lease_token: str) -> None:
    """Mark a claimed action failed (or pending again while attempts remain)."""
    action = client().fail(action_id, lease_token, reason=reason, no_retry=no_retry)
    emit_json(action.to_json())


@cli.command()
@click.argument("action_id", type=ACTION_ID)
@click.option("--reason", required=True, help="Why it was rejected.")
@click.option("--validator", required=True, help="The validator that rejected it.")
@lease_option
def reject(action_id: int, reason: str, validator: str, lease_token: str) -> None:
    """Reject a claimed action after validation."""
    action = client().reject(action_id, lease_token, reason=reason, validator=validator)
    emit_json(action.to_json())


@cli.command()
@click.argument("action_id", type=ACTION_ID)
@click.option("--reason", required=True, help="Why it is cancelled.")
@click.option("--actor", default="human:cli", show_default=True, help="Who cancels.")
def cancel(action_id: int, reason: str, actor: str) -> None:
    """Cancel a pending or claimed action."""
    emit_json(client().cancel(action_id, reason=reason, actor=actor).to_json())


@cli.command()
def sweep() -> None:
    """Requeue expired claims; print what was requeued."""
    swept = client().sweep()
    emit_json({"requeued": [a.to_json() for a in swept], "count": swept.requeued_count})


@cli.command()
@click.option(
    "--action", "action_ids", multiple=True, type=ACTION_ID, help="Only this action's events."
)
@click.option("--type", "event_types", multiple=True, help="Only this event type (repeatable).")
@click.option("--after", default="", help="Cursor: only events after it (an event's cursor).")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_INT32),
    default=100,
    show_default=True,
    help="At most this many (not --follow).",
)
@click.option("--follow", is_flag=True, help="Stream events as JSON lines until interrupted.")
def events(
    action_ids: tuple[int, ...],
    event_types: tuple[str, ...],
    after: str,
    limit: int,
    follow: bool,
) -> None:
    """Read the event log after a cursor; --follow streams it live and resumes
    across server restarts."""
    if follow:
        followed = client().follow_events(
            after_cursor=after, action_ids=action_ids, event_types=event_types
        )
        with contextlib.suppress(KeyboardInterrupt):
            for event in followed:
                click.echo(json.dumps(event.to_json(), ensure_ascii=False))
                sys.stdout.flush()
        return
    found = client().iter_events(
        after_cursor=after,
        action_ids=action_ids,
        event_types=event_types,
        page_size=min(1000, limit),
    )
    emit_json([e.to_json() for e in islice(found, limit)])


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
@click.option(
    "--action", "action_id", type=click.IntRange(0, MAX_INT64), default=0, help="About this action."
)
def emit_event(event_type: str, actor: str, payload: str, action_id: int) -> None:
    """Emit a coordinator event."""
    event = client().emit(event_type, actor, json_object("--payload", payload), action_id)
    emit_json(event.to_json())


@cli.command()
@click.option("--queue", default="", help="Only this queue.")
@click.option("--project", default="", help="Only this project.")
def stats(queue: str, project: str) -> None:
    """Counts per queue and action type, and the cursor of the log's end."""
    emit_json(client().stats(queue=queue, project=project).to_json())


def main() -> None:
    """Console entry point."""
    cli()
