"""The one place where the dashboard decides who may do what.

There are no users or roles yet: every request is allowed, and changes are
recorded under the actor "dashboard". When roles exist, `authorize` is where
the caller is identified (a session or a bearer token) and checked against
the permission; every /api route goes through it (see routes.guard).
"""

from __future__ import annotations

import enum

from aiohttp import web

ACTOR = "dashboard"


class Permission(enum.Enum):
    """What a request does: reading, or operating (retry, cancel, pause)."""

    READ = "read"
    OPERATE = "operate"


async def authorize(request: web.Request, permission: Permission) -> str:
    """The actor to record for this request, or an error when it is not
    allowed. Today: everyone is allowed."""
    return ACTOR
