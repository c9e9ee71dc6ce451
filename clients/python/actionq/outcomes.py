"""How a handler ends an action other than by returning or raising any error.

Raise one of these from a handler (of `WorkerApp` or `Worker`):

    raise Reject("the invoice has no customer")      # rejected, never retried
    raise FailNoRetry("the account was deleted")     # failed now, attempts left or not
    raise RetryIn(300, "the mail server said later") # failed attempt, retried in 5 min

Returning completes the action: a `Result`, a dict (the JSON result), a str
(the result reference), a pydantic model (its JSON as the result) or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Result:
    """What a handler may return: a reference and/or a JSON object."""

    ref: str = ""
    data: dict[str, Any] | None = None


class Outcome(Exception):
    """Base of the exceptions a handler raises to choose how its action ends."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Reject(Outcome):
    """Refuse the work: the action ends `rejected` and is never retried.
    `validator` names who refused it (default: the worker's name)."""

    def __init__(self, reason: str, *, validator: str = "") -> None:
        super().__init__(reason)
        self.validator = validator


class FailNoRetry(Outcome):
    """Fail the action for good: it ends `failed` whatever attempts remain."""


class RetryIn(Outcome):
    """Fail this attempt and retry after `seconds` (when attempts remain),
    instead of after the backoff policy's delay."""

    def __init__(self, seconds: float, reason: str = "") -> None:
        if not seconds >= 0:
            raise ValueError(f"RetryIn needs a delay of 0 seconds or more, not {seconds}")
        super().__init__(reason or f"retry in {seconds:g}s")
        self.seconds = float(seconds)


def as_result(value: Any) -> Result:
    """A handler's return value as a Result; TypeError for anything else."""
    if value is None:
        return Result()
    if isinstance(value, Result):
        return value
    if isinstance(value, str):
        return Result(ref=value)
    if isinstance(value, dict):
        return Result(data=value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        data = dump(mode="json")
        if isinstance(data, dict):
            return Result(data=data)
    raise TypeError(
        f"handler returned {type(value).__name__}; expected Result, str, dict, "
        "a pydantic model or None"
    )


# Longest failure reason sent; the server refuses longer text.
MAX_REASON = 2000


def clip_reason(text: str) -> str:
    """A reason the server accepts: no NUL characters, at most MAX_REASON long,
    never empty."""
    text = text.replace("\x00", "\\0") or "no reason given"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def failure_reason(exc: BaseException) -> str:
    """The error text recorded as failure_reason."""
    if isinstance(exc, Outcome):
        return clip_reason(exc.reason)
    return clip_reason(f"{type(exc).__name__}: {exc}")
