"""actionctl's --rate spelling and the Python client's QueueLimit message."""

from __future__ import annotations

import click
import pytest
from actionctl.limits import RATE
from actionq import QueueLimit
from actionq.v1 import action_pb2 as pb


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/s", (10, 1.0)),
        ("10", (10, 1.0)),
        ("100/1m", (100, 60.0)),
        ("5/2s", (5, 2.0)),
        ("3/500ms", (3, 0.5)),
        ("1/h", (1, 3600.0)),
        ("0", (0, 1.0)),
    ],
)
def test_rate_spellings(text: str, expected: tuple[int, float]) -> None:
    assert RATE.convert(text, None, None) == expected


@pytest.mark.parametrize("text", ["ten/s", "1.5/s", "-1/s", "5/0s", "5/soon", "99999999999/s"])
def test_bad_rates_are_usage_errors(text: str) -> None:
    with pytest.raises(click.BadParameter):
        RATE.convert(text, None, None)


def test_queue_limit_message_round_trips() -> None:
    limit = QueueLimit("type", "t.api", concurrency=2, rate=10, period=0.25)
    m = limit.to_proto()
    assert m.scope == pb.LIMIT_SCOPE_ACTION_TYPE and m.period.nanos == 250_000_000
    assert QueueLimit.from_proto(m) == limit
    assert not QueueLimit("key", concurrency=1).to_proto().HasField("period")
    assert QueueLimit("nope", concurrency=1).to_proto().scope == pb.LIMIT_SCOPE_UNSPECIFIED  # type: ignore[arg-type]
