"""Tokens between the wire and the domain."""

from __future__ import annotations

from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb

from ..domain import validation as v
from ..domain.auth import Role, Token
from ..domain.errors import InvalidArgument
from .convert import _set_time, duration

ROLE_FROM_PB = {
    pb.ROLE_PRODUCER: Role.PRODUCER,
    pb.ROLE_WORKER: Role.WORKER,
    pb.ROLE_OPERATOR: Role.OPERATOR,
    pb.ROLE_COORDINATOR: Role.COORDINATOR,
    pb.ROLE_ADMIN: Role.ADMIN,
}
ROLE_TO_PB = {role: number for number, role in ROLE_FROM_PB.items()}
MAX_NAMES = 100
MAX_EXPIRY_SECONDS = 10 * 365.25 * 86400


def role(number: int, field: str = "role") -> Role:
    """A Role enum value, required."""
    found: Role | None = ROLE_FROM_PB.get(number)  # type: ignore[call-overload]
    if found is None:
        raise InvalidArgument(field, "must be producer, worker, operator, coordinator or admin")
    return found


def new_token(request: spb.CreateTokenRequest) -> tuple[str, Role, list[str], float | None]:
    """name, role, extra names and lifetime (seconds) of a CreateToken request."""
    name = v.text("name", request.name, required=True, limit=v.MAX_NAME)
    if len(request.names) > MAX_NAMES:
        raise InvalidArgument("names", f"must hold at most {MAX_NAMES} names")
    names = [
        v.text(f"names[{i}]", n, required=True, limit=v.MAX_NAME)
        for i, n in enumerate(request.names)
    ]
    expires = duration(request, "expires_in", low=1.0, high=MAX_EXPIRY_SECONDS, default=None)
    return name, role(request.role), names, expires


def token(t: Token) -> pb.Token:
    m = pb.Token(id=t.id, name=t.name, role=ROLE_TO_PB[t.role], created_by=t.created_by)
    m.names.extend(t.names)
    _set_time(m.created_at, t.created_at)
    if t.expires_at is not None:
        _set_time(m.expires_at, t.expires_at)
    if t.revoked_at is not None:
        _set_time(m.revoked_at, t.revoked_at)
    return m
