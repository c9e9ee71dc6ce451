"""The one check every JSON value passes before it is stored.

A payload, result or event payload is accepted when every client can read it
back equal: a JSON object, within size and depth limits, with no NaN or
Infinity, no NUL character and no lone surrogate (PostgreSQL's jsonb refuses
both), and no number a double cannot hold. The text itself is stored; nothing
is re-encoded.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import InvalidArgument

MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 64
# More digits than this and an integer no longer fits a double's range.
_MAX_INT_DIGITS = 308
# Escapes that may spell a NUL or half of a surrogate pair; only then is every
# string walked (an escaped backslash may make this a false alarm, which costs
# only the walk).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class _Refused(ValueError):
    """A value JSON allows but actionq does not store."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number (NaN and Infinity are refused)")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"number {text[:40]} is beyond the range of a double")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused(f"integer of {len(text)} digits is beyond the range of a double")
    return int(text)


_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
)


def json_object_text(field: str, text: str, *, empty: str | None = "{}") -> str | None:
    """Check JSON object text; return it unchanged, or `empty` when it is empty."""
    if not text:
        return empty
    if len(text) > MAX_JSON_BYTES or (
        len(text) * 4 > MAX_JSON_BYTES and len(text.encode("utf-8")) > MAX_JSON_BYTES
    ):
        raise InvalidArgument(field, f"is larger than {MAX_JSON_BYTES} bytes")
    try:
        value = _DECODER.decode(text)
    except _Refused as exc:
        raise InvalidArgument(field, str(exc)) from None
    except RecursionError:
        raise InvalidArgument(field, f"is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise InvalidArgument(field, f"is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InvalidArgument(field, "must be a JSON object")
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH:
        _check_depth(field, value)
    if _SUSPECT_ESCAPE.search(text):
        _check_strings(field, value)
    return text


def _check_depth(field: str, value: Any) -> None:
    level = [value]
    for _ in range(MAX_JSON_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise InvalidArgument(field, f"is nested deeper than {MAX_JSON_DEPTH} levels")


def _check_strings(field: str, value: Any) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                _check_string(field, key)
                stack.append(child)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            _check_string(field, node)


def _check_string(field: str, text: str) -> None:
    if "\x00" in text:
        raise InvalidArgument(field, "must not contain NUL characters (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgument(field, "must not contain lone surrogates") from None
