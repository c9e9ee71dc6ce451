"""Cron expressions read in an IANA time zone, through croniter (never a
parser of our own). Five fields (minute hour day-of-month month day-of-week),
or six with a LEADING seconds field, or a macro such as "@hourly". Ticks across
a DST change are what croniter makes of them."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

from croniter import croniter

from .errors import InvalidArgument

MAX_CRON = 200
MAX_TIME_ZONE = 64
_ONE_MICROSECOND = timedelta(microseconds=1)


class Cron:
    """A validated expression and zone; ticks are answered as UTC datetimes."""

    __slots__ = ("_zone", "expression", "time_zone")

    def __init__(self, expression: str, time_zone: str) -> None:
        self.expression = cron_expression("cron", expression)
        self.time_zone = time_zone_name("time_zone", time_zone)
        self._zone = zoneinfo.ZoneInfo(self.time_zone)

    def next_after(self, moment: datetime) -> datetime:
        """The first tick strictly after `moment`."""
        local = moment.astimezone(self._zone)
        it = croniter(self.expression, local, second_at_beginning=True)
        tick: datetime = it.get_next(datetime)
        return tick.astimezone(UTC)

    def latest_until(self, moment: datetime) -> datetime:
        """The last tick at or before `moment`."""
        local = (moment + _ONE_MICROSECOND).astimezone(self._zone)
        it = croniter(self.expression, local, second_at_beginning=True)
        tick: datetime = it.get_prev(datetime)
        return tick.astimezone(UTC)


def cron_expression(field: str, value: str) -> str:
    """A cron expression croniter accepts, with five or six fields or a macro,
    that has a next tick; otherwise InvalidArgument naming `field`."""
    text = " ".join(value.split())
    if not text:
        raise InvalidArgument(field, "must not be empty")
    if len(text) > MAX_CRON:
        raise InvalidArgument(field, f"must be at most {MAX_CRON} characters")
    fields = len(text.split(" "))
    if not text.startswith("@") and fields not in (5, 6):
        raise InvalidArgument(
            field,
            f"has {fields} fields; give five (minute hour day-of-month month day-of-week) "
            "or six with a leading seconds field, or a macro such as @hourly",
        )
    try:
        valid = croniter.is_valid(text, second_at_beginning=True)
    except Exception:
        valid = False
    if not valid:
        raise InvalidArgument(field, f"{value!r} is not a cron expression croniter can read")
    try:
        croniter(text, datetime.now(UTC), second_at_beginning=True).get_next(datetime)
    except Exception:
        raise InvalidArgument(field, f"{value!r} never fires") from None
    return text


def time_zone_name(field: str, value: str) -> str:
    """An IANA zone name the system knows ("" means UTC); otherwise
    InvalidArgument naming `field`."""
    if not value:
        return "UTC"
    if len(value) > MAX_TIME_ZONE or "\x00" in value:
        raise InvalidArgument(field, "is not a known IANA time zone")
    try:
        zoneinfo.ZoneInfo(value)
    except Exception:
        raise InvalidArgument(field, f"{value!r} is not a known IANA time zone") from None
    return value
