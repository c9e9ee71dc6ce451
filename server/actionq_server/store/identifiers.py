"""SQL identifiers that come from outside the code (the schema's name, a role's
name, names read from the catalog): checked against one strict pattern, then
double-quoted. asyncpg binds values, never identifiers, so every identifier
formatted into a statement passes through here first."""

from __future__ import annotations

import re

# Letters, digits and underscores, not starting with a digit, at most 63
# characters (PostgreSQL's NAMEDATALEN - 1): nothing a quote could escape from.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class BadIdentifier(ValueError):
    """A name that may not be placed into SQL."""


def checked(name: str, what: str = "identifier") -> str:
    """`name` unchanged if it is a plain identifier; BadIdentifier otherwise."""
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise BadIdentifier(
            f"{what} {name!r} is not a plain identifier "
            "(letters, digits and underscores, not starting with a digit, at most 63)"
        )
    return name


def quoted(name: str, what: str = "identifier") -> str:
    """`name` checked and double-quoted, ready to be formatted into SQL."""
    return '"' + checked(name, what).replace('"', '""') + '"'


def qualified(schema: str, name: str, what: str = "name") -> str:
    """`schema.name`, both checked and quoted."""
    return f"{quoted(schema, 'schema')}.{quoted(name, what)}"
