"""Enqueue's lean answer (ENQUEUE_VIEW_ID) carries ids only, in request order."""

from __future__ import annotations

import grpc
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc

from tests.support import ServerProcess


def test_the_id_view_answers_ids_in_request_order(server: ServerProcess, project: str) -> None:
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        request = spb.EnqueueRequest(
            view=spb.ENQUEUE_VIEW_ID,
            actions=[
                pb.NewAction(action_type="view.t", project=project, payload_json='{"i": 1}'),
                pb.NewAction(action_type="view.t", project=project, idempotency_key="k1"),
                pb.NewAction(action_type="view.t", project=project, idempotency_key="k1"),
            ],
        )
        lean = stub.Enqueue(request)
        assert [a.duplicate for a in lean.actions] == [False, False, True]
        ids = [a.action.id for a in lean.actions]
        assert ids[0] < ids[1] == ids[2]
        for item in lean.actions:
            assert item.action == pb.Action(id=item.action.id)
        full = stub.GetAction(spb.GetActionRequest(id=ids[0])).action
        assert full.payload_json == '{"i": 1}' and full.status == pb.ACTION_STATUS_PENDING


def test_python_clients_enqueue_ids(server: ServerProcess, project: str) -> None:
    from actionq import Client, new_action

    with Client(server.address) as client:
        done = client.enqueue_ids(
            [new_action("view.t", project, payload={"n": 2**63}) for _ in range(3)]
        )
        assert len(done.ids) == 3 and done.duplicates == [False] * 3 and not done.replayed
        again = client.enqueue_ids(
            [new_action("view.t", project, payload={"n": 2**63}) for _ in range(3)],
            request_id=done.request_id,
        )
        assert again.ids == done.ids and again.replayed
        assert client.get(done.ids[0]).payload == {"n": 2**63}
