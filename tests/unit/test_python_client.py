"""The Python client against an in-process fake server (no database): typed
errors from the status details, Enqueue retried under one request_id, records
decoded losslessly, both flavours alike, and the blocking client generated fresh."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from actionq import (
    STATUSES,
    Action,
    ActionNotFound,
    ActionqError,
    AsyncClient,
    Client,
    FailedPrecondition,
    InvalidField,
    NotFound,
    RateLimited,
    StaleLease,
    Status,
    Unavailable,
    errors,
    new_action,
)
from actionq.v1 import action_pb2 as pb
from actionq.v1 import errors_pb2, service_pb2_grpc
from actionq.v1 import service_pb2 as spb
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from tests.support import fake_server

ROOT = Path(__file__).resolve().parents[2]
BIG = {"above_2_53": 2**53 + 1, "min_int64": -(2**63), "max_uint64": 2**64 - 1, "x": 0.1}


def rich_status(
    code: int,
    message: str,
    reason: str,
    metadata: dict[str, str] | None = None,
    *extra: Any,
) -> grpc.Status:
    """A grpc status carrying ErrorInfo (and any extra detail messages)."""
    details = []
    info = error_details_pb2.ErrorInfo(reason=reason, domain="actionq.dev", metadata=metadata)
    for message_ in (info, *extra):
        packed = any_pb2.Any()
        packed.Pack(message_)
        details.append(packed)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=details))


class FakeService(service_pb2_grpc.ActionQueueServiceServicer):
    """Answers from per-method scripts: each entry is a response or a grpc.Status."""

    def __init__(self) -> None:
        self.script: dict[str, list[Any]] = {}
        self.requests: dict[str, list[Any]] = {}

    def _answer(self, method: str, request: Any, context: grpc.ServicerContext) -> Any:
        self.requests.setdefault(method, []).append(request)
        queue = self.script.get(method) or []
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, grpc.Status):
            context.abort_with_status(answer)
        if isinstance(answer, tuple):
            context.abort(*answer)
        return answer

    def Enqueue(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._answer("Enqueue", request, context)

    def GetAction(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._answer("GetAction", request, context)

    def Complete(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._answer("Complete", request, context)

    def WatchEvents(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        self.requests.setdefault("WatchEvents", []).append(request)
        yield spb.WatchEventsResponse(
            events=[pb.Event(id=1, cursor="c1", event_type="coordinator_cycle", payload_json="{}")],
            cursor="c1",
        )
        # Keep the stream open until the client goes away.
        ended = threading.Event()
        context.add_callback(ended.set)
        ended.wait(30)


@pytest.fixture
def fake() -> Iterator[tuple[FakeService, str]]:
    service = FakeService()
    with fake_server(service) as address:
        yield service, address


def both(address: str, call: Callable[[Any], Any]) -> list[Any]:
    """Run `call` with a blocking Client and with an AsyncClient; return both
    outcomes (a value, or the exception raised)."""
    outcomes: list[Any] = []
    with Client(address, timeout=5) as client:
        try:
            outcomes.append(call(client))
        except Exception as exc:
            outcomes.append(exc)

    async def run() -> Any:
        async with AsyncClient(address, timeout=5) as client:
            try:
                return await call(client)
            except Exception as exc:
                return exc

    outcomes.append(asyncio.run(run()))
    return outcomes


STORED = pb.Action(
    id=7,
    status=pb.ACTION_STATUS_COMPLETED,
    payload_json=json.dumps(BIG),
    result_json='{"n": 18446744073709551617}',
    target_ref="",
    claimed_by="w",
)


def test_records_keep_every_digit(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    service.script["GetAction"] = [spb.GetActionResponse(action=STORED)]
    for action in both(address, lambda c: c.get(7)):
        assert isinstance(action, Action)
        assert action.payload == BIG and type(action.payload["above_2_53"]) is int
        assert action.result == {"n": 2**64 + 1}
        assert action.status == "completed" and action.status is Status("completed")
        assert action.target_ref is None and action.claimed_by == "w"
        record = action.to_json()
        assert record["status"] == "completed" and record["payload"] == BIG
        assert f'"min_int64": {-(2**63)}' in json.dumps(record)


def test_typed_errors_from_error_info(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    service.script["Complete"] = [
        rich_status(code_pb2.FAILED_PRECONDITION, "stale lease", "STALE_LEASE", {"action_id": "7"})
    ]
    for error in both(address, lambda c: c.complete(7, "t", result_ref="r")):
        assert isinstance(error, StaleLease) and isinstance(error, FailedPrecondition)
        assert (error.code, error.reason, error.message) == (
            "FAILED_PRECONDITION",
            "STALE_LEASE",
            "stale lease",
        )
        assert error.metadata == {"action_id": "7"} and error.field is None
        assert str(error) == "FAILED_PRECONDITION (STALE_LEASE): stale lease"


def test_field_and_retry_info(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    bad = error_details_pb2.BadRequest(
        field_violations=[{"field": "actions[0].project", "description": "is required"}]
    )
    message = "actions[0].project: is required"
    service.script["Enqueue"] = [
        rich_status(code_pb2.INVALID_ARGUMENT, message, "INVALID_FIELD", {}, bad)
    ]
    for error in both(address, lambda c: c.add("t", "")):
        assert isinstance(error, InvalidField) and error.field == "actions[0].project"
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=90))
    service.script["Enqueue"] = [
        rich_status(code_pb2.RESOURCE_EXHAUSTED, "over the limit", "RATE_LIMITED", {}, retry)
    ]
    for error in both(address, lambda c: c.add("t", "p")):
        assert isinstance(error, RateLimited) and error.retry_after == 90.0


def test_unknown_reason_falls_back_to_the_code(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    service.script["GetAction"] = [
        rich_status(code_pb2.NOT_FOUND, "gone", "SOMETHING_NEW"),
    ]
    for error in both(address, lambda c: c.get(1)):
        assert type(error) is NotFound and error.reason == "SOMETHING_NEW"
    # A reason that belongs to another code does not pick that reason's class.
    service.script["GetAction"] = [rich_status(code_pb2.NOT_FOUND, "odd", "STALE_LEASE")]
    for error in both(address, lambda c: c.get(1)):
        assert type(error) is NotFound


def test_a_status_without_error_info_has_no_reason(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    service.script["GetAction"] = [(grpc.StatusCode.INTERNAL, "plain")]
    for error in both(address, lambda c: c.get(1)):
        assert type(error) is errors.Internal and error.reason == ""
        assert error.message == "plain"


def test_enqueue_is_retried_under_one_request_id(fake: tuple[FakeService, str]) -> None:
    service, address = fake
    stored = spb.EnqueueResponse(
        actions=[pb.EnqueuedAction(action=pb.Action(id=1, payload_json="{}"))], replayed=True
    )
    down = rich_status(code_pb2.UNAVAILABLE, "database unavailable", "DATABASE_UNAVAILABLE")
    service.script["Enqueue"] = [down, down, stored] * 2
    results = both(address, lambda c: c.enqueue([new_action("t", "p")]))
    sent = service.requests["Enqueue"]
    assert len(sent) == 6
    for result, attempts in zip(results, (sent[:3], sent[3:]), strict=True):
        assert result.replayed and result[0].action.id == 1 and len(result) == 1
        assert {r.request_id for r in attempts} == {result.request_id}
    assert results[0].request_id != results[1].request_id
    service.script["Enqueue"] = [down]
    for error in both(address, lambda c: c.enqueue([new_action("t", "p")], request_id="mine")):
        assert isinstance(error, Unavailable) and error.reason == "DATABASE_UNAVAILABLE"
    assert {r.request_id for r in service.requests["Enqueue"][-8:]} == {"mine"}
    refused = rich_status(code_pb2.INVALID_ARGUMENT, "bad", "INVALID_FIELD")
    service.script["Enqueue"] = [refused]
    before = len(service.requests["Enqueue"])
    both(address, lambda c: c.enqueue([new_action("t", "p")]))
    assert len(service.requests["Enqueue"]) == before + 2, "a refusal was retried"


def test_watch_stream_yields_batches_and_cancels_quietly(fake: tuple[FakeService, str]) -> None:
    _, address = fake
    with Client(address) as client:
        stream = client.watch_events(after_cursor="c0")
        for batch in stream:
            assert [e.cursor for e in batch.events] == ["c1"] and batch.cursor == "c1"
            stream.cancel()
        stream.cancel()

    async def run() -> None:
        async with AsyncClient(address) as client:
            stream = client.watch_events()
            async for batch in stream:
                assert batch.cursor == "c1"
                stream.cancel()

    asyncio.run(run())


def test_follow_against_no_server_fails_fast() -> None:
    began = time.monotonic()
    for error in both("127.0.0.1:9", lambda c: _first(c.follow_events())):
        assert isinstance(error, Unavailable) and error.reason == ""
        assert "cannot reach the actionq server at 127.0.0.1:9" in error.message
    assert time.monotonic() - began < 10


def _first(events: Any) -> Any:
    if hasattr(events, "__anext__"):
        return events.__anext__()
    return next(events)


def test_every_reason_has_a_class_under_its_code() -> None:
    reasons = {
        v.name.removeprefix("ERROR_REASON_")
        for v in errors_pb2.ErrorReason.DESCRIPTOR.values
        if v.number != 0
    }
    assert reasons == errors.KNOWN_REASONS
    assert set(errors.BY_REASON) == reasons - {"INTERNAL"}
    for reason, cls in errors.BY_REASON.items():
        assert issubclass(cls, errors.BY_CODE[cls.code_name]) and cls.reason_name == reason
    assert errors.Error is ActionqError
    assert errors.error_class("NOT_FOUND", "ACTION_NOT_FOUND") is ActionNotFound


def test_statuses_come_from_the_proto_enum() -> None:
    names = [v.name for v in pb.ActionStatus.DESCRIPTOR.values if v.number != 0]
    assert list(STATUSES) == [n.removeprefix("ACTION_STATUS_").lower() for n in names]
    assert [s.value for s in Status] == ["unspecified", *STATUSES]


def test_payloads_json_cannot_carry_are_refused() -> None:
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="payload"):
            new_action("t", "p", payload={"x": bad})
    assert new_action("t", "p", payload=BIG).payload_json == json.dumps(BIG, separators=(",", ":"))
    assert new_action("t", "p", payload_json="[1]").payload_json == "[1]"


def test_errors_pickle() -> None:
    import pickle

    error = errors.make_error("FAILED_PRECONDITION", "m", reason="STALE_LEASE", field="f")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is StaleLease and (again.reason, again.field) == ("STALE_LEASE", "f")


def test_blocking_client_is_generated_fresh() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "clients" / "python" / "gen_sync.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_both_flavours_have_every_call() -> None:
    public = {n for n in dir(AsyncClient) if not n.startswith("_")}
    assert public == {n for n in dir(Client) if not n.startswith("_")}
    rpcs = {m.name for m in spb.DESCRIPTOR.services_by_name["ActionQueueService"].methods}
    calls = {
        "Enqueue": "enqueue",
        "GetAction": "get",
        "ListActions": "list_actions",
        "Claim": "claim",
        "Heartbeat": "heartbeat",
        "Complete": "complete",
        "CompleteMany": "complete_many",
        "Fail": "fail",
        "Reject": "reject",
        "Cancel": "cancel",
        "Sweep": "sweep",
        "ListEvents": "list_events",
        "WatchEvents": "watch_events",
        "EmitEvent": "emit",
        "GetQueueStats": "stats",
        "Migrate": "migrate",
        "Retry": "retry",
        "WaitAction": "wait",
        "ListQueues": "list_queues",
        "UpdateQueue": "update_queue",
        "PauseQueue": "pause_queue",
        "ResumeQueue": "resume_queue",
        "Prune": "prune",
        "SaveCheckpoint": "save_checkpoint",
        "GetCheckpoints": "get_checkpoints",
        "CreateSchedule": "create_schedule",
        "ListSchedules": "list_schedules",
        "PauseSchedule": "pause_schedule",
        "ResumeSchedule": "resume_schedule",
        "DeleteSchedule": "delete_schedule",
        "Suspend": "suspend",
        "Signal": "signal",
        "GetWorkflow": "get_workflow",
        "CreateToken": "create_token",
        "ListTokens": "list_tokens",
        "RevokeToken": "revoke_token",
        "SetQueueLimits": "set_queue_limits",
    }
    assert set(calls) == rpcs, "a new RPC needs a client call"
    assert set(calls.values()) | {"iter_actions", "iter_events", "follow_events"} <= public
