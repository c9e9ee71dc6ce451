"""Field rules shared by every entry point. Each failure names its field."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from .errors import InvalidArgument

# The canonical form Claim issues; other spellings of a UUID take the slow path.
TOKEN_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@/+-]*$")
MAX_NAME = 200
MAX_REF = 2000
# A text search (ListActions target_ref_contains).
MAX_SEARCH = 200
MAX_TEXT = 10_000
MAX_REFS = 100
MAX_REQUEST_ID = 128
# Keys live in a unique btree index, whose entries must stay well under 2,700 bytes.
MAX_KEY = 255
MAX_BATCH = 10_000
MAX_PAGE = 1000
MAX_LEASE_SECONDS = 24 * 3600.0
MAX_WAIT_SECONDS = 60.0
MAX_ATTEMPTS = 1000
MAX_DELAY_SECONDS = 3650 * 86400.0
MAX_RETRY_DELAY_SECONDS = 30 * 86400.0
MAX_INT64 = 2**63 - 1
# The range of protobuf's Timestamp, which is also what Python's datetime, Java's
# Instant, JavaScript's Date, Go and Rust hold; PostgreSQL holds more.
MIN_TIMESTAMP_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
MAX_TIMESTAMP_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# Names seen valid before: a batch repeats its queue, type and project in every
# item, and a set lookup is ~10x cheaper than the regular expression.
_VALID_NAMES: set[str] = set()
_VALID_NAMES_KEPT = 10_000


def name(field: str, value: str, *, required: bool = True) -> str:
    """A short identifier-like name: action types, projects, queues, workers."""
    if value in _VALID_NAMES:
        return value
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
    if len(_VALID_NAMES) >= _VALID_NAMES_KEPT:
        _VALID_NAMES.clear()
    _VALID_NAMES.add(value)
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


def positive_id(field: str, value: int) -> int:
    """An action id or other positive key."""
    if not 0 < value <= MAX_INT64:
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


def timestamp(field: str, seconds: int, nanos: int) -> datetime:
    """A protobuf Timestamp's parts as an aware datetime, truncated to the
    microsecond (the precision PostgreSQL stores)."""
    if not MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS:
        raise InvalidArgument(
            field, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z"
        )
    if not 0 <= nanos <= 999_999_999:
        raise InvalidArgument(field, "nanos must be between 0 and 999,999,999")
    return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)


def duration(field: str, whole: int, nanos: int, *, low: float, high: float) -> float:
    """A protobuf Duration's parts (seconds, nanos) in seconds, within bounds."""
    if not -999_999_999 <= nanos <= 999_999_999 or (whole and nanos and (whole > 0) != (nanos > 0)):
        raise InvalidArgument(field, "is not a valid duration (nanos out of range or signed apart)")
    return seconds(field, whole + nanos / 1e9, low=low, high=high)


def request_id(field: str, value: str) -> str | None:
    """A client-chosen Enqueue request id; empty means none."""
    if not value:
        return None
    return text(field, value, required=True, limit=MAX_REQUEST_ID)


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
