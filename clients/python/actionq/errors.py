"""Typed errors: one exception class per gRPC status code, and one per actionq
reason where a caller is likely to branch on it.

Every error the server returns carries a `google.rpc.ErrorInfo` (domain
`actionq.dev`) whose `reason` names the cause (`STALE_LEASE`,
`ILLEGAL_TRANSITION`, ...). `error_from_rpc` reads it from the status details
and picks the most specific class: `StaleLease` for a stale lease, else
`FailedPrecondition` for any other refusal with that code (including reasons
this client does not know yet), else `ActionqError`. Callers branch on the
class or on `.reason`, never on the message text:

    try:
        client.complete(action.id, token, result_ref="done")
    except StaleLease:
        ...  # the lease expired and someone else holds the action now
"""

from __future__ import annotations

from typing import Any, ClassVar

import grpc
from google.rpc import error_details_pb2, status_pb2

from .v1 import errors_pb2

DOMAIN = "actionq.dev"
DETAILS_KEY = "grpc-status-details-bin"


class ActionqError(Exception):
    """A failed call.

    `code` is the gRPC status code name (e.g. "NOT_FOUND"), `reason` the
    ErrorInfo reason ("" when the status carried none, e.g. no server
    answered), `field` the request field at fault when the server named one,
    `metadata` the rest of ErrorInfo.metadata, and `retry_after` the seconds
    RetryInfo asks the caller to wait before retrying (None when absent).
    """

    code_name: ClassVar[str] = ""
    reason_name: ClassVar[str] = ""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        reason: str = "",
        field: str | None = None,
        metadata: dict[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.reason = reason
        self.message = message
        self.field = field
        self.metadata = dict(metadata or {})
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        label = f"{self.code} ({self.reason})" if self.reason else self.code
        return f"{label}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.code, self.message, self._details()))

    def _details(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "field": self.field,
            "metadata": self.metadata,
            "retry_after": self.retry_after,
        }

    def to_json(self) -> dict[str, Any]:
        """The error as actionctl prints it."""
        return {"code": self.code, "reason": self.reason, "message": self.message}


def _rebuild(cls: type[ActionqError], code: str, message: str, details: Any) -> ActionqError:
    return cls(code, message, **details)


# One class per status code the server (or the channel) returns.
class Cancelled(ActionqError):
    """CANCELLED: the call was cancelled, usually by the caller."""

    code_name = "CANCELLED"


class Unknown(ActionqError):
    """UNKNOWN: the status carried no code this client understands."""

    code_name = "UNKNOWN"


class InvalidArgument(ActionqError):
    """INVALID_ARGUMENT: a field is missing, malformed or out of range (see `.field`)."""

    code_name = "INVALID_ARGUMENT"


class DeadlineExceeded(ActionqError):
    """DEADLINE_EXCEEDED: no answer within the call's deadline."""

    code_name = "DEADLINE_EXCEEDED"


class NotFound(ActionqError):
    """NOT_FOUND: the named action (or parent) does not exist."""

    code_name = "NOT_FOUND"


class AlreadyExists(ActionqError):
    """ALREADY_EXISTS: e.g. an Enqueue request_id reused for a different request."""

    code_name = "ALREADY_EXISTS"


class PermissionDenied(ActionqError):
    """PERMISSION_DENIED: the caller may not make this call."""

    code_name = "PERMISSION_DENIED"


class ResourceExhausted(ActionqError):
    """RESOURCE_EXHAUSTED: over a limit; `.retry_after` says when to try again."""

    code_name = "RESOURCE_EXHAUSTED"


class FailedPrecondition(ActionqError):
    """FAILED_PRECONDITION: the action's state refuses the call."""

    code_name = "FAILED_PRECONDITION"


class Aborted(ActionqError):
    """ABORTED: a concurrent change got in the way; read again and retry."""

    code_name = "ABORTED"


class OutOfRange(ActionqError):
    """OUT_OF_RANGE: e.g. a cursor into the part of the log retention dropped."""

    code_name = "OUT_OF_RANGE"


class Unimplemented(ActionqError):
    """UNIMPLEMENTED: the server does not know this call."""

    code_name = "UNIMPLEMENTED"


class Internal(ActionqError):
    """INTERNAL: a bug in actionq; the message carries an incident id."""

    code_name = "INTERNAL"


class Unavailable(ActionqError):
    """UNAVAILABLE: no server answered, its database is down or it is draining;
    the call may be retried."""

    code_name = "UNAVAILABLE"


class DataLoss(ActionqError):
    """DATA_LOSS."""

    code_name = "DATA_LOSS"


class Unauthenticated(ActionqError):
    """UNAUTHENTICATED: no valid credentials."""

    code_name = "UNAUTHENTICATED"


# One class per reason worth branching on; each under its status code's class.
class InvalidField(InvalidArgument):
    """A request field is missing, malformed or out of range (`.field` names it)."""

    reason_name = "INVALID_FIELD"


class MalformedRequest(InvalidArgument):
    """The request bytes did not parse as the request message."""

    reason_name = "MALFORMED_REQUEST"


class ActionNotFound(NotFound):
    """No action has the given id."""

    reason_name = "ACTION_NOT_FOUND"


class ParentNotFound(NotFound):
    """The parent_id of a new action names no action."""

    reason_name = "PARENT_NOT_FOUND"


class IllegalTransition(FailedPrecondition):
    """The action's status does not allow this transition."""

    reason_name = "ILLEGAL_TRANSITION"


class StaleLease(FailedPrecondition):
    """The lease token is not the current claim's: the lease expired and the
    action was requeued or claimed again."""

    reason_name = "STALE_LEASE"


class ChainTooDeep(FailedPrecondition):
    """A child action would be deeper than the server's chain depth limit."""

    reason_name = "CHAIN_TOO_DEEP"


class RateLimited(ResourceExhausted):
    """The producer is over its enqueue rate limit; see `.retry_after`."""

    reason_name = "RATE_LIMITED"


class ConcurrentChange(Aborted):
    """The action changed while the call ran; read it and retry."""

    reason_name = "CONCURRENT_CHANGE"


class RequestIdReused(AlreadyExists):
    """The Enqueue request_id was used before for a different request."""

    reason_name = "REQUEST_ID_REUSED"


class DatabaseUnavailable(Unavailable):
    """The server cannot reach its database; retry later."""

    reason_name = "DATABASE_UNAVAILABLE"


class ShuttingDown(Unavailable):
    """The server is draining; retry after it restarts or on another replica."""

    reason_name = "SHUTTING_DOWN"


class IdempotencyKeyConflict(AlreadyExists):
    """An action with this idempotency key is stored in the queue with a
    different action_type, project, target_ref or payload; metadata
    "action_id" names it."""

    reason_name = "IDEMPOTENCY_KEY_CONFLICT"


class QueueNotFound(FailedPrecondition):
    """No queue has this name (none was ever enqueued into or configured)."""

    reason_name = "QUEUE_NOT_FOUND"


class CursorExpired(OutOfRange):
    """The cursor points into the part of the event log that retention dropped;
    `oldest_cursor` is where reading can resume."""

    reason_name = "CURSOR_EXPIRED"

    @property
    def oldest_cursor(self) -> str:
        """The oldest cursor a reader can resume from."""
        return self.metadata.get("oldest_cursor", "")


class WaitTimeout(DeadlineExceeded):
    """WaitAction's timeout passed before every named action finished."""

    reason_name = "WAIT_TIMEOUT"


class ScheduleNotFound(NotFound):
    """No schedule has this name."""

    reason_name = "SCHEDULE_NOT_FOUND"


class ScheduleExists(AlreadyExists):
    """A schedule has this name (CreateSchedule without replace)."""

    reason_name = "SCHEDULE_EXISTS"


class DependencyCycle(InvalidArgument):
    """The dependencies of an Enqueue request form a cycle."""

    reason_name = "DEPENDENCY_CYCLE"


class DependencyNotFound(InvalidArgument):
    """A dependency (by position or id) does not exist or is not in the action's workflow."""

    reason_name = "DEPENDENCY_NOT_FOUND"


class DependencyFailed(FailedPrecondition):
    """A dependency already ended failed, rejected or cancelled."""

    reason_name = "DEPENDENCY_FAILED"


class TokenNotFound(NotFound):
    """No API token has this id."""

    reason_name = "TOKEN_NOT_FOUND"


class NotAuthenticated(Unauthenticated):
    """No bearer token, or one that is unknown, malformed, expired or revoked."""

    reason_name = "UNAUTHENTICATED"


class NotPermitted(PermissionDenied):
    """The token's role may not make this call, or it named an identity not its own."""

    reason_name = "PERMISSION_DENIED"


class LimitExceeded(ResourceExhausted):
    """A server limit (concurrent streams or long polls per connection or per
    principal) was reached; `.metadata["limit"]` names it."""

    reason_name = "LIMIT_EXCEEDED"


class WatcherTooSlow(ResourceExhausted):
    """A WatchEvents stream fell too far behind (its reader stopped reading)
    and was closed. `.metadata["cursor"]` is the position after the last batch
    whose write the server saw complete; the batch it was stalled on may still
    arrive before this error, so resume from the last cursor received (never
    behind this one), as `Client.follow_events` does."""

    reason_name = "WATCHER_TOO_SLOW"


class WorkflowNotFound(NotFound):
    """No action has this workflow id."""

    reason_name = "WORKFLOW_NOT_FOUND"


def _classes(base: type[ActionqError]) -> list[type[ActionqError]]:
    found: list[type[ActionqError]] = []
    for sub in base.__subclasses__():
        found += [sub, *_classes(sub)]
    return found


BY_CODE: dict[str, type[ActionqError]] = {
    c.code_name: c for c in _classes(ActionqError) if not c.reason_name
}
BY_REASON: dict[str, type[ActionqError]] = {
    c.reason_name: c for c in _classes(ActionqError) if c.reason_name
}
# The reasons the proto defines, without the ERROR_REASON_ prefix.
KNOWN_REASONS = frozenset(
    v.name.removeprefix("ERROR_REASON_")
    for v in errors_pb2.ErrorReason.DESCRIPTOR.values
    if v.number != errors_pb2.ERROR_REASON_UNSPECIFIED
)


def error_class(code: str, reason: str = "") -> type[ActionqError]:
    """The most specific class for a status code and reason: a reason's class
    only when it belongs to that code, else the code's class."""
    by_reason = BY_REASON.get(reason)
    if by_reason is not None and by_reason.code_name == code:
        return by_reason
    return BY_CODE.get(code, ActionqError)


def make_error(
    code: str,
    message: str,
    *,
    reason: str = "",
    field: str | None = None,
    metadata: dict[str, str] | None = None,
    retry_after: float | None = None,
) -> ActionqError:
    """An error of the most specific class for `code` and `reason`."""
    return error_class(code, reason)(
        code, message, reason=reason, field=field, metadata=metadata, retry_after=retry_after
    )


def error_from_rpc(exc: grpc.RpcError, address: str) -> ActionqError:
    """Translate a grpc error (blocking or asyncio) into a typed error.

    A status without ErrorInfo did not come from actionq; an UNAVAILABLE one
    means no server answered at `address`, and the message says so.
    """
    code = exc.code() if callable(getattr(exc, "code", None)) else None
    code_name = code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"
    message = (exc.details() if callable(getattr(exc, "details", None)) else None) or ""
    status = _rich_status(exc)
    info = _detail(status, error_details_pb2.ErrorInfo)
    if info is not None and info.domain == DOMAIN:
        metadata = dict(info.metadata)
        field = metadata.pop("field", None)
        if field is None:
            bad = _detail(status, error_details_pb2.BadRequest)
            if bad is not None and bad.field_violations:
                field = bad.field_violations[0].field
        retry = _detail(status, error_details_pb2.RetryInfo)
        retry_after = retry.retry_delay.ToTimedelta().total_seconds() if retry else None
        return make_error(
            code_name,
            message or code_name,
            reason=info.reason,
            field=field,
            metadata=metadata,
            retry_after=retry_after,
        )
    if code_name == "UNAVAILABLE":
        message = f"cannot reach the actionq server at {address}: {message or 'no answer'}"
    return make_error(code_name, message or code_name)


def _rich_status(exc: grpc.RpcError) -> status_pb2.Status | None:
    """The google.rpc.Status of the trailing metadata, if any (never raises)."""
    try:
        trailing = exc.trailing_metadata()
        for key, value in trailing or ():
            if key == DETAILS_KEY and isinstance(value, bytes):
                return status_pb2.Status.FromString(value)
    except Exception:
        return None
    return None


def _detail(status: status_pb2.Status | None, kind: type[Any]) -> Any:
    """The first detail of type `kind` in `status`, or None."""
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(kind.DESCRIPTOR):
            message = kind()
            detail.Unpack(message)
            return message
    return None


Error = ActionqError
"""The former name of `ActionqError`."""
