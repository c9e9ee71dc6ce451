"""The value types of actionctl's options: ids and counts in range, durations
(`500ms, 30s, 10m, 2h, 7d` or bare seconds), backoff spellings and RFC 3339
times. A bad value is a usage error naming the option, which actionctl prints
as its JSON INVALID_ARGUMENT error."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import click
from actionq import Backoff, parse_duration

MAX_INT64 = 2**63 - 1
MAX_INT32 = 2**31 - 1
# The longest Duration protobuf can carry (10,000 years); the server checks
# each call's own, much smaller, bounds.
MAX_SECONDS = 315_576_000_000.0

ACTION_ID = click.IntRange(1, MAX_INT64)
INT32 = click.IntRange(-MAX_INT32 - 1, MAX_INT32)
COUNT = click.IntRange(0, MAX_INT32)
POSITIVE = click.IntRange(1, MAX_INT32)


class Duration(click.ParamType[float]):
    """A duration in seconds: `500ms`, `30s`, `10m`, `2h`, `7d`, `1h30m`, or
    bare seconds (`2.5`); finite and within bounds."""

    name = "duration"

    def __init__(self, minimum: float = 0.0, maximum: float = MAX_SECONDS) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
        else:
            try:
                seconds = parse_duration(str(value))
            except (TypeError, ValueError, OverflowError) as exc:
                self.fail(str(exc), param, ctx)
        if not (math.isfinite(seconds) and self.minimum <= seconds <= self.maximum):
            self.fail(
                f"{value!r} is not between {self.minimum:.12g}s and {self.maximum:.12g}s",
                param,
                ctx,
            )
        return seconds


# Kept under its old name: every option that took bare seconds still does.
Seconds = Duration
SECONDS = Duration()


class BackoffSpec(click.ParamType[Backoff]):
    """A retry policy spelled `exponential:BASE:MAX[:JITTER]` or
    `fixed:DELAY[:JITTER]`, e.g. `exponential:2s:10m` or `fixed:30s:0.1`."""

    name = "backoff"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Backoff):
            return value
        try:
            return Backoff.parse(str(value))
        except (TypeError, ValueError, OverflowError) as exc:
            self.fail(str(exc), param, ctx)


BACKOFF = BackoffSpec()


class Timestamp(click.ParamType[datetime]):
    """An RFC 3339 time with an offset or Z, e.g. `2026-12-01T09:00:00Z`."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not an RFC 3339 time such as 2026-12-01T09:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            self.fail(
                f"{value!r} needs a date, a time and an offset or Z, e.g. 2026-12-01T09:00:00Z",
                param,
                ctx,
            )
        return parsed


TIMESTAMP = Timestamp()
