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
