"""The one conformance scenario, run by each language's client against a live server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "conformance" / "scenario.json"
TOOLCHAINS = {
    "python": [],
    "go": ["go"],
    "typescript": ["node", "npm"],
    "java": ["java", "mvn"],
    "rust": ["cargo"],
}


@pytest.mark.conformance
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("language", list(TOOLCHAINS))
def test_conformance(server: ServerProcess, language: str) -> None:
    missing = [tool for tool in TOOLCHAINS[language] if shutil.which(tool) is None]
    if missing:
        message = f"{language} conformance needs {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)
    folder = ROOT / "clients" / language
    env = {
        **os.environ,
        "ACTIONQ_SERVER": server.address,
        "ACTIONQ_CONFORMANCE_PROJECT": f"conf-{language}-{uuid.uuid4().hex[:8]}",
        "ACTIONQ_CONFORMANCE_CREATED_BY": f"human:conformance-{language}",
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
    print(f"{language} conformance: {time.monotonic() - began:.1f} s")
