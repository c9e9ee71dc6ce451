"""One shell job: the command an action's payload names, checked, then run as a
subprocess in a process group of its own, with its output kept up to a bound.

The payload of a shell job:

    {"command": ["make", "test"],        argv list of strings (required)
     "cwd": "/srv/app",                  working directory (optional)
     "env": {"CI": "1"},                 variables set on top of the worker's (optional)
     "timeout": 600}                     seconds (optional; else the worker's default)

A string `command` runs through `/bin/sh -c` only when the payload says
`"shell": true` and the worker was started with `--allow-shell`. The command
inherits the worker's environment with `env` on top, plus ACTIONQ_ACTION_ID
and ACTIONQ_ATTEMPT; its stdin is /dev/null. Output is decoded as UTF-8 with
U+FFFD for undecodable bytes and for NUL (which JSON text on the server may
not hold).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SHELL = "/bin/sh"
# The longest command timeout a payload may ask for.
MAX_TIMEOUT_SECONDS = 30 * 86400.0
# How long a process group gets between SIGTERM and SIGKILL.
KILL_PATIENCE = 2.0
# How long the pipes may stay open after the group was killed (a process that
# left the group can hold them); the capture then ends without them.
PIPE_PATIENCE = 5.0
READ_CHUNK = 65536
# The result JSON is kept below the server's 1,000,000-byte limit for JSON text.
MAX_RESULT_BYTES = 900_000


class PayloadError(ValueError):
    """The payload does not describe a command this worker runs; the message
    names the field. Such an action is rejected, never retried."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """What to run: argv, where, with which extra variables, for how long."""

    argv: list[str]
    cwd: str | None
    env: dict[str, str]
    timeout: float


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"{name}: must be a string, not {_kind(value)}")
    if "\x00" in value:
        raise PayloadError(f"{name}: must not contain a NUL character")
    return value


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", bool: "a boolean", str: "a string"}
    kinds |= {int: "a number", float: "a number", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def command_spec(
    payload: Mapping[str, Any], *, allow_shell: bool, default_timeout: float
) -> CommandSpec:
    """The command a payload describes, or PayloadError naming the bad field."""
    shell = payload.get("shell", False)
    if not isinstance(shell, bool):
        raise PayloadError(f"payload.shell: must be true or false, not {_kind(shell)}")
    if "command" not in payload:
        raise PayloadError("payload.command: required (an argv list of strings)")
    command = payload["command"]
    if shell:
        if not allow_shell:
            raise PayloadError(
                "payload.shell: this worker runs no shell strings (start it with --allow-shell)"
            )
        text = _text("payload.command", command)
        if not text.strip():
            raise PayloadError("payload.command: must not be empty")
        argv = [SHELL, "-c", text]
    else:
        if isinstance(command, str):
            raise PayloadError(
                "payload.command: must be an argv list of strings; a shell string needs "
                '"shell": true and a worker started with --allow-shell'
            )
        if not isinstance(command, list):
            raise PayloadError(
                f"payload.command: must be an argv list of strings, not {_kind(command)}"
            )
        if not command:
            raise PayloadError("payload.command: must not be an empty list")
        argv = [_text(f"payload.command[{i}]", item) for i, item in enumerate(command)]
        if not argv[0]:
            raise PayloadError("payload.command[0]: must not be empty")
    return CommandSpec(argv, _cwd(payload), _env(payload), _timeout(payload, default_timeout))


def _cwd(payload: Mapping[str, Any]) -> str | None:
    if payload.get("cwd") is None:
        return None
    cwd = _text("payload.cwd", payload["cwd"])
    if not cwd:
        raise PayloadError("payload.cwd: must not be empty")
    return cwd


def _env(payload: Mapping[str, Any]) -> dict[str, str]:
    env = payload.get("env")
    if env is None:
        return {}
    if not isinstance(env, dict):
        raise PayloadError(f"payload.env: must be an object of strings, not {_kind(env)}")
    for name, value in env.items():
        if not name or "=" in name or "\x00" in name:
            raise PayloadError(f"payload.env: {name!r} is not a variable name")
        _text(f"payload.env.{name}", value)
    return dict(env)


def _timeout(payload: Mapping[str, Any], default: float) -> float:
    value = payload.get("timeout")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"payload.timeout: must be a number of seconds, not {_kind(value)}")
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT_SECONDS):
        raise PayloadError(
            f"payload.timeout: must be more than 0 and at most {MAX_TIMEOUT_SECONDS:.0f} seconds"
        )
    return float(value)


@dataclass(slots=True)
class Capture:
    """The head of one output stream, at most `limit` bytes, and its full size."""

    limit: int
    head: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, chunk: bytes) -> None:
        """Count a chunk and keep what fits."""
        room = self.limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
        self.total += len(chunk)

    @property
    def truncated(self) -> bool:
        """True when bytes were left out."""
        return self.total > len(self.head)

    def text(self) -> str:
        """The kept bytes as text (UTF-8, undecodable bytes and NUL as U+FFFD,
        since JSON text on the server may hold no NUL), with a marker line when
        output was left out."""
        kept = bytes(self.head).decode("utf-8", "replace").replace("\x00", "\ufffd")
        if self.truncated:
            kept += truncation_marker(len(self.head), self.total)
        return kept


def truncation_marker(kept: int, total: int) -> str:
    """The line appended to output that was cut."""
    return f"\n[actionctl worker: output truncated, kept the first {kept} of {total} bytes]\n"


@dataclass(frozen=True, slots=True)
class Finished:
    """How a command ended. `exit_code` is None when it never started (see
    `start_error`); negative when a signal ended it. `killed` says why the
    worker killed it: "timeout", "stop" (the worker was stopping), "cancelled"
    or "lease lost", else None."""

    argv: list[str]
    timeout: float
    exit_code: int | None
    stdout: Capture
    stderr: Capture
    duration: float
    killed: str | None = None
    start_error: str | None = None

    def result(self) -> dict[str, Any]:
        """The result object reported on completion, kept under the server's
        size limit for JSON (the longer output is cut further if needed)."""
        stdout, stderr = self.stdout.text(), self.stderr.text()
        out_cut, err_cut = self.stdout.truncated, self.stderr.truncated
        while True:
            result = {
                "exit_code": self.exit_code,
                "stdout": stdout,
                "stderr": stderr,
                "stdout_truncated": out_cut,
                "stderr_truncated": err_cut,
                "duration_seconds": round(self.duration, 3),
            }
            size = len(json.dumps(result, ensure_ascii=False).encode("utf-8"))
            if size <= MAX_RESULT_BYTES:
                return result
            if len(stdout) >= len(stderr):
                stdout, out_cut = _halve(stdout, self.stdout.total), True
            else:
                stderr, err_cut = _halve(stderr, self.stderr.total), True

    def failure_reason(self, limit: int = 500) -> str:
        """Why the run counts as failed, short and bounded: the exit code, the
        signal, the timeout or the start error, with the last line of stderr
        when there is one."""
        if self.start_error is not None:
            reason = f"cannot start {self.argv[0]!r}: {self.start_error}"
        elif self.killed == "timeout":
            reason = f"timed out after {_seconds(self.timeout)}"
        elif self.killed == "stop":
            reason = "the worker stopped; the command was killed after its grace period"
        elif self.killed is not None:
            reason = f"killed: {self.killed}"
        elif self.exit_code is not None and self.exit_code < 0:
            reason = f"killed by signal {_signal_name(-self.exit_code)}"
        else:
            reason = f"exit code {self.exit_code}"
        tail = _last_line(self.stderr)
        if tail and self.start_error is None:
            reason = f"{reason}: {tail}"
        return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _halve(text: str, total: int) -> str:
    keep = len(text) // 2
    return text[:keep] + truncation_marker(len(text[:keep].encode("utf-8")), total)


def _last_line(capture: Capture, limit: int = 200) -> str:
    tail = bytes(capture.head[-4 * limit :]).decode("utf-8", "replace")
    lines = [line.strip() for line in tail.replace("\x00", "\ufffd").splitlines() if line.strip()]
    if not lines or capture.truncated:
        return ""
    last = lines[-1]
    return last if len(last) <= limit else last[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


async def run_command(
    spec: CommandSpec,
    *,
    max_output: int,
    kill: asyncio.Future[str],
    extra_env: Mapping[str, str] = {},
) -> Finished:
    """Run `spec` to its end: exit, timeout, or `kill` resolving (its value is
    the reason, e.g. "stop"). The process runs in a new session, so that its
    whole group is killed and a terminal's Ctrl-C reaches the worker only."""
    stdout, stderr = Capture(max_output), Capture(max_output)
    began = time.monotonic()
    env = {**os.environ, **spec.env, **extra_env}
    try:
        proc = await asyncio.create_subprocess_exec(
            *spec.argv,
            cwd=spec.cwd,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
    except (OSError, ValueError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Finished(spec.argv, spec.timeout, None, stdout, stderr, 0.0, start_error=message)
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        asyncio.create_task(_pump(proc.stdout, stdout)),
        asyncio.create_task(_pump(proc.stderr, stderr)),
    ]
    done: asyncio.Future[Any] = asyncio.ensure_future(_end_of(proc, readers))
    killed: str | None = None
    try:
        finished, _ = await asyncio.wait(
            {done, kill}, timeout=spec.timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if done not in finished:
            killed = kill.result() if kill in finished else "timeout"
            await _kill_group(proc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), PIPE_PATIENCE)
    finally:
        if not done.done():
            await _kill_group(proc, patience=0)
            for reader in readers:
                reader.cancel()
            done.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await done
    code = await proc.wait()
    return Finished(spec.argv, spec.timeout, code, stdout, stderr, time.monotonic() - began, killed)


async def _end_of(proc: asyncio.subprocess.Process, readers: list[asyncio.Task[None]]) -> None:
    """Return once the process exited and both pipes reached their end."""
    await asyncio.gather(proc.wait(), *readers)


async def _pump(stream: asyncio.StreamReader, capture: Capture) -> None:
    """Read a pipe to its end, keeping the head (the rest is read and dropped,
    so that the command never blocks on a full pipe)."""
    while chunk := await stream.read(READ_CHUNK):
        capture.add(chunk)


async def _kill_group(proc: asyncio.subprocess.Process, patience: float = KILL_PATIENCE) -> None:
    """SIGTERM the command's process group, SIGKILL it after `patience`."""
    if patience > 0:
        _signal_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), patience)
    _signal_group(proc.pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
