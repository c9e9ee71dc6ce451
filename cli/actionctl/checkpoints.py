"""The commands of checkpoints: `checkpoint` saves a step's state under a
claimed action's lease, `checkpoints` lists what every attempt saved."""

from __future__ import annotations

import click

from .output import client, emit_json, json_object
from .params import ACTION_ID


@click.command("checkpoint")
@click.argument("action_id", type=ACTION_ID)
@click.option("--lease-token", required=True, help="Lease token from claim.")
@click.option("--step", required=True, help="The step's name, unique within the action.")
@click.option("--state", default="{}", show_default=True, help="The step's state (JSON object).")
def save_checkpoint(action_id: int, lease_token: str, step: str, state: str) -> None:
    """Save (or replace) a step's state for a claimed action; prints the checkpoint."""
    saved = client().save_checkpoint(action_id, lease_token, step, json_object("--state", state))
    emit_json(saved.to_json())


@click.command("checkpoints")
@click.argument("action_id", type=ACTION_ID)
def list_checkpoints(action_id: int) -> None:
    """Every checkpoint of an action, from every attempt, oldest step first (JSON array)."""
    emit_json([k.to_json() for k in client().get_checkpoints(action_id)])


COMMANDS = (save_checkpoint, list_checkpoints)
