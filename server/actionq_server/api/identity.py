"""Who did it: with auth on, created_by, claimed_by and actor come from the
authenticated principal (a call may name the principal or one of the names
its token allows, nothing else); with auth off, what the caller says."""

from __future__ import annotations

from ..domain.auth import Role
from ..domain.errors import PermissionDenied
from .auth import current


def who(field: str, requested: str, default: str) -> str:
    """The identity to record for `field` (e.g. "created_by")."""
    principal = current.get()
    if principal is None:
        return requested or default
    if not requested:
        return principal.name
    if not principal.may_be(requested):
        raise PermissionDenied(
            f"{field}: {requested!r} is not an identity of token {principal.token_id} "
            f"(it may use {principal.name!r}"
            + (f" or {', '.join(sorted(principal.names))}" if principal.names else "")
            + ")"
        )
    return requested


def must_hold_lease(field: str, lease_token: str | None) -> None:
    """A worker acts only on a lease it holds: it must present the lease token
    (which only the claimer received)."""
    principal = current.get()
    if principal is not None and principal.role == Role.WORKER and not lease_token:
        raise PermissionDenied(f"{field}: a worker token must present the lease token it holds")
