"""Retention's settings and its cursor check, without a database."""

from __future__ import annotations

import pytest
from actionq_server.api.convert import cursor_token, log_position
from actionq_server.config import ConfigError, Settings, parse_duration
from actionq_server.domain.errors import OutOfRange
from actionq_server.domain.models import LogPosition
from actionq_server.store.retention import check_cursor


def test_retention_defaults_to_seven_days() -> None:
    assert Settings.from_env({}).retention == 7 * 86400


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 604800),
        ("12h", 43200),
        ("30m", 1800),
        ("45s", 45),
        ("1d12h", 129600),
        ("3600", 3600),
        ("0", 0),
        ("1.5h", 5400),
    ],
)
def test_retention_spellings(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert Settings.from_env({"ACTIONQ_RETENTION": text}).retention == seconds


@pytest.mark.parametrize("text", ["x", "7 d", "-1", "7w", "nan", "inf", "1e20", "7dd", "d", "101y"])
def test_bad_retention_is_refused_at_start(text: str) -> None:
    with pytest.raises(ConfigError, match="ACTIONQ_RETENTION"):
        Settings.from_env({"ACTIONQ_RETENTION": text})


def test_the_oldest_cursor_is_a_cursor_the_api_reads() -> None:
    position = LogPosition(123456789012, 42)
    assert position.token() == cursor_token(position)
    assert log_position("after_cursor", position.token()) == position


def test_only_cursors_below_the_dropped_end_are_expired() -> None:
    check_cursor(LogPosition(5, 1), None, None)  # nothing dropped
    check_cursor(LogPosition.start(), 10, 3)  # the empty cursor reads what is kept
    check_cursor(LogPosition(10, 3), 10, 3)  # the oldest cursor itself
    check_cursor(LogPosition(11, 0), 10, 3)
    for cursor in (LogPosition(10, 2), LogPosition(9, 99), LogPosition(1, 0)):
        with pytest.raises(OutOfRange) as expired:
            check_cursor(cursor, 10, 3)
        assert expired.value.reason.value == "CURSOR_EXPIRED"
        assert expired.value.metadata == {"field": "after_cursor", "oldest_cursor": "10.3"}
