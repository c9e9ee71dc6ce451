"""Every actionctl command, through the real process against the real server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.conftest import ServerProcess
from tests.support import actionctl, executable, wait_until


@pytest.fixture
def ctl(server: ServerProcess):  # type: ignore[no-untyped-def]
    return lambda *args: actionctl(server.address, *args)


def test_operator_session(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    migrated = ctl("migrate")
    assert migrated.code == 0 and migrated.json["schema"] and migrated.json["version"] >= 1
    added = ctl(
        "add",
        "--type",
        "scope-iterate",
        "--project",
        project,
        "--target",
        "42",
        "--source",
        "doc:plan",
        "--source",
        "doc:spec",
        "--created-by",
        "human:cli",
        "--priority",
        "2",
        "--payload",
        '{"n": 3}',
    )
    assert added.code == 0, added.stderr
    action = added.json
    assert action["status"] == "pending" and action["target_ref"] == "42"
    assert action["source_refs"] == ["doc:plan", "doc:spec"] and action["payload"] == {"n": 3}
    assert action["created_at"].endswith("Z") and action["completed_at"] is None
    claimed = ctl("claim", "--worker", "worker:dispatcher-1", "--project", project)
    assert claimed.code == 0
    assert claimed.json["id"] == action["id"] and claimed.json["status"] == "claimed"
    assert claimed.json["claimed_by"] == "worker:dispatcher-1" and claimed.json["lease_token"]
    done = ctl("complete", str(action["id"]), "--result", "branch=agent/scope-iterate/1")
    assert done.code == 0 and done.json["status"] == "completed"
    assert done.json["result_ref"] == "branch=agent/scope-iterate/1"
    shown = ctl("show", str(action["id"]))
    assert shown.code == 0 and shown.json["action"]["status"] == "completed"
    assert [e["event_type"] for e in shown.json["events"]] == [
        "action_enqueued",
        "action_claimed",
        "action_completed",
    ]
    nothing = ctl("claim", "--worker", "w", "--project", project)
    assert nothing.code == 2 and nothing.stdout == ""


def test_fail_reject_cancel(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    ids = [ctl("add", "--type", "t", "--project", project).json["id"] for _ in range(4)]
    first = ctl("claim", "--worker", "w", "--project", project).json
    failed = ctl(
        "fail", str(first["id"]), "--reason", "tests broke", "--lease-token", first["lease_token"]
    )
    assert failed.code == 0 and failed.json["status"] == "failed"
    assert failed.json["failure_reason"] == "tests broke"
    second = ctl("claim", "--worker", "w", "--project", project).json
    rejected = ctl(
        "reject", str(second["id"]), "--reason", "out of scope", "--validator", "scope-check"
    )
    assert rejected.json["status"] == "rejected" and rejected.json["rejected_by"] == "scope-check"
    cancelled = ctl("cancel", str(ids[3]), "--reason", "duplicate")
    assert cancelled.json["status"] == "cancelled"
    again = ctl("cancel", str(ids[3]), "--reason", "twice")
    assert again.code == 1 and again.error["code"] == "FAILED_PRECONDITION"
    assert again.stdout == ""


def test_ls_filters(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    for kind in ("alpha", "alpha", "beta"):
        ctl("add", "--type", kind, "--project", project)
    ctl("claim", "--worker", "w", "--project", project, "--type", "beta")
    everything = ctl("ls", "--project", project)
    assert len(everything.json) == 3
    assert [a["action_type"] for a in ctl("ls", "--project", project, "--type", "alpha").json] == [
        "alpha",
        "alpha",
    ]
    claimed = ctl("ls", "--project", project, "--status", "claimed").json
    assert [a["action_type"] for a in claimed] == ["beta"]
    assert len(ctl("ls", "--project", project, "--limit", "2").json) == 2
    bad = ctl("ls", "--status", "bogus")
    assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT"


def test_sweep_events_and_emit(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    action = ctl("add", "--type", "t", "--project", project, "--max-attempts", "2").json
    last = ctl("add", "--type", "t", "--project", project).json
    for _ in range(2):
        ctl("claim", "--worker", "w-gone", "--project", project, "--lease", "1")
    requeued: set[int] = set()
    failed: set[int] = set()

    def swept_both() -> bool:
        swept = ctl("sweep")
        assert swept.code == 0, swept.stderr
        requeued.update(a["id"] for a in swept.json["requeued"])
        failed.update(a["id"] for a in swept.json["failed"])
        return action["id"] in requeued and last["id"] in failed

    assert wait_until(swept_both, timeout=30)
    ended = ctl("show", str(last["id"])).json["action"]
    assert ended["status"] == "failed" and "lease expired" in ended["failure_reason"]
    history = ctl("events", "--action", str(action["id"]))
    assert [e["event_type"] for e in history.json] == [
        "action_enqueued",
        "action_claimed",
        "claim_timed_out",
    ]
    cursor = history.json[0]["cursor"]
    assert isinstance(cursor, str) and cursor
    after = ctl("events", "--action", str(action["id"]), "--after", cursor, "--limit", "1")
    assert [e["event_type"] for e in after.json] == ["action_claimed"]
    emitted = ctl(
        "emit",
        "--type",
        "coordinator_cycle",
        "--actor",
        "dispatcher:main",
        "--payload",
        '{"claimed": false, "backlog": 3}',
    )
    assert emitted.code == 0
    assert emitted.json["payload"] == {"claimed": False, "backlog": 3}
    assert emitted.json["cursor"] and emitted.json["action_id"] is None
    typed = ctl("events", "--type", "coordinator_cycle", "--after", history.json[-1]["cursor"])
    assert emitted.json["id"] in [e["id"] for e in typed.json]
    bad = ctl("emit", "--type", "coordinator_cycle", "--actor", "d", "--payload", "[1, 2]")
    assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT"
    assert "--payload" in bad.error["message"]
    garbage = ctl("events", "--after", "not a cursor")
    assert garbage.code == 1 and garbage.error["code"] == "INVALID_ARGUMENT"
    assert garbage.error["reason"] == "INVALID_FIELD"


def test_events_follow_streams_json_lines(server: ServerProcess, ctl) -> None:  # type: ignore[no-untyped-def]
    start = json.loads(ctl("stats").stdout)["latest_event_cursor"]
    follower = subprocess.Popen(
        [
            executable("actionctl"),
            "--server",
            server.address,
            "events",
            "--follow",
            "--after",
            start,
            "--type",
            "coordinator_paused",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sent = [
            ctl(
                "emit",
                "--type",
                "coordinator_paused",
                "--actor",
                "follow:test",
                "--payload",
                json.dumps({"i": i}),
            ).json["id"]
            for i in range(3)
        ]
        assert follower.stdout is not None
        lines = [json.loads(follower.stdout.readline()) for _ in range(3)]
        assert [line["id"] for line in lines] == sent
        assert [line["payload"]["i"] for line in lines] == [0, 1, 2]
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(10)
    assert "Traceback" not in (follower.stderr.read() if follower.stderr else "")


def test_heartbeat_and_stats(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    ctl("add", "--type", "hb", "--project", project)
    held = ctl("claim", "--worker", "w", "--project", project).json
    beat = ctl("heartbeat", str(held["id"]), "--lease-token", held["lease_token"], "--lease", "120")
    assert beat.code == 0 and beat.json["cancelled"] is False
    stats = ctl("stats", "--project", project).json
    assert stats["stats"][0]["claimed"] == 1


def test_errors_are_one_json_object(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    missing = ctl("show", "999999999")
    assert missing.code == 1 and missing.error["code"] == "NOT_FOUND"
    assert missing.error["reason"] == "ACTION_NOT_FOUND"
    assert missing.stdout == "" and "Traceback" not in missing.stderr
    bad = ctl("add", "--type", "t", "--project", project, "--payload", "{not json")
    assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT"
    usage = ctl("add", "--project", project)
    assert usage.code == 1 and usage.error["code"] == "INVALID_ARGUMENT"
    assert "--type" in usage.error["message"]
    invalid = ctl("add", "--type", "has spaces", "--project", project)
    assert invalid.error["code"] == "INVALID_ARGUMENT" and "action_type" in invalid.error["message"]
    assert invalid.error["reason"] == "INVALID_FIELD"
    action = ctl("add", "--type", "t", "--project", project).json
    stale = ctl("complete", str(action["id"]), "--result", "x")
    assert stale.error == {
        "code": "FAILED_PRECONDITION",
        "reason": "ILLEGAL_TRANSITION",
        "message": stale.error["message"],
    }


@pytest.mark.parametrize("command", [["ls", "--limit", "1"], ["events", "--follow"]])
def test_unreachable_server_is_one_clear_line(command: list[str]) -> None:
    began = time.monotonic()
    result = actionctl("127.0.0.1:9", *command, timeout=30)
    assert time.monotonic() - began < 15, "gave up too slowly"
    assert result.code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.error["code"] == "UNAVAILABLE" and result.error["reason"] == ""
    assert "cannot reach the actionq server at 127.0.0.1:9" in result.error["message"]


def test_payload_keeps_every_digit(ctl, project: str) -> None:  # type: ignore[no-untyped-def]
    payload = {"big": 2**53 + 1, "min": -(2**63), "max": 2**64 - 1, "x": 0.1, "s": "é ✓ 日本"}
    deep: dict[str, object] = {"leaf": 1}
    for level in range(30):
        deep = {f"l{level}": deep}
    payload["deep"] = deep
    text = json.dumps(payload, ensure_ascii=False)
    added = ctl("add", "--type", "t", "--project", project, "--payload", text)
    assert added.code == 0, added.stderr
    assert added.json["payload"] == payload
    shown = ctl("show", str(added.json["id"]))
    assert shown.json["action"]["payload"] == payload
    assert f'"big": {2**53 + 1}' in shown.stdout and f'"min": {-(2**63)}' in shown.stdout
    held = ctl("claim", "--worker", "w", "--project", project).json
    done = ctl(
        "complete", str(held["id"]), "--result", "r", "--result-json", json.dumps({"n": 2**63})
    )
    assert done.json["result"] == {"n": 2**63}
    assert ctl("show", str(held["id"])).json["action"]["result"] == {"n": 2**63}


def test_server_address_from_environment(server: ServerProcess) -> None:
    done = subprocess.run(
        [executable("actionctl"), "stats"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "ACTIONQ_SERVER": server.address},
    )
    assert done.returncode == 0 and "latest_event_cursor" in done.stdout
