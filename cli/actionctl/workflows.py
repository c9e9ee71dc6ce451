"""The commands of workflow runs: `workflow ID` (or `workflow show ID`)
prints a run with every action and its status; `workflow start FILE` enqueues
a whole run from a JSON file in one atomic call."""

from __future__ import annotations

import json
from typing import Any

import click
from actionq import Backoff, new_action
from actionq.v1 import action_pb2 as pb

from .output import bad_input, client, emit_json
from .params import MAX_INT32

# The keys an action of a workflow file may hold, and new_action's names for them.
ACTION_KEYS = {
    "type": "action_type",
    "action_type": "action_type",
    "project": "project",
    "queue": "queue",
    "payload": "payload",
    "target": "target_ref",
    "target_ref": "target_ref",
    "source_refs": "source_refs",
    "priority": "priority",
    "created_by": "created_by",
    "idempotency_key": "idempotency_key",
    "max_attempts": "max_attempts",
    "backoff": "backoff",
    "delay": "delay",
    "depends_on": "depends_on",
    "depends_on_index": "depends_on_index",
    "concurrency_key": "concurrency_key",
    "group_key": "group_key",
}


class _WorkflowGroup(click.Group):
    """`workflow ID` is `workflow show ID`: a first argument that names no
    subcommand is the id of the run to show."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@click.group("workflow", cls=_WorkflowGroup)
def workflow() -> None:
    """Workflow runs: `workflow ID` shows one, `workflow start FILE` enqueues one."""


@workflow.command("show")
@click.argument("workflow_id")
def show(workflow_id: str) -> None:
    """Print a run: its status, counts by status, and every action (JSON)."""
    run = client().get_workflow(workflow_id)
    record = run.to_json()
    actions = record.pop("actions")
    emit_json({"workflow": record, "actions": actions})


@workflow.command("start")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--id", "workflow_id", default="", help="The run's id (default: the file's, else a UUID)."
)
@click.option("--project", default="", help="Project of the actions that name none.")
@click.option("--created-by", default="human:cli", show_default=True, help="Producer.")
def start(file: Any, workflow_id: str, project: str, created_by: str) -> None:
    """Enqueue a run from FILE ('-' for stdin): a JSON array of actions, or an
    object {"workflow_id": ..., "actions": [...]}. Each action holds "type",
    "project", and optionally "queue", "payload", "priority", "max_attempts",
    "backoff", "delay" (seconds), "idempotency_key", "depends_on_index" (positions
    in the file) and "depends_on" (ids). Prints the run's id and its actions."""
    try:
        document = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        bad_input(f"FILE: not valid JSON ({exc})")
    if isinstance(document, dict):
        unknown = sorted(set(document) - {"workflow_id", "actions"})
        if unknown:
            bad_input(f"FILE: unknown key {unknown[0]!r} (expected workflow_id and actions)")
        workflow_id = workflow_id or _text("workflow_id", document.get("workflow_id", ""))
        document = document.get("actions")
    if not isinstance(document, list) or not document:
        bad_input("FILE: expected a non-empty JSON array of actions (or an object with one)")
    messages = [_action(i, item, project, created_by) for i, item in enumerate(document)]
    result = client().enqueue_workflow(messages, workflow_id=workflow_id or None)
    emit_json(
        {
            "workflow_id": result[0].action.workflow_id,
            "actions": [e.action.to_json() for e in result],
        }
    )


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        bad_input(f"FILE: {field} must be a string")
    return value


def _action(index: int, item: Any, project: str, created_by: str) -> pb.NewAction:
    where = f"FILE: actions[{index}]"
    if not isinstance(item, dict):
        bad_input(f"{where} must be a JSON object")
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if key not in ACTION_KEYS:
            bad_input(f"{where}: unknown key {key!r}")
        fields[ACTION_KEYS[key]] = value
    fields.setdefault("project", project)
    fields.setdefault("created_by", created_by)
    for name in ("action_type", "project"):
        if not isinstance(fields.get(name), str) or not fields[name]:
            bad_input(f"{where}: {name if name == 'project' else 'type'} is required (a string)")
    for name in ("depends_on", "depends_on_index", "source_refs"):
        value = fields.get(name, [])
        kind = str if name == "source_refs" else int
        if not isinstance(value, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in value
        ):
            bad_input(f"{where}: {name} must be an array of {kind.__name__}s")
    for name in ("priority", "max_attempts"):
        value = fields.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_INT32:
            bad_input(f"{where}: {name} must be a 32-bit integer")
    if "payload" in fields and not isinstance(fields["payload"], dict):
        bad_input(f"{where}: payload must be a JSON object")
    if "backoff" in fields:
        fields["backoff"] = Backoff.parse(_text(f"actions[{index}].backoff", fields["backoff"]))
    if "delay" in fields and (
        not isinstance(fields["delay"], int | float) or isinstance(fields["delay"], bool)
    ):
        bad_input(f"{where}: delay must be a number of seconds")
    action_type = fields.pop("action_type")
    return new_action(action_type, fields.pop("project"), **fields)


COMMANDS = (workflow,)
