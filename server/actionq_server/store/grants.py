"""What the server's own PostgreSQL role may do in the schema: DML on the
state tables, INSERT and SELECT on the event log, EXECUTE on the routines,
USAGE on the schema and its sequences; never DDL, never UPDATE, DELETE or
TRUNCATE of events. The owner runs the migrations and owns everything;
event_log_maintain (SECURITY DEFINER, owned by the owner) creates and drops
the log's partitions on the server's behalf.

Each grant starts with REVOKE ALL, so that the role ends with exactly these
privileges whatever it held before; running it twice changes nothing."""

from __future__ import annotations

import re

import asyncpg

from .identifiers import IDENTIFIER, checked, qualified, quoted
from .sql import query

# Tables whose privileges differ from DEFAULT_TABLE_PRIVILEGES. A table added
# by a migration gets the default until it is named here.
TABLE_PRIVILEGES: dict[str, tuple[str, ...]] = {
    # Append-only: old events go only as whole partitions, dropped by
    # event_log_maintain.
    "events": ("SELECT", "INSERT"),
    # Written only by event_log_maintain.
    "event_log": ("SELECT",),
    "event_partitions": (),
    # Read at start to see whether the schema is current.
    "schema_migrations": ("SELECT",),
    # Revocation is an UPDATE: a token is never deleted.
    "tokens": ("SELECT", "INSERT", "UPDATE"),
}
DEFAULT_TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Called only inside event_log_maintain, as the owner.
OWNER_ONLY_ROUTINES = frozenset({"event_log_add_partition"})
# Argument types as oidvectortypes() prints ours (e.g. `timestamp with time
# zone, text[]`).
_ARGUMENTS = re.compile(r"[A-Za-z0-9_ ,\[\]()]*")


class GrantRefused(Exception):
    """The grant cannot be made; the message says why and what to do."""


async def statements(conn: asyncpg.Connection, schema: str, role: str) -> list[str]:
    """The GRANT and REVOKE statements that give `role` exactly its privileges
    on `schema` as it stands (run them in one transaction)."""
    checked(role, "role")
    state = await conn.fetchrow(query("grant_role_state"), role, schema)
    if not state["role_exists"]:
        raise GrantRefused(f"role {role!r} does not exist")
    if not state["schema_exists"]:
        raise GrantRefused(
            f"schema {schema!r} does not exist: run `actionq-server migrate` first",
        )
    if state["superuser"] or state["owns"]:
        raise GrantRefused(
            f"role {role!r} owns schema {schema!r} or is a superuser: grant to the "
            "server's own role, not to the owner",
        )
    grantee = quoted(role, "role")
    out = [
        f"REVOKE ALL ON SCHEMA {quoted(schema, 'schema')} FROM {grantee}",
        f"GRANT USAGE ON SCHEMA {quoted(schema, 'schema')} TO {grantee}",
    ]
    for row in await conn.fetch(query("grant_objects"), schema):
        kind, name = row["kind"], row["name"]
        if kind == "routine":
            arguments = row["arguments"]
            if not _ARGUMENTS.fullmatch(arguments):
                raise ValueError(f"routine {name}: unexpected argument types {arguments!r}")
            target = f"ROUTINE {qualified(schema, name, 'routine')}({arguments})"
            privileges: tuple[str, ...] = () if name in OWNER_ONLY_ROUTINES else ("EXECUTE",)
        elif kind == "sequence":
            target = f"SEQUENCE {qualified(schema, name, 'sequence')}"
            privileges = ("USAGE",)
        elif kind == "partition":
            # Reached only through events, whose privileges PostgreSQL checks.
            target = f"TABLE {qualified(schema, name, 'partition')}"
            privileges = ()
        else:
            target = f"TABLE {qualified(schema, name, 'table')}"
            privileges = TABLE_PRIVILEGES.get(name, DEFAULT_TABLE_PRIVILEGES)
        out.append(f"REVOKE ALL ON {target} FROM {grantee}")
        if privileges:
            out.append(f"GRANT {', '.join(privileges)} ON {target} TO {grantee}")
    return out


async def apply(conn: asyncpg.Connection, schema: str, role: str) -> list[str]:
    """Give `role` exactly its privileges, in one transaction; the statements run."""
    async with conn.transaction():
        done = await statements(conn, schema, role)
        for statement in done:
            await conn.execute(statement)
    return done


async def grantees(conn: asyncpg.Connection, schema: str) -> list[str]:
    """The server roles granted on `schema` (those that hold USAGE on it and
    do not own it)."""
    found = []
    for row in await conn.fetch(query("grant_grantees"), schema):
        if not IDENTIFIER.fullmatch(row["rolname"]):
            continue  # never granted by us: statements() refuses such a name
        state = await conn.fetchrow(query("grant_role_state"), row["rolname"], schema)
        if not (state["superuser"] or state["owns"]):
            found.append(row["rolname"])
    return found


async def sees_sessions(conn: asyncpg.Connection, schema: str, role: str) -> bool:
    """Whether this role (the owner) sees `role`'s open transactions in
    pg_stat_activity, which event_log_maintain needs to drop old partitions
    while `role` is connected (pg_read_all_stats, or membership of `role`)."""
    state = await conn.fetchrow(query("grant_role_state"), role, schema)
    return bool(state["sees_sessions"])
