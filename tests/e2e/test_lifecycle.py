"""Every legal and illegal lifecycle transition, through the gRPC API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from actionq import Action, Client, FailedPrecondition, IllegalTransition

Transition = Callable[[Client, Action, str], Any]


def make(client: Client, project: str, status: str) -> tuple[Action, str]:
    """An action of `project` brought into `status`, with its lease token."""
    action = client.add("lifecycle.t", project)
    if status == "pending":
        return action, ""
    claimed = client.claim("w1", project=project, action_types=["lifecycle.t"])
    assert [c.action.id for c in claimed] == [action.id]
    token = claimed[0].lease_token
    if status == "claimed":
        return claimed[0].action, token
    finish: dict[str, Transition] = {
        "completed": lambda c, a, t: c.complete(a.id, t, result_ref="r"),
        "failed": lambda c, a, t: c.fail(a.id, t, reason="boom"),
        "rejected": lambda c, a, t: c.reject(a.id, t, reason="bad", validator="v"),
        "cancelled": lambda c, a, t: c.cancel(a.id, reason="stop"),
    }
    return finish[status](client, action, token), token


TRANSITIONS: dict[str, Transition] = {
    "claim": lambda c, a, t: c.claim("w2", project=a.project, action_types=["lifecycle.t"]),
    "complete": lambda c, a, t: c.complete(a.id, t, result_ref="done"),
    "fail": lambda c, a, t: c.fail(a.id, t, reason="boom"),
    "reject": lambda c, a, t: c.reject(a.id, t, reason="invalid", validator="schema-check"),
    "cancel": lambda c, a, t: c.cancel(a.id, reason="not needed"),
}

LEGAL = {
    ("pending", "claim"): "claimed",
    ("pending", "cancel"): "cancelled",
    ("claimed", "complete"): "completed",
    ("claimed", "fail"): "failed",
    ("claimed", "reject"): "rejected",
    ("claimed", "cancel"): "cancelled",
}
STATUSES = ["pending", "claimed", "completed", "failed", "rejected", "cancelled"]
STATUS_NUMBER = {
    "pending": "pending",
    "claimed": "claimed",
    "completed": "completed",
    "failed": "failed",
    "rejected": "rejected",
    "cancelled": "cancelled",
}
EVENT_OF = {
    "claim": "action_claimed",
    "complete": "action_completed",
    "fail": "action_failed",
    "reject": "action_rejected",
    "cancel": "action_cancelled",
}


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("verb", sorted(TRANSITIONS))
def test_transition(client: Client, project: str, start: str, verb: str) -> None:
    action, token = make(client, project, start)
    before = client.get(action.id)
    events_before = client.list_events(action_ids=[action.id]).events
    legal = LEGAL.get((start, verb))
    if verb == "claim" and start != "pending":
        assert TRANSITIONS[verb](client, action, token) == []
        assert client.get(action.id) == before
        return
    if legal is None:
        with pytest.raises(IllegalTransition) as refused:
            TRANSITIONS[verb](client, action, token)
        assert refused.value.code == "FAILED_PRECONDITION"
        assert start in refused.value.message
        assert client.get(action.id) == before, "a refused transition changed the action"
        assert client.list_events(action_ids=[action.id]).events == events_before
        return
    TRANSITIONS[verb](client, action, token)
    after = client.get(action.id)
    assert after.status == STATUS_NUMBER[legal]
    events = client.list_events(action_ids=[action.id]).events
    assert len(events) == len(events_before) + 1
    assert events[-1].event_type == EVENT_OF[verb]
    if legal in ("completed", "failed", "rejected", "cancelled"):
        assert after.completed_at is not None
    if legal == "claimed":
        assert after.claimed_by == "w2" and after.attempt == 1
        assert after.claim_deadline is not None


def test_outcome_fields(client: Client, project: str) -> None:
    action, token = make(client, project, "claimed")
    done = client.complete(action.id, token, result_ref="branch=x", result={"lines": 3})
    assert done.result_ref == "branch=x"
    assert dict(done.result) == {"lines": 3}
    rejected, _ = make(client, project, "rejected")
    assert rejected.rejected_by == "v" and rejected.failure_reason == "bad"
    failed, _ = make(client, project, "failed")
    assert failed.failure_reason == "boom"


def test_operator_completes_without_token(client: Client, project: str) -> None:
    action, _ = make(client, project, "claimed")
    done = client.complete(action.id, result_ref="by-operator")
    assert done.status == "completed"


def test_retry_until_attempts_run_out(client: Client, project: str) -> None:
    action = client.add("lifecycle.retry", project, max_attempts=2)
    first = client.claim("w", project=project, action_types=["lifecycle.retry"])[0]
    again = client.fail(action.id, first.lease_token, reason="flaky", retry_delay=0)
    assert again.status == "pending"
    assert again.attempt == 1 and again.failure_reason == "flaky"
    assert not again.claimed_by
    second = client.claim("w", project=project, action_types=["lifecycle.retry"], wait=5)[0]
    assert second.action.attempt == 2
    with pytest.raises(FailedPrecondition):
        client.complete(action.id, first.lease_token, result_ref="late")
    final = client.fail(action.id, second.lease_token, reason="still flaky")
    assert final.status == "failed"
    failures = client.list_events(
        action_ids=[action.id], event_types=["action_retry_scheduled", "action_failed"]
    ).events
    assert [e.event_type for e in failures] == ["action_retry_scheduled", "action_failed"]
    assert [e.payload["attempt"] for e in failures] == [1, 2]
    assert failures[0].payload["delay_seconds"] == 0
    assert failures[1].payload["reason"] == "still flaky"
    assert failures[1].payload["no_retry"] is False


def test_retry_backoff_delays_the_next_claim(client: Client, project: str) -> None:
    action = client.add("lifecycle.backoff", project, max_attempts=3)
    held = client.claim("w", project=project, action_types=["lifecycle.backoff"])[0]
    pending = client.fail(action.id, held.lease_token, reason="later", retry_delay=3600)
    assert pending.run_after is not None and pending.updated_at is not None
    assert (pending.run_after - pending.updated_at).total_seconds() > 3000
    assert client.claim("w", project=project, action_types=["lifecycle.backoff"]) == []


def test_no_retry_fails_for_good(client: Client, project: str) -> None:
    action = client.add("lifecycle.noretry", project, max_attempts=5)
    held = client.claim("w", project=project, action_types=["lifecycle.noretry"])[0]
    failed = client.fail(action.id, held.lease_token, reason="fatal", no_retry=True)
    assert failed.status == "failed"


def test_cancel_while_claimed_is_reported_by_heartbeat(client: Client, project: str) -> None:
    action, token = make(client, project, "claimed")
    assert not client.heartbeat(action.id, token, lease=60).cancelled
    client.cancel(action.id, reason="operator says stop")
    beat = client.heartbeat(action.id, token, lease=60)
    assert beat.cancelled and beat.claim_deadline is None
    with pytest.raises(FailedPrecondition):
        client.complete(action.id, token, result_ref="too late")
