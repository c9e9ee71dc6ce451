"""Who may call what: roles, principals, and the one default-deny table that
maps every RPC to the roles allowed to call it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Role(enum.StrEnum):
    """A token's role, as stored."""

    PRODUCER = "producer"
    WORKER = "worker"
    OPERATOR = "operator"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


PRO, WRK, OPS, CRD, ADM = (
    Role.PRODUCER,
    Role.WORKER,
    Role.OPERATOR,
    Role.COORDINATOR,
    Role.ADMIN,
)
EVERYONE = frozenset(Role)

# Every RPC of ActionQueueService and the roles that may call it. An RPC that
# is not here is refused for everyone (a test holds this table to the proto).
ALLOWED: dict[str, frozenset[Role]] = {
    # Producing work.
    "Enqueue": frozenset({PRO, WRK, OPS, ADM}),
    "Signal": frozenset({PRO, WRK, OPS, CRD, ADM}),
    "WaitAction": frozenset({PRO, WRK, OPS, CRD, ADM}),
    # Reading state.
    "GetAction": EVERYONE,
    "ListActions": EVERYONE,
    "GetQueueStats": EVERYONE,
    "ListQueues": EVERYONE,
    "GetCheckpoints": EVERYONE,
    "GetWorkflow": EVERYONE,
    "ListSchedules": EVERYONE,
    # Working: a worker finishes only its own leases; an operator may act on
    # the current claim of any action.
    "Claim": frozenset({WRK, ADM}),
    "Heartbeat": frozenset({WRK, ADM}),
    "SaveCheckpoint": frozenset({WRK, ADM}),
    "Suspend": frozenset({WRK, ADM}),
    "Complete": frozenset({WRK, OPS, ADM}),
    "CompleteMany": frozenset({WRK, OPS, ADM}),
    "Fail": frozenset({WRK, OPS, ADM}),
    "Reject": frozenset({WRK, OPS, ADM}),
    # Operating.
    "Cancel": frozenset({OPS, ADM}),
    "Retry": frozenset({OPS, ADM}),
    "Sweep": frozenset({OPS, ADM}),
    "UpdateQueue": frozenset({OPS, ADM}),
    "PauseQueue": frozenset({OPS, ADM}),
    "ResumeQueue": frozenset({OPS, ADM}),
    "SetQueueLimits": frozenset({OPS, ADM}),
    "Prune": frozenset({OPS, ADM}),
    "CreateSchedule": frozenset({OPS, ADM}),
    "PauseSchedule": frozenset({OPS, ADM}),
    "ResumeSchedule": frozenset({OPS, ADM}),
    "DeleteSchedule": frozenset({OPS, ADM}),
    # The log.
    "ListEvents": frozenset({OPS, CRD, ADM}),
    "WatchEvents": frozenset({OPS, CRD, ADM}),
    "EmitEvent": frozenset({CRD, ADM}),
    # Administration.
    "Migrate": frozenset({ADM}),
    "CreateToken": frozenset({ADM}),
    "ListTokens": frozenset({ADM}),
    "RevokeToken": frozenset({ADM}),
}


def allowed(method: str, role: Role) -> bool:
    """May `role` call `method` (the RPC's short name)? Unknown: no."""
    return role in ALLOWED.get(method, frozenset())


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever a call authenticated as: a token's name and role."""

    token_id: str
    name: str
    role: Role
    names: frozenset[str] = field(default_factory=frozenset)

    def may_be(self, identity: str) -> bool:
        """May this principal record `identity` as who did something?"""
        return identity == self.name or identity in self.names


@dataclass(frozen=True, slots=True)
class Token:
    """A stored token (never its secret)."""

    id: str
    name: str
    role: Role
    names: list[str]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
