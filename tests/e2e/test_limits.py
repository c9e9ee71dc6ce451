"""Guarantee 7 for sizes: no set of stored values makes a read too big to
receive. Every read response fits gRPC's default 4 MB receive limit, however
many 1 MB payloads and results are stored."""

from __future__ import annotations

import json
import uuid

import grpc
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import duration_pb2

from tests.support import ServerProcess

BIG = 900_000


def _payload(i: int) -> str:
    return json.dumps({"i": i, "blob": "x" * BIG})


def test_reads_of_big_payloads_fit_a_default_client(server: ServerProcess) -> None:
    queue = f"big-{uuid.uuid4().hex[:8]}"
    # A channel with gRPC's default limits (4 MB to receive).
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        ids = []
        for i in range(12):
            response = stub.Enqueue(
                spb.EnqueueRequest(
                    actions=[
                        pb.NewAction(
                            action_type="big", project="p", queue=queue, payload_json=_payload(i)
                        )
                    ]
                )
            )
            ids.append(response.actions[0].action.id)

        listed, token, pages = [], "", 0
        while True:
            page = stub.ListActions(
                spb.ListActionsRequest(queue=queue, page_size=1000, page_token=token)
            )
            listed += [a.id for a in page.actions]
            pages += 1
            if not page.next_page_token:
                break
            token = page.next_page_token
        assert listed == ids and pages > 1

        claimed: list[pb.ClaimedAction] = []
        while len(claimed) < len(ids):
            batch = stub.Claim(
                spb.ClaimRequest(
                    worker="big-worker",
                    queue=queue,
                    max_actions=1000,
                    wait=duration_pb2.Duration(seconds=5),
                )
            ).actions
            assert 0 < len(batch) < len(ids)
            claimed += batch
        assert sorted(c.action.id for c in claimed) == ids

        done = stub.CompleteMany(
            spb.CompleteManyRequest(
                completions=[
                    spb.CompleteRequest(
                        id=c.action.id,
                        lease_token=c.lease_token,
                        result_json=_payload(-c.action.id),
                    )
                    for c in claimed[:3]
                ]
            )
        )
        assert len(done.completed_ids) == 3
        one = stub.GetAction(spb.GetActionRequest(id=claimed[0].action.id)).action
        assert json.loads(one.result_json)["i"] == -one.id

        events, cursor = [], ""
        for _ in range(1000):
            page = stub.ListEvents(
                spb.ListEventsRequest(
                    after_cursor=cursor,
                    page_size=1000,
                    action_ids=ids,
                    event_types=["action_enqueued"],
                )
            )
            events += page.events
            if len(page.events) < 1000 and page.next_cursor == cursor:
                break
            cursor = page.next_cursor
            if not page.events:
                break
        assert [e.action_id for e in events] == ids


def test_big_coordinator_events_page_within_the_limit(server: ServerProcess) -> None:
    actor = f"coordinator-{uuid.uuid4().hex[:8]}"
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        start = stub.GetQueueStats(spb.GetQueueStatsRequest()).latest_event_cursor
        emitted = [
            stub.EmitEvent(
                spb.EmitEventRequest(
                    event_type="coordinator_cycle", actor=actor, payload_json=_payload(i)
                )
            ).event.cursor
            for i in range(8)
        ]
        seen, cursor = [], start
        while len(seen) < len(emitted):
            page = stub.ListEvents(
                spb.ListEventsRequest(
                    after_cursor=cursor, page_size=1000, event_types=["coordinator_cycle"]
                )
            )
            assert page.events, "the log stopped short"
            seen += [e.cursor for e in page.events if e.actor == actor]
            cursor = page.next_cursor
        assert seen == emitted
