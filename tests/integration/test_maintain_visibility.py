"""event_log_maintain runs as the schema's owner, and PostgreSQL hides the
transactions of another role's sessions from it unless it holds
pg_read_all_stats. Migration 11: while a session that may write the log is
hidden, no partition is dropped (one of its transactions could be about to
insert into it), and the warning names the grant that lifts this."""

from __future__ import annotations

import asyncio

import asyncpg
from actionq_server.store.migrator import migrate


async def _maintain_with_a_writer_open(dsn: str, schema: str) -> dict[str, object]:
    owner = f"o_{schema}"
    admin = await asyncpg.connect(dsn)
    writer = await asyncpg.connect(dsn)
    warnings: list[str] = []
    admin.add_log_listener(lambda _c, message: warnings.append(str(message)))
    database = await admin.fetchval("SELECT current_database()")
    outcome: dict[str, object] = {}
    try:
        await admin.execute(f'CREATE ROLE "{owner}" NOLOGIN')
        await admin.execute(f'GRANT CREATE ON DATABASE "{database}" TO "{owner}"')
        await admin.execute(f'SET ROLE "{owner}"')
        await migrate(admin, schema)
        # A transaction of a role that may insert into events (this superuser
        # session), begun after the history partition ended.
        await writer.execute("BEGIN")
        await writer.fetchval("SELECT now()")
        maintain = f"SELECT \"{schema}\".event_log_maintain(now() + interval '100 years')"
        outcome["hidden"] = await admin.fetchval(maintain)
        outcome["warnings"] = list(warnings)
        await admin.execute("RESET ROLE")
        await admin.execute(f'GRANT pg_read_all_stats TO "{owner}"')
        await admin.execute(f'SET ROLE "{owner}"')
        warnings.clear()
        await admin.fetchval(maintain)
        outcome["warnings_when_seen"] = list(warnings)
    finally:
        await writer.close()
        await admin.execute("RESET ROLE")
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.execute(f'REVOKE CREATE ON DATABASE "{database}" FROM "{owner}"')
        await admin.execute(f'DROP OWNED BY "{owner}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{owner}"')
        await admin.close()
    return outcome


def test_no_partition_is_dropped_while_a_writer_is_hidden_from_the_owner(
    schema_dsn: tuple[str, str],
) -> None:
    dsn, schema = schema_dsn
    outcome = asyncio.run(_maintain_with_a_writer_open(dsn, schema))
    assert outcome["hidden"] == 0
    warnings = outcome["warnings"]
    seen = outcome["warnings_when_seen"]
    assert isinstance(warnings, list) and isinstance(seen, list)
    assert any("GRANT pg_read_all_stats" in w for w in warnings), warnings
    # Seen (pg_read_all_stats), the drop is held back by open transactions
    # only as without roles (tests/e2e/test_retention.py): no such warning.
    assert not any("GRANT pg_read_all_stats" in w for w in seen), seen
