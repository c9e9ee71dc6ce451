"""actionctl's durable-execution commands and flags, through the real process
against the real server: retries and backoff, scheduling, progress, dead
letters and retry, queues, waiting, retention, stats; and the bad input of each,
refused with the JSON error and nothing written."""

from __future__ import annotations

import functools
import json
import os
import pty
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from tests.conftest import fresh_schema
from tests.support import CliResult, ServerProcess, actionctl, executable, start_server

Ctl = Callable[..., CliResult]


@pytest.fixture
def ctl(server: ServerProcess) -> Ctl:
    return functools.partial(actionctl, server.address)


@pytest.fixture
def queue() -> str:
    """A queue name unique to the test."""
    return f"q-{uuid.uuid4().hex[:10]}"


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def event_types(ctl: Ctl, action_id: int) -> list[str]:
    return [e["event_type"] for e in ctl("show", str(action_id)).json["events"]]


def refused(result: CliResult, code: str, *words: str) -> dict[str, str]:
    """Assert the JSON error contract and that the message names each word."""
    assert result.code == 1, (result.stdout, result.stderr)
    assert result.stdout == "" and "Traceback" not in result.stderr
    error = result.error
    assert error["code"] == code, error
    for word in words:
        assert word in error["message"], (word, error)
    return error


def test_add_with_retries_backoff_and_schedule(ctl: Ctl, project: str) -> None:
    added = ctl(
        "add",
        "--type",
        "t",
        "--project",
        project,
        "--max-attempts",
        "4",
        "--backoff",
        "exponential:2s:10m:0.2",
        "--run-after",
        "2099-12-01T10:00:00+01:00",
    )
    assert added.code == 0, added.stderr
    action = added.json
    assert action["max_attempts"] == 4
    assert action["run_after"] == "2099-12-01T09:00:00Z"
    assert action["backoff"]["strategy"] == "exponential"
    assert (action["backoff"]["base"], action["backoff"]["max"]) == (2.0, 600.0)
    assert action["backoff"]["jitter"] == pytest.approx(0.2)
    # Not due: nothing to claim.
    assert ctl("claim", "--worker", "w", "--project", project).code == 2
    fixed = ctl(
        "add", "--type", "t", "--project", project, "--backoff", "fixed:30s", "--delay", "2h"
    )
    assert fixed.code == 0, fixed.stderr
    assert fixed.json["backoff"]["strategy"] == "fixed" and fixed.json["backoff"]["base"] == 30.0
    ahead = when(fixed.json["run_after"]) - when(fixed.json["created_at"])
    assert 7190 <= ahead.total_seconds() <= 7210
    bare = ctl("add", "--type", "t", "--project", project, "--delay", "90")
    assert bare.code == 0
    ahead = when(bare.json["run_after"]) - when(bare.json["created_at"])
    assert 89 <= ahead.total_seconds() <= 91


def test_add_refuses_bad_input_and_writes_nothing(ctl: Ctl, project: str, queue: str) -> None:
    base = ("add", "--type", "t", "--project", project, "--queue", queue)
    refused(ctl(*base, "--delay", "-5s"), "INVALID_ARGUMENT", "--delay")
    refused(ctl(*base, "--delay", "soon"), "INVALID_ARGUMENT", "--delay")
    refused(ctl(*base, "--delay", "1000000d"), "INVALID_ARGUMENT", "delay")
    refused(ctl(*base, "--backoff", "linear:2s"), "INVALID_ARGUMENT", "--backoff", "linear")
    refused(ctl(*base, "--backoff", "exponential:10m:2s"), "INVALID_ARGUMENT", "--backoff")
    refused(ctl(*base, "--backoff", "fixed:30s:2"), "INVALID_ARGUMENT", "jitter")
    refused(ctl(*base, "--max-attempts", "0"), "INVALID_ARGUMENT", "--max-attempts")
    refused(ctl(*base, "--max-attempts", "5000"), "INVALID_ARGUMENT", "max_attempts")
    long_key = refused(ctl(*base, "--idempotency-key", "k" * 300), "INVALID_ARGUMENT")
    assert "idempotency_key" in long_key["message"] and long_key["reason"] == "INVALID_FIELD"
    refused(ctl(*base, "--run-after", "2099-12-01T09:00:00"), "INVALID_ARGUMENT", "--run-after")
    refused(ctl(*base, "--run-after", "tomorrow"), "INVALID_ARGUMENT", "--run-after")
    both = ctl(*base, "--run-after", "2099-12-01T09:00:00Z", "--delay", "1m")
    refused(both, "INVALID_ARGUMENT", "--delay", "--run-after")
    assert ctl("ls", "--project", project).json == []


def test_idempotency_key_conflict(ctl: Ctl, project: str, queue: str) -> None:
    base = ("add", "--type", "t", "--project", project, "--queue", queue, "--idempotency-key", "k1")
    first = ctl(*base, "--payload", '{"n": 1}')
    again = ctl(*base, "--payload", '{"n": 1}')
    assert again.json["id"] == first.json["id"] and again.json["duplicate"] is True
    clash = refused(ctl(*base, "--payload", '{"n": 2}'), "ALREADY_EXISTS")
    assert clash["reason"] == "IDEMPOTENCY_KEY_CONFLICT"
    assert len(ctl("ls", "--project", project).json) == 1


def test_fail_retry_in_and_no_retry(ctl: Ctl, project: str) -> None:
    for _ in range(2):
        ctl("add", "--type", "t", "--project", project, "--max-attempts", "3")
    held = ctl("claim", "--worker", "w", "--project", project).json
    later = ctl("fail", str(held["id"]), "--reason", "flaky", "--retry-in", "30s")
    assert later.code == 0, later.stderr
    assert later.json["status"] == "pending" and later.json["failure_reason"] == "flaky"
    wait = when(later.json["run_after"]) - when(later.json["updated_at"])
    assert 29 <= wait.total_seconds() <= 31
    assert event_types(ctl, held["id"])[-1] == "action_retry_scheduled"
    other = ctl("claim", "--worker", "w", "--project", project).json
    assert other["id"] != held["id"]
    both = ctl("fail", str(other["id"]), "--reason", "r", "--retry-in", "1s", "--no-retry")
    refused(both, "INVALID_ARGUMENT", "--retry-in", "--no-retry")
    refused(
        ctl("fail", str(other["id"]), "--reason", "r", "--retry-in", "-1s"),
        "INVALID_ARGUMENT",
        "--retry-in",
    )
    assert ctl("show", str(other["id"])).json["action"]["status"] == "claimed"
    final = ctl("fail", str(other["id"]), "--reason", "broken for good", "--no-retry")
    assert final.json["status"] == "failed" and final.json["attempt"] == 1


def test_heartbeat_progress(ctl: Ctl, project: str) -> None:
    ctl("add", "--type", "t", "--project", project)
    held = ctl("claim", "--worker", "w", "--project", project, "--lease", "2m").json
    deadline = when(held["claim_deadline"]) - when(held["updated_at"])
    assert 119 <= deadline.total_seconds() <= 121
    token = held["lease_token"]
    beat = ctl("heartbeat", str(held["id"]), "--lease-token", token, "--progress", '{"done": 3}')
    assert beat.code == 0, beat.stderr
    shown = ctl("show", str(held["id"])).json
    assert shown["action"]["progress"] == {"done": 3}
    progress = [e for e in shown["events"] if e["event_type"] == "action_progress"]
    assert [e["payload"].get("progress", e["payload"]) for e in progress] == [{"done": 3}]
    quiet = ctl("heartbeat", str(held["id"]), "--lease-token", token, "--lease", "1m")
    assert quiet.code == 0
    assert event_types(ctl, held["id"]).count("action_progress") == 1
    bad = ctl("heartbeat", str(held["id"]), "--lease-token", token, "--progress", "[1]")
    refused(bad, "INVALID_ARGUMENT", "--progress")


def test_claim_from_several_queues(ctl: Ctl, project: str) -> None:
    first, second, third = (f"q-{uuid.uuid4().hex[:8]}" for _ in range(3))
    ids = {
        q: ctl("add", "--type", "t", "--project", project, "--queue", q).json["id"]
        for q in (first, second, third)
    }
    claimed = {
        ctl(
            "claim", "--worker", "w", "--project", project, "--queue", first, "--queue", second
        ).json["id"]
        for _ in range(2)
    }
    assert claimed == {ids[first], ids[second]}
    nothing = ctl(
        "claim", "--worker", "w", "--project", project, "--queue", first, "--queue", second
    )
    assert nothing.code == 2


def test_dlq_lists_dead_actions_newest_first(ctl: Ctl, project: str) -> None:
    ids = [ctl("add", "--type", kind, "--project", project).json["id"] for kind in "abcd"]
    failed = ctl("claim", "--worker", "w", "--project", project, "--type", "a").json
    ctl("fail", str(failed["id"]), "--reason", "boom")
    rejected = ctl("claim", "--worker", "w", "--project", project, "--type", "b").json
    ctl("reject", str(rejected["id"]), "--reason", "no", "--validator", "v")
    ctl("cancel", str(ids[2]), "--reason", "dup")
    dead = ctl("dlq", "--project", project)
    assert dead.code == 0
    assert [a["id"] for a in dead.json] == [ids[2], ids[1], ids[0]]
    assert [a["status"] for a in dead.json] == ["cancelled", "rejected", "failed"]
    only = ctl("dlq", "--project", project, "--status", "failed", "--status", "rejected")
    assert [a["id"] for a in only.json] == [ids[1], ids[0]]
    assert [a["id"] for a in ctl("dlq", "--project", project, "--type", "c").json] == [ids[2]]
    assert len(ctl("dlq", "--project", project, "--limit", "1").json) == 1
    refused(ctl("dlq", "--status", "pending"), "INVALID_ARGUMENT", "--status")


def test_retry_by_id_and_refusals(ctl: Ctl, project: str) -> None:
    dead = ctl("add", "--type", "t", "--project", project).json
    alive = ctl("add", "--type", "t", "--project", project).json
    ctl("cancel", str(dead["id"]), "--reason", "oops")
    not_dead = ctl("retry", str(dead["id"]), str(alive["id"]))
    assert refused(not_dead, "FAILED_PRECONDITION")["reason"] == "ILLEGAL_TRANSITION"
    assert ctl("show", str(dead["id"])).json["action"]["status"] == "cancelled"
    assert "action_retried" not in event_types(ctl, alive["id"])
    refused(ctl("retry"), "INVALID_ARGUMENT", "--all")
    refused(ctl("retry", str(dead["id"]), "--type", "t"), "INVALID_ARGUMENT", "not both")
    done = ctl("retry", str(dead["id"]), "--actor", "human:ops")
    assert done.code == 0, done.stderr
    assert done.json == {"retried": 1, "ids": [dead["id"]]}
    assert done.stderr == ""
    shown = ctl("show", str(dead["id"])).json
    assert shown["action"]["status"] == "pending" and shown["action"]["attempt"] == 0
    retried = [e for e in shown["events"] if e["event_type"] == "action_retried"]
    assert [e["actor"] for e in retried] == ["human:ops"]


def test_retry_by_filter_loops_until_done(ctl: Ctl, project: str, queue: str) -> None:
    count = 5
    for _ in range(count):
        ctl("add", "--type", "batch", "--project", project, "--queue", queue)
    for _ in range(count):
        held = ctl("claim", "--worker", "w", "--project", project, "--queue", queue).json
        ctl("fail", str(held["id"]), "--reason", "down")
    other = ctl("add", "--type", "other", "--project", project, "--queue", queue).json
    held = ctl("claim", "--worker", "w", "--project", project, "--queue", queue).json
    assert held["id"] == other["id"]
    ctl("fail", str(other["id"]), "--reason", "down")
    some = ctl(
        "retry", "--status", "failed", "--type", "batch", "--project", project, "--limit", "2"
    )
    assert some.json["retried"] == 2 and len(some.json["ids"]) == 2
    rest = ctl("retry", "--status", "failed", "--type", "batch", "--project", project)
    assert rest.code == 0 and rest.json["retried"] == count - 2
    assert rest.stderr == "", "no progress when stderr is not a terminal"
    pending = ctl("ls", "--project", project, "--status", "pending").json
    assert sorted(a["id"] for a in pending) == sorted(some.json["ids"] + rest.json["ids"])
    assert ctl("show", str(other["id"])).json["action"]["status"] == "failed"
    none = ctl("retry", "--type", "batch", "--project", project)
    assert none.json == {"retried": 0, "ids": []}


def test_retry_shows_progress_on_a_terminal(server: ServerProcess, project: str) -> None:
    ctl = functools.partial(actionctl, server.address)
    action = ctl("add", "--type", "t", "--project", project).json
    ctl("cancel", str(action["id"]), "--reason", "x")
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [
                executable("actionctl"),
                "--server",
                server.address,
                "retry",
                "--project",
                project,
                "--status",
                "cancelled",
            ],
            stdout=subprocess.PIPE,
            stderr=secondary,
            text=True,
            timeout=60,
        )
        os.close(secondary)
        secondary = -1
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
        if secondary >= 0:
            os.close(secondary)
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"retried": 1, "ids": [action["id"]]}
    assert b"retrying" in shown and b"1" in shown


def test_pause_resume_and_queues(ctl: Ctl, project: str, queue: str) -> None:
    action = ctl("add", "--type", "t", "--project", project, "--queue", queue).json
    paused = ctl("pause", queue, "--reason", "deploy", "--actor", "human:ops")
    assert paused.code == 0, paused.stderr
    assert paused.json["name"] == queue and paused.json["paused"] is True
    assert paused.json["paused_by"] == "human:ops" and paused.json["paused_at"].endswith("Z")
    listed = {q["name"]: q for q in ctl("queues").json}
    assert listed[queue]["paused"] is True and listed[queue]["pending"] == 1
    assert ctl("claim", "--worker", "w", "--queue", queue).code == 2
    resumed = ctl("resume", queue)
    assert resumed.code == 0 and resumed.json["paused"] is False
    held = ctl("claim", "--worker", "w", "--queue", queue)
    assert held.code == 0 and held.json["id"] == action["id"]
    unknown = f"q-missing-{uuid.uuid4().hex[:8]}"
    for command in ("pause", "resume"):
        error = refused(ctl(command, unknown), "FAILED_PRECONDITION")
        assert error["reason"] == "QUEUE_NOT_FOUND"
    assert unknown not in {q["name"] for q in ctl("queues").json}


def test_queue_set_gives_defaults(ctl: Ctl, project: str, queue: str) -> None:
    updated = ctl(
        "queue-set", queue, "--max-attempts", "3", "--backoff", "fixed:5s", "--lease", "90s"
    )
    assert updated.code == 0, updated.stderr
    assert updated.json["name"] == queue and updated.json["max_attempts"] == 3
    assert updated.json["backoff"]["strategy"] == "fixed" and updated.json["lease"] == 90.0
    added = ctl("add", "--type", "t", "--project", project, "--queue", queue).json
    assert added["max_attempts"] == 3
    held = ctl("claim", "--worker", "w", "--queue", queue).json
    lease = when(held["claim_deadline"]) - when(held["updated_at"])
    assert 89 <= lease.total_seconds() <= 91
    kept = ctl("queue-set", queue, "--lease", "2m").json
    assert kept["max_attempts"] == 3 and kept["lease"] == 120.0
    refused(ctl("queue-set", queue, "--max-attempts", "0"), "INVALID_ARGUMENT", "--max-attempts")
    refused(ctl("queue-set", queue, "--backoff", "sometimes"), "INVALID_ARGUMENT", "--backoff")
    refused(ctl("queue-set", queue, "--lease", "0s"), "INVALID_ARGUMENT", "lease")
    assert (
        ctl("queues").json and {q["name"]: q for q in ctl("queues").json}[queue]["lease"] == 120.0
    )


def test_wait_for_actions(server: ServerProcess, ctl: Ctl, project: str) -> None:
    done = ctl("add", "--type", "t", "--project", project).json
    ctl("cancel", str(done["id"]), "--reason", "x")
    ended = ctl("wait", str(done["id"]), "--timeout", "5s")
    assert ended.code == 0 and [a["status"] for a in ended.json] == ["cancelled"]
    running = ctl("add", "--type", "t", "--project", project).json
    timeout = refused(ctl("wait", str(running["id"]), "--timeout", "500ms"), "DEADLINE_EXCEEDED")
    assert timeout["reason"] == "WAIT_TIMEOUT"
    refused(ctl("wait", "999999999", "--timeout", "1s"), "NOT_FOUND")
    refused(ctl("wait", str(running["id"]), "--timeout", "2h"), "INVALID_ARGUMENT", "--timeout")
    waiter = subprocess.Popen(
        [
            executable("actionctl"),
            "--server",
            server.address,
            "wait",
            str(running["id"]),
            str(done["id"]),
            "--timeout",
            "60s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        held = ctl("claim", "--worker", "w", "--project", project).json
        assert held["id"] == running["id"]
        ctl("complete", str(held["id"]), "--result", "ok")
        out, err = waiter.communicate(timeout=60)
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()
    assert waiter.returncode == 0, err
    assert [(a["id"], a["status"]) for a in json.loads(out)] == [
        (running["id"], "completed"),
        (done["id"], "cancelled"),
    ]


def test_stats_include_completed(ctl: Ctl, project: str) -> None:
    ctl("add", "--type", "s", "--project", project)
    ctl("add", "--type", "s", "--project", project, "--delay", "1h")
    held = ctl("claim", "--worker", "w", "--project", project).json
    ctl("complete", str(held["id"]), "--result", "r")
    plain = ctl("stats", "--project", project).json["stats"]
    assert len(plain) == 1
    assert plain[0]["completed"] == 0 and plain[0]["completed_last_minute"] == 1
    assert plain[0]["pending"] == 1 and plain[0]["scheduled"] == 1
    full = ctl("stats", "--project", project, "--include-completed").json["stats"]
    assert full[0]["completed"] == 1


@pytest.fixture
def own_server(pg_dsn: str) -> Iterator[ServerProcess]:
    """A server on a schema of its own: prune deletes every old finished action."""
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


def test_prune_loops_until_done(own_server: ServerProcess, project: str) -> None:
    ctl = functools.partial(actionctl, own_server.address)
    count = 7
    finished = []
    for _ in range(count):
        ctl("add", "--type", "t", "--project", project)
        held = ctl("claim", "--worker", "w", "--project", project).json
        finished.append(ctl("complete", str(held["id"]), "--result", "r").json["id"])
    alive = ctl("add", "--type", "t", "--project", project).json
    nothing = ctl("prune", "--older-than", "7d")
    assert nothing.code == 0 and nothing.json["pruned_actions"] == 0
    some = ctl("prune", "--older-than", "0s", "--limit", "3")
    assert some.code == 0, some.stderr
    assert some.json["pruned_actions"] == 3 and some.stderr == ""
    rest = ctl("prune", "--older-than", "0")
    assert rest.json["pruned_actions"] == count - 3
    assert set(rest.json) == {"pruned_actions", "dropped_partitions", "oldest_cursor"}
    assert [a["id"] for a in ctl("ls", "--project", project).json] == [alive["id"]]
    gone = ctl("show", str(finished[0]))
    assert refused(gone, "NOT_FOUND")["reason"] == "ACTION_NOT_FOUND"
    refused(ctl("prune", "--older-than", "-1d"), "INVALID_ARGUMENT", "--older-than")
    refused(ctl("prune", "--older-than", "a week"), "INVALID_ARGUMENT", "--older-than")
