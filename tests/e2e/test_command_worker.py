"""`actionctl worker`, the command-running worker, as a real process against the
real server: success, failing exit codes, timeouts, bounded output, payloads
that name no runnable command, heartbeats, and a graceful stop on SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from actionq import Client

from tests.support import ServerProcess, executable, wait_until

PY = sys.executable


@dataclass
class WorkerProcess:
    """A running `actionctl worker` and the JSON lines it logged on stderr."""

    proc: subprocess.Popen[str]
    lines: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    seen: list[dict[str, Any]] = field(default_factory=list)

    def expect(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        """The first logged line matching `predicate`, waiting up to `timeout`."""
        for line in self.seen:
            if predicate(line):
                return line
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no such line within {timeout}s; saw {self.seen}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if predicate(line):
                return line

    def finished(self, action_id: int, timeout: float = 60) -> dict[str, Any]:
        """The action_finished line of one action."""
        return self.expect(
            lambda line: line.get("event") == "action_finished" and line.get("id") == action_id,
            timeout,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


@pytest.fixture
def start_worker(server: ServerProcess) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*args: str) -> WorkerProcess:
        proc = subprocess.Popen(
            [executable("actionctl"), "--server", server.address, "worker", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        worker = WorkerProcess(proc)

        def pump() -> None:
            assert proc.stderr is not None
            for text in proc.stderr:
                try:
                    worker.lines.put(json.loads(text))
                except json.JSONDecodeError:
                    worker.lines.put({"event": "not_json", "text": text})

        threading.Thread(target=pump, daemon=True).start()
        started.append(worker)
        worker.expect(lambda line: line.get("event") == "worker_started")
        return worker

    yield start
    for worker in started:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait()
        assert not [line for line in worker.seen if line.get("event") == "not_json"]


@pytest.fixture
def kind() -> str:
    """An action type unique to the test, so no other worker claims its actions."""
    return f"shell-{uuid.uuid4().hex[:10]}"


def add(client: Client, kind: str, project: str, payload: dict[str, Any], **fields: Any) -> int:
    return client.add(kind, project, payload=payload, **fields).id


def python(code: str) -> list[str]:
    return [PY, "-c", code]


def test_success_completes_with_the_output(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    code = (
        "import os, sys; print('hello', os.environ['GREETING'], os.getcwd());"
        "print('a warning', file=sys.stderr); print(os.environ['ACTIONQ_ACTION_ID'])"
    )
    action_id = add(
        client,
        kind,
        project,
        {"command": python(code), "cwd": str(tmp_path), "env": {"GREETING": "hi"}},
    )
    worker = start_worker("--type", kind, "--project", project)
    logged = worker.finished(action_id)
    assert logged["outcome"] == "completed" and logged["exit_code"] == 0
    action = client.get(action_id)
    assert action.status == "completed" and action.result is not None
    assert action.result["exit_code"] == 0
    assert action.result["stdout"] == f"hello hi {tmp_path}\n{action_id}\n"
    assert action.result["stderr"] == "a warning\n"
    assert action.result["stdout_truncated"] is False and action.result["stderr_truncated"] is False
    assert action.result["duration_seconds"] >= 0
    assert worker.stop() == 0
    worker.expect(lambda line: line.get("event") == "worker_stopped")
    assert worker.proc.stdout is not None
    summary = json.loads(worker.proc.stdout.read())
    assert summary["outcomes"] == {"completed": 1} and summary["worker"].startswith(
        "actionctl-worker:"
    )


def test_non_zero_exit_fails_and_retries(
    client: Client, start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    code = "import sys; print('disk full', file=sys.stderr); sys.exit(3)"
    action_id = add(
        client, kind, project, {"command": python(code)}, max_attempts=2, backoff="fixed:0s"
    )
    worker = start_worker("--type", kind, "--project", project)
    first = worker.finished(action_id)
    assert first["outcome"] == "failed" and first["exit_code"] == 3 and first["attempt"] == 1
    assert first["reason"] == "exit code 3: disk full"
    second = worker.expect(lambda line: line.get("id") == action_id and line.get("attempt") == 2)
    assert second["outcome"] == "failed"
    action = client.get(action_id)
    assert action.status == "failed" and action.attempt == 2
    assert action.failure_reason == "exit code 3: disk full"
    assert worker.stop() == 0


def test_timeout_kills_the_process_group(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    pids = tmp_path / "pids"
    # The command starts a grandchild in its group; both must be killed.
    code = (
        "import subprocess, sys, time;"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        f"open({str(pids)!r}, 'w').write(str(child.pid));"
        "time.sleep(600)"
    )
    action_id = add(client, kind, project, {"command": python(code), "timeout": 2})
    worker = start_worker("--type", kind, "--project", project)
    logged = worker.finished(action_id)
    assert logged["outcome"] == "failed" and logged["reason"] == "timed out after 2s"
    action = client.get(action_id)
    assert action.status == "failed" and action.failure_reason == "timed out after 2s"
    grandchild = int(pids.read_text())
    assert wait_until(lambda: not _alive(grandchild), timeout=30)
    assert worker.stop() == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_large_output_is_truncated_with_a_marker(
    client: Client, start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    code = "import sys; sys.stdout.write('x' * 300000); sys.stderr.write('e' * 10)"
    action_id = add(client, kind, project, {"command": python(code)})
    worker = start_worker("--type", kind, "--project", project, "--max-output", "1000")
    assert worker.finished(action_id)["outcome"] == "completed"
    result = client.get(action_id).result
    assert result is not None
    assert result["stdout_truncated"] is True and result["stderr_truncated"] is False
    assert result["stdout"].startswith("x" * 1000)
    assert result["stdout"].count("x") == 1000
    assert "output truncated, kept the first 1000 of 300000 bytes" in result["stdout"]
    assert result["stderr"] == "e" * 10
    assert worker.stop() == 0


def test_binary_output_is_kept_as_valid_text(
    client: Client, start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    code = "import sys; sys.stdout.buffer.write(b'ok\\x00\\xff\\xfe caf\\xc3\\xa9')"
    action_id = add(client, kind, project, {"command": python(code)})
    worker = start_worker("--type", kind, "--project", project)
    assert worker.finished(action_id)["outcome"] == "completed"
    result = client.get(action_id).result
    assert result is not None and result["stdout"] == "ok\ufffd\ufffd\ufffd café"
    assert worker.stop() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"command": "echo hi"}, "payload.command"),
        ({"command": []}, "payload.command"),
        ({"command": ["echo", 3]}, "payload.command[1]"),
        ({"command": {"argv": ["echo"]}}, "payload.command"),
        ({}, "payload.command"),
        ({"command": ["echo"], "env": {"A": 1}}, "payload.env.A"),
        ({"command": ["echo"], "env": ["A=1"]}, "payload.env"),
        ({"command": ["echo"], "cwd": 7}, "payload.cwd"),
        ({"command": ["echo"], "timeout": -1}, "payload.timeout"),
        ({"command": ["echo"], "timeout": "1m"}, "payload.timeout"),
        ({"command": "echo hi", "shell": True}, "payload.shell"),
        ({"command": ["echo"], "shell": "yes"}, "payload.shell"),
    ],
)
def test_payload_without_a_runnable_command_is_rejected(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    payload: dict[str, Any],
    field: str,
) -> None:
    action_id = add(client, kind, project, payload, max_attempts=3)
    worker = start_worker("--type", kind, "--project", project)
    logged = worker.finished(action_id)
    assert logged["outcome"] == "rejected"
    action = client.get(action_id)
    assert action.status == "rejected" and action.rejected_by == "actionctl-worker"
    assert action.failure_reason is not None and action.failure_reason.startswith(field + ":")
    assert action.attempt == 1, "a rejected action is never retried"
    assert worker.stop() == 0


def test_shell_strings_need_the_flag_and_the_payload(
    client: Client, start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    action_id = add(client, kind, project, {"command": "echo $((40 + 2)) | tr 4 X", "shell": True})
    plain = add(client, kind, project, {"command": "echo 1"})
    worker = start_worker("--type", kind, "--project", project, "--allow-shell")
    assert worker.finished(action_id)["outcome"] == "completed"
    result = client.get(action_id).result
    assert result is not None and result["stdout"] == "X2\n"
    assert worker.finished(plain)["outcome"] == "rejected"
    assert worker.stop() == 0


def test_command_that_cannot_start_fails(
    client: Client, start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    action_id = add(client, kind, project, {"command": ["/nonexistent/tool", "--x"]})
    worker = start_worker("--type", kind, "--project", project)
    logged = worker.finished(action_id)
    assert logged["outcome"] == "failed"
    action = client.get(action_id)
    assert action.status == "failed"
    assert action.failure_reason == "cannot start '/nonexistent/tool': No such file or directory"
    assert worker.stop() == 0


def _started_waiting(tmp_path: Path, name: str) -> tuple[list[str], Path, Path]:
    """A command that writes its pid to `name`.pid, then runs until `name`.go exists."""
    started, go = tmp_path / f"{name}.pid", tmp_path / f"{name}.go"
    code = (
        "import os, time, pathlib;"
        f"pathlib.Path({str(started)!r}).write_text(str(os.getpid()));"
        f"go = pathlib.Path({str(go)!r})\n"
        "while not go.exists(): time.sleep(0.02)\n"
        "print('finished')"
    )
    return python(code), started, go


def test_heartbeats_keep_the_lease(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    command, started, go = _started_waiting(tmp_path, "long")
    action_id = add(client, kind, project, {"command": command})
    worker = start_worker("--type", kind, "--project", project, "--lease", "3s")
    assert wait_until(started.exists, timeout=60)
    first = client.get(action_id).claim_deadline
    assert first is not None
    assert wait_until(lambda: (client.get(action_id).claim_deadline or first) > first, timeout=30)
    go.touch()
    assert worker.finished(action_id)["outcome"] == "completed"
    action = client.get(action_id)
    assert action.status == "completed" and action.attempt == 1
    assert worker.stop() == 0


def test_cancelled_action_stops_its_command(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    command, started, _ = _started_waiting(tmp_path, "cancel")
    action_id = add(client, kind, project, {"command": command})
    worker = start_worker("--type", kind, "--project", project, "--lease", "3s")
    assert wait_until(started.exists, timeout=60)
    client.cancel(action_id, reason="not needed")
    assert worker.finished(action_id)["outcome"] == "cancelled"
    assert wait_until(lambda: not _alive(int(started.read_text())), timeout=30)
    assert client.get(action_id).status == "cancelled"
    assert worker.stop() == 0


def test_sigterm_kills_after_grace_and_fails_for_retry(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    command, started, _ = _started_waiting(tmp_path, "stuck")
    action_id = add(client, kind, project, {"command": command}, max_attempts=3)
    worker = start_worker("--type", kind, "--project", project, "--grace", "1s")
    assert wait_until(started.exists, timeout=60)
    pid = int(started.read_text())
    worker.proc.send_signal(signal.SIGTERM)
    logged = worker.finished(action_id)
    assert logged["outcome"] == "failed" and "grace" in logged["reason"]
    assert worker.proc.wait(60) == 0
    worker.expect(lambda line: line.get("event") == "worker_stopped")
    assert not _alive(pid)
    action = client.get(action_id)
    assert action.status == "pending" and action.attempt == 1
    assert action.failure_reason is not None and "worker stopped" in action.failure_reason
    assert action.claimed_by is None


def test_sigterm_lets_running_commands_finish_and_claims_no_more(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    command, started, go = _started_waiting(tmp_path, "ending")
    action_id = add(client, kind, project, {"command": command})
    worker = start_worker(
        "--type", kind, "--project", project, "--grace", "60s", "--concurrency", "2"
    )
    assert wait_until(started.exists, timeout=60)
    worker.proc.send_signal(signal.SIGTERM)
    worker.expect(lambda line: line.get("event") == "worker_stopping")
    later = add(client, kind, project, {"command": ["true"]})
    go.touch()
    logged = worker.finished(action_id)
    assert logged["outcome"] == "completed"
    assert worker.proc.wait(60) == 0
    assert client.get(action_id).status == "completed"
    assert client.get(later).status == "pending", "a stopping worker claims nothing"


def test_idle_worker_stops_at_once(
    start_worker: Callable[..., WorkerProcess], kind: str, project: str
) -> None:
    worker = start_worker("--type", kind, "--project", project)
    worker.proc.send_signal(signal.SIGINT)
    # The claim long-polls for 30 s; stopping must not wait it out.
    assert worker.proc.wait(20) == 0
    worker.expect(lambda line: line.get("event") == "worker_stopped")


def test_bad_worker_options_are_one_json_error(server: ServerProcess) -> None:
    for args in (["--type", "has spaces"], ["--type", "t", "--lease", "1s"], []):
        done = subprocess.run(
            [executable("actionctl"), "--server", server.address, "worker", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
        error = json.loads(done.stderr.splitlines()[-1])["error"]
        assert error["code"] == "INVALID_ARGUMENT", error
        assert ("--type" if not args else args[-2].lstrip("-").split("-")[0]) in error["message"]


def test_concurrency_runs_commands_side_by_side(
    client: Client,
    start_worker: Callable[..., WorkerProcess],
    kind: str,
    project: str,
    tmp_path: Path,
) -> None:
    first, first_started, first_go = _started_waiting(tmp_path, "one")
    second, second_started, second_go = _started_waiting(tmp_path, "two")
    ids = [add(client, kind, project, {"command": c}) for c in (first, second)]
    worker = start_worker("--type", kind, "--project", project, "--concurrency", "2")
    # Both run at once: each waits for its own go file, which comes only then.
    assert wait_until(lambda: first_started.exists() and second_started.exists(), timeout=60)
    first_go.touch()
    second_go.touch()
    assert [worker.finished(i)["outcome"] for i in ids] == ["completed", "completed"]
    assert worker.stop() == 0
