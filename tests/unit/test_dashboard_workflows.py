"""The dashboard reads workflows through the servicer's GetWorkflow: its answer
becomes the page's JSON, and its refusal stays the domain error it was."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq_server.dashboard.workflows import via_servicer
from actionq_server.domain.errors import FailedPrecondition


class Answering:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def GetWorkflow(self, request: spb.GetWorkflowRequest, context: Any) -> Any:
        self.asked.append(request.workflow_id)
        reply = spb.GetWorkflowResponse(
            workflow=pb.Workflow(id=request.workflow_id, status="running", total=2, pending=1),
        )
        reply.workflow.completed = 1
        reply.workflow.created_at.FromSeconds(1_800_000_000)
        done = reply.actions.add(id=7, queue="q", action_type="a")
        done.status = pb.ACTION_STATUS_COMPLETED
        waiting = reply.actions.add(id=8, queue="q", action_type="b", depends_on=[7])
        waiting.status = pb.ACTION_STATUS_WAITING
        return reply


class Refusing:
    async def GetWorkflow(self, request: spb.GetWorkflowRequest, context: Any) -> Any:
        raise FailedPrecondition("GetWorkflow is not built yet")


def test_the_answer_becomes_json_with_short_statuses() -> None:
    servicer = Answering()
    data = asyncio.run(via_servicer(servicer)("wf-1"))
    assert servicer.asked == ["wf-1"]
    workflow = data["workflow"]
    assert (workflow["id"], workflow["status"]) == ("wf-1", "running")
    assert (workflow["total"], workflow["pending"], workflow["completed"]) == ("2", "1", "1")
    assert workflow["failed"] == "0"
    assert workflow["created_at"] == "2027-01-15T08:00:00Z"
    assert [(a["id"], a["status"]) for a in data["actions"]] == [
        ("7", "completed"),
        ("8", "waiting"),
    ]
    assert data["actions"][1]["depends_on"] == ["7"]


def test_a_refusal_stays_a_domain_error() -> None:
    with pytest.raises(FailedPrecondition, match="not built yet"):
        asyncio.run(via_servicer(Refusing())("wf-1"))
