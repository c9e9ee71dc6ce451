"""Applies the numbered migrations in order, each in its own transaction.

A schema that is current needs nothing but SELECT on schema_migrations, so a
server whose role has only the grants of store/grants.py starts on it. A role
that may not migrate a schema that is behind is refused with what to run as
whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from ..domain.errors import FailedPrecondition, Reason
from ..domain.models import MigrationReport
from . import grants
from .identifiers import quoted
from .sql import query

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file."""

    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files("actionq_migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(
                Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8"))
            )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


async def migrate(conn: asyncpg.Connection, schema: str) -> MigrationReport:
    """Bring `schema` up to date. Safe to run concurrently from many processes.
    When it is current already, nothing but reads happen."""
    name = quoted(schema, "schema")
    await conn.execute(query("migration_lock"), schema)
    try:
        state = await conn.fetchrow(query("migration_schema_state"), schema)
        if not state["may_use"] and not state["may_migrate"]:
            raise _not_granted(schema, state)
        done: set[int] = set()
        if state["recorded"]:
            try:
                rows = await conn.fetch(query("migration_applied").format(schema=name))
            except asyncpg.InsufficientPrivilegeError:
                raise _not_granted(schema, state) from None
            done = {r["version"] for r in rows}
        pending = [m for m in available() if m.version not in done]
        if not pending:
            return MigrationReport(schema=schema, version=max(done, default=0), applied=[])
        if not state["may_migrate"]:
            raise _behind(schema, state, max(done, default=0), pending[-1].version)
        if not state["schema_exists"]:
            await conn.execute(query("migration_create_schema").format(schema=name))
        await conn.execute(query("migration_create_table").format(schema=name))
        await conn.execute(query("migration_search_path").format(schema=name))
        applied = []
        for migration in pending:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(query("migration_record"), migration.version, migration.name)
            applied.append(migration.name)
            done.add(migration.version)
        # New objects get the same grants as the old ones: a migration never
        # leaves the server's role without what it needs.
        for role in await grants.grantees(conn, schema):
            await grants.apply(conn, schema, role)
    finally:
        await conn.execute(query("migration_unlock"), schema)
    return MigrationReport(schema=schema, version=max(done, default=0), applied=applied)


def _behind(schema: str, state: asyncpg.Record, version: int, needed: int) -> FailedPrecondition:
    owner = (
        f"the schema's owner ({state['owner']!r})"
        if state["owner"]
        else "a role that may create schemas in this database (it will own the schema)"
    )
    return FailedPrecondition(
        f"schema {schema!r} is at version {version} and this server needs {needed}; "
        f"role {state['role']!r} may not migrate it: run `actionq-server migrate` "
        f"as {owner}, then start the server again",
        reason=Reason.PERMISSION_DENIED,
    )


def _not_granted(schema: str, state: asyncpg.Record) -> FailedPrecondition:
    return FailedPrecondition(
        f"role {state['role']!r} may not use schema {schema!r}: run "
        f"`actionq-server grant {state['role']}` as {state['owner']!r} (the schema's owner)",
        reason=Reason.PERMISSION_DENIED,
    )
