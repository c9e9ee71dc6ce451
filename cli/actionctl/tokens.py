"""`actionctl token create|ls|revoke`: API tokens (admin)."""

from __future__ import annotations

import click
from actionq import ROLES

from .output import client, emit_json
from .params import Duration

MAX_EXPIRY_SECONDS = 10 * 365.25 * 86400


@click.group("token")
def token() -> None:
    """API tokens: create (its secret is printed once), list, revoke."""


@token.command("create")
@click.option("--name", required=True, help="The principal's name (recorded as who did it).")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What it may do.")
@click.option("--names", multiple=True, help="Another name it may assert (repeatable).")
@click.option(
    "--expires",
    type=Duration(1.0, MAX_EXPIRY_SECONDS),
    default=None,
    help="Lifetime: 30d, 12h, … (default: never).",
)
def create(name: str, role: str, names: tuple[str, ...], expires: float | None) -> None:
    """Create a token; prints it with its `secret`, which is not shown again."""
    made = client().create_token(name, role, names=names, expires_in=expires)
    emit_json(made.to_json())


@token.command("ls")
def list_tokens() -> None:
    """Every token (never a secret), newest first."""
    emit_json([t.to_json() for t in client().list_tokens()])


@token.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token by id; within a second no server accepts it."""
    emit_json(client().revoke_token(token_id).to_json())
