"""Field rules shared by every entry point. Each failure names its field."""

from __future__ import annotations

import re
import uuid
from typing import Any

from .errors import InvalidArgument

# The canonical form Claim issues; other spellings of a UUID take the slow path.
TOKEN_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@/+-]*$")
MAX_NAME = 200
MAX_REF = 2000
MAX_TEXT = 10_000
MAX_REFS = 100
MAX_JSON_BYTES = 1_000_000
MAX_BATCH = 10_000
MAX_PAGE = 1000
MAX_LEASE_SECONDS = 24 * 3600.0
MAX_WAIT_SECONDS = 60.0
MAX_ATTEMPTS = 1000


def name(field: str, value: str, *, required: bool = True) -> str:
    """A short identifier-like name: action types, projects, queues, workers."""
    if not value:
        if required:
            raise InvalidArgument(field, "is required")
        return value
    if len(value) > MAX_NAME:
        raise InvalidArgument(field, f"is longer than {MAX_NAME} characters")
    if not NAME_RE.match(value):
        raise InvalidArgument(
            field, "must start with a letter or digit and use only letters, digits and _.:@/+-"
        )
    return value


def text(field: str, value: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Free text such as reasons and references."""
    if required and not value.strip():
        raise InvalidArgument(field, "is required")
    if len(value) > limit:
        raise InvalidArgument(field, f"is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidArgument(field, "must not contain NUL characters")
    return value


def refs(field: str, values: list[str]) -> list[str]:
    """A list of references."""
    if len(values) > MAX_REFS:
        raise InvalidArgument(field, f"has more than {MAX_REFS} entries")
    for i, value in enumerate(values):
        text(f"{field}[{i}]", value, required=True, limit=MAX_REF)
    return values


def json_object(field: str, value: Any, encoded_size: int) -> dict[str, Any]:
    """A JSON object of bounded size."""
    if not isinstance(value, dict):
        raise InvalidArgument(field, "must be a JSON object")
    if encoded_size > MAX_JSON_BYTES:
        raise InvalidArgument(field, f"is larger than {MAX_JSON_BYTES} bytes")
    return value


def positive_id(field: str, value: int) -> int:
    """An action id or other positive key."""
    if value <= 0:
        raise InvalidArgument(field, "must be a positive id")
    return value


def lease_token(field: str, value: str, *, required: bool) -> str | None:
    """A lease token as issued by Claim; empty means none when not required."""
    if not value:
        if required:
            raise InvalidArgument(field, "is required")
        return None
    if TOKEN_RE.match(value):
        return value.lower()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidArgument(field, "is not a lease token issued by Claim") from None


def seconds(field: str, value: float, *, low: float, high: float) -> float:
    """A duration within bounds."""
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be between {low:g} s and {high:g} s")
    return value


def bounded(field: str, value: int, *, low: int, high: int) -> int:
    """An integer within bounds."""
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be between {low} and {high}")
    return value
