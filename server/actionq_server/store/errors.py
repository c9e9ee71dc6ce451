"""Translates driver errors into domain errors, in one place for the store."""

from __future__ import annotations

import functools
import socket
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg

from ..domain.errors import ActionqError, FailedPrecondition, NotFound, Unavailable

P = ParamSpec("P")
T = TypeVar("T")

_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    socket.gaierror,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    TimeoutError,
)


def interpret(exc: BaseException) -> ActionqError | None:
    """The domain error for a driver error, or None when it is a bug."""
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return NotFound(f"referenced action does not exist ({exc.detail or exc})")
    if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
        return Unavailable(f"transaction conflict, retry: {exc}")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return FailedPrecondition(str(exc))
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
