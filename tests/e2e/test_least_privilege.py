"""Least privilege in PostgreSQL: an owner role migrates, the server runs as a
role with only the DML it needs (`actionq-server grant ROLE`), and the smoke
path of the whole suite works through actionctl and the Python client, while
the server's role cannot change the event log or the schema.

The roles are made by the test database's superuser (the DBA's part): an
owner that may create schemas and reads pg_stat_activity (pg_read_all_stats,
which event_log_maintain needs to drop partitions safely), and an app role,
created NOLOGIN and then allowed to log in, without any other attribute.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from actionq import Client, QueueLimit, completion, new_action

from tests.conftest import fresh_schema
from tests.support import (
    ServerProcess,
    actionctl,
    bootstrap_token,
    executable,
    refusal,
    sql,
    start_server,
    wait_until,
)

# What the app role may do on each table of the schema, exactly. A migration
# that adds a table fails here until the table is given its line (and, when
# the default DML is not right for it, an entry in store/grants.py).
DML = {"SELECT", "INSERT", "UPDATE", "DELETE"}
EXPECTED_TABLES: dict[str, set[str]] = {
    "actions": DML,
    "action_dependencies": DML,
    "checkpoints": DML,
    "enqueue_requests": DML,
    "event_log": {"SELECT"},
    "event_partitions": set(),
    "events": {"SELECT", "INSERT"},
    "queue_limits": DML,
    "queues": DML,
    "rate_buckets": DML,
    "schedules": DML,
    "schema_migrations": {"SELECT"},
    "signals": DML,
    "tokens": {"SELECT", "INSERT", "UPDATE"},
    "workflows": DML,
}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
OWNER_ONLY_ROUTINES = {"event_log_add_partition"}
WIDTH_HOOK = "UPDATE event_log SET partition_width = '5 s', partitions_ahead = 120"


@dataclass
class Roles:
    """The two roles and a DSN for each."""

    owner: str
    app: str
    owner_dsn: str
    app_dsn: str
    superuser_dsn: str


def _as(dsn: str, user: str, password: str) -> str:
    """`dsn` with another user and password."""
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:{quote(password)}@{host}"))


@pytest.fixture(scope="module")
def roles(pg_dsn: str) -> Iterator[Roles]:
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"aq_owner_{suffix}", f"aq_app_{suffix}"
    password = secrets.token_hex(16)  # hex only: safe inside the literal below
    for role in (owner, app):
        sql(pg_dsn, "public", f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        sql(pg_dsn, "public", f"ALTER ROLE {role} LOGIN PASSWORD '{password}'")
    database = sql(pg_dsn, "public", "SELECT current_database()")[0][0]
    sql(pg_dsn, "public", f'GRANT CREATE ON DATABASE "{database}" TO {owner}')
    sql(pg_dsn, "public", f"GRANT pg_read_all_stats TO {owner}")
    try:
        yield Roles(owner, app, _as(pg_dsn, owner, password), _as(pg_dsn, app, password), pg_dsn)
    finally:
        for role in (app, owner):
            sql(pg_dsn, "public", f"DROP OWNED BY {role} CASCADE")
        sql(pg_dsn, "public", f'REVOKE CREATE ON DATABASE "{database}" FROM {owner}')
        for role in (app, owner):
            sql(pg_dsn, "public", f"DROP ROLE {role}")


def _server_cmd(dsn: str, schema: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`actionq-server ARGS` against `dsn` and `schema`."""
    return subprocess.run(
        [executable("actionq-server"), *args],
        env={**os.environ, "ACTIONQ_URL": dsn, "ACTIONQ_SCHEMA": schema},
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class Deployment:
    """A schema migrated and granted by the owner, served as the app role."""

    roles: Roles
    schema: str
    server: ServerProcess
    admin: str


@pytest.fixture(scope="module")
def deployment(roles: Roles) -> Iterator[Deployment]:
    schema = fresh_schema()
    migrated = _server_cmd(roles.owner_dsn, schema, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    # The test hook (as the superuser, before any event is written): partitions
    # of 5 s, ten minutes of them ahead, so that retention can drop one here.
    sql(roles.superuser_dsn, schema, WIDTH_HOOK)
    sql(roles.superuser_dsn, schema, "SELECT event_log_maintain(NULL)")
    granted = _server_cmd(roles.owner_dsn, schema, "grant", roles.app)
    assert granted.returncode == 0, granted.stderr
    assert "warning" not in granted.stderr  # the owner sees the app's sessions
    env = {"ACTIONQ_URL": roles.owner_dsn, "ACTIONQ_SCHEMA": schema}
    admin = bootstrap_token(env, "--role", "admin", "--name", "root", "--names", "human:cli")[
        "secret"
    ]
    server = start_server(
        {
            "ACTIONQ_URL": roles.app_dsn,
            "ACTIONQ_SCHEMA": schema,
            "ACTIONQ_AUTH": "on",
            "ACTIONQ_SWEEP_INTERVAL": "3600",
        }
    )
    try:
        yield Deployment(roles, schema, server, admin)
    finally:
        server.stop()


def _privileges(dsn: str, schema: str, role: str) -> dict[str, Any]:
    tables = sql(
        dsn,
        schema,
        "SELECT c.relname, c.relispartition, array_remove(ARRAY["
        + ", ".join(
            f"CASE WHEN has_table_privilege($2, c.oid, '{p}') THEN '{p}' END"
            for p in TABLE_PRIVILEGES
        )
        + "], NULL) AS granted FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
        schema,
        role,
    )
    sequences = sql(
        dsn,
        schema,
        "SELECT c.relname, has_sequence_privilege($2, c.oid, 'USAGE') AS usage, "
        "has_sequence_privilege($2, c.oid, 'SELECT') AS select, "
        "has_sequence_privilege($2, c.oid, 'UPDATE') AS update "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind = 'S'",
        schema,
        role,
    )
    routines = sql(
        dsn,
        schema,
        "SELECT p.proname, has_function_privilege($2, p.oid, 'EXECUTE') AS execute "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1",
        schema,
        role,
    )
    on_schema = sql(
        dsn,
        schema,
        "SELECT has_schema_privilege($2, $1, 'USAGE') AS usage, "
        "has_schema_privilege($2, $1, 'CREATE') AS create, r.rolsuper, r.rolcreatedb, "
        "r.rolcreaterole, r.rolbypassrls FROM pg_roles r WHERE r.rolname = $2",
        schema,
        role,
    )[0]
    return {
        "tables": {r["relname"]: set(r["granted"]) for r in tables if not r["relispartition"]},
        "partitions": {r["relname"]: set(r["granted"]) for r in tables if r["relispartition"]},
        "sequences": {r["relname"]: (r["usage"], r["select"], r["update"]) for r in sequences},
        "routines": {r["proname"]: r["execute"] for r in routines},
        "schema": dict(on_schema),
    }


def test_the_app_role_holds_exactly_its_grants(deployment: Deployment, pg_dsn: str) -> None:
    got = _privileges(pg_dsn, deployment.schema, deployment.roles.app)
    assert got["tables"] == EXPECTED_TABLES
    assert got["partitions"] and all(p == set() for p in got["partitions"].values())
    assert got["sequences"] and all(s == (True, False, False) for s in got["sequences"].values())
    assert got["routines"] == {
        name: name not in OWNER_ONLY_ROUTINES for name in got["routines"]
    } and set(got["routines"]) >= OWNER_ONLY_ROUTINES | {"event_log_maintain"}
    assert got["schema"] == {
        "usage": True,
        "create": False,
        "rolsuper": False,
        "rolcreatedb": False,
        "rolcreaterole": False,
        "rolbypassrls": False,
    }
    # Granting again changes nothing; --print shows the statements and runs none.
    again = _server_cmd(
        deployment.roles.owner_dsn, deployment.schema, "grant", deployment.roles.app
    )
    assert again.returncode == 0, again.stderr
    assert _privileges(pg_dsn, deployment.schema, deployment.roles.app) == got
    printed = _server_cmd(
        deployment.roles.owner_dsn, deployment.schema, "grant", deployment.roles.app, "--print"
    )
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == "BEGIN;" and lines[-1] == "COMMIT;"
    assert f'GRANT SELECT, INSERT ON TABLE "{deployment.schema}"."events" TO ' in printed.stdout


def test_the_smoke_path_runs_as_the_app_role(deployment: Deployment, pg_dsn: str) -> None:
    address, schema, token = deployment.server.address, deployment.schema, deployment.admin
    project = f"p-{uuid.uuid4().hex[:8]}"
    cli = ("--token", token)

    def ctl(*args: str) -> Any:
        done = actionctl(address, *cli, *args)
        assert done.code == 0, done.stderr
        return done.json if done.stdout.strip() else None

    with Client(address, token=token) as c:
        assert c.migrate().applied == []  # current: the app role needs no DDL for it

        # Enqueue: single (actionctl and client), batch, idempotent.
        one = ctl("add", "--type", "lp.one", "--project", project, "--created-by", "root")
        assert one["status"] == "pending" and one["created_by"] == "root"
        batch = c.enqueue([new_action("lp.batch", project, queue="lp") for _ in range(3)])
        assert len(batch.actions) == 3
        keyed = new_action("lp.key", project, queue="lp-key", idempotency_key="k-1")
        first, second = c.enqueue([keyed]).actions[0], c.enqueue([keyed]).actions[0]
        assert not first.duplicate and second.duplicate
        assert first.action.id == second.action.id

        # Claim, heartbeat, checkpoint, complete (actionctl).
        claimed = ctl("claim", "--worker", "root", "--type", "lp.one", "--project", project)
        action_id, lease = claimed["id"], claimed["lease_token"]
        beat = c.heartbeat(action_id, lease, 60, progress={"done": 1})
        assert not beat.cancelled
        c.save_checkpoint(action_id, lease, "step-1", {"k": 1})
        assert [k.step for k in c.get_checkpoints(action_id)] == ["step-1"]
        done = ctl("complete", str(action_id), "--result", "r-1")
        assert done["status"] == "completed"

        # Fail with a retry left, fail for good, retry by the operator; reject; cancel.
        retried = c.add("lp.fail", project, queue="lp-fail", max_attempts=2)
        got = c.claim("root", queue="lp-fail")[0]
        assert c.fail(retried.id, got.lease_token, reason="x", retry_delay=0).status == "pending"
        got = c.claim("root", queue="lp-fail", wait=10)[0]
        assert c.fail(retried.id, got.lease_token, reason="y", no_retry=True).status == "failed"
        assert c.retry([retried.id]).retried_ids == [retried.id]
        got = c.claim("root", queue="lp-fail")[0]
        rejected = c.reject(retried.id, got.lease_token, reason="no", validator="v")
        assert rejected.status == "rejected"
        batch_ids = [e.action.id for e in batch.actions]
        assert ctl("cancel", str(batch_ids[0]), "--reason", "r")["status"] == "cancelled"

        # A lease that expires is swept (actionctl sweep).
        swept_id = c.add("lp.sweep", project, queue="lp-sweep", max_attempts=2).id
        c.claim("root", queue="lp-sweep", lease=1)

        def swept() -> bool:
            result = ctl("sweep")
            return any(a["id"] == swept_id for a in result["requeued"])

        assert wait_until(swept, timeout=30, interval=0.3)
        assert c.get(swept_id).status == "pending"

        # Signals: suspend on one, and the signal wakes it.
        waiter = c.add("lp.wait", project, queue="lp-wait").id
        got = c.claim("root", queue="lp-wait")[0]
        assert c.suspend(waiter, got.lease_token, "wait", signal="lp-go").suspended
        assert c.signal("lp-go", {"ok": True}, keep=0).woken == [waiter]
        assert c.get(waiter).status == "pending"

        # A workflow: b waits for a.
        run = f"wf-{uuid.uuid4().hex[:8]}"
        flow = c.enqueue_workflow(
            [
                new_action("lp.a", project, queue="lp-wf"),
                new_action("lp.b", project, queue="lp-wf", depends_on_index=[0]),
            ],
            workflow_id=run,
        )
        a, b = (e.action for e in flow.actions)
        assert b.status == "waiting"
        got = c.claim("root", queue="lp-wf")[0]
        assert got.action.id == a.id
        c.complete(a.id, got.lease_token, result={"a": 1})
        assert wait_until(lambda: c.get(b.id).status == "pending", timeout=15)
        got = c.claim("root", queue="lp-wf")[0]
        c.complete(b.id, got.lease_token)
        assert wait_until(lambda: c.get_workflow(run).status == "completed", timeout=15)
        assert [x.status for x in c.wait([a.id, b.id], timeout=30)] == ["completed"] * 2

        # Queue limits, pause and resume.
        for _ in range(3):
            c.add("lp.lim", project, queue="lp-lim")
        c.set_queue_limits("lp-lim", [QueueLimit("queue", concurrency=1)])
        limited = c.claim("root", queue="lp-lim", max_actions=3)
        assert len(limited) == 1
        many = c.complete_many([completion(limited[0].action.id, limited[0].lease_token)])
        assert many.completed_ids == [limited[0].action.id] and not many.failures
        c.add("lp.paused", project, queue="lp-batch-q")
        ctl("pause", "lp-batch-q")
        assert c.claim("root", queue="lp-batch-q") == []
        ctl("resume", "lp-batch-q")
        assert len(c.claim("root", queue="lp-batch-q", wait=10)) == 1

        # A cron schedule fires (every second).
        c.create_schedule("lp-tick", "* * * * * *", new_action("lp.tick", project, queue="lp-cron"))
        assert wait_until(
            lambda: c.list_actions(project=project, action_type="lp.tick").actions, timeout=30
        )
        c.pause_schedule("lp-tick")

        # Watch the log and emit a coordinator event into it.
        stream = c.watch_events(event_types=["coordinator_cycle"], from_end=True)
        guard = threading.Timer(30, stream.cancel)
        guard.start()
        try:
            emitted = ctl(
                "emit", "--type", "coordinator_cycle", "--actor", "root", "--payload", "{}"
            )
            seen = next(e for batch_ in stream for e in batch_.events)
            assert seen.id == emitted["id"] and seen.event_type == "coordinator_cycle"
        finally:
            guard.cancel()
            stream.cancel()

        # Tokens (their table: INSERT and UPDATE, never DELETE).
        made = c.create_token("lp-worker", "worker")
        assert any(t.id == made.token.id for t in c.list_tokens())
        assert c.revoke_token(made.token.id).revoked_at is not None

        stats = c.stats()
        assert stats.latest_event_cursor and any(s.queue == "lp" for s in stats.stats)

        # Retention and partition maintenance through event_log_maintain
        # (partitions of 5 s, set up by the fixture): Prune extends them and
        # drops those before its cutoff, here the one that took the first events.
        first = sql(
            pg_dsn,
            schema,
            "SELECT min(p.upper_bound) FROM events e "
            "JOIN event_partitions p ON p.name = e.tableoid::regclass::text",
        )[0][0]
        assert wait_until(
            lambda: sql(pg_dsn, schema, "SELECT clock_timestamp() > $1", first)[0][0],
            timeout=30,
        )
        tip = "SELECT max(upper_bound) FROM event_partitions"
        before = sql(pg_dsn, schema, tip)[0][0]
        pruned = c.prune(0)
        assert pruned.pruned_actions >= 3  # completed, rejected, cancelled, ...
        # A transaction left open elsewhere in the database (other tests share
        # it) holds drops back until it ends: prune again until one is dropped.
        drops = [pruned.dropped_partitions]

        def dropped() -> bool:
            if not drops[-1]:
                drops.append(c.prune(0).dropped_partitions)
            return drops[-1] >= 1

        assert wait_until(dropped, timeout=60, interval=0.5), drops
        assert c.prune(0).oldest_cursor
        assert sql(pg_dsn, schema, tip)[0][0] > before  # and made new ones ahead
        printed = ctl("prune", "--older-than", "0s")
        assert "pruned_actions" in printed

    assert "Traceback" not in deployment.server.log


def test_the_app_role_cannot_change_the_log_or_the_schema(
    deployment: Deployment, pg_dsn: str
) -> None:
    dsn, schema = deployment.roles.app_dsn, deployment.schema
    partition = sql(pg_dsn, schema, "SELECT name FROM event_partitions LIMIT 1")[0][0]
    denied = "InsufficientPrivilegeError"
    for statement in (
        "UPDATE events SET actor = 'x'",
        "DELETE FROM events",
        "TRUNCATE events",
        f"TRUNCATE {partition}",
        f"DELETE FROM {partition}",
        "DELETE FROM tokens",
        "UPDATE event_log SET pruned_at = now()",
        "CREATE TABLE mine (x int)",
        "ALTER TABLE actions ADD COLUMN x int",
        "DROP TABLE event_partitions",
        "CREATE INDEX ON actions (payload)",
        "SELECT event_log_add_partition(now(), now() + interval '1 day')",
        "INSERT INTO schema_migrations (version, name) VALUES (999, 'x')",
    ):
        assert refusal(dsn, schema, statement) == denied, statement
    # What it may do, it may do: maintenance through the definer function.
    assert refusal(dsn, schema, "SELECT event_log_maintain(NULL)") == "allowed"


def test_a_schema_behind_is_refused_and_migrating_renews_the_grants(
    roles: Roles, pg_dsn: str
) -> None:
    schema = fresh_schema()
    # Nothing there, and the app role may not create it.
    refused = _server_cmd(roles.app_dsn, schema, "migrate")
    assert refused.returncode == 1 and "actionq-server migrate" in refused.stderr
    assert _server_cmd(roles.owner_dsn, schema, "migrate").returncode == 0
    # Not granted yet: the line says what to run as whom.
    started = _server_cmd(roles.app_dsn, schema, "migrate")
    assert started.returncode == 1
    assert f"actionq-server grant {roles.app}` as '{roles.owner}'" in started.stderr
    assert _server_cmd(roles.owner_dsn, schema, "grant", roles.app).returncode == 0

    # Behind: the server refuses to start, in one line naming the owner.
    sql(pg_dsn, schema, "DELETE FROM schema_migrations WHERE version = 11")
    proc = subprocess.run(
        [executable("actionq-server")],
        env={
            **os.environ,
            "ACTIONQ_URL": roles.app_dsn,
            "ACTIONQ_SCHEMA": schema,
            "ACTIONQ_LISTEN": "127.0.0.1:0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "needs 11" in lines[0] and f"as the schema's owner ('{roles.owner}')" in lines[0]

    # A migration's new table (made here by the owner) gets the grants when
    # the owner migrates: nobody has to remember to grant again.
    sql(pg_dsn, schema, "CREATE TABLE added_later (x int)")
    sql(pg_dsn, schema, f"ALTER TABLE added_later OWNER TO {roles.owner}")
    assert _server_cmd(roles.owner_dsn, schema, "migrate").returncode == 0
    got = _privileges(pg_dsn, schema, roles.app)
    assert got["tables"] == {**EXPECTED_TABLES, "added_later": DML}
    server = start_server({"ACTIONQ_URL": roles.app_dsn, "ACTIONQ_SCHEMA": schema})
    try:
        with Client(server.address) as c:
            assert c.add("lp.after", "p").status == "pending"
    finally:
        server.stop()
