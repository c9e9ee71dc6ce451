"""actionctl never prints a traceback, whatever the input: Hypothesis drives its
commands in-process (click's CliRunner) with hostile arguments against a live
server of its own, and every run ends with JSON on stdout, or one JSON error
object on stderr, and exit code 0, 1 or 2."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from actionctl.main import cli
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import fresh_schema
from tests.support import ServerProcess, executable, start_server

# Options of each command (--follow, --wait, `wait` and `worker` are left out:
# they wait by design).
COMMANDS: dict[str, tuple[bool, list[str]]] = {
    "add": (
        False,
        [
            "--type",
            "--project",
            "--target",
            "--source",
            "--priority",
            "--parent",
            "--created-by",
            "--payload",
            "--queue",
            "--idempotency-key",
            "--max-attempts",
            "--backoff",
            "--delay",
            "--run-after",
        ],
    ),
    "ls": (False, ["--status", "--type", "--project", "--queue", "--limit", "--newest-first"]),
    "show": (True, []),
    "claim": (False, ["--worker", "--type", "--project", "--queue", "--lease"]),
    "heartbeat": (True, ["--lease-token", "--lease", "--progress"]),
    "complete": (True, ["--result", "--result-json", "--lease-token"]),
    "fail": (True, ["--reason", "--retry-in", "--no-retry", "--lease-token"]),
    "reject": (True, ["--reason", "--validator", "--lease-token"]),
    "cancel": (True, ["--reason", "--actor"]),
    "events": (False, ["--action", "--type", "--after", "--limit"]),
    "emit": (False, ["--type", "--actor", "--payload", "--action"]),
    "stats": (False, ["--queue", "--project", "--include-completed"]),
    "dlq": (False, ["--status", "--type", "--project", "--queue", "--limit"]),
    "retry": (
        True,
        ["--status", "--type", "--project", "--queue", "--all", "--limit", "--actor"],
    ),
    "queues": (False, []),
    "queue-set": (True, ["--max-attempts", "--backoff", "--lease", "--actor"]),
    "pause": (True, ["--reason", "--actor"]),
    "resume": (True, ["--actor"]),
    "prune": (False, ["--older-than", "--limit"]),
    "sweep": (False, []),
    "migrate": (False, []),
}

NASTY = [
    "",
    "0",
    "-1",
    "1",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "1e-400",
    "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    str(2**31),
    "{}",
    "[]",
    "null",
    '{"a": NaN}',
    '{"a": 1e400}',
    '{"n": 18446744073709551617}',
    '{"a": "\\u0000"}',
    '{"a": "\\ud800"}',
    "[" * 5000,
    '{"a":' * 5000,
    "{" + '"k": 1,' * 3 + "}",
    "a\x00b",
    "\udcff",
    "\ud800x",
    "--",
    "-x",
    "--bogus",
    "'; DROP TABLE actions; --",
    "x" * 20_000,
    "pending",
    "coordinator_cycle",
]
# Plain values too, so that many runs get past click and reach the server.
PLAIN = [
    "t",
    "p",
    "w",
    "1",
    "2",
    "30",
    '{"a": 1}',
    "h:me",
    "30s",
    "fixed:1s",
    "exponential:2s:10m:0.1",
    "2099-01-01T00:00:00Z",
    "failed",
]
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(st.characters(codec=None, categories=None), max_size=10),
    st.integers().map(str),
    st.floats().map(repr),
    st.binary(max_size=12).map(lambda b: b.decode("utf-8", "surrogateescape")),
)
VALUES = st.integers(0, 2).flatmap(lambda k: HOSTILE if k == 0 else st.sampled_from(PLAIN))
# Options that take no value.
FLAGS = ("--newest-first", "--no-retry", "--include-completed", "--all")
# What each command needs to reach the server.
REQUIRED = {
    "add": ["--type", "--project"],
    "claim": ["--worker"],
    "heartbeat": ["--lease-token"],
    "complete": ["--result"],
    "fail": ["--reason"],
    "reject": ["--reason", "--validator"],
    "cancel": ["--reason"],
    "emit": ["--type", "--actor"],
}


@st.composite
def invocations(draw: st.DrawFn) -> list[str]:
    """A command line: maybe global options, a command, maybe an id, options."""
    args: list[str] = []
    if draw(st.integers(0, 4)) == 0:
        args += ["--timeout", draw(st.sampled_from(["5", "nan", "-1", "0", "1e999", "abc"]))]
    command = draw(st.sampled_from(sorted(COMMANDS)))
    positional, options = COMMANDS[command]
    args.append(command)
    if positional and draw(st.integers(0, 9)):
        args.append(draw(VALUES))
    chosen = draw(st.lists(st.sampled_from(options or ["--unknown"]), max_size=4))
    if draw(st.integers(0, 3)):
        chosen = [o for o in REQUIRED.get(command, []) if o not in chosen] + chosen
    if draw(st.integers(0, 9)) == 0:
        chosen.append("--unknown")
    for option in chosen:
        args.append(option)
        if option not in FLAGS and draw(st.integers(0, 19)):
            value = draw(VALUES)
            if option == "--type" and command == "emit" and draw(st.booleans()):
                value = "coordinator_cycle"
            args.append(value)
    return args


@pytest.fixture(scope="module")
def own_server(pg_dsn: str) -> Iterator[ServerProcess]:
    """A server of this module's own, so that hostile commands (sweep, claim,
    cancel) touch no other test's actions."""
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


def check_run(exit_code: int, stdout: str, stderr: str) -> None:
    """The output contract of one actionctl run."""
    assert "Traceback" not in stdout + stderr
    assert exit_code in (0, 1, 2), (exit_code, stdout, stderr)
    if exit_code == 1:
        assert stdout == ""
        lines = stderr.splitlines()
        assert len(lines) == 1, stderr
        error = json.loads(lines[0])["error"]
        assert set(error) == {"code", "reason", "message"} and error["code"] != "UNKNOWN"
        assert error["code"] != "INTERNAL", error
    elif exit_code == 0 and stdout.strip():
        json.loads(stdout)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=invocations())
def test_hostile_arguments_never_traceback(own_server: ServerProcess, args: list[str]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--server", own_server.address, *args], env={})
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (args, result.exc_info)
    check_run(result.exit_code, result.stdout, result.stderr)
    event(f"exit {result.exit_code}")
    if result.exit_code == 1:
        event(json.loads(result.stderr)["error"]["code"])


def test_undecodable_bytes_in_a_real_process(own_server: ServerProcess) -> None:
    for args in (
        [b"add", b"--type", b"\xff\xfe", b"--project", b"p"],
        [b"events", b"--after", b"\xc3("],
        [b"show", b"\xff"],
    ):
        done = subprocess.run(
            [executable("actionctl").encode(), b"--server", own_server.address.encode(), *args],
            capture_output=True,
            timeout=60,
        )
        check_run(done.returncode, done.stdout.decode(), done.stderr.decode())
        assert done.returncode == 1
        assert json.loads(done.stderr)["error"]["code"] == "INVALID_ARGUMENT"
