"""Workflow runs: the dependencies an Enqueue writes, the settling of
dependants when an action of a run ends, and reading a run back.

Every function taking a connection runs inside the caller's transaction. The
lock order is the action rows first (the transition that ended them), then
the run's row; a settlement that still meets a deadlock (an operator's cancel
of a dependant racing it) is retried by `retrying`."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import asyncpg

from ..domain.errors import FailedPrecondition, InvalidArgument, NotFound, Reason
from ..domain.models import Action, Enqueued, NewAction
from ..domain.workflows import in_workflow
from . import repository as repo
from .errors import translated
from .sql import query

T = TypeVar("T")

DEAD = ("failed", "rejected", "cancelled")
TERMINAL = ("completed", *DEAD)
DEADLOCK_ATTEMPTS = 5
MAX_WORKFLOW_ACTIONS = 10_000


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    """A run, its counts by status, and its actions in id order."""

    id: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    actions: list[Action]


def workflow_not_found(workflow_id: str) -> NotFound:
    """The NotFound of an unknown workflow id."""
    error = NotFound(f"workflow {workflow_id!r} not found", reason=Reason.WORKFLOW_NOT_FOUND)
    error.metadata.update(field="workflow_id", workflow_id=workflow_id)
    return error


async def retrying(conn: asyncpg.Connection, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` in a transaction, again (a few times) when it deadlocked."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            async with conn.transaction():
                return await work()
        except asyncpg.DeadlockDetectedError:
            if attempt == DEADLOCK_ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0.001, 0.01 * attempt))
    raise AssertionError("unreachable")


def inherit(new: Sequence[NewAction], parents: dict[int, str | None]) -> list[NewAction]:
    """Children join their parent's run when they name none; an action with
    dependencies must end up in a run."""
    out = []
    for i, n in enumerate(new):
        if n.workflow_id is None and n.parent_id is not None and parents.get(n.parent_id):
            n = n._replace(workflow_id=parents[n.parent_id])
        if n.workflow_id is None and (n.depends_on or n.depends_on_index):
            raise InvalidArgument(
                f"actions[{i}].workflow_id",
                "is required with depends_on or depends_on_index (or a parent in a workflow)",
            )
        out.append(n)
    return out


async def link(
    conn: asyncpg.Connection, new: Sequence[NewAction], stored: list[Enqueued]
) -> list[Enqueued]:
    """Open the runs of a stored batch and record its dependencies; returns
    the batch with dependants as they are now (waiting or pending). Actions
    returned as duplicates (by idempotency key) are left as they were."""
    fresh = [i for i, e in enumerate(stored) if not e.duplicate]
    runs = sorted({run for i in fresh if (run := new[i].workflow_id) is not None})
    if not runs:
        return stored
    wanted: dict[int, list[int]] = {}
    for i in fresh:
        n = new[i]
        if not in_workflow(n):
            continue
        deps = [*n.depends_on, *(stored[j].action.id for j in n.depends_on_index)]
        if deps:
            wanted[i] = list(dict.fromkeys(deps))
    ids = sorted({d for deps in wanted.values() for d in deps})
    if ids:
        # The rows the dependencies' foreign keys will share-lock, locked before
        # the run's row, as a settlement locks them (no deadlock with a Fail).
        await conn.execute(query("workflow_lock_dependencies"), ids)
    await conn.execute(query("workflow_open"), runs)
    if not wanted:
        return stored
    members = {r["id"]: r for r in await conn.fetch(query("workflow_members"), ids)}
    sources: list[int] = []
    targets: list[int] = []
    for i, deps in wanted.items():
        run = new[i].workflow_id
        by_index = {stored[j].action.id: j for j in new[i].depends_on_index}
        for d in deps:
            field = (
                f"actions[{i}].depends_on_index" if d in by_index else f"actions[{i}].depends_on"
            )
            _check_dependency(field, d, members.get(d), run)
            sources.append(stored[i].action.id)
            targets.append(d)
    rows = await conn.fetch(query("workflow_link"), sources, targets)
    now = {r["id"]: repo.action_from_row(r) for r in rows}
    return [Enqueued(now.get(e.action.id, e.action), e.duplicate) for e in stored]


def _check_dependency(
    field: str, dependency: int, member: asyncpg.Record | None, run: str | None
) -> None:
    if member is None:
        error = InvalidArgument(
            field, f"action {dependency} not found", reason=Reason.DEPENDENCY_NOT_FOUND
        )
        error.metadata["action_id"] = str(dependency)
        raise error
    if member["workflow_id"] != run:
        where = f"workflow {member['workflow_id']!r}" if member["workflow_id"] else "no workflow"
        error = InvalidArgument(
            field,
            f"action {dependency} is in {where}, not in workflow {run!r}",
            reason=Reason.DEPENDENCY_NOT_FOUND,
        )
        error.metadata["action_id"] = str(dependency)
        raise error
    if member["status"] in DEAD:
        failed = FailedPrecondition(
            f"{field}: action {dependency} already ended {member['status']}",
            reason=Reason.DEPENDENCY_FAILED,
        )
        failed.metadata.update(field=field, action_id=str(dependency))
        raise failed


async def settle(conn: asyncpg.Connection, ended: Sequence[tuple[str, int, str]]) -> None:
    """After actions of runs ended ((run, action id, status) each, in this
    transaction): dependants whose dependencies all completed become pending,
    dependants of a failed, rejected or cancelled one are cancelled (and
    theirs, transitively), and a run with nothing left unfinished ends."""
    runs = sorted({run for run, _, _ in ended})
    await conn.execute(query("workflow_lock"), runs)
    completed = [i for _, i, status in ended if status == "completed"]
    if completed:
        await conn.execute(query("workflow_ready"), completed)
    await _cancel_dependants(conn, [i for _, i, status in ended if status in DEAD])
    for run in runs:
        await conn.execute(query("workflow_finish"), run)


async def _cancel_dependants(conn: asyncpg.Connection, dead: list[int]) -> None:
    while dead:
        dead = [r["id"] for r in await conn.fetch(query("workflow_cancel_dependants"), dead)]


async def reopen(conn: asyncpg.Connection, retried: Sequence[int]) -> None:
    """After Retry put dead actions back (in this transaction): their runs are
    running again, and a retried dependant waits again for dependencies not
    yet completed (cancelled again at once if one of them is still dead)."""
    if not retried:
        return
    runs = [r["workflow_id"] for r in await conn.fetch(query("workflow_of_actions"), retried)]
    if not runs:
        return
    await conn.execute(query("workflow_lock"), runs)
    await conn.execute(query("workflow_reopen"), runs)
    dependencies = [r["id"] for r in await conn.fetch(query("workflow_rewait"), list(retried))]
    await _cancel_dependants(conn, dependencies)
    for run in runs:
        await conn.execute(query("workflow_finish"), run)


def ended_in_runs(rows: Sequence[asyncpg.Record]) -> list[tuple[str, int, str]]:
    """The rows of a transition that ended actions of runs, as settle() takes them."""
    return [
        (r["workflow_id"], r["id"], r["status"])
        for r in rows
        if r["workflow_id"] is not None and r["status"] in TERMINAL
    ]


class WorkflowStore:
    """Reads of workflow runs, over the store's pool."""

    def __init__(self, store: repo.Store) -> None:
        self._store = store

    @translated
    async def get(self, workflow_id: str) -> WorkflowRun:
        """A run with its counts and (up to 10,000 of) its actions, or NotFound."""
        async with (
            self._store._connection() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            row = await conn.fetchrow(query("workflow_get"), workflow_id)
            if row is None:
                raise workflow_not_found(workflow_id)
            rows = await conn.fetch(query("workflow_actions"), workflow_id, MAX_WORKFLOW_ACTIONS)
        counts = {
            k: row[k]
            for k in (
                "total",
                "pending",
                "claimed",
                "waiting",
                "completed",
                "failed",
                "rejected",
                "cancelled",
            )
        }
        return WorkflowRun(
            id=row["id"],
            status=row["status"],
            created_at=row["created_at"],
            finished_at=row["finished_at"],
            counts=counts,
            actions=repo.Store.fit([repo.action_from_row(r) for r in rows]),
        )
