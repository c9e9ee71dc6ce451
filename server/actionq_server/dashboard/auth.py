"""The one place where the dashboard decides who may do what.

Without ACTIONQ_AUTH every request is allowed and changes are recorded under
the actor "dashboard". With it, a request must carry an API token — the
`actionq_token` cookie that POST /api/login sets (HttpOnly, SameSite=Strict),
or an `Authorization: Bearer` header — and its role must allow the gRPC call
the request stands for (domain/auth.ALLOWED): reading is ListActions's roles,
following the log live is WatchEvents's, operating (retry, cancel, pause) is
Cancel's. Changes are recorded under the token's name.
"""

from __future__ import annotations

import enum

from aiohttp import web

from ..api.auth import Authenticator
from ..domain.auth import ALLOWED, Principal
from ..domain.errors import PermissionDenied

ACTOR = "dashboard"
COOKIE = "actionq_token"
AUTH_KEY: web.AppKey[Authenticator | None] = web.AppKey("actionq_authenticator")


class Permission(enum.Enum):
    """What a request does: reading, following the log, or operating."""

    READ = "ListActions"
    WATCH = "WatchEvents"
    OPERATE = "Cancel"


def secret_of(request: web.Request) -> str:
    """The token a request carries (cookie first), or ""."""
    cookie = request.cookies.get(COOKIE, "")
    if cookie:
        return cookie
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


async def principal_of(authenticator: Authenticator, secret: str) -> Principal:
    """The principal of a token (Unauthenticated when there is none)."""
    metadata = (("authorization", f"Bearer {secret}"),) if secret else ()
    return await authenticator.principal(metadata)


async def authorize(request: web.Request, permission: Permission) -> str:
    """The actor to record for this request, or an error when it is not allowed."""
    authenticator = request.app.get(AUTH_KEY)
    if authenticator is None:
        return ACTOR
    principal = await principal_of(authenticator, secret_of(request))
    if principal.role not in ALLOWED[permission.value]:
        raise PermissionDenied(
            f"the role {principal.role.value} of token {principal.token_id} may not "
            f"{permission.name.lower()} here"
        )
    return principal.name
