"""The server's logs: JSON lines for machines, one per notable event, no secrets."""

from __future__ import annotations

from actionq import Client

from tests.conftest import fresh_schema
from tests.support import log_records, start_server, wait_until

SECRET = "hunter2-do-not-log"


def test_notable_events_are_json_lines_without_payloads(pg_dsn: str) -> None:
    password_dsn = pg_dsn
    server = start_server(
        {
            "ACTIONQ_URL": password_dsn,
            "ACTIONQ_SCHEMA": fresh_schema(),
            "ACTIONQ_SLOW_CALL_SECONDS": "0",
            "ACTIONQ_SWEEP_INTERVAL": "0.1",
        }
    )
    try:
        with Client(server.address) as client:
            action = client.add("log.t", "p", payload={"secret": SECRET}, max_attempts=1)
            claimed = client.claim("w", lease=1)
            assert claimed and claimed[0].action.id == action.id
            client.heartbeat(action.id, claimed[0].lease_token, 1, progress={"secret": SECRET})

            def swept() -> bool:
                return any(e.get("event") == "lease_sweep" for e in log_records(server.output))

            assert wait_until(swept, timeout=30)
    finally:
        assert server.stop() == 0
    records = log_records(server.output)
    by_event = {e.get("event"): e for e in records}
    # Every line of the log is a JSON object with the common fields.
    lines = [line for line in server.output if line.strip() and not line.startswith("actionq ")]
    assert len(lines) == len(records), lines
    assert all({"ts", "level", "logger", "msg"} <= set(e) for e in records)
    assert by_event["start"]["listen"] == server.address
    assert by_event["migrate"]["version"] >= 8 and by_event["migrate"]["applied"]
    slow = [e for e in records if e.get("event") == "slow_call"]
    assert {e["method"] for e in slow} >= {"Enqueue", "Heartbeat"}
    sweep = by_event["lease_sweep"]
    assert (sweep["expired"], sweep["requeued"], sweep["failed"]) == (1, 0, 1)
    assert by_event["drain"]["grace_seconds"] == 10.0 and "stopped" in by_event
    assert SECRET not in "".join(server.output)
    assert "password" not in "".join(server.output).lower()


def test_level_and_format_are_configurable(pg_dsn: str) -> None:
    quiet = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_LOG_LEVEL": "warning"}
    )
    assert quiet.stop() == 0
    assert not [e for e in log_records(quiet.output) if e["level"] == "info"]
    text = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_LOG_FORMAT": "text"}
    )
    assert text.stop() == 0
    assert not log_records(text.output)
    assert any(" INFO actionq_server: serving " in line for line in text.output)
