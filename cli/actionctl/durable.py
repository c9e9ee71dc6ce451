"""The commands of durable execution: dead letters (`dlq`, `retry`), queues
(`queues`, `queue-set`, `pause`, `resume`), waiting (`wait`) and retention
(`prune`). Each prints one JSON document; the bulk ones loop over bounded
calls while the server says there is more, counting on a terminal."""

from __future__ import annotations

from itertools import islice
from typing import Any

import click
from actionq import Backoff

from .output import bad_input, client, emit_json, progress
from .params import ACTION_ID, BACKOFF, MAX_INT32, POSITIVE, SECONDS, Duration
from .tables import format_option

DEAD_STATUSES = ("failed", "rejected", "cancelled")
# Actions per Retry or Prune call, and ids per Retry by id (the server's caps
# are 10,000 and 1,000).
BATCH = 1000
# WaitAction waits at most an hour.
MAX_WAIT_SECONDS = 3600.0

actor_option = click.option(
    "--actor", default="human:cli", show_default=True, help="Who asks (recorded in the event)."
)


@click.command("dlq")
@format_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(DEAD_STATUSES),
    help="Only this dead status (repeatable; default: all three).",
)
@click.option("--type", "action_type", default="", help="Only this action type.")
@click.option("--project", default="", help="Only this project.")
@click.option("--queue", default="", help="Only this queue.")
@click.option(
    "--limit", type=click.IntRange(1, MAX_INT32), default=100, show_default=True, help="At most."
)
def dead_letters(
    statuses: tuple[str, ...], action_type: str, project: str, queue: str, limit: int
) -> None:
    """List dead actions (failed, rejected, cancelled), newest first, as a JSON array."""
    found = client().iter_actions(
        statuses=statuses or DEAD_STATUSES,
        action_type=action_type,
        project=project,
        queue=queue,
        page_size=min(BATCH, limit),
        newest_first=True,
    )
    emit_json([a.to_json() for a in islice(found, limit)])


@click.command("retry")
@click.argument("action_ids", nargs=-1, type=ACTION_ID)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(DEAD_STATUSES),
    help="Filter: this dead status (repeatable; default: failed).",
)
@click.option("--type", "action_type", default="", help="Filter: only this action type.")
@click.option("--project", default="", help="Filter: only this project.")
@click.option("--queue", default="", help="Filter: only this queue.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Filter: every dead action of --status (default failed).",
)
@click.option("--limit", type=POSITIVE, default=None, help="Filter: retry at most this many.")
@actor_option
def retry(
    action_ids: tuple[int, ...],
    statuses: tuple[str, ...],
    action_type: str,
    project: str,
    queue: str,
    everything: bool,
    limit: int | None,
    actor: str,
) -> None:
    """Put dead actions back to pending with fresh attempts: by id (every one
    must be dead), or by filter (--status, --type, --project, --queue, or --all).
    Prints {"retried": N, "ids": [...]}."""
    filtered = bool(statuses or action_type or project or queue or everything)
    if action_ids and (filtered or limit is not None):
        bad_input("retry: give action ids or filter options, not both")
    if not action_ids and not filtered:
        bad_input(
            "retry: name the actions (retry ID...) or a filter "
            "(--status, --type, --project, --queue), or --all for every failed action"
        )
    retried: list[int] = []
    with progress("retrying") as advance:
        if action_ids:
            for start in range(0, len(action_ids), BATCH):
                chunk = action_ids[start : start + BATCH]
                done = client().retry(chunk, actor=actor).retried_ids
                retried += done
                advance(len(done))
        else:
            while limit is None or len(retried) < limit:
                batch = BATCH if limit is None else min(BATCH, limit - len(retried))
                result = client().retry(
                    statuses=statuses,
                    action_type=action_type,
                    project=project,
                    queue=queue,
                    limit=batch,
                    actor=actor,
                )
                retried += result.retried_ids
                advance(len(result.retried_ids))
                if not result.more or not result.retried_ids:
                    break
    emit_json({"retried": len(retried), "ids": retried})


@click.command("queues")
@format_option
def list_queues() -> None:
    """List every queue with its defaults, paused flag and counts, as a JSON array."""
    emit_json([q.to_json() for q in client().list_queues()])


@click.command("queue-set")
@click.argument("queue")
@click.option(
    "--max-attempts", type=POSITIVE, default=None, help="Default max attempts of its actions."
)
@click.option(
    "--backoff",
    type=BACKOFF,
    default=None,
    help="Default retry delays: exponential:BASE:MAX[:JITTER] or fixed:DELAY[:JITTER].",
)
@click.option("--lease", type=SECONDS, default=None, help="Default lease of claims (60s, 5m).")
@actor_option
def queue_set(
    queue: str,
    max_attempts: int | None,
    backoff: Backoff | None,
    lease: float | None,
    actor: str,
) -> None:
    """Set a queue's defaults (creating the queue if needed); options not
    given keep their value. Prints the queue."""
    updated = client().update_queue(
        queue, max_attempts=max_attempts or 0, backoff=backoff, lease=lease, actor=actor
    )
    emit_json(updated.to_json())


@click.command("pause")
@click.argument("queue")
@click.option("--reason", default="", help="Why (recorded in the event).")
@actor_option
def pause(queue: str, reason: str, actor: str) -> None:
    """Stop claiming from a queue (enqueuing continues). Prints the queue."""
    emit_json(client().pause_queue(queue, actor=actor, reason=reason).to_json())


@click.command("resume")
@click.argument("queue")
@actor_option
def resume(queue: str, actor: str) -> None:
    """Let claiming from a paused queue continue. Prints the queue."""
    emit_json(client().resume_queue(queue, actor=actor).to_json())


@click.command("wait")
@click.argument("action_ids", nargs=-1, required=True, type=ACTION_ID)
@click.option(
    "--timeout",
    "wait_for",
    type=Duration(0.0, MAX_WAIT_SECONDS),
    default=None,
    help="Give up after this long (30s, 10m; default and most: 1h).",
)
def wait(action_ids: tuple[int, ...], wait_for: float | None) -> None:
    """Wait until every named action has ended (completed, failed, rejected or
    cancelled) and print them as a JSON array; on timeout the JSON error
    DEADLINE_EXCEEDED / WAIT_TIMEOUT and exit 1."""
    if len(action_ids) > BATCH:
        bad_input(f"wait: at most {BATCH} action ids")
    emit_json([a.to_json() for a in client().wait(action_ids, wait_for)])


@click.command("prune")
@click.option(
    "--older-than",
    type=SECONDS,
    default=None,
    help="What finished longer ago than this (7d, 12h; default: the server's ACTIONQ_RETENTION).",
)
@click.option("--limit", type=POSITIVE, default=None, help="Delete at most this many actions.")
def prune(older_than: float | None, limit: int | None) -> None:
    """Delete finished actions older than the cutoff, and their events, in
    bounded batches until none is left; drops whole old partitions of the event
    log. Prints the totals."""
    totals: dict[str, Any] = {"pruned_actions": 0, "dropped_partitions": 0, "oldest_cursor": ""}
    with progress("pruning") as advance:
        while True:
            left = None if limit is None else limit - totals["pruned_actions"]
            batch = BATCH if left is None else min(BATCH, left)
            result = client().prune(older_than, limit=batch)
            totals["pruned_actions"] += result.pruned_actions
            totals["dropped_partitions"] += result.dropped_partitions
            totals["oldest_cursor"] = result.oldest_cursor
            advance(result.pruned_actions)
            done = left is not None and left - result.pruned_actions <= 0
            if not result.more or done or not (result.pruned_actions or result.dropped_partitions):
                break
    totals["oldest_cursor"] = totals["oldest_cursor"] or None
    emit_json(totals)


COMMANDS = (dead_letters, retry, list_queues, queue_set, pause, resume, wait, prune)
