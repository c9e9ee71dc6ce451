"""Settings: defaults, and refusal of bad values with a clear message."""

from __future__ import annotations

import pytest
from actionq_server.config import ConfigError, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.schema == "actionq" and settings.url is None
    assert settings.max_chain_depth == 3 and settings.rate_limit_per_hour == 20
    assert settings.listen == "127.0.0.1:50051"
    assert settings.data_dir.name == "actionq"
    assert settings.watch_stall_seconds == 30.0
    assert Settings.from_env({"ACTIONQ_WATCH_STALL_SECONDS": "2.5"}).watch_stall_seconds == 2.5


@pytest.mark.parametrize("schema", ["ok", "_x", "Actions_2"])
def test_plain_identifiers_are_accepted(schema: str) -> None:
    assert Settings.from_env({"ACTIONQ_SCHEMA": schema}).schema == schema


@pytest.mark.parametrize("schema", ["", "1a", "a-b", 'a"b', "a;b", "a b", "é", "x" * 49])
def test_other_schema_names_are_refused(schema: str) -> None:
    with pytest.raises(ConfigError, match="ACTIONQ_SCHEMA"):
        Settings.from_env({"ACTIONQ_SCHEMA": schema})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ACTIONQ_MAX_CHAIN_DEPTH", "x"),
        ("ACTIONQ_RATE_LIMIT_PER_HOUR", "-1"),
        ("ACTIONQ_SWEEP_INTERVAL", "0"),
        ("ACTIONQ_WATCH_STALL_SECONDS", "0"),
        ("ACTIONQ_WATCH_STALL_SECONDS", "soon"),
    ],
)
def test_bad_numbers_are_refused(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        Settings.from_env({key: value})
