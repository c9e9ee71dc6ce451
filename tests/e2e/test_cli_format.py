"""`--format table` for people, and the progress bar of long operations."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from actionq import Client

from tests.support import ServerProcess, actionctl, executable

TABLE_COMMANDS = ("ls", "dlq", "stats", "queues", "events")


def _header_and_rows(text: str) -> tuple[list[str], list[str]]:
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    assert set(lines[1]) <= {"─", " "}, lines  # the rule under the header
    return lines[0].split(), lines[2:]


def _starts(line: str) -> list[int]:
    return [m.start() for m in re.finditer(r"(?<!\S)\S", line)]


def test_tables_are_aligned_and_hold_the_rows(
    server: ServerProcess, client: Client, project: str
) -> None:
    queue = f"fmt-{uuid.uuid4().hex[:8]}"
    ids = [client.add("fmt.t", project, queue=queue, target_ref=f"ref {i}").id for i in range(3)]
    claimed = client.claim("w", queue=queue)[0]
    client.fail(claimed.action.id, claimed.lease_token, reason="broken pipe", no_retry=True)

    ls = actionctl(server.address, "ls", "--project", project, "--format", "table")
    assert ls.code == 0, ls.stderr
    header, rows = _header_and_rows(ls.stdout)
    assert header[:4] == ["id", "status", "queue", "action_type"]
    assert [r.split()[0] for r in rows] == [str(i) for i in ids]
    # Every row's cells start where the header's columns start.
    starts = _starts(ls.stdout.splitlines()[0])
    for row in rows:
        assert set(_starts(row)) >= {s for s in starts[:4]}

    dlq = actionctl(server.address, "--format", "table", "dlq", "--project", project)
    header, rows = _header_and_rows(dlq.stdout)
    assert "failure_reason" in header and len(rows) == 1 and "broken pipe" in rows[0]

    stats = actionctl(server.address, "stats", "--queue", queue, "--format", "table")
    header, rows = _header_and_rows(stats.stdout)
    assert header[:3] == ["queue", "action_type", "pending"]
    assert rows[0].split()[:3] == [queue, "fmt.t", "2"]

    queues = actionctl(server.address, "queues", "--format", "table")
    header, rows = _header_and_rows(queues.stdout)
    assert header[0] == "name" and any(r.split()[0] == queue for r in rows)

    events = actionctl(server.address, "events", "--action", str(ids[0]), "--format", "table")
    header, rows = _header_and_rows(events.stdout)
    assert header[:3] == ["cursor", "created_at", "event_type"]
    assert [r.split()[2] for r in rows] == ["action_enqueued", "action_claimed", "action_failed"]

    # JSON stays the default, and an empty listing says so in a table.
    assert actionctl(server.address, "dlq", "--project", "nobody-" + project).json == []
    empty = actionctl(server.address, "dlq", "--project", "nobody-" + project, "--format", "table")
    assert empty.stdout.strip() == "(none)"


@pytest.mark.parametrize("command", TABLE_COMMANDS)
def test_a_bad_format_is_refused(server: ServerProcess, command: str) -> None:
    done = actionctl(server.address, command, "--format", "yaml")
    assert done.code != 0 and "Traceback" not in done.stderr
    assert "--format" in done.stderr


def _run(address: str, *args: str, progress: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable("actionctl"), "--server", address, *args],
        env={**os.environ, "ACTIONQ_PROGRESS": progress},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_progress_bar_when_forced_and_silence_when_piped(
    server: ServerProcess, client: Client, project: str
) -> None:
    queue = f"prog-{uuid.uuid4().hex[:8]}"
    for _ in range(3):
        client.add("prog.t", project, queue=queue)
        c = client.claim("w", queue=queue)
        client.fail(c[0].action.id, c[0].lease_token, reason="x", no_retry=True)
    forced = _run(
        server.address, "retry", "--status", "failed", "--queue", queue, progress="always"
    )
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout and '"retried": 3' in forced.stdout
    assert "retrying" in forced.stderr and "3 done" in forced.stderr
    piped = _run(server.address, "retry", "--status", "failed", "--queue", queue, progress="auto")
    assert piped.returncode == 0 and piped.stderr == ""


def test_add_from_a_json_lines_file(
    server: ServerProcess, client: Client, project: str, tmp_path: Path
) -> None:
    queue = f"bulk-{uuid.uuid4().hex[:8]}"
    lines = [
        json.dumps({"type": "bulk.t", "queue": queue, "payload": {"n": i}, "target_ref": f"r{i}"})
        for i in range(2500)
    ]
    lines.insert(7, "")  # blank lines are skipped
    lines.append(json.dumps({"type": "bulk.t", "queue": queue, "idempotency_key": "once"}))
    lines.append(json.dumps({"type": "bulk.t", "queue": queue, "idempotency_key": "once"}))
    path = tmp_path / "actions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    forced = _run(
        server.address, "add", "--from-file", str(path), "--project", project, progress="always"
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout) == {"enqueued": 2501, "duplicates": 1}
    assert "enqueueing" in forced.stderr and "2,502 done" in forced.stderr
    stored = list(client.iter_actions(queue=queue, project=project))
    assert len(stored) == 2501
    assert [a.payload.get("n") for a in stored[:3]] == [0, 1, 2]  # in file order
    # Piped: silent; a bad line names its number and stores nothing of its batch.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"type": "x"}) + "\n" + "{not json\n")
    refused = _run(
        server.address, "add", "--from-file", str(bad), "--project", project, progress="auto"
    )
    assert refused.returncode == 1 and "line 2" in refused.stderr
    assert "Traceback" not in refused.stderr
    no_type = actionctl(server.address, "add", "--project", project)
    assert no_type.code == 1 and "--type" in no_type.error["message"]
