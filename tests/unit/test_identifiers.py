"""Identifiers formatted into SQL: one strict pattern, then quoting. Hostile
names are refused before any statement is built or any connection used."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from actionq_server.config import ConfigError, Settings
from actionq_server.store import grants, migrator
from actionq_server.store.identifiers import BadIdentifier, checked, qualified, quoted
from actionq_server.store.sql import queries
from hypothesis import given
from hypothesis import strategies as st

HOSTILE = [
    "",
    'actionq"; DROP SCHEMA public CASCADE; --',
    'a"b',
    "a;b",
    "a b",
    "a-b",
    "a.b",
    "1actionq",
    "actionq\n",
    "actionq\x00",
    "act\u0131onq",  # dotless i
    "é",
    "\uff41ctionq",  # fullwidth a
    "x" * 64,
    "$1",
    "a'b",
    "a\\b",
    "pg_temp;",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused(name: str) -> None:
    for check in (checked, quoted):
        with pytest.raises(BadIdentifier, match="not a plain identifier"):
            check(name, "schema")
    with pytest.raises(BadIdentifier):
        qualified("actionq", name)
    with pytest.raises(BadIdentifier):
        qualified(name, "events")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_schema_names_never_reach_the_database(name: str) -> None:
    # No connection: the refusal comes before any use of it.
    nothing: Any = None
    with pytest.raises(BadIdentifier):
        asyncio.run(migrator.migrate(nothing, name))
    with pytest.raises(BadIdentifier):
        asyncio.run(grants.statements(nothing, "actionq", name))


@pytest.mark.parametrize("name", [n for n in HOSTILE if n != "x" * 64])
def test_the_server_refuses_hostile_schema_names_at_start(name: str) -> None:
    with pytest.raises(ConfigError, match="ACTIONQ_SCHEMA"):
        Settings.from_env({"ACTIONQ_SCHEMA": name})


@pytest.mark.parametrize("name", ["actionq", "_x", "Actions_2", "t_0123456789ab", "x" * 63])
def test_plain_names_are_quoted(name: str) -> None:
    assert quoted(name) == f'"{name}"'
    assert qualified("actionq", name) == f'"actionq"."{name}"'


@given(st.text(max_size=80))
def test_whatever_is_accepted_quotes_to_itself_and_nothing_else(name: str) -> None:
    try:
        result = quoted(name)
    except BadIdentifier:
        return
    assert result == f'"{name}"' and name.isascii() and name.replace("_", "a").isalnum()
    assert not name[0].isdigit() and len(name) <= 63


def test_only_the_migration_runner_formats_an_identifier_into_a_query() -> None:
    """Every other named block takes values as bind parameters ($1, $2, ...)."""
    takes_names = {name for name, body in queries().items() if re.search(r"\{\w+\}", body)}
    assert takes_names == {
        "migration_create_schema",
        "migration_create_table",
        "migration_applied",
        "migration_search_path",
    }
