"""Field rules: each failure names its field."""

from __future__ import annotations

import pytest
from actionq_server.domain import validation as v
from actionq_server.domain.errors import InvalidArgument
from hypothesis import given
from hypothesis import strategies as st


@given(st.text(max_size=300))
def test_name_accepts_exactly_the_documented_alphabet(value: str) -> None:
    try:
        v.name("f", value)
    except InvalidArgument as exc:
        assert exc.field == "f" and exc.message.startswith("f: ")
    else:
        assert value and len(value) <= v.MAX_NAME
        assert v.NAME_RE.match(value)


def test_lease_token_must_be_a_uuid() -> None:
    assert v.lease_token("lease_token", "", required=False) is None
    with pytest.raises(InvalidArgument, match="lease_token: is required"):
        v.lease_token("lease_token", "", required=True)
    with pytest.raises(InvalidArgument, match="lease_token"):
        v.lease_token("lease_token", "not-a-uuid", required=False)
    token = "6f1c1e7a-0b7e-4b8e-9a52-0f5e2a7b9c11"
    assert v.lease_token("lease_token", token.upper(), required=True) == token


@given(st.floats(allow_nan=False))
def test_seconds_bounds(value: float) -> None:
    try:
        assert 0 <= v.seconds("wait", value, low=0, high=60) <= 60
    except InvalidArgument as exc:
        assert exc.field == "wait" and not 0 <= value <= 60
