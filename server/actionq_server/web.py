"""The HTTP side of the server (ACTIONQ_HTTP_LISTEN): /metrics for Prometheus,
/healthz, and the web dashboard at / (see dashboard/). Off unless the variable
is set."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .dashboard import Dashboard
from .metrics import Metrics

# How long stopping waits for HTTP requests still being answered (a dashboard's
# live stream ends when the service closes; this bounds anything else).
SHUTDOWN_SECONDS = 5.0


@dataclass
class HttpServer:
    """A running HTTP listener."""

    runner: web.AppRunner
    address: str

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        await self.runner.cleanup()


def build(metrics: Metrics, dashboard: Dashboard | None = None) -> web.Application:
    """The HTTP routes."""

    async def scrape(request: web.Request) -> web.Response:
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    app.router.add_get("/healthz", healthz)
    if dashboard is not None:
        dashboard.install(app)
    return app


async def start(listen: str, metrics: Metrics, dashboard: Dashboard | None = None) -> HttpServer:
    """Serve on `listen` (host:port; port 0 picks one) and return the bound address."""
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(
        build(metrics, dashboard),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=SHUTDOWN_SECONDS,
    )
    await runner.setup()
    site = web.TCPSite(runner, host.strip("[]") or "127.0.0.1", int(port))
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None)
    assert sockets
    bound = sockets[0].getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    return HttpServer(runner, f"{shown}:{bound[1]}")
