"""Domain errors as HTTP JSON answers, in one place for the dashboard's API.

The body is {"error": {"code", "reason", "message", "field"?, ...metadata}}:
the gRPC code name and the ErrorInfo reason a gRPC client would get, under the
HTTP status that fits. Anything else is logged with an incident id and answered
as a generic 500; no traceback reaches the page.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from aiohttp import web

from ..api.errors import code_name
from ..domain.errors import (
    Aborted,
    ActionqError,
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    OutOfRange,
    PermissionDenied,
    RateLimited,
    Reason,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[ActionqError], int], ...] = (
    (InvalidArgument, 400),
    (OutOfRange, 400),
    (NotFound, 404),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (FailedPrecondition, 409),
    (Aborted, 409),
    (AlreadyExists, 409),
    (RateLimited, 429),
    (Unavailable, 503),
    (DeadlineExceeded, 504),
)


def http_status(exc: ActionqError) -> int:
    """The HTTP status of a domain error."""
    return next((status for cls, status in _STATUS if isinstance(exc, cls)), 500)


def error_response(exc: ActionqError) -> web.Response:
    """The JSON answer for a domain error."""
    body: dict[str, Any] = {
        **exc.metadata,
        "code": code_name(exc),
        "reason": exc.reason.value,
        "message": exc.message,
    }
    return web.json_response({"error": body}, status=http_status(exc))


def internal_error(exc: BaseException) -> web.Response:
    """The generic answer for a bug, logged with its traceback under an incident id."""
    incident = uuid.uuid4().hex[:12]
    log.error("dashboard: internal error %s", incident, exc_info=exc)
    body = {
        "code": "INTERNAL",
        "reason": Reason.INTERNAL.value,
        "message": f"internal error (incident {incident})",
        "incident": incident,
    }
    return web.json_response({"error": body}, status=500)


def plain_error(status: int, code: str, message: str, **extra: str) -> web.Response:
    """A JSON answer for an HTTP-level refusal (unknown route, wrong method, origin)."""
    body = {**extra, "code": code, "reason": "MALFORMED_REQUEST", "message": message}
    return web.json_response({"error": body}, status=status)
