"""`actionctl top` in a real 80x24 terminal (tmux), read with capture-pane."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from actionq import Client
from rich.console import Console
from rich.text import Text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.conftest import fresh_schema
from tests.e2e.test_dashboard import SCREENSHOTS, browser  # noqa: F401  (the fixture)
from tests.support import ServerProcess, executable, start_server, wait_until

WIDTH, HEIGHT = 80, 24


class Pane:
    """One tmux session running a command."""

    def __init__(self, command: str) -> None:
        self.name = f"top-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(WIDTH),
                "-y",
                str(HEIGHT),
                command,
            ],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def ansi(self) -> str:
        """The pane with its colours (escape sequences)."""
        done = subprocess.run(
            ["tmux", "capture-pane", "-p", "-e", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def text(self) -> list[str]:
        done = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.splitlines()

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def alive(self) -> bool:
        return (
            subprocess.run(
                ["tmux", "has-session", "-t", self.name], capture_output=True, check=False
            ).returncode
            == 0
        )

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)


@pytest.fixture
def tmux() -> Iterator[type[Pane]]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is required in CI (scripts/install_tmux.sh)")
        pytest.skip("tmux is not installed")
    yield Pane


def _row(lines: list[str], queue: str, action_type: str) -> list[str] | None:
    for line in lines:
        cells = line.split()
        if len(cells) >= 2 and cells[0] == queue and action_type in cells:
            return cells
    return None


@pytest.fixture
def own_server(pg_dsn: str) -> Iterator[ServerProcess]:
    """A server of its own: the screen shows only this test's queues."""
    server = start_server({"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema()})
    try:
        yield server
    finally:
        server.stop()


def test_top_shows_counts_events_filters_and_pauses(
    own_server: ServerProcess,
    project: str,
    tmux: type[Pane],
    browser: WebDriver,  # noqa: F811
) -> None:
    server = own_server
    client = Client(server.address)
    queue = f"top{uuid.uuid4().hex[:6]}"
    other = f"oth{uuid.uuid4().hex[:6]}"
    for _ in range(3):
        client.add("top.t", project, queue=queue)
    client.add("top.u", project, queue=other)
    claimed = client.claim("w", queue=queue)
    pane = tmux(f"{executable('actionctl')} --server {server.address} top")
    try:
        # Per queue and type: 2 due, 1 leased.
        assert wait_until(lambda: _row(pane.text(), queue, "top.t") is not None, timeout=60), (
            "\n".join(pane.text())
        )
        cells = _row(pane.text(), queue, "top.t")
        assert cells is not None and cells[2:5] == ["2", "0", "1"], cells
        assert _row(pane.text(), other, "top.u") is not None
        screen = pane.text()
        assert len(screen) <= HEIGHT and all(len(line) <= WIDTH for line in screen)
        assert "queue" in screen[1] and "oldest" in screen[1]
        assert any("Quit" in line and "Filter" in line for line in screen[-2:])

        # An event happening now scrolls in.
        client.complete(claimed[0].action.id, claimed[0].lease_token, result_ref="r")
        assert wait_until(
            lambda: any("action_completed" in line for line in pane.text()), timeout=30
        )
        assert wait_until(lambda: (_row(pane.text(), queue, "top.t") or [""] * 7)[6] == "1")
        _screenshot(pane.ansi(), browser)

        # Filter by queue: only that queue's rows remain.
        pane.keys("/")
        pane.keys(other, "Enter")
        assert wait_until(
            lambda: (
                _row(pane.text(), other, "top.u") is not None
                and _row(pane.text(), queue, "top.t") is None
            ),
            timeout=30,
        )
        # Pause the selected queue (the only row), then resume it.
        pane.keys("p")
        assert wait_until(lambda: _paused(client, other), timeout=30)
        assert wait_until(lambda: any("⏸" in line for line in pane.text()), timeout=30)
        pane.keys("p")
        assert wait_until(lambda: not _paused(client, other), timeout=30)
        pane.keys("q")
        assert wait_until(lambda: not pane.alive(), timeout=30)
    finally:
        pane.close()
        client.close()


def _screenshot(ansi: str, driver: WebDriver) -> None:
    """docs/screenshots/top.png: the pane as a terminal shows it (its escape
    codes rendered to HTML by rich, photographed by the headless browser)."""
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True)
    console.print(Text.from_ansi(ansi), end="")
    page = SCREENSHOTS / "top.html"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.write_text(console.export_html(inline_styles=True, code_format=_PAGE))
    try:
        driver.get(page.as_uri())
        driver.find_element(By.TAG_NAME, "pre")
        assert driver.save_screenshot(str(SCREENSHOTS / "top.png"))
    finally:
        page.unlink()


_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #0c0c0c; color: #cccccc; }}
pre {{ margin: 8px; font: 15px/1.25 "DejaVu Sans Mono", monospace; }}
{stylesheet}</style></head><body><pre>{code}</pre></body></html>"""


def _paused(client: Client, queue: str) -> bool:
    return any(q.name == queue and q.paused for q in client.list_queues())
