"""The dashboard's routes on the HTTP app: the page and its assets, the JSON
API and the live stream, behind one guard (authorization, same-origin
writes, JSON errors)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from aiohttp import web

from ..domain.errors import ActionqError
from ..service import QueueService
from .api import ACTOR_KEY, DashboardApi, WorkflowLookup
from .auth import Permission, authorize
from .errors import error_response, internal_error, plain_error
from .live import LiveStream

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# The page loads nothing from elsewhere and runs no inline script.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Asset:
    """A static file, held in memory with its validator."""

    body: bytes
    content_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """Every file under static/, by its URL path."""
    found: dict[str, Asset] = {}
    root = resources.files(__package__).joinpath("static")

    def walk(folder: resources.abc.Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
                continue
            suffix = "." + entry.name.rpartition(".")[2]
            if suffix not in _TYPES:
                continue
            body = entry.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            found[f"{prefix}{entry.name}"] = Asset(body, _TYPES[suffix], etag)

    walk(root, "/static/")
    return found


class Dashboard:
    """What the HTTP app needs to serve the dashboard."""

    def __init__(self, service: QueueService, workflow: WorkflowLookup | None = None) -> None:
        self.api = DashboardApi(service, workflow)
        self.live = LiveStream(service)
        self.assets = load_assets()

    def install(self, app: web.Application) -> None:
        """Add the dashboard's routes and its guard to `app`."""
        app.middlewares.append(guard)
        app.router.add_get("/", self.page)
        app.router.add_get("/static/{path:.+}", self.asset)
        app.router.add_routes(self.api.routes())
        app.router.add_get("/api/live", self.live.handle)

    async def page(self, request: web.Request) -> web.Response:
        """The single page (its views are chosen by the URL's fragment)."""
        return self._send(request, self.assets["/static/index.html"])

    async def asset(self, request: web.Request) -> web.Response:
        """A static file."""
        found = self.assets.get(request.path)
        if found is None or request.path == "/static/index.html":
            raise web.HTTPNotFound()
        return self._send(request, found)

    @staticmethod
    def _send(request: web.Request, asset: Asset) -> web.Response:
        headers = {**_SECURITY_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache"}
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = asset.content_type
        return web.Response(body=asset.body, headers=headers)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """For /api/*: refuse cross-site writes, authorize, and answer every
    error as JSON. Other paths pass through."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    writing = request.method not in ("GET", "HEAD")
    try:
        if writing and not _same_origin(request):
            return plain_error(
                403, "PERMISSION_DENIED", "a change must come from the dashboard's own page"
            )
        request[ACTOR_KEY] = await authorize(
            request, Permission.OPERATE if writing else Permission.READ
        )
        return await handler(request)
    except ActionqError as exc:
        return error_response(exc)
    except web.HTTPNotFound:
        return plain_error(404, "NOT_FOUND", f"no such API path: {request.path}")
    except web.HTTPMethodNotAllowed as exc:
        return plain_error(
            405,
            "UNIMPLEMENTED",
            f"{request.method} is not allowed on {request.path}",
            allowed=", ".join(sorted(exc.allowed_methods)),
        )
    except web.HTTPException:
        raise
    except Exception as exc:
        return internal_error(exc)


def _same_origin(request: web.Request) -> bool:
    """Whether a write comes from a page of this server: browsers send Origin
    on every cross-site POST; a JSON body (checked by the handlers) cannot be
    sent cross-site without a preflight this server never answers."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.host
