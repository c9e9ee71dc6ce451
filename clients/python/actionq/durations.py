"""Durations as people write them: `500ms`, `2s`, `10m`, `1h`, `1d`, `1h30m`, or
bare seconds such as `2.5`. actionctl's --delay, --retry-in, --timeout and
--older-than, and the Backoff spelling (`exponential:2s:10m`), all read them here.
"""

from __future__ import annotations

import math
import re

# Seconds per unit, longest unit names first so that "ms" is not read as "m".
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)")
_BARE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_HINT = "expected a number with a unit (500ms, 2s, 10m, 1h, 1d, or 1h30m) or bare seconds (2.5)"


def parse_duration(text: str, what: str = "duration") -> float:
    """Seconds of a duration spelling; a ValueError naming `what` and the text
    otherwise. Negative durations are refused."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be text such as '2s', not {type(text).__name__}")
    spelled = text.strip().lower()
    if spelled.startswith("-"):
        raise ValueError(f"{what} {text!r} is negative; {_HINT}")
    if _BARE.fullmatch(spelled):
        return _finite(float(spelled), what, text)
    position, total = 0, 0.0
    for part in _PART.finditer(spelled):
        if part.start() != position:
            break
        total += float(part.group(1)) * UNITS[part.group(2)]
        position = part.end()
    if not spelled or position != len(spelled):
        raise ValueError(f"{what} {text!r} is not a duration; {_HINT}")
    return _finite(total, what, text)


def _finite(seconds: float, what: str, text: str) -> float:
    if not math.isfinite(seconds):
        raise ValueError(f"{what} {text!r} is too large")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest spelling parse_duration reads back as `seconds` (to the
    millisecond): 7200 -> "2h", 90 -> "90s", 0.5 -> "500ms"."""
    millis = round(seconds * 1000)
    if millis == 0:
        return "0s"
    for unit in ("d", "h", "m", "s"):
        size = round(UNITS[unit] * 1000)
        if millis % size == 0:
            return f"{millis // size}{unit}"
    return f"{millis}ms"
