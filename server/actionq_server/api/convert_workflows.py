"""Workflow runs to protobuf messages."""

from __future__ import annotations

from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb

from ..store.workflows import WorkflowRun
from . import convert as c


def workflow(run: WorkflowRun) -> pb.Workflow:
    """A run with its counts by status."""
    counts = run.counts
    return pb.Workflow(
        id=run.id,
        status=run.status,
        total=counts["total"],
        pending=counts["pending"],
        claimed=counts["claimed"],
        waiting=counts["waiting"],
        completed=counts["completed"],
        failed=counts["failed"],
        rejected=counts["rejected"],
        cancelled=counts["cancelled"],
        created_at=c.timestamp(run.created_at),
        finished_at=c.timestamp(run.finished_at),
    )


def get_workflow_response(run: WorkflowRun) -> spb.GetWorkflowResponse:
    """GetWorkflow's answer: the run and its actions in id order."""
    response = spb.GetWorkflowResponse(workflow=workflow(run))
    for a in run.actions:
        c.fill_action(response.actions.add(), a)
    return response
