"""Migrations: applied in order, recorded, idempotent, safe when run concurrently."""

from __future__ import annotations

import asyncio

import asyncpg
from actionq_server.store.migrator import available, migrate
from actionq_server.store.repository import ACTION_COLUMNS, EVENT_COLUMNS, init_connection

from tests.support import refusal


async def _migrate_in(dsn: str, schema: str) -> tuple[list[str], int]:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    try:
        report = await migrate(conn, schema)
        return report.applied, report.version
    finally:
        await conn.close()


async def _describe(dsn: str, schema: str) -> dict[str, object]:
    conn = await asyncpg.connect(dsn)
    try:
        # The event log's partitions are listed apart (their names carry dates).
        tables = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "ORDER BY 1",
            schema,
        )
        partitions = await conn.fetch(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
            "AND i.inhparent = format('%I.events', $1::text)::regclass ORDER BY 1",
            schema,
        )
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable FROM "
            "information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2",
            schema,
        )
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1", schema
        )
        triggers = await conn.fetch(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
            "AND NOT tgisinternal ORDER BY 1",
            schema,
        )
        versions = await conn.fetch(
            f'SELECT version, name FROM "{schema}".schema_migrations ORDER BY 1'
        )
        return {
            "tables": [tuple(r) for r in tables],
            "partitions": [r["relname"] for r in partitions],
            "columns": [tuple(r) for r in columns],
            "indexes": [(r["indexname"], r["indexdef"].replace(schema, "S")) for r in indexes],
            "triggers": [r["tgname"] for r in triggers],
            "versions": [tuple(r) for r in versions],
        }
    finally:
        await conn.close()


async def _columns_in_order(dsn: str, schema: str, table: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
            schema,
            table,
        )
        return [r["column_name"] for r in rows]
    finally:
        await conn.close()


def test_all_migrations_apply_and_a_second_run_changes_nothing(
    schema_dsn: tuple[str, str],
) -> None:
    dsn, schema = schema_dsn
    applied, version = asyncio.run(_migrate_in(dsn, schema))
    assert applied == [m.name for m in available()]
    assert version == available()[-1].version
    first = asyncio.run(_describe(dsn, schema))
    again, version_again = asyncio.run(_migrate_in(dsn, schema))
    assert again == [] and version_again == version
    assert asyncio.run(_describe(dsn, schema)) == first


def test_the_schema_is_what_we_expect(schema_dsn: tuple[str, str]) -> None:
    dsn, schema = schema_dsn
    asyncio.run(_migrate_in(dsn, schema))
    described = asyncio.run(_describe(dsn, schema))
    assert [t for (t,) in described["tables"]] == [
        "action_dependencies",
        "actions",
        "checkpoints",
        "enqueue_requests",
        "event_log",
        "event_partitions",
        "events",
        "queue_limits",
        "queues",
        "rate_buckets",
        "schedules",
        "schema_migrations",
        "signals",
        "tokens",
        "workflows",
    ]
    # The history before the partitioned log, the current period and three ahead.
    partitions = described["partitions"]
    assert isinstance(partitions, list)
    assert partitions[0] == "events_history" and len(partitions) == 5
    # The repository converts rows by position (SELECT * returns table order):
    # the leading columns are the domain's; internal ones follow.
    action_columns = asyncio.run(_columns_in_order(dsn, schema, "actions"))
    assert action_columns[len(ACTION_COLUMNS) :] == ["limit_claimed", "trace_context"]
    assert (
        action_columns[: len(ACTION_COLUMNS)]
        == [
            "id",
            "queue",
            "action_type",
            "project",
            "target_ref",
            "source_refs",
            "payload",
            "priority",
            "status",
            "run_after",
            "attempt",
            "max_attempts",
            "claimed_by",
            "claim_deadline",
            "lease_token",
            "parent_id",
            "chain_depth",
            "created_by",
            "idempotency_key",
            "result_ref",
            "result",
            "failure_reason",
            "rejected_by",
            "completed_at",
            "created_at",
            "updated_at",
            "payload_bytes",
            "backoff",
            "progress",
            "workflow_id",
            "depends_on",
            "concurrency_key",
            "group_key",
            "waiting_for",
            "wait_signal",
            "wait_until",
            "wait_step",
        ]
        == list(ACTION_COLUMNS)
    )
    assert (
        asyncio.run(_columns_in_order(dsn, schema, "events"))
        == [
            "id",
            "action_id",
            "event_type",
            "actor",
            "payload",
            "created_at",
            "txid",
        ]
        == list(EVENT_COLUMNS)
    )
    indexes = dict(described["indexes"])
    assert "WHERE (status = 'pending'::text)" in indexes["actions_claim_order"]
    assert "(queue, priority, run_after, id)" in indexes["actions_claim_order"]
    # A partitioned table's key holds its partition key (created_at) too.
    assert "UNIQUE INDEX events_pkey ON ONLY" in indexes["events_pkey"]
    assert "(txid, id, created_at)" in indexes["events_pkey"]
    # No writer waits on another: the lock that serialized event writers is gone.
    assert {"events_no_update_delete", "events_no_truncate"} <= set(described["triggers"])
    assert "events_serialize_ids" not in described["triggers"]


def test_concurrent_migrations_apply_once(schema_dsn: tuple[str, str]) -> None:
    dsn, schema = schema_dsn

    async def race() -> list[tuple[list[str], int]]:
        return list(await asyncio.gather(*[_migrate_in(dsn, schema) for _ in range(4)]))

    results = asyncio.run(race())
    applied = [names for names, _ in results]
    assert sum(1 for names in applied if names) == 1
    assert {version for _, version in results} == {available()[-1].version}


def test_constraints_guard_the_lifecycle(schema_dsn: tuple[str, str]) -> None:
    dsn, schema = schema_dsn
    asyncio.run(_migrate_in(dsn, schema))

    def attempt(statement: str) -> str:
        return refusal(dsn, schema, statement)

    insert = (
        "INSERT INTO actions (action_type, project, created_by, status) VALUES ('t', 'p', 'x', {})"
    )
    for status in ("'bogus'", "'claimed'", "'completed'"):
        assert attempt(insert.format(status)) == "CheckViolationError", status
    not_an_object = (
        "INSERT INTO actions (action_type, project, created_by, payload) "
        "VALUES ('t', 'p', 'x', '[1]')"
    )
    assert attempt(not_an_object) == "CheckViolationError"
    unknown_event = "INSERT INTO events (event_type, actor) VALUES ('made_up', 'x')"
    assert attempt(unknown_event) == "CheckViolationError"


def test_version_2_upgrades_a_version_1_schema_with_data(schema_dsn: tuple[str, str]) -> None:
    """A schema written by version 1 (events ordered by id) keeps its history in
    order under the (txid, id) log, and its payloads get their sizes."""
    dsn, schema = schema_dsn

    async def scenario() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            first = available()[0]
            await conn.execute(f'CREATE SCHEMA "{schema}"; SET search_path TO "{schema}"')
            await conn.execute(first.sql)
            await conn.execute(
                f'CREATE TABLE "{schema}".schema_migrations (version integer PRIMARY KEY, '
                "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            await conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                first.version,
                first.name,
            )
            for i in range(3):
                action_id = await conn.fetchval(
                    "INSERT INTO actions (action_type, project, created_by, payload) "
                    "VALUES ('t', 'p', 'x', $1::jsonb) RETURNING id",
                    f'{{"i": {i}, "text": "{"é" * i}"}}',
                )
                await conn.execute(
                    "INSERT INTO events (action_id, event_type, actor) "
                    "VALUES ($1, 'action_enqueued', 'x')",
                    action_id,
                )
        finally:
            await conn.close()
        applied, version = await _migrate_in(dsn, schema)
        assert applied and version == available()[-1].version
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            await conn.execute(
                "INSERT INTO events (action_id, event_type, actor) "
                "VALUES (1, 'action_claimed', 'x')"
            )
            return list(
                await conn.fetch(
                    "SELECT e.id, e.txid, a.payload_bytes, octet_length(a.payload::text) AS size "
                    "FROM events e JOIN actions a ON a.id = e.action_id ORDER BY e.txid, e.id"
                )
            )
        finally:
            await conn.close()

    rows = asyncio.run(scenario())
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    assert rows[-1]["txid"] > rows[0]["txid"]
    assert all(r["payload_bytes"] == r["size"] for r in rows)
