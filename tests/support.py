"""Helpers for tests: server processes, the actionctl process, direct SQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

BIN = Path(sys.executable).parent
SERVING = re.compile(r"actionq serving '(\w+)' on (\S+):(\d+)")


def executable(name: str) -> str:
    """A console script of this environment."""
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


@dataclass
class ServerProcess:
    """A running actionq-server."""

    proc: subprocess.Popen[str]
    address: str
    schema: str
    output: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the server and wait for it to exit; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    @property
    def log(self) -> str:
        """Everything the server printed so far."""
        return "".join(self.output)


def start_server(env: Mapping[str, str], timeout: float = 90) -> ServerProcess:
    """Start actionq-server and wait for its 'serving' line."""
    full_env = {**os.environ, "ACTIONQ_LISTEN": "127.0.0.1:0", **env}
    full_env.pop("ACTIONQ_SERVER", None)
    proc = subprocess.Popen(
        [executable("actionq-server")],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    found: list[re.Match[str]] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            match = SERVING.search(line)
            if match and not found:
                found.append(match)
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(timeout) or not found:
        proc.kill()
        raise RuntimeError("actionq-server did not start:\n" + "".join(output))
    match = found[0]
    return ServerProcess(proc, f"{match.group(2)}:{match.group(3)}", match.group(1), output)


@dataclass
class CliResult:
    """What one actionctl run did."""

    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        """stdout parsed as one JSON document."""
        return json.loads(self.stdout)

    @property
    def error(self) -> dict[str, str]:
        """The JSON error object on stderr."""
        parsed: dict[str, dict[str, str]] = json.loads(self.stderr)
        return parsed["error"]


def actionctl(address: str, *args: str, timeout: float = 60) -> CliResult:
    """Run the real actionctl process against `address`."""
    done = subprocess.run(
        [executable("actionctl"), "--server", address, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def sql(dsn: str, schema: str, statement: str, *args: Any) -> list[asyncpg.Record]:
    """Run one statement in `schema` and return its rows (tests only)."""

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            return await conn.fetch(statement, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def refusal(dsn: str, schema: str, statement: str) -> str:
    """The name of the error PostgreSQL raises for `statement`, or "allowed"."""

    async def run() -> str:
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
        try:
            await conn.execute(statement)
            return "allowed"
        except asyncpg.PostgresError as exc:
            return type(exc).__name__
        finally:
            await conn.close()

    return asyncio.run(run())


@contextlib.contextmanager
def fake_server(servicer: Any) -> Iterator[str]:
    """An in-process gRPC server of `servicer` (a stand-in for actionq in
    client unit tests); yields its address."""
    import grpc
    from actionq.v1 import service_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    service_pb2_grpc.add_ActionQueueServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def free_port() -> int:
    """A TCP port free on loopback now (for a server restarted on the same address)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is truthy or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def log_records(output: list[str]) -> list[dict[str, Any]]:
    """The server's JSON log lines (stderr is not a terminal in tests)."""
    found = []
    for line in list(output):
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                found.append(json.loads(line))
    return found


HTTP_LINE = re.compile(r"actionq http on http://(\S+) ")


def http_base(server: ServerProcess) -> str:
    """http://host:port of a server started with ACTIONQ_HTTP_LISTEN (from the
    line it prints)."""
    assert wait_until(lambda: any(HTTP_LINE.search(line) for line in server.output))
    return "http://" + next(m[1] for line in server.output if (m := HTTP_LINE.search(line)))


def bootstrap_token(env: Mapping[str, str], *args: str) -> dict[str, Any]:
    """`actionq-server token create ARGS` against the database of `env`: the
    token as printed, secret included (and the secret on stdout only)."""
    done = subprocess.run(
        [executable("actionq-server"), "token", "create", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    made: dict[str, Any] = json.loads(done.stdout)
    assert made["secret"] not in done.stderr
    return made
