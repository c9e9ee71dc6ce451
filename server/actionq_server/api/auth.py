"""Authentication and authorization of every actionq call, when ACTIONQ_AUTH is
on: the bearer token names a principal (cached for at most a second, so a
revoked token fails within a second on every replica), the role table
(domain/auth.ALLOWED) decides, and the principal is what the handlers record
as who did it (api/identity)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

from ..domain.auth import ALLOWED, Principal, allowed
from ..domain.errors import PermissionDenied, Unauthenticated
from ..store.tokens import TokenStore
from .around import AroundInterceptor

# How long a token's state is trusted without reading it again.
CACHE_SECONDS = 1.0
CACHE_MAX = 10_000

current: ContextVar[Principal | None] = ContextVar("actionq_principal", default=None)


class Authenticator:
    """Bearer secret -> principal, with a one-second cache."""

    def __init__(self, tokens: TokenStore, cache_seconds: float = CACHE_SECONDS) -> None:
        self._tokens = tokens
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[Principal | None, float]] = {}

    async def principal(self, metadata: Any) -> Principal:
        secret = _bearer(metadata)
        if secret is None:
            raise Unauthenticated("no bearer token (metadata 'authorization: Bearer <token>')")
        now = time.monotonic()
        hit = self._cache.get(secret)
        if hit is not None and now - hit[1] < self._ttl:
            found = hit[0]
        else:
            found = await self._tokens.check(secret)
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[secret] = (found, now)
        if found is None:
            raise Unauthenticated("the bearer token is unknown, expired or revoked")
        return found


def _bearer(metadata: Any) -> str | None:
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, secret = value.partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
    return None


class AuthInterceptor(AroundInterceptor):
    """Checks each actionq call before its handler runs (health and reflection
    stay open). Sits inside the ErrorInterceptor, which turns its refusals
    into UNAUTHENTICATED / PERMISSION_DENIED with a reason."""

    def __init__(self, authenticator: Authenticator) -> None:
        self._auth = authenticator
        super().__init__(self._authenticated)

    @contextlib.asynccontextmanager
    async def _authenticated(
        self, method: str, context: Any, request: Any
    ) -> AsyncIterator[Principal]:
        """The call runs as the principal its token names, if its role may."""
        principal = await self._auth.principal(context.invocation_metadata())
        if not allowed(method, principal.role):
            roles = ", ".join(sorted(ALLOWED.get(method, ()))) or "nobody"
            raise PermissionDenied(
                f"{method}: the role {principal.role.value} of token {principal.token_id} "
                f"may not call it (allowed: {roles})"
            )
        token = current.set(principal)
        try:
            yield principal
        finally:
            # A stream's generator may be closed from another context (a
            # cancelled call), where there is nothing to restore.
            with contextlib.suppress(ValueError):
                current.reset(token)
