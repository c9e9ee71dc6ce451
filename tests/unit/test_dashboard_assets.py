"""The dashboard's static files ship in the wheel and reference only each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from actionq_server.dashboard.routes import load_assets

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "actionq_server" / "dashboard"
IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*)["'](\.{1,2}/[^"']+)["']""")
REFERENCE = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def test_package_data_covers_every_static_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    tool = config["tool"]["setuptools"]
    assert "actionq_server.dashboard" in tool["packages"]
    patterns = tool["package-data"]["actionq_server.dashboard"]
    shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern)}
    present = {p for p in (PACKAGE / "static").rglob("*") if p.is_file()}
    assert present, "no static files"
    assert present <= shipped, sorted(str(p) for p in present - shipped)


def test_every_reference_resolves_to_a_served_asset() -> None:
    assets = load_assets()
    assert "/static/index.html" in assets
    assert {"/static/js/main.js", "/static/style.css"} <= set(assets)
    page = assets["/static/index.html"].body.decode()
    for path in REFERENCE.findall(page):
        assert path in assets, path
    for path, asset in assets.items():
        if not path.endswith(".js"):
            continue
        folder = path.rsplit("/", 1)[0]
        for relative in IMPORT.findall(asset.body.decode()):
            parts = folder.split("/")
            for piece in relative.split("/"):
                if piece == "..":
                    parts.pop()
                elif piece != ".":
                    parts.append(piece)
            assert "/".join(parts) in assets, f"{path} imports {relative}"


def test_no_asset_loads_anything_from_elsewhere() -> None:
    for path, asset in load_assets().items():
        text = asset.body.decode()
        assert not re.search(r"""(?:src|href|from|import\(?)\s*=?\s*["']https?://""", text), path
        assert "<script>" not in text, f"{path}: inline scripts are refused by the page's CSP"
