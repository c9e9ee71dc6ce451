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

from ..api.auth import Authenticator
from ..domain.errors import ActionqError, InvalidArgument
from ..service import QueueService
from .api import ACTOR_KEY, DashboardApi, WorkflowLookup
from .auth import ACTOR, AUTH_KEY, COOKIE, Permission, authorize, principal_of
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

    def __init__(
        self,
        service: QueueService,
        workflow: WorkflowLookup | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        self.api = DashboardApi(service, workflow)
        self.live = LiveStream(service)
        self.assets = load_assets()
        self.authenticator = authenticator

    def install(self, app: web.Application) -> None:
        """Add the dashboard's routes and its guard to `app`."""
        app[AUTH_KEY] = self.authenticator
        app.middlewares.append(guard)
        app.router.add_post("/api/login", self.login)
        app.router.add_post("/api/logout", self.logout)
        app.router.add_get("/api/whoami", self.whoami)
        app.router.add_get("/", self.page)
        app.router.add_get("/static/{path:.+}", self.asset)
        app.router.add_routes(self.api.routes())
        app.router.add_get("/api/live", self.live.handle)

    async def login(self, request: web.Request) -> web.Response:
        """Check a token and keep it in an HttpOnly cookie for the page."""
        if self.authenticator is None:
            return web.json_response({"auth": False, "name": ACTOR})
        try:
            body = await request.json()
        except ValueError:
            body = None
        secret = body.get("token") if isinstance(body, dict) else None
        if not isinstance(secret, str) or not secret.strip():
            raise InvalidArgument("token", "is required")
        principal = await principal_of(self.authenticator, secret.strip())
        response = web.json_response(
            {"auth": True, "name": principal.name, "role": principal.role.value}
        )
        response.set_cookie(
            COOKIE,
            secret.strip(),
            httponly=True,
            samesite="Strict",
            secure=request.secure,
            path="/",
        )
        return response

    async def logout(self, request: web.Request) -> web.Response:
        """Forget the cookie."""
        response = web.json_response({"auth": self.authenticator is not None})
        response.del_cookie(COOKIE, path="/")
        return response

    async def whoami(self, request: web.Request) -> web.Response:
        """Who the page is signed in as (the guard has checked the token)."""
        return web.json_response(
            {"auth": self.authenticator is not None, "name": request[ACTOR_KEY]}
        )

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
        if request.path in ("/api/login", "/api/logout"):
            return await handler(request)
        permission = Permission.OPERATE if writing else Permission.READ
        if request.path == "/api/live":
            permission = Permission.WATCH
        request[ACTOR_KEY] = await authorize(request, permission)
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
