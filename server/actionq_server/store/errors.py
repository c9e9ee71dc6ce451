"""Translates driver errors into domain errors, in one place for the store."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg

from ..domain.errors import ActionqError, FailedPrecondition, InvalidArgument, NotFound, Unavailable

P = ParamSpec("P")
T = TypeVar("T")

# Driver-side errors that mean the connection is gone or unusable: lost in the
# middle of a statement, closed by a PostgreSQL restart, or left in a broken
# protocol state by one (asyncpg reports some of those as internal errors).
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    ConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# SQLSTATE classes that mean "the database cannot serve this now; retry":
# connection exceptions, operator intervention (shutdown, restart, cannot
# connect now), insufficient resources, system errors, transaction rollbacks
# (serialization failures, deadlocks).
_UNAVAILABLE_CLASSES = ("08", "57", "53", "58", "40")
# Data exceptions and program limits: a value the validation let through but
# PostgreSQL cannot hold. Bad input, never a server error.
_INVALID_CLASSES = ("22", "54")


def interpret(exc: BaseException) -> ActionqError | None:
    """The domain error for a driver error, or None when it is a bug."""
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return NotFound(f"referenced action does not exist ({exc.detail or exc})")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return FailedPrecondition(str(exc))
    if isinstance(exc, asyncpg.PostgresError):
        state = getattr(exc, "sqlstate", None) or ""
        if state.startswith(_UNAVAILABLE_CLASSES):
            return Unavailable(f"database unavailable: {exc}")
        if state.startswith(_INVALID_CLASSES):
            return InvalidArgument("", f"a value cannot be stored: {exc}")
        return None
    if isinstance(exc, _CONNECTION_ERRORS):
        return Unavailable(f"database unavailable: {exc}")
    return None


def translated(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Run a store method and raise domain errors instead of driver errors."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except ActionqError:
            raise
        except Exception as exc:
            mapped = interpret(exc)
            if mapped is None:
                raise
            raise mapped from exc

    return wrapper
