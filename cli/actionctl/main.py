"""actionctl: the operator's CLI. JSON on stdout; errors as one JSON object
`{"error": {"code": ..., "reason": ..., "message": ...}}` on stderr with exit 1,
never a traceback, whatever the input; `claim` exits 2 when nothing is available."""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import datetime
from itertools import islice
from typing import Any

import click
from actionq import STATUSES, ActionqError, Backoff, Client, new_action
from actionq.records import rfc3339

from . import (
    bulk,
    checkpoints,
    durable,
    limits,
    schedules,
    signals,
    tokens,
    top,
    worker,
    workflows,
)
from .output import (
    CONNECT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NOTHING,
    bad_input,
    client,
    emit_json,
    fail,
    json_object,
)
from .params import (
    ACTION_ID,
    BACKOFF,
    INT32,
    MAX_INT32,
    MAX_INT64,
    POSITIVE,
    SECONDS,
    TIMESTAMP,
    Duration,
)
from .tables import format_option


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
    type=Duration(0.001, 3600.0),
    default="10s",
    show_default=True,
    help="Per-call deadline (10s, 500ms, or bare seconds).",
)
@click.option(
    "--token",
    envvar="ACTIONQ_TOKEN",
    default=None,
    help="API token sent as a bearer token (env ACTIONQ_TOKEN).",
)
@click.option(
    "--tls",
    is_flag=True,
    envvar="ACTIONQ_TLS",
    help="Connect with TLS (the system's roots; env ACTIONQ_TLS=true).",
)
@click.option(
    "--ca-file",
    envvar="ACTIONQ_CA_FILE",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="PEM CA to trust (implies --tls; env ACTIONQ_CA_FILE).",
)
@click.option(
    "--cert",
    envvar="ACTIONQ_CLIENT_CERT",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Client certificate for mutual TLS (env ACTIONQ_CLIENT_CERT).",
)
@click.option(
    "--key",
    envvar="ACTIONQ_CLIENT_KEY",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Its private key (env ACTIONQ_CLIENT_KEY).",
)
@format_option
@click.pass_context
def cli(
    ctx: click.Context,
    server: str,
    timeout: float,
    token: str | None,
    tls: bool,
    ca_file: str | None,
    cert: str | None,
    key: str | None,
) -> None:
    """Operate an actionq server over gRPC."""
    if (cert is None) != (key is None):
        bad_input("--cert and --key go together (mutual TLS)")
    options: dict[str, Any] = {
        "address": server,
        "timeout": timeout,
        "token": token,
        "tls": tls,
        "ca_file": ca_file,
        "cert_file": cert,
        "key_file": key,
    }
    ctx.meta[CONNECT] = options
    ctx.obj = ctx.with_resource(Client(**options))


@cli.command()
def migrate() -> None:
    """Create or upgrade the schema (idempotent)."""
    emit_json(client().migrate().to_json())


@cli.command()
@click.option(
    "--type", "action_type", default="", help="Action type (required without --from-file)."
)
@click.option(
    "--project", default="", help="Project (required without --from-file; with it, the default)."
)
@click.option(
    "--from-file",
    "from_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Enqueue every line of this JSON-lines file ('-' for stdin), 1,000 per call.",
)
@click.option("--target", default="", help="Target reference.")
@click.option("--source", "sources", multiple=True, help="Source reference (repeatable).")
@click.option("--priority", type=INT32, default=0, show_default=True, help="Smaller first.")
@click.option("--parent", type=click.IntRange(0, MAX_INT64), default=0, help="Parent action id.")
@click.option("--created-by", default="human:cli", show_default=True, help="Producer.")
@click.option("--payload", default="{}", help="JSON object handed to the worker.")
@click.option("--queue", default="", help="Queue (default: default).")
@click.option(
    "--idempotency-key",
    default="",
    help="Unique in the queue while stored: the same key and action return the stored one.",
)
@click.option(
    "--max-attempts",
    type=POSITIVE,
    default=None,
    help="Claims before it ends as failed (default: the queue's, else 1).",
)
@click.option(
    "--backoff",
    type=BACKOFF,
    default=None,
    help="Retry delays: exponential:BASE:MAX[:JITTER] or fixed:DELAY[:JITTER].",
)
@click.option(
    "--delay", type=SECONDS, default=None, help="Not claimable before this long (30s, 10m, 2h)."
)
@click.option(
    "--run-after",
    type=TIMESTAMP,
    default=None,
    help="Not claimable before this RFC 3339 time, e.g. 2026-12-01T09:00:00Z.",
)
@click.option("--workflow", "workflow_id", default="", help="Join this workflow run.")
@click.option(
    "--depends-on",
    "depends_on",
    multiple=True,
    type=ACTION_ID,
    help="Wait until this action (of the same workflow) completed (repeatable).",
)
@click.option(
    "--concurrency-key", default="", help="Counted by the queue's per-key limits (a tenant, say)."
)
@click.option(
    "--group", "group_key", default="", help="Ordered group: one at a time, in enqueue order."
)
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
    max_attempts: int | None,
    backoff: Backoff | None,
    delay: float | None,
    run_after: datetime | None,
    workflow_id: str,
    depends_on: tuple[int, ...],
    concurrency_key: str,
    group_key: str,
    from_file: Any,
) -> None:
    """Enqueue an action and print it; or, with --from-file, every line of a
    JSON-lines file (each an object as `workflow start` takes: "type",
    "project", "payload", "queue", ...), printing the totals, with a progress
    bar on a terminal."""
    if from_file is not None:
        bulk.add_from_file(from_file, project, created_by)
        return
    if not action_type or not project:
        bad_input("--type and --project are required (or --from-file)")
    if delay is not None and run_after is not None:
        bad_input("--delay and --run-after: give one or the other")
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
        max_attempts=max_attempts or 0,
        backoff=backoff,
        run_after=run_after,
        delay=delay,
        workflow_id=workflow_id,
        depends_on=depends_on,
        concurrency_key=concurrency_key,
        group_key=group_key,
    )
    enqueued = client().enqueue([message])[0]
    record = enqueued.action.to_json()
    if enqueued.duplicate:
        record["duplicate"] = True
    emit_json(record)


@cli.command("ls")
@format_option
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
@click.option("--workflow", "workflow_id", default="", help="Only this workflow run.")
@click.option(
    "--search", default="", help="Only actions whose target_ref contains this (any case)."
)
@click.option(
    "--limit", type=click.IntRange(1, MAX_INT32), default=100, show_default=True, help="At most."
)
@click.option("--newest-first", is_flag=True, help="Newest first instead of oldest first.")
def list_actions(
    statuses: tuple[str, ...],
    action_type: str,
    project: str,
    queue: str,
    workflow_id: str,
    search: str,
    limit: int,
    newest_first: bool,
) -> None:
    """List actions as a JSON array."""
    found = client().iter_actions(
        statuses=statuses,
        action_type=action_type,
        project=project,
        queue=queue,
        target_ref_contains=search,
        page_size=min(1000, limit),
        newest_first=newest_first,
        workflow_id=workflow_id,
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
@click.option(
    "--queue",
    "queues",
    multiple=True,
    help="Queue (repeatable: claim from any of them; default: default).",
)
@click.option(
    "--lease", type=SECONDS, default=None, help="Lease (30s, 2m; default: the queue's, else 30s)."
)
@click.option("--wait", type=SECONDS, default="0s", show_default=True, help="Wait this long.")
def claim(
    worker: str,
    action_types: tuple[str, ...],
    project: str,
    queues: tuple[str, ...],
    lease: float | None,
    wait: float,
) -> None:
    """Claim the next action and print it with its lease token; exit 2 if none."""
    claimed = client().claim(
        worker,
        queue=queues[0] if len(queues) == 1 else "",
        queues=queues if len(queues) > 1 else (),
        action_types=action_types,
        project=project,
        lease=lease,
        wait=wait,
    )
    if not claimed:
        sys.exit(EXIT_NOTHING)
    emit_json(claimed[0].to_json())


@cli.command()
@click.argument("action_id", type=ACTION_ID)
@click.option("--lease-token", required=True, help="Lease token from claim.")
@click.option(
    "--lease", type=SECONDS, default="30s", show_default=True, help="New lease (30s, 2m)."
)
@click.option(
    "--progress", default=None, help="Progress to record (JSON object); logs an action_progress."
)
def heartbeat(action_id: int, lease_token: str, lease: float, progress: str | None) -> None:
    """Extend the lease of a claimed action, optionally recording progress."""
    reported = json_object("--progress", progress) if progress is not None else None
    beat = client().heartbeat(action_id, lease_token, lease, progress=reported)
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
@click.option(
    "--retry-in",
    type=SECONDS,
    default=None,
    help="Retry after this long (30s, 10m) instead of the backoff, if attempts remain.",
)
@click.option("--no-retry", is_flag=True, help="End as failed even if attempts remain.")
@lease_option
def fail_action(
    action_id: int, reason: str, retry_in: float | None, no_retry: bool, lease_token: str
) -> None:
    """Mark a claimed action failed, or pending again after its backoff while
    attempts remain."""
    if retry_in is not None and no_retry:
        bad_input("--retry-in and --no-retry: give one or the other")
    action = client().fail(
        action_id, lease_token, reason=reason, retry_delay=retry_in, no_retry=no_retry
    )
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
    """Cancel a pending, claimed or waiting action."""
    emit_json(client().cancel(action_id, reason=reason, actor=actor).to_json())


@cli.command()
def sweep() -> None:
    """Requeue expired claims; those on their last attempt end failed ("lease
    expired"). Prints both."""
    swept = client().sweep()
    emit_json(
        {
            "requeued": [a.to_json() for a in swept],
            "count": swept.requeued_count,
            "failed": [a.to_json() for a in swept.failed],
            "failed_count": swept.failed_count,
        }
    )


@cli.command()
@format_option
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
@format_option
@click.option("--queue", default="", help="Only this queue.")
@click.option("--project", default="", help="Only this project.")
@click.option(
    "--include-completed",
    is_flag=True,
    help="Also count every stored completed action (reads each such row).",
)
def stats(queue: str, project: str, include_completed: bool) -> None:
    """Counts per queue and action type (by status, scheduled, past deadline,
    finished in the last minute), and the cursor of the log's end."""
    emit_json(
        client().stats(queue=queue, project=project, include_completed=include_completed).to_json()
    )


for _command in (
    *durable.COMMANDS,
    *checkpoints.COMMANDS,
    *schedules.COMMANDS,
    *workflows.COMMANDS,
    *signals.COMMANDS,
    *limits.COMMANDS,
    tokens.token,
    worker.worker,
    top.top,
):
    cli.add_command(_command)


def main() -> None:
    """Console entry point."""
    cli()
