"""How fast the dashboard's overview is drawn with a big table.

Fills a fresh schema with N finished actions (default 1,000,000, one bulk
INSERT ... SELECT generate_series) plus a few thousand live ones, starts
actionq-server on it with the HTTP port on, loads the overview in headless
chromium several times and prints, per load and as medians: when the overview
was drawn with its data (performance.now() at render), first and largest
contentful paint, and the /api/overview request. Drops the schema at the end.

    .venv/bin/python scripts/measure_dashboard_paint.py postgresql://... [rows] [loads]

A measurement to read, not a test: nothing is asserted.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import uuid

import asyncpg
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

FILL = """
INSERT INTO actions (queue, action_type, project, target_ref, payload, status, attempt,
                     created_by, result, completed_at, created_at, updated_at, run_after)
SELECT 'q' || (g % 8), 'type.' || (g % 5), 'proj' || (g % 3), 'ref/' || g,
       jsonb_build_object('n', g, 'text', 'a payload of a realistic size'),
       'completed', 1, 'bulk', '{"ok": true}',
       now() - make_interval(secs => g % 500000), now() - make_interval(secs => g % 500000 + 5),
       now() - make_interval(secs => g % 500000), now() - make_interval(secs => g % 500000 + 5)
FROM generate_series(1, $1::int) AS g
"""
LIVE = """
INSERT INTO actions (queue, action_type, project, target_ref, status, created_by, run_after)
SELECT 'q' || (g % 8), 'type.' || (g % 5), 'proj' || (g % 3), 'live/' || g, 'pending', 'bulk',
       now() - make_interval(secs => g % 300)
FROM generate_series(1, 2000) AS g
"""
LCP = """
const done = arguments[arguments.length - 1];
new PerformanceObserver((list) => done(list.getEntries().at(-1).startTime))
  .observe({type: "largest-contentful-paint", buffered: true});
"""
LOADED = "return document.getElementById('view').dataset.loadedAt"
FIGURES = """
const fcp = performance.getEntriesByName("first-contentful-paint")[0];
const api = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/api/overview"));
return [Number(document.getElementById("view").dataset.loadedAt), fcp ? fcp.startTime : -1,
        api ? api.duration : -1];
"""


async def sql(dsn: str, schema: str, *statements: tuple[str, tuple[object, ...]]) -> None:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        for statement, args in statements:
            await conn.execute(statement, *args)
    finally:
        await conn.close()


def main() -> None:
    dsn = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    loads = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    schema = f"paint_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "ACTIONQ_URL": dsn,
        "ACTIONQ_SCHEMA": schema,
        "ACTIONQ_LISTEN": "127.0.0.1:0",
        "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
        "ACTIONQ_SWEEP_INTERVAL": "3600",
    }
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "actionq-server")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = ""
        for line in server.stdout:
            if found := re.search(r"actionq http on (http://\S+) ", line):
                base = found[1]
                break
        assert base, "the server did not start"
        print(f"filling {schema} with {rows:,} finished actions ...", flush=True)
        asyncio.run(sql(dsn, schema, (FILL, (rows,)), (LIVE, ()), ("ANALYZE actions", ())))
        measure(base, loads)
    finally:
        server.terminate()
        server.wait(60)
        asyncio.run(sql(dsn, "public", (f'DROP SCHEMA "{schema}" CASCADE', ())))


def measure(base: str, loads: int) -> None:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,800")
    chrome = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    figures = []
    try:
        for i in range(loads):
            chrome.get(f"{base}/?load={i}#/")
            WebDriverWait(chrome, 30).until(lambda d: d.execute_script(LOADED))
            drawn, fcp, api = chrome.execute_script(FIGURES)
            lcp = chrome.execute_async_script(LCP)
            figures.append((drawn, fcp, lcp, api))
            print(f"load {i}: drawn {drawn:.0f} ms, FCP {fcp:.0f}, LCP {lcp:.0f}, API {api:.0f}")
    finally:
        chrome.quit()
    for k, name in enumerate(("drawn with data", "FCP", "LCP", "/api/overview")):
        warm = [f[k] for f in figures[1:]]
        print(
            f"{name}: median {statistics.median(warm):.0f} ms, max {max(warm):.0f} ms over "
            f"{len(warm)} warm loads; first load {figures[0][k]:.0f} ms"
        )


if __name__ == "__main__":
    main()
