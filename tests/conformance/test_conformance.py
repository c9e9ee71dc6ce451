"""The one conformance scenario, run by each language's client against a live
server that is secured as production would be: TLS (a test CA) and tokens
(ACTIONQ_AUTH=on)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.conftest import fresh_schema
from tests.support import ServerProcess, bootstrap_token, start_server

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "conformance" / "scenario.json"
TOOLCHAINS = {
    "python": [],
    "go": ["go"],
    "typescript": ["node", "npm"],
    "java": ["java", "mvn"],
    "rust": ["cargo"],
}
# Every name a runner claims, or acts, as (its scenario runner and its live
# worker checks): with auth on, each must be one of its token's names.
WORKER_NAMES = [
    f"conformance-{language}{suffix}"
    for language in TOOLCHAINS
    for suffix in ("", "-worker", "-outcomes", "-checkpoints", "-waiting", "-tracing")
]


@dataclass
class Secure:
    """The secured server and what a runner needs to reach it."""

    server: ServerProcess
    env: dict[str, str]
    ca_file: Path
    worker_token: str


@pytest.fixture(scope="module")
def secure(pg_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    """A server with TLS (a trustme CA, a certificate for localhost and
    127.0.0.1) and auth on, in its own schema; a worker token for the denied
    steps. The background sweeper is slowed down as in the session server."""
    folder = tmp_path_factory.mktemp("conformance-pki")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "server.pem"))
    cert.private_key_pem.write_to_path(str(folder / "server.key"))
    env = {
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_SWEEP_INTERVAL": "3600",
        "ACTIONQ_AUTH": "on",
        "ACTIONQ_TLS_CERT": str(folder / "server.pem"),
        "ACTIONQ_TLS_KEY": str(folder / "server.key"),
    }
    worker = bootstrap_token(env, "--role", "worker", "--name", "conformance-worker-role")
    server = start_server(env)
    try:
        yield Secure(server, env, folder / "ca.pem", worker["secret"])
    finally:
        server.stop()


@pytest.mark.conformance
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("language", list(TOOLCHAINS))
def test_conformance(secure: Secure, language: str) -> None:
    missing = [tool for tool in TOOLCHAINS[language] if shutil.which(tool) is None]
    if missing:
        message = f"{language} conformance needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)
    folder = ROOT / "clients" / language
    created_by = f"human:conformance-{language}"
    names = [arg for name in WORKER_NAMES for arg in ("--names", name)]
    admin = bootstrap_token(secure.env, "--role", "admin", "--name", created_by, *names)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ACTIONQ_")},
        "ACTIONQ_SERVER": secure.server.address,
        "ACTIONQ_TOKEN": admin["secret"],
        "ACTIONQ_CA_FILE": str(secure.ca_file),
        "ACTIONQ_CONFORMANCE_WORKER_TOKEN": secure.worker_token,
        "ACTIONQ_CONFORMANCE_PROJECT": f"conf-{language}-{uuid.uuid4().hex[:8]}",
        "ACTIONQ_CONFORMANCE_CREATED_BY": created_by,
    }
    began = time.monotonic()
    if (folder / "setup.sh").exists():
        setup = subprocess.run(
            ["bash", str(folder / "setup.sh")],
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=1500,
        )
        assert setup.returncode == 0, f"setup failed:\n{setup.stdout}\n{setup.stderr}"
    done = subprocess.run(
        ["bash", str(folder / "conformance.sh"), str(SCENARIO)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    report = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
    steps = [line for line in done.stdout.splitlines() if line.startswith(("ok ", "FAIL "))]
    assert len(steps) == len(__import__("json").loads(SCENARIO.read_text())["steps"]), report
    assert all(line.startswith("ok ") for line in steps), report
    # The secrets are never printed by a runner or logged by the server.
    assert admin["secret"] not in report
    assert admin["secret"] not in secure.server.log
    print(f"{language} conformance: {time.monotonic() - began:.1f} s")
