"""The committed Python stubs are exactly what the proto generates today."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "clients" / "python" / "actionq" / "v1"


def test_python_stubs_are_fresh(tmp_path: Path) -> None:
    scratch = tmp_path / "repo"
    (scratch / "clients" / "python" / "actionq" / "v1").mkdir(parents=True)
    shutil.copytree(ROOT / "proto" / "actionq", scratch / "proto" / "actionq")
    shutil.copytree(ROOT / "scripts", scratch / "scripts")
    subprocess.run(
        ["bash", str(scratch / "scripts" / "gen_python.sh")],
        env={**os.environ, "PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    fresh = scratch / "clients" / "python" / "actionq" / "v1"
    names = sorted(p.name for p in fresh.iterdir() if p.is_file())
    assert names == sorted(p.name for p in COMMITTED.iterdir() if p.is_file())
    stale = [n for n in names if (fresh / n).read_bytes() != (COMMITTED / n).read_bytes()]
    assert not stale, f"stale generated files {stale}: run 'make gen'"
