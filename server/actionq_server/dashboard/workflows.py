"""Workflows for the dashboard, read through the servicer's GetWorkflow: the
page shows whatever that RPC answers, and its refusal (for instance while
GetWorkflow is not built on this server) as the error it is."""

from __future__ import annotations

from typing import Any, Protocol

from actionq.v1 import service_pb2 as spb
from google.protobuf import json_format

from .api import WorkflowLookup

_STATUS_PREFIX = "ACTION_STATUS_"


class GetWorkflow(Protocol):
    """What the lookup calls: the servicer's GetWorkflow handler."""

    async def GetWorkflow(self, request: spb.GetWorkflowRequest, context: Any) -> Any: ...


def via_servicer(servicer: GetWorkflow) -> WorkflowLookup:
    """A lookup that calls GetWorkflow in process and answers its JSON mapping
    (statuses by their short lower-case names, as the rest of the dashboard)."""

    async def lookup(workflow_id: str) -> dict[str, Any]:
        reply = await servicer.GetWorkflow(spb.GetWorkflowRequest(workflow_id=workflow_id), None)
        data: dict[str, Any] = json_format.MessageToDict(
            reply,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )
        for action in data.get("actions", []):
            status = str(action.get("status", ""))
            action["status"] = status.removeprefix(_STATUS_PREFIX).lower()
        return data

    return lookup
