"""Domain errors. The API layer maps each class to one gRPC status code."""

from __future__ import annotations


class ActionqError(Exception):
    """Base class of every error a client may be told about."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ActionqError):
    """A request field is malformed; `field` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(ActionqError):
    """The named entity does not exist."""


class FailedPrecondition(ActionqError):
    """The request is well-formed but the current state forbids it."""


class AlreadyExists(ActionqError):
    """The entity to create exists already."""


class RateLimited(ActionqError):
    """A producer is over its enqueue budget; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(ActionqError):
    """The database cannot be reached; the call may be retried."""
