"""Translates driver errors into domain errors, in one place for the store."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import asyncpg

from ..domain.errors import (
    ActionqError,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unavailable,
)

log = logging.getLogger(__name__)
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
_QUERY_CANCELED = "57014"
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
        if state == _QUERY_CANCELED and "statement timeout" in str(exc):
            # The caller's deadline, carried as statement_timeout (store/deadline).
            return DeadlineExceeded("the call's deadline passed while its SQL ran")
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
            result = await fn(*args, **kwargs)
        except ActionqError:
            raise
        except Exception as exc:
            mapped = interpret(exc)
            if mapped is None:
                raise
            if isinstance(mapped, Unavailable):
                database.lost(exc)
            raise mapped from exc
        if database.down:
            database.regained()
        return result

    return wrapper


class DatabaseState:
    """Whether the last store call found the database unreachable: logs one
    line when it is lost and one when it answers again (not one per call)."""

    def __init__(self) -> None:
        self.down = False

    def lost(self, exc: BaseException) -> None:
        if isinstance(exc, asyncpg.PostgresError) and str(exc.sqlstate).startswith("40"):
            return  # a serialization failure or deadlock: the database is there
        if not self.down:
            self.down = True
            log.warning(
                "database unavailable: %s",
                exc,
                extra={"event": "database_lost", "error": type(exc).__name__},
            )

    def regained(self) -> None:
        self.down = False
        log.info("database available again", extra={"event": "database_regained"})


database = DatabaseState()
