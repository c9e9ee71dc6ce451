"""Each RPC, its defaults, and the error contract for bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from actionq import (
    ActionNotFound,
    ChainTooDeep,
    Client,
    InvalidArgument,
    InvalidField,
    ParentNotFound,
    RateLimited,
    StaleLease,
    completion,
    new_action,
)
from actionq.errors import error_from_rpc
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from google.rpc import error_details_pb2
from grpc_status import rpc_status


def count(client: Client, project: str) -> int:
    return len(client.list_actions(project=project, page_size=1000).actions)


def test_enqueue_batch_in_request_order(client: Client, project: str) -> None:
    batch = [new_action("api.t", project, priority=i % 3, payload={"i": i}) for i in range(50)]
    stored = client.enqueue(batch)
    assert [s.action.payload["i"] for s in stored] == list(range(50))
    ids = [s.action.id for s in stored]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert all(s.action.status == "pending" and not s.duplicate for s in stored)
    assert not stored.replayed and stored.request_id
    first = stored[0].action
    assert first.queue == "default" and first.max_attempts == 1 and first.created_by == "unknown"
    assert first.created_at is not None and first.run_after is not None


def test_claim_order_is_priority_then_run_after_then_id(client: Client, project: str) -> None:
    now = datetime.now(UTC)
    a = client.add("api.order", project, priority=5)
    b = client.add("api.order", project, priority=1, run_after=now - timedelta(seconds=5))
    c = client.add("api.order", project, priority=1, run_after=now - timedelta(seconds=10))
    d = client.add("api.order", project, priority=-3)
    claimed = client.claim("w", project=project, action_types=["api.order"], max_actions=10)
    assert [x.action.id for x in claimed] == [d.id, c.id, b.id, a.id]
    assert len({x.lease_token for x in claimed}) == 4


def test_claim_filters_by_queue_type_and_project(client: Client, project: str) -> None:
    other = f"{project}-other"
    client.add("api.filter", project, queue="special")
    client.add("api.filter", other)
    client.add("api.other", project)
    assert client.claim("w", project=project, action_types=["api.filter"]) == []
    got = client.claim("w", queue="special", project=project, action_types=["api.filter"])
    assert len(got) == 1 and got[0].action.queue == "special"
    got = client.claim("w", project=project, action_types=["api.other", "api.filter"])
    assert [x.action.action_type for x in got] == ["api.other"]


def test_delayed_action_is_not_claimable_early(client: Client, project: str) -> None:
    client.add("api.delay", project, delay=3600)
    assert client.claim("w", project=project, action_types=["api.delay"]) == []
    listed = client.list_actions(project=project).actions
    run_after = listed[0].run_after
    assert run_after is not None and run_after > datetime.now(UTC) + timedelta(minutes=50)


def test_idempotency_key_returns_the_first_action(client: Client, project: str) -> None:
    key = f"k-{uuid.uuid4().hex}"
    first = client.enqueue([new_action("api.idem", project, idempotency_key=key)])[0]
    again = client.enqueue(
        [
            new_action("api.idem", project, idempotency_key=key, priority=9),
            new_action("api.idem", project, idempotency_key=key + "-2"),
            new_action("api.idem", project, idempotency_key=key + "-2"),
        ]
    )
    assert not first.duplicate
    assert again[0].duplicate and again[0].action.id == first.action.id
    assert again[0].action.priority == 0
    assert not again[1].duplicate and again[2].duplicate
    assert again[1].action.id == again[2].action.id
    assert count(client, project) == 2
    events = client.list_events(action_ids=[first.action.id]).events
    assert [e.event_type for e in events] == ["action_enqueued"]


def test_get_and_list_with_paging(client: Client, project: str) -> None:
    ids = [e.action.id for e in client.enqueue([new_action("api.ls", project)] * 25)]
    seen: list[int] = []
    token = ""
    while True:
        page = client.list_actions(project=project, page_size=10, page_token=token)
        seen.extend(a.id for a in page.actions)
        token = page.next_page_token
        if not token:
            break
    assert seen == ids
    newest = client.list_actions(project=project, page_size=3, newest_first=True)
    assert [a.id for a in newest.actions] == ids[::-1][:3]
    assert client.get(ids[4]).id == ids[4]
    client.claim("w", project=project, action_types=["api.ls"], max_actions=5)
    claimed = client.list_actions(project=project, statuses=["claimed"]).actions
    assert [a.id for a in claimed] == ids[:5]
    both = client.list_actions(project=project, statuses=["claimed", "pending"]).actions
    assert len(both) == 25


def test_chain_depth_limit(client: Client, project: str) -> None:
    root = client.add("api.chain", project)
    parent = root
    for depth in (1, 2, 3):
        child = client.add("api.chain", project, parent_id=parent.id)
        assert child.chain_depth == depth and child.parent_id == parent.id
        parent = child
    before = count(client, project)
    with pytest.raises(ChainTooDeep) as deep:
        client.enqueue(
            [
                new_action("api.chain", project),
                new_action("api.chain", project, parent_id=parent.id),
            ]
        )
    assert deep.value.code == "FAILED_PRECONDITION" and deep.value.reason == "CHAIN_TOO_DEEP"
    assert "actions[1].parent_id" in deep.value.message and "chain depth 4" in deep.value.message
    assert count(client, project) == before, "a refused batch left rows behind"


def test_unknown_parent_is_not_found(client: Client, project: str) -> None:
    with pytest.raises(ParentNotFound) as missing:
        client.add("api.chain", project, parent_id=10**12)
    assert missing.value.code == "NOT_FOUND" and "parent_id" in missing.value.message
    assert count(client, project) == 0


def test_rate_limit_for_agent_and_script_producers(client: Client, project: str) -> None:
    agent = f"agent:{uuid.uuid4().hex[:8]}"
    client.enqueue([new_action("api.rate", project, created_by=agent)] * 15)
    client.enqueue([new_action("api.rate", project, created_by=agent)] * 5)
    with pytest.raises(RateLimited) as limited:
        client.enqueue(
            [
                new_action("api.rate", project, created_by="human:ok"),
                new_action("api.rate", project, created_by=agent),
            ]
        )
    assert limited.value.code == "RESOURCE_EXHAUSTED"
    assert agent in limited.value.message and "retry in" in limited.value.message
    assert limited.value.retry_after is not None and 3000 < limited.value.retry_after <= 3600
    assert count(client, project) == 20
    humans = [new_action("api.rate", project, created_by="human:me")] * 30
    assert len(client.enqueue(humans)) == 30
    script = f"script:{uuid.uuid4().hex[:8]}"
    with pytest.raises(RateLimited) as batch:
        client.enqueue([new_action("api.rate", project, created_by=script)] * 21)
    assert batch.value.code == "RESOURCE_EXHAUSTED"


def test_rate_limit_carries_retry_info(client: Client, project: str) -> None:
    agent = f"agent:{uuid.uuid4().hex[:8]}"
    client.enqueue([new_action("api.rate", project, created_by=agent)] * 20)
    request = spb.EnqueueRequest(actions=[new_action("api.rate", project, created_by=agent)])
    with pytest.raises(grpc.RpcError) as raw:
        client.stub.Enqueue(request)
    status = rpc_status.from_call(raw.value)
    assert status is not None
    info = error_details_pb2.RetryInfo()
    assert any(d.Unpack(info) for d in status.details)
    assert 3000 < info.retry_delay.seconds <= 3600


BAD_ENQUEUES = [
    ("actions", spb.EnqueueRequest()),
    ("actions[0].action_type", spb.EnqueueRequest(actions=[pb.NewAction(project="p")])),
    ("actions[0].project", spb.EnqueueRequest(actions=[pb.NewAction(action_type="t")])),
    (
        "actions[1].action_type",
        spb.EnqueueRequest(
            actions=[
                pb.NewAction(action_type="t", project="p"),
                pb.NewAction(action_type="bad type!", project="p"),
            ]
        ),
    ),
    (
        "actions[0].queue",
        spb.EnqueueRequest(actions=[pb.NewAction(action_type="t", project="p", queue="x" * 300)]),
    ),
    (
        "actions[0].max_attempts",
        spb.EnqueueRequest(actions=[pb.NewAction(action_type="t", project="p", max_attempts=-1)]),
    ),
    (
        "actions[0].parent_id",
        spb.EnqueueRequest(actions=[pb.NewAction(action_type="t", project="p", parent_id=-5)]),
    ),
    (
        "actions[0].delay",
        spb.EnqueueRequest(
            actions=[pb.NewAction(action_type="t", project="p", delay={"seconds": -1})]
        ),
    ),
    (
        "actions[0].source_refs[1]",
        spb.EnqueueRequest(
            actions=[pb.NewAction(action_type="t", project="p", source_refs=["a", ""])]
        ),
    ),
    (
        "actions[0].target_ref",
        spb.EnqueueRequest(
            actions=[pb.NewAction(action_type="t", project="p", target_ref="a\x00b")]
        ),
    ),
]


@pytest.mark.parametrize(("field", "request_"), BAD_ENQUEUES, ids=[f for f, _ in BAD_ENQUEUES])
def test_bad_enqueue_names_the_field_and_writes_nothing(
    client: Client, field: str, request_: spb.EnqueueRequest
) -> None:
    marker = f"bad-{uuid.uuid4().hex[:8]}"
    for action in request_.actions:
        if action.project == "p":
            action.project = marker
    with pytest.raises(grpc.RpcError) as bad:
        client.stub.Enqueue(request_)
    assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert bad.value.details().startswith(field + ":")
    status = rpc_status.from_call(bad.value)
    assert status is not None
    violation = error_details_pb2.BadRequest()
    assert any(d.Unpack(violation) for d in status.details)
    assert violation.field_violations[0].field == field
    assert count(client, marker) == 0


BAD_CALLS = [
    ("GetAction", spb.GetActionRequest(id=0), "id"),
    ("Claim", spb.ClaimRequest(), "worker"),
    ("Claim", spb.ClaimRequest(worker="w", max_actions=5000), "max_actions"),
    ("Claim", spb.ClaimRequest(worker="w", wait={"seconds": 3600}), "wait"),
    ("Claim", spb.ClaimRequest(worker="w", lease={"nanos": 1000}), "lease"),
    ("Heartbeat", spb.HeartbeatRequest(id=1), "lease_token"),
    ("Heartbeat", spb.HeartbeatRequest(id=1, lease_token="nope"), "lease_token"),
    ("Complete", spb.CompleteRequest(id=-1), "id"),
    ("Fail", spb.FailRequest(id=1), "reason"),
    ("Reject", spb.RejectRequest(id=1, reason="r"), "validator"),
    ("Cancel", spb.CancelRequest(id=1), "reason"),
    ("ListActions", spb.ListActionsRequest(page_token="garbage"), "page_token"),
    ("ListActions", spb.ListActionsRequest(page_size=100000), "page_size"),
    ("ListActions", spb.ListActionsRequest(statuses=[42]), "statuses[0]"),
    ("ListEvents", spb.ListEventsRequest(after_cursor="not a cursor"), "after_cursor"),
    ("EmitEvent", spb.EmitEventRequest(event_type="action_completed", actor="a"), "event_type"),
    ("EmitEvent", spb.EmitEventRequest(event_type="coordinator_cycle"), "actor"),
]


@pytest.mark.parametrize(
    ("method", "request_", "field"), BAD_CALLS, ids=[f"{m}-{f}" for m, _, f in BAD_CALLS]
)
def test_bad_input_is_invalid_argument(
    client: Client, method: str, request_: object, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as bad:
        getattr(client.stub, method)(request_)
    assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert bad.value.details().startswith(field + ":")


@pytest.mark.parametrize("method", ["GetAction", "Complete", "Fail", "Reject", "Cancel"])
def test_unknown_id_is_not_found(client: Client, method: str) -> None:
    requests = {
        "GetAction": spb.GetActionRequest(id=10**12),
        "Complete": spb.CompleteRequest(id=10**12),
        "Fail": spb.FailRequest(id=10**12, reason="r"),
        "Reject": spb.RejectRequest(id=10**12, reason="r", validator="v"),
        "Cancel": spb.CancelRequest(id=10**12, reason="r"),
    }
    with pytest.raises(grpc.RpcError) as missing:
        getattr(client.stub, method)(requests[method])
    assert missing.value.code() is grpc.StatusCode.NOT_FOUND


def test_payload_round_trip(client: Client, project: str) -> None:
    payload = {
        "n": 3,
        "x": 1.5,
        "s": "text",
        "ok": True,
        "none": None,
        "list": [1, "a"],
        "nested": {"deep": {"k": [True]}},
    }
    action = client.add("api.payload", project, payload=payload)
    assert client.get(action.id).payload == payload


def test_emit_and_list_events(client: Client) -> None:
    cursor = client.stats().latest_event_cursor
    event = client.emit("coordinator_cycle", "dispatcher:main", {"claimed": False, "backlog": 3})
    assert event.cursor and event.action_id is None
    assert event.payload == {"claimed": False, "backlog": 3}
    paused = client.emit("coordinator_paused", "dispatcher:main", {})
    page = client.list_events(
        after_cursor=cursor, event_types=["coordinator_cycle", "coordinator_paused"]
    )
    mine = [e.id for e in page.events if e.actor == "dispatcher:main"]
    assert event.id in mine and paused.id in mine
    with pytest.raises(ActionNotFound) as missing:
        client.emit("coordinator_cycle", "d", {}, action_id=10**12)
    assert missing.value.code == "NOT_FOUND"


def test_emit_payload_must_be_an_object(client: Client) -> None:
    empty = spb.EmitEventRequest(event_type="coordinator_cycle", actor="d")
    assert client.stub.EmitEvent(empty).event.payload_json in ("{}", "")
    not_an_object = spb.EmitEventRequest(
        event_type="coordinator_cycle", actor="d", payload_json="[1]"
    )
    with pytest.raises(grpc.RpcError) as raw:
        client.stub.EmitEvent(not_an_object)
    bad = error_from_rpc(raw.value, client.address)
    assert isinstance(bad, InvalidField) and bad.field == "payload_json"


def test_list_events_pages_by_cursor(client: Client, project: str) -> None:
    ids = [e.action.id for e in client.enqueue([new_action("api.ev", project)] * 7)]
    seen: list[int | None] = []
    cursors: list[str] = []
    cursor = ""
    while True:
        page = client.list_events(after_cursor=cursor, action_ids=ids, page_size=3)
        seen.extend(e.action_id for e in page.events)
        cursors.extend(e.cursor for e in page.events)
        if not page.events:
            break
        assert page.next_cursor
        cursor = page.next_cursor
    assert seen == ids
    assert len(set(cursors)) == 7
    assert [e.action_id for e in client.iter_events(action_ids=ids, page_size=2)] == ids
    after_third = client.list_events(after_cursor=cursors[2], action_ids=ids).events
    assert [e.action_id for e in after_third] == ids[3:]


def test_queue_stats(client: Client, project: str) -> None:
    client.enqueue([new_action("api.stats", project)] * 4)
    held = client.claim("w", project=project, action_types=["api.stats"], max_actions=2)
    client.complete(held[0].action.id, held[0].lease_token, result_ref="r")
    client.enqueue([new_action("api.stats", project, delay=3600)])
    response = client.stats(project=project)
    (row,) = response.stats
    assert (row.action_type, row.pending, row.claimed) == ("api.stats", 3, 1)
    assert (row.scheduled, row.completed, row.completed_last_minute) == (1, 0, 1)
    assert row.oldest_pending_age >= timedelta(0)
    (counted,) = client.stats(project=project, include_completed=True).stats
    assert counted.completed == 1
    assert response.latest_event_cursor and response.as_of is not None


def test_migrate_is_idempotent(client: Client, server: object) -> None:
    first = client.migrate()
    second = client.migrate()
    assert first.version == second.version >= 1
    assert list(second.applied) == []


def test_health_and_reflection(client: Client, server: object) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    channel = grpc.insecure_channel(client.address)
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "actionq.v1.ActionQueueService"):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    replies = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    )
    names = {s.name for r in replies for s in r.list_services_response.service}
    assert "actionq.v1.ActionQueueService" in names
    channel.close()


def test_complete_many_completes_each_item_on_its_own(client: Client, project: str) -> None:
    stored = client.enqueue([new_action("api.many", project)] * 5)
    held = client.claim("w", project=project, action_types=["api.many"], max_actions=4)
    tokens = {h.action.id: h.lease_token for h in held}
    a, b, c, d = (h.action.id for h in held)
    never_claimed = next(s.action.id for s in stored if s.action.id not in tokens)
    response = client.complete_many(
        [
            completion(a, tokens[a], result_ref="ra", result={"k": 1}),
            completion(b, str(uuid.uuid4()), result_ref="stale"),
            completion(10**12, str(uuid.uuid4())),
            completion(never_claimed, result_ref="pending"),
            completion(c, tokens[c], result_ref="rc"),
            completion(d, result_ref="operator"),
        ]
    )
    assert list(response.completed_ids) == [a, c, d]
    assert {(f.id, f.code, f.reason) for f in response.failures} == {
        (b, "FAILED_PRECONDITION", "STALE_LEASE"),
        (10**12, "NOT_FOUND", "ACTION_NOT_FOUND"),
        (never_claimed, "FAILED_PRECONDITION", "ILLEGAL_TRANSITION"),
    }
    assert isinstance(response.failures[0].error(), StaleLease)
    assert client.get(a).result_ref == "ra" and client.get(a).result == {"k": 1}
    assert client.get(b).status == "claimed"
    events = client.list_events(action_ids=[a, c, d], event_types=["action_completed"]).events
    assert sorted(e.action_id for e in events) == [a, c, d]


def test_complete_many_refuses_an_invalid_item_on_its_own(client: Client, project: str) -> None:
    client.enqueue([new_action("api.many.invalid", project)] * 3)
    held = client.claim("w", project=project, action_types=["api.many.invalid"], max_actions=3)
    (a, ta), (b, tb), (c, _) = ((h.action.id, h.lease_token) for h in held)
    response = client.complete_many(
        [
            completion(a, ta, result_ref="fine"),
            completion(b, tb, result_ref="x" * 5000),
            completion(c, "not-a-token"),
        ]
    )
    assert list(response.completed_ids) == [a]
    assert [(f.id, f.code, f.reason) for f in response.failures] == [
        (b, "INVALID_ARGUMENT", "INVALID_FIELD"),
        (c, "INVALID_ARGUMENT", "INVALID_FIELD"),
    ]
    assert response.failures[0].message.startswith("completions[1].result_ref:")
    assert response.failures[1].message.startswith("completions[2].lease_token:")
    assert client.get(a).status == "completed"
    assert {client.get(b).status, client.get(c).status} == {"claimed"}


def test_complete_many_refuses_a_repeated_id(client: Client, project: str) -> None:
    action = client.add("api.many", project)
    with pytest.raises(InvalidArgument) as bad:
        client.complete_many([completion(action.id), completion(action.id)])
    assert bad.value.message.startswith("completions[1].id:")
    assert bad.value.field == "completions[1].id"
    with pytest.raises(InvalidArgument):
        client.complete_many([])
