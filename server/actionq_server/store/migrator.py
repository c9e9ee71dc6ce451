"""Applies the numbered migrations in order, each in its own transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

from ..domain.models import MigrationReport
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


def quote_ident(name: str) -> str:
    """Quote a (pre-validated) identifier."""
    return '"' + name.replace('"', '""') + '"'


async def migrate(conn: asyncpg.Connection, schema: str) -> MigrationReport:
    """Bring `schema` up to date. Safe to run concurrently from many processes."""
    await conn.execute(query("migration_lock"), schema)
    try:
        await conn.execute(query("migration_bootstrap").format(schema=quote_ident(schema)))
        await conn.execute(query("migration_search_path").format(schema=quote_ident(schema)))
        done = {r["version"] for r in await conn.fetch(query("migration_applied"))}
        applied = []
        for migration in available():
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(query("migration_record"), migration.version, migration.name)
            applied.append(migration.name)
            done.add(migration.version)
    finally:
        await conn.execute(query("migration_unlock"), schema)
    return MigrationReport(schema=schema, version=max(done, default=0), applied=applied)
