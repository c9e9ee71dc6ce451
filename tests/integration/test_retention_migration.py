"""Migration 4 turns a version-3 event log into the partitioned one without
losing or reordering an event, and new ids continue where the old ones stood."""

from __future__ import annotations

import asyncio

import asyncpg
from actionq_server.store.migrator import available, migrate
from actionq_server.store.repository import init_connection

COLUMNS = "id, action_id, event_type, actor, payload::text, created_at, txid"


async def _upgrade(dsn: str, schema: str) -> tuple[list[tuple[object, ...]], ...]:
    setup = await asyncpg.connect(dsn)
    try:
        await setup.execute(f'CREATE SCHEMA "{schema}"; SET search_path TO "{schema}"')
        await setup.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for migration in available():
            if migration.version >= 4:
                break
            await setup.execute(migration.sql)
            await setup.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                migration.version,
                migration.name,
            )
        action = await setup.fetchval(
            "INSERT INTO actions (action_type, project, created_by) "
            "VALUES ('t', 'p', 'x') RETURNING id"
        )
    finally:
        await setup.close()

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(dsn, server_settings={"search_path": schema})

    first, second = await connect(), await connect()
    try:
        # Out of id order: the second transaction takes its transaction id
        # first and its event ids last, so (txid, id) order differs from id order.
        early = second.transaction()
        await early.start()
        await second.fetchval("SELECT pg_current_xact_id()")
        await first.execute(
            "INSERT INTO events (action_id, event_type, actor, payload) "
            "VALUES ($1, 'action_claimed', 'a', '{\"n\": 1}')",
            action,
        )
        for i in range(3):
            await second.execute(
                "INSERT INTO events (action_id, event_type, actor, payload) "
                "VALUES ($1, 'action_progress', 'b', $2::jsonb)",
                action,
                f'{{"i": {i}, "text": "{"é" * i}"}}',
            )
        await early.commit()
        # An id taken and rolled back is not handed out again.
        lost = second.transaction()
        await lost.start()
        await second.execute("INSERT INTO events (event_type, actor) VALUES ('queue_paused', 'c')")
        await lost.rollback()
        before = [
            tuple(r) for r in await first.fetch(f"SELECT {COLUMNS} FROM events ORDER BY txid, id")
        ]
    finally:
        await first.close()
        await second.close()

    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    try:
        report = await migrate(conn, schema)
    finally:
        await conn.close()
    assert report.applied == [m.name for m in available() if m.version >= 4]

    conn = await connect()
    try:
        after = [
            tuple(r) for r in await conn.fetch(f"SELECT {COLUMNS} FROM events ORDER BY txid, id")
        ]
        homes = [
            tuple(r)
            for r in await conn.fetch("SELECT DISTINCT tableoid::regclass::text FROM events")
        ]
        fresh = await conn.fetchval(
            "INSERT INTO events (event_type, actor) VALUES ('queue_resumed', 'd') RETURNING id"
        )
    finally:
        await conn.close()
    return before, after, homes, [(fresh,)]


def test_version_4_keeps_every_event_in_order(schema_dsn: tuple[str, str]) -> None:
    dsn, schema = schema_dsn
    before, after, homes, fresh = asyncio.run(_upgrade(dsn, schema))
    assert len(before) == 4 and after == before
    ids = [row[0] for row in after]
    assert ids != sorted(ids)  # the log order is (txid, id), kept as it was
    assert homes == [("events_history",)]
    # ids 1-4 were written and 5 was rolled back: the next is 6.
    assert fresh == [(6,)]


async def _maintain_as_a_plain_role(dsn: str, schema: str) -> dict[str, object]:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    role = f"r_{schema}"
    outcome: dict[str, object] = {}
    try:
        await migrate(conn, schema)
        await conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
        await conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        await conn.execute(
            f"UPDATE \"{schema}\".event_log SET partition_width = interval '2 seconds', "
            "partitions_ahead = 10"
        )
        maintain = f'SELECT "{schema}".event_log_maintain(NULL)'
        count = f'SELECT count(*) FROM "{schema}".event_partitions'
        outcome["before"] = await conn.fetchval(count)

        async def as_role(statement: str) -> str:
            await conn.execute(f'SET ROLE "{role}"')
            try:
                await conn.execute(statement)
                return "allowed"
            except asyncpg.PostgresError as exc:
                return type(exc).__name__
            finally:
                await conn.execute("RESET ROLE")

        outcome["without_grant"] = await as_role(maintain)
        await conn.execute(
            f'GRANT EXECUTE ON FUNCTION "{schema}".event_log_maintain(timestamptz) TO "{role}"'
        )
        outcome["with_grant"] = await as_role(maintain)
        outcome["after"] = await conn.fetchval(count)
        outcome["own_ddl"] = await as_role(f'CREATE TABLE "{schema}".mine (x int)')
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.execute(f'DROP OWNED BY "{role}"')
        await conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        await conn.close()
    return outcome


def test_a_role_without_ddl_rights_runs_the_maintenance_once_granted(
    schema_dsn: tuple[str, str],
) -> None:
    """event_log_maintain is SECURITY DEFINER: a server role that may not
    create tables makes partitions through it, once granted EXECUTE (which
    PUBLIC does not have)."""
    dsn, schema = schema_dsn
    outcome = asyncio.run(_maintain_as_a_plain_role(dsn, schema))
    assert outcome["without_grant"] == "InsufficientPrivilegeError"
    assert outcome["with_grant"] == "allowed"
    before, after = outcome["before"], outcome["after"]
    assert isinstance(before, int) and isinstance(after, int) and after > before
    assert outcome["own_ddl"] == "InsufficientPrivilegeError"
