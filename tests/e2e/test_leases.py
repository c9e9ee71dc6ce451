"""Leases expire, Sweep requeues, and a stale lease is fenced off."""

from __future__ import annotations

import time

import pytest
from actionq import Client, FailedPrecondition, StaleLease

from tests.support import start_server, wait_until


def test_expired_lease_is_swept_and_stale_token_refused(client: Client, project: str) -> None:
    action = client.add("lease.t", project, max_attempts=2)
    first = client.claim("w-dead", project=project, action_types=["lease.t"], lease=1)[0]
    assert all(a.id != action.id for a in client.sweep())
    time.sleep(1.3)
    swept = [a for a in client.sweep() if a.id == action.id]
    assert len(swept) == 1
    assert swept[0].status == "pending" and not swept[0].claimed_by
    events = client.list_events(action_ids=[action.id]).events
    assert events[-1].event_type == "claim_timed_out"
    assert events[-1].actor == "sweeper" and events[-1].payload["worker"] == "w-dead"
    second = client.claim("w-alive", project=project, action_types=["lease.t"])[0]
    assert second.action.attempt == 2 and second.lease_token != first.lease_token
    for call in (
        lambda: client.heartbeat(action.id, first.lease_token),
        lambda: client.complete(action.id, first.lease_token, result_ref="zombie"),
        lambda: client.fail(action.id, first.lease_token, reason="zombie"),
        lambda: client.reject(action.id, first.lease_token, reason="zombie", validator="v"),
    ):
        with pytest.raises(StaleLease) as stale:
            call()
        assert stale.value.code == "FAILED_PRECONDITION" and stale.value.reason == "STALE_LEASE"
        assert "stale lease" in stale.value.message
    done = client.complete(action.id, second.lease_token, result_ref="ok")
    assert done.status == "completed" and done.claimed_by == "w-alive"


def test_an_expired_lease_uses_up_the_last_attempt(client: Client, project: str) -> None:
    action = client.add("lease.last", project, max_attempts=2)
    for attempt in (1, 2):
        held = client.claim("w-crash", project=project, action_types=["lease.last"], lease=1)
        assert held[0].action.attempt == attempt

        def swept() -> bool:
            client.sweep()
            return client.get(action.id).status != "claimed"

        assert wait_until(swept, timeout=10)
    final = client.get(action.id)
    assert final.status == "failed" and final.attempt == 2
    assert final.failure_reason is not None and "lease expired" in final.failure_reason
    assert client.claim("w", project=project, action_types=["lease.last"]) == []
    types = [e.event_type for e in client.list_events(action_ids=[action.id]).events]
    assert types == [
        "action_enqueued",
        "action_claimed",
        "claim_timed_out",
        "action_claimed",
        "claim_timed_out",
        "action_failed",
    ]


def test_stale_token_after_sweep_without_reclaim(client: Client, project: str) -> None:
    action = client.add("lease.t2", project)
    held = client.claim("w", project=project, action_types=["lease.t2"], lease=1)[0]
    time.sleep(1.3)
    client.sweep()
    with pytest.raises(FailedPrecondition):
        client.complete(action.id, held.lease_token, result_ref="late")


def test_heartbeat_keeps_a_lease_alive(client: Client, project: str) -> None:
    action = client.add("lease.t3", project)
    held = client.claim("w", project=project, action_types=["lease.t3"], lease=1)[0]
    for _ in range(3):
        time.sleep(0.5)
        beat = client.heartbeat(action.id, held.lease_token, lease=2)
        assert beat.claim_deadline is not None and beat.claim_deadline.timestamp() > time.time()
    assert all(a.id != action.id for a in client.sweep())
    assert client.get(action.id).status == "claimed"


def test_background_sweeper_requeues_without_an_operator(pg_dsn: str) -> None:
    from tests.conftest import fresh_schema

    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "0.2"}
    )
    try:
        with Client(proc.address) as client:
            action = client.add("lease.bg", "p", max_attempts=2)
            client.claim("w", lease=1)
            assert wait_until(lambda: client.get(action.id).status == "pending", timeout=10)
            assert client.claim("w2", wait=5)[0].action.id == action.id
    finally:
        proc.stop()
