"""Generates the blocking client (actionq/_sync_client.py) from the asyncio one
(actionq/_async_client.py) with unasync, then sorts imports and formats it.

Usage: python clients/python/gen_sync.py [--check]. `make gen` runs it; with
--check it only reports whether the committed file is current (exit 1 if not).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import unasync  # type: ignore[import-untyped]

PACKAGE = Path(__file__).resolve().parent / "actionq"
SOURCE = PACKAGE / "_async_client.py"
TARGET = PACKAGE / "_sync_client.py"

# Names that differ between the flavours; unasync already turns `async def`,
# `await`, `async for`, __aenter__/__aexit__ and AsyncIterator into their
# blocking forms.
REPLACEMENTS = {
    "AsyncClient": "Client",
    "AsyncEventStream": "EventStream",
    "async_channel": "sync_channel",
    "async_sleep": "sync_sleep",
}
HEADER = '''"""The blocking client. GENERATED from _async_client.py by clients/python/gen_sync.py
(unasync): do not edit; change _async_client.py and run `make gen`.
"""
'''


def generate(folder: Path) -> Path:
    """Write the blocking client into `folder`, formatted; return its path."""
    source = folder / SOURCE.name
    source.write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    rule = unasync.Rule(SOURCE.name, TARGET.name, additional_replacements=REPLACEMENTS)
    unasync.unasync_files([str(source)], rules=[rule])
    output = folder / TARGET.name
    text = output.read_text(encoding="utf-8")
    docstring_end = text.index('"""', 3) + 3
    output.write_text(HEADER + text[docstring_end:].lstrip("\n"), encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(PACKAGE.parents[2] / "pyproject.toml")]
    subprocess.run(
        [
            *ruff,
            "check",
            *config,
            "--quiet",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "I,F401,UP028",
            str(output),
        ],
        check=True,
    )
    subprocess.run([*ruff, "format", *config, "--quiet", str(output)], check=True)
    return output


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        fresh = generate(Path(scratch)).read_text(encoding="utf-8")
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != fresh:
            print(f"{TARGET} is stale: run 'make gen'", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
