"""Actions and events as plain JSON records, with the data model's field names."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.json_format import MessageToDict

from .v1 import action_pb2 as pb

STATUS_BY_NUMBER = {
    pb.ACTION_STATUS_PENDING: "pending",
    pb.ACTION_STATUS_CLAIMED: "claimed",
    pb.ACTION_STATUS_COMPLETED: "completed",
    pb.ACTION_STATUS_FAILED: "failed",
    pb.ACTION_STATUS_REJECTED: "rejected",
    pb.ACTION_STATUS_CANCELLED: "cancelled",
}


def _whole(value: Any) -> Any:
    """Struct numbers are doubles; show whole numbers as integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_whole(x) for x in value]
    return value


def struct(message: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as a JSON object."""
    return _whole(MessageToDict(message))  # type: ignore[no-any-return]


def rfc3339(message: Any, field: str) -> str | None:
    """A Timestamp field as a UTC RFC 3339 string, or None when unset."""
    if not message.HasField(field):
        return None
    value: timestamp_pb2.Timestamp = getattr(message, field)
    text: str = value.ToJsonString()
    return text


def action_record(a: pb.Action) -> dict[str, Any]:
    """An action as a JSON object."""
    return {
        "id": a.id,
        "queue": a.queue,
        "action_type": a.action_type,
        "project": a.project,
        "target_ref": a.target_ref or None,
        "source_refs": list(a.source_refs),
        "payload": struct(a.payload),
        "priority": a.priority,
        "status": STATUS_BY_NUMBER.get(a.status, "unspecified"),
        "run_after": rfc3339(a, "run_after"),
        "attempt": a.attempt,
        "max_attempts": a.max_attempts,
        "claimed_by": a.claimed_by or None,
        "claim_deadline": rfc3339(a, "claim_deadline"),
        "parent_id": a.parent_id or None,
        "chain_depth": a.chain_depth,
        "created_by": a.created_by,
        "idempotency_key": a.idempotency_key or None,
        "result_ref": a.result_ref or None,
        "result": struct(a.result) if a.HasField("result") else None,
        "failure_reason": a.failure_reason or None,
        "rejected_by": a.rejected_by or None,
        "completed_at": rfc3339(a, "completed_at"),
        "created_at": rfc3339(a, "created_at"),
        "updated_at": rfc3339(a, "updated_at"),
    }


def event_record(e: pb.Event) -> dict[str, Any]:
    """An event as a JSON object."""
    return {
        "id": e.id,
        "action_id": e.action_id or None,
        "event_type": e.event_type,
        "actor": e.actor,
        "payload": struct(e.payload),
        "created_at": rfc3339(e, "created_at"),
    }
