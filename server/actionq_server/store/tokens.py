"""API tokens: made with a 256-bit random secret shown once, stored as its
SHA-256, checked in constant time, expiring and revocable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

import asyncpg

from ..domain.auth import Principal, Role, Token
from ..domain.errors import NotFound, Reason
from .errors import translated
from .sql import query

# aq_<12 hex: the id>_<43 base64url characters: 256 bits>
SECRET_RE = re.compile(r"^(aq_[0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


def new_secret() -> tuple[str, str]:
    """A fresh (token id, secret)."""
    token_id = f"aq_{secrets.token_hex(6)}"
    body = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return token_id, f"{token_id}_{body}"


def digest(secret: str) -> bytes:
    """What is stored for a secret."""
    return hashlib.sha256(secret.encode()).digest()


def token_from_row(row: asyncpg.Record) -> Token:
    return Token(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        names=list(row["names"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class TokenStore:
    """The tokens table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @translated
    async def create(
        self,
        name: str,
        role: Role,
        names: Sequence[str],
        created_by: str,
        expires_in: float | None,
    ) -> tuple[Token, str]:
        """Store a new token; returns it with its secret (never stored)."""
        token_id, secret = new_secret()
        row = await self._pool.fetchrow(
            query("token_insert"),
            token_id,
            name,
            role.value,
            list(names),
            digest(secret),
            created_by,
            expires_in,
        )
        assert row is not None
        return token_from_row(row), secret

    @translated
    async def list_all(self) -> list[Token]:
        return [token_from_row(r) for r in await self._pool.fetch(query("token_list"))]

    @translated
    async def revoke(self, token_id: str, actor: str) -> Token:
        row = await self._pool.fetchrow(query("token_revoke"), token_id, actor)
        if row is None:
            raise NotFound(f"id: no token {token_id!r}", reason=Reason.TOKEN_NOT_FOUND)
        return token_from_row(row)

    @translated
    async def check(self, secret: str) -> Principal | None:
        """The principal a bearer secret stands for now; None when it is
        malformed, unknown, wrong, expired or revoked."""
        match = SECRET_RE.match(secret)
        if match is None:
            return None
        row = await self._pool.fetchrow(query("token_check"), match[1])
        if row is None:
            hmac.compare_digest(digest(secret), bytes(32))  # same work either way
            return None
        if not hmac.compare_digest(digest(secret), bytes(row["secret_hash"])) or not row["valid"]:
            return None
        return Principal(row["id"], row["name"], Role(row["role"]), frozenset(row["names"]))

    @translated
    async def admins(self) -> int:
        """Valid admin tokens."""
        count: int = await self._pool.fetchval(query("token_count_admins"))
        return count
