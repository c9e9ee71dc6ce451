"""Domain errors. The API layer maps each class to one gRPC status code, and
each error carries a stable reason (proto `actionq.v1.ErrorReason`, without its
prefix; tests/unit/test_vocabulary.py holds the two lists equal)."""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Machine-readable reasons, sent as google.rpc.ErrorInfo.reason."""

    INVALID_FIELD = "INVALID_FIELD"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    ACTION_NOT_FOUND = "ACTION_NOT_FOUND"
    PARENT_NOT_FOUND = "PARENT_NOT_FOUND"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    STALE_LEASE = "STALE_LEASE"
    CHAIN_TOO_DEEP = "CHAIN_TOO_DEEP"
    RATE_LIMITED = "RATE_LIMITED"
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE"
    REQUEST_ID_REUSED = "REQUEST_ID_REUSED"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    SHUTTING_DOWN = "SHUTTING_DOWN"
    INTERNAL = "INTERNAL"
    IDEMPOTENCY_KEY_CONFLICT = "IDEMPOTENCY_KEY_CONFLICT"
    QUEUE_NOT_FOUND = "QUEUE_NOT_FOUND"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    WAIT_TIMEOUT = "WAIT_TIMEOUT"
    SCHEDULE_NOT_FOUND = "SCHEDULE_NOT_FOUND"
    SCHEDULE_EXISTS = "SCHEDULE_EXISTS"
    DEPENDENCY_CYCLE = "DEPENDENCY_CYCLE"
    DEPENDENCY_NOT_FOUND = "DEPENDENCY_NOT_FOUND"
    DEPENDENCY_FAILED = "DEPENDENCY_FAILED"
    WORKFLOW_NOT_FOUND = "WORKFLOW_NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    WATCHER_TOO_SLOW = "WATCHER_TOO_SLOW"


class ActionqError(Exception):
    """Base class of every error a client may be told about."""

    default_reason: Reason = Reason.INTERNAL

    def __init__(self, message: str, *, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata: dict[str, str] = {}


class InvalidArgument(ActionqError):
    """A request field is malformed; `field` names it."""

    default_reason = Reason.INVALID_FIELD

    def __init__(self, field: str, problem: str, *, reason: Reason | None = None) -> None:
        super().__init__(f"{field}: {problem}" if field else problem, reason=reason)
        self.field = field
        self.problem = problem
        if field:
            self.metadata["field"] = field

    def within(self, prefix: str) -> InvalidArgument:
        """The same error about a field of an item, e.g. `actions[3]` + `.queue`."""
        return InvalidArgument(f"{prefix}.{self.field}", self.problem, reason=self.reason)


class NotFound(ActionqError):
    """The named entity does not exist."""

    default_reason = Reason.ACTION_NOT_FOUND


class FailedPrecondition(ActionqError):
    """The request is well-formed but the current state forbids it."""

    default_reason = Reason.ILLEGAL_TRANSITION


class Aborted(ActionqError):
    """The state changed while the call ran; reading again and retrying may succeed."""

    default_reason = Reason.CONCURRENT_CHANGE


class AlreadyExists(ActionqError):
    """The entity to create exists already."""

    default_reason = Reason.REQUEST_ID_REUSED


class DeadlineExceeded(ActionqError):
    """A wait the caller asked for ended before what it waited for happened."""

    default_reason = Reason.WAIT_TIMEOUT


class OutOfRange(ActionqError):
    """A position lies outside what is kept (a cursor into pruned history)."""

    default_reason = Reason.CURSOR_EXPIRED


class RateLimited(ActionqError):
    """A producer is over its enqueue budget; retry after `retry_after` seconds."""

    default_reason = Reason.RATE_LIMITED

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LimitExceeded(ActionqError):
    """A server limit was reached; metadata "limit" names the setting, "value" its value."""

    default_reason = Reason.LIMIT_EXCEEDED

    def __init__(self, message: str, *, limit: str, value: int | float) -> None:
        super().__init__(f"{message} (limit {limit}={value})")
        self.metadata["limit"] = limit
        self.metadata["value"] = str(value)


class WatcherTooSlow(ActionqError):
    """A watcher read its stream too slowly: writes to it stalled longer than
    the server waits. Metadata "cursor" is the position after the last batch
    whose write completed; the reader resumes from the last batch it got."""

    default_reason = Reason.WATCHER_TOO_SLOW

    def __init__(self, message: str, cursor: str) -> None:
        super().__init__(message)
        self.metadata["cursor"] = cursor


class Unavailable(ActionqError):
    """The database cannot be reached or the server is draining; the call may be retried."""

    default_reason = Reason.DATABASE_UNAVAILABLE


class Unauthenticated(ActionqError):
    """No valid credentials came with the call."""

    default_reason = Reason.UNAUTHENTICATED


class PermissionDenied(ActionqError):
    """The caller's role may not do this, or it named an identity not its own."""

    default_reason = Reason.PERMISSION_DENIED


def action_not_found(action_id: int, field: str = "id") -> NotFound:
    """The NotFound of an unknown action id."""
    error = NotFound(f"action {action_id} not found")
    error.metadata.update(field=field, action_id=str(action_id))
    return error
