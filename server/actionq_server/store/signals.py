"""Durable sleep and signals (migration 0008): Suspend, Signal, and the
timeouts the waker loop (actionq_server.waker) ends.

A wait is keyed by its step: its wake-up (the signal's payload, or a timed-out
marker) is saved as the checkpoint of that step when it wakes, so that the
handler re-run after the wake (or a later attempt) finds it there instead of
waiting again. Suspend and Signal of one name serialize on an advisory lock:
a signal sent while an action suspends either reaches it as a kept signal or
finds it waiting."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ..domain.errors import FailedPrecondition, Reason, action_not_found
from ..domain.models import Action, Status
from .errors import translated
from .repository import Store, _stale, action_from_row
from .sql import query

log = logging.getLogger(__name__)

# Timed-out waiters woken per statement at most (the rest by the next).
TIMEOUT_BATCH = 500
# Signals no longer kept, deleted per statement at most.
PRUNE_BATCH = 1000

BROADCAST = "broadcast"
ONE = "one"


@dataclass(frozen=True, slots=True)
class WakeUp:
    """Why a wait ended: a signal (its name, payload, id) or its timeout."""

    step: str
    signal: str
    payload: str
    timed_out: bool
    signal_id: int
    woke_at: datetime | None


@dataclass(frozen=True, slots=True)
class Suspension:
    """What a Suspend did: the action waits now (wake None), or the wait was
    answered at once and the action is still claimed by the caller."""

    action: Action
    wake: WakeUp | None

    @property
    def suspended(self) -> bool:
        return self.wake is None


@dataclass(frozen=True, slots=True)
class SignalOutcome:
    """What a Signal did: its id, the actions it woke, and until when later
    waiters can receive it (None: not kept)."""

    signal_id: int
    woken: list[int]
    kept_until: datetime | None


def wake_from_state(step: str, state: str) -> WakeUp:
    """The wake-up stored as a step's checkpoint (fields missing from a state
    that some other save put there read as a signal-less wake)."""
    value: Any = json.loads(state)
    if not isinstance(value, dict):
        value = {}
    woke_at = value.get("woke_at")
    payload = value.get("payload", {})
    return WakeUp(
        step=step,
        signal=str(value.get("signal") or ""),
        payload=json.dumps(payload if isinstance(payload, dict) else {}),
        timed_out=bool(value.get("timed_out", False)),
        signal_id=int(value.get("signal_id") or 0),
        woke_at=datetime.fromisoformat(woke_at) if isinstance(woke_at, str) else None,
    )


class SignalStore:
    """Suspensions and signals in the store's schema, over the store's pool."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @translated
    async def suspend(
        self,
        action_id: int,
        lease_token: str,
        step: str,
        signal: str,
        until: datetime | None,
        timeout: float | None,
    ) -> Suspension:
        """claimed -> waiting, or the wait's outcome at once when its step was
        woken before or a kept signal matches (see signals.sql)."""
        async with self._store._connection() as conn, conn.transaction():
            if signal:
                await conn.execute(query("signal_lock"), signal)
            row = await conn.fetchrow(query("suspend_target"), action_id)
            if row is None:
                raise action_not_found(action_id)
            action = action_from_row(row)
            token = row["lease_token"]
            if token is None or str(token) != lease_token:
                raise _stale(action_id)
            if action.status is not Status.CLAIMED:
                raise FailedPrecondition(
                    f"action {action_id} is {action.status.value}; only a claimed action "
                    "can be suspended",
                    reason=Reason.ILLEGAL_TRANSITION,
                )
            state = await conn.fetchval(query("suspend_step_checkpoint"), action_id, step)
            if state is not None:
                return Suspension(action, wake_from_state(step, state))
            if signal:
                kept = await self._kept(conn, signal, action_id)
                if kept is not None:
                    state = await conn.fetchval(
                        query("suspend_woken_now"),
                        action_id,
                        step,
                        signal,
                        kept["id"],
                        kept["payload"],
                    )
                    return Suspension(action, wake_from_state(step, state))
            waiting = await conn.fetchrow(
                query("suspend_wait"),
                action_id,
                "signal" if signal else "sleep",
                signal or None,
                until,
                step,
                timeout,
                lease_token,
            )
            assert waiting is not None  # the row is locked and was claimed under this token
            return Suspension(action_from_row(waiting), None)

    async def _kept(
        self, conn: asyncpg.Connection, signal: str, action_id: int
    ) -> asyncpg.Record | None:
        """A kept signal for a new waiter: the newest broadcast, else the oldest
        one-shot signal nobody used up (which this waiter uses up)."""
        kept: asyncpg.Record | None = await conn.fetchrow(query("signal_kept_broadcast"), signal)
        if kept is not None:
            return kept
        kept = await conn.fetchrow(query("signal_kept_one"), signal)
        if kept is not None:
            await conn.execute(query("signal_used_up"), kept["id"], action_id)
        return kept

    @translated
    async def signal(
        self, name: str, payload: str, mode: str, keep: float, actor: str
    ) -> SignalOutcome:
        """Wake the actions waiting for `name` (all, or the one waiting longest)
        and keep the signal `keep` seconds for later waiters (a one-shot signal
        that woke an action now is used up)."""
        async with self._store._connection() as conn, conn.transaction():
            await conn.execute(query("signal_lock"), name)
            stored = await conn.fetchrow(query("signal_insert"), name, payload, mode, actor, keep)
            assert stored is not None
            signal_id: int = stored["id"]
            kept_until: datetime | None = stored["expires_at"] if keep > 0 else None
            rows = await conn.fetch(
                query("signal_wake"),
                name,
                signal_id,
                payload,
                1 if mode == ONE else None,
                actor,
            )
            woken = [r["id"] for r in rows]
            if mode == ONE and woken:
                await conn.execute(query("signal_used_up"), signal_id, woken[0])
                kept_until = None
            await conn.execute(
                query("signal_sent"), actor, name, mode, signal_id, len(woken), kept_until
            )
            return SignalOutcome(signal_id, woken, kept_until)

    @translated
    async def wake_timed_out(self, limit: int = TIMEOUT_BATCH) -> int:
        """Wake up to `limit` waiters whose timeout passed; how many were woken."""
        async with self._store._connection() as conn:
            woken: int = await conn.fetchval(query("waiting_timed_out"), limit)
            return woken

    @translated
    async def next_timeout(self) -> tuple[datetime, datetime | None]:
        """Database time and the earliest timeout of a waiting action."""
        async with self._store._connection() as conn:
            row = await conn.fetchrow(query("waiting_next_until"))
            assert row is not None
            return row["now"], row["earliest"]

    @translated
    async def prune(self, limit: int = PRUNE_BATCH) -> int:
        """Delete up to `limit` signals no longer kept; how many."""
        async with self._store._connection() as conn:
            deleted: int = await conn.fetchval(query("signal_prune_expired"), limit)
            return deleted
