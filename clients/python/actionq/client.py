"""Blocking and asyncio clients over the generated ActionQueueService stubs."""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import grpc
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2

from .v1 import action_pb2 as pb
from .v1 import service_pb2 as spb
from .v1 import service_pb2_grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 10.0
# Extra time a long-polling call gets beyond its wait.
WAIT_MARGIN = 5.0

# Calls that are safe to repeat are retried by the channel when the server or
# its database is briefly unavailable; state-changing calls are not.
IDEMPOTENT_METHODS = (
    "GetAction",
    "ListActions",
    "ListEvents",
    "GetQueueStats",
    "Heartbeat",
    "Sweep",
    "Migrate",
)
CHANNEL_OPTIONS = [
    ("grpc.enable_retries", 1),
    (
        "grpc.service_config",
        json.dumps(
            {
                "methodConfig": [
                    {
                        "name": [
                            {"service": "actionq.v1.ActionQueueService", "method": m}
                            for m in IDEMPOTENT_METHODS
                        ],
                        "retryPolicy": {
                            "maxAttempts": 4,
                            "initialBackoff": "0.1s",
                            "maxBackoff": "1s",
                            "backoffMultiplier": 2,
                            "retryableStatusCodes": ["UNAVAILABLE"],
                        },
                    }
                ]
            }
        ),
    ),
]

STATUS_NAMES = {
    "pending": pb.ACTION_STATUS_PENDING,
    "claimed": pb.ACTION_STATUS_CLAIMED,
    "completed": pb.ACTION_STATUS_COMPLETED,
    "failed": pb.ACTION_STATUS_FAILED,
    "rejected": pb.ACTION_STATUS_REJECTED,
    "cancelled": pb.ACTION_STATUS_CANCELLED,
}


class Error(Exception):
    """A failed call: `code` is the gRPC status code name, e.g. "NOT_FOUND"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @classmethod
    def from_rpc(cls, exc: grpc.RpcError, address: str) -> Error:
        """Translate a grpc error, making an unreachable server plain."""
        code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
        details = exc.details() if hasattr(exc, "details") else str(exc)
        if code is grpc.StatusCode.UNAVAILABLE and not _from_server(exc):
            details = f"cannot reach the actionq server at {address}: {details}"
        return cls(code.name, details or code.name)


def _from_server(exc: grpc.RpcError) -> bool:
    """True when the status was set by actionq (the database is down) rather than
    by the channel (no server)."""
    details = exc.details() if hasattr(exc, "details") else ""
    return bool(details) and details.startswith("database unavailable")


def _duration(seconds: float | None) -> duration_pb2.Duration | None:
    if seconds is None:
        return None
    message = duration_pb2.Duration()
    message.FromNanoseconds(int(seconds * 1e9))
    return message


def completion(
    action_id: int,
    lease_token: str = "",
    *,
    result_ref: str = "",
    result: dict[str, Any] | None = None,
) -> spb.CompleteRequest:
    """One item for `complete_many`."""
    return spb.CompleteRequest(
        id=action_id, lease_token=lease_token, result_ref=result_ref, result=_struct(result)
    )


def _struct(value: dict[str, Any] | None) -> struct_pb2.Struct | None:
    if value is None:
        return None
    message = struct_pb2.Struct()
    message.update(value)
    return message


def _timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


def new_action(
    action_type: str,
    project: str,
    *,
    queue: str = "",
    target_ref: str = "",
    source_refs: Sequence[str] = (),
    payload: dict[str, Any] | None = None,
    priority: int = 0,
    parent_id: int = 0,
    created_by: str = "",
    idempotency_key: str = "",
    max_attempts: int = 0,
    run_after: datetime | None = None,
    delay: float | None = None,
) -> pb.NewAction:
    """Build a NewAction message from keyword arguments."""
    return pb.NewAction(
        queue=queue,
        action_type=action_type,
        project=project,
        target_ref=target_ref,
        source_refs=list(source_refs),
        payload=_struct(payload or {}),
        priority=priority,
        parent_id=parent_id,
        created_by=created_by,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
        run_after=_timestamp(run_after),
        delay=_duration(delay),
    )


class _Requests:
    """Request builders shared by both clients."""

    @staticmethod
    def claim(
        worker: str,
        queue: str,
        action_types: Iterable[str],
        project: str,
        max_actions: int,
        lease: float | None,
        wait: float | None,
    ) -> spb.ClaimRequest:
        return spb.ClaimRequest(
            worker=worker,
            queue=queue,
            action_types=list(action_types),
            project=project,
            max_actions=max_actions,
            lease=_duration(lease),
            wait=_duration(wait),
        )

    @staticmethod
    def list_actions(
        statuses: Iterable[str],
        action_type: str,
        project: str,
        queue: str,
        page_size: int,
        page_token: str,
        newest_first: bool,
    ) -> spb.ListActionsRequest:
        return spb.ListActionsRequest(
            statuses=[STATUS_NAMES[s] for s in statuses],
            action_type=action_type,
            project=project,
            queue=queue,
            page_size=page_size,
            page_token=page_token,
            newest_first=newest_first,
        )


def _target(address: str | None) -> str:
    return address or os.environ.get("ACTIONQ_SERVER") or DEFAULT_ADDRESS


def _credentials(token: str | None) -> grpc.ChannelCredentials:
    credentials = grpc.ssl_channel_credentials()
    if token:
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token)
        )
    return credentials


class Client:
    """A blocking client. Every call raises `Error` on a non-OK status."""

    def __init__(
        self,
        address: str | None = None,
        *,
        tls: bool = False,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.address = _target(address)
        self.timeout = timeout
        if tls:
            self._channel = grpc.secure_channel(
                self.address, _credentials(token), options=CHANNEL_OPTIONS
            )
        else:
            self._channel = grpc.insecure_channel(self.address, options=CHANNEL_OPTIONS)
        self._metadata = (("authorization", f"Bearer {token}"),) if token and not tls else ()
        self.stub = service_pb2_grpc.ActionQueueServiceStub(self._channel)

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        try:
            return getattr(self.stub, method)(
                request, timeout=timeout or self.timeout, metadata=self._metadata
            )
        except grpc.RpcError as exc:
            raise Error.from_rpc(exc, self.address) from None

    def enqueue(self, actions: Iterable[pb.NewAction]) -> list[pb.EnqueuedAction]:
        """Enqueue a batch atomically; results in request order."""
        response = self._call("Enqueue", spb.EnqueueRequest(actions=list(actions)))
        return list(response.actions)

    def add(self, action_type: str, project: str, **fields: Any) -> pb.Action:
        """Enqueue one action (see `new_action` for the fields)."""
        enqueued: pb.Action = self.enqueue([new_action(action_type, project, **fields)])[0].action
        return enqueued

    def get(self, action_id: int) -> pb.Action:
        """One action."""
        action: pb.Action = self._call("GetAction", spb.GetActionRequest(id=action_id)).action
        return action

    def list_actions(
        self,
        *,
        statuses: Iterable[str] = (),
        action_type: str = "",
        project: str = "",
        queue: str = "",
        page_size: int = 100,
        page_token: str = "",
        newest_first: bool = False,
    ) -> spb.ListActionsResponse:
        """One page of actions."""
        request = _Requests.list_actions(
            statuses, action_type, project, queue, page_size, page_token, newest_first
        )
        response: spb.ListActionsResponse = self._call("ListActions", request)
        return response

    def claim(
        self,
        worker: str,
        *,
        queue: str = "",
        action_types: Iterable[str] = (),
        project: str = "",
        max_actions: int = 1,
        lease: float | None = None,
        wait: float | None = None,
    ) -> list[pb.ClaimedAction]:
        """Claim up to max_actions, waiting up to `wait` seconds for work."""
        request = _Requests.claim(worker, queue, action_types, project, max_actions, lease, wait)
        response = self._call("Claim", request, timeout=(wait or 0) + self.timeout + WAIT_MARGIN)
        return list(response.actions)

    def heartbeat(
        self, action_id: int, lease_token: str, lease: float | None = None
    ) -> spb.HeartbeatResponse:
        """Extend a lease; `.cancelled` tells the worker to stop."""
        request = spb.HeartbeatRequest(
            id=action_id, lease_token=lease_token, lease=_duration(lease)
        )
        response: spb.HeartbeatResponse = self._call("Heartbeat", request)
        return response

    def complete(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        result_ref: str = "",
        result: dict[str, Any] | None = None,
    ) -> pb.Action:
        """claimed -> completed."""
        request = spb.CompleteRequest(
            id=action_id, lease_token=lease_token, result_ref=result_ref, result=_struct(result)
        )
        action: pb.Action = self._call("Complete", request).action
        return action

    def complete_many(self, completions: Iterable[spb.CompleteRequest]) -> spb.CompleteManyResponse:
        """Complete several actions at once; refused items come back in `.failures`."""
        request = spb.CompleteManyRequest(completions=list(completions))
        response: spb.CompleteManyResponse = self._call("CompleteMany", request)
        return response

    def fail(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        reason: str,
        retry_delay: float | None = None,
        no_retry: bool = False,
    ) -> pb.Action:
        """claimed -> failed, or pending again while attempts remain."""
        request = spb.FailRequest(
            id=action_id,
            lease_token=lease_token,
            reason=reason,
            retry_delay=_duration(retry_delay),
            no_retry=no_retry,
        )
        action: pb.Action = self._call("Fail", request).action
        return action

    def reject(
        self, action_id: int, lease_token: str = "", *, reason: str, validator: str
    ) -> pb.Action:
        """claimed -> rejected."""
        request = spb.RejectRequest(
            id=action_id, lease_token=lease_token, reason=reason, validator=validator
        )
        action: pb.Action = self._call("Reject", request).action
        return action

    def cancel(self, action_id: int, *, reason: str, actor: str = "") -> pb.Action:
        """pending|claimed -> cancelled."""
        request = spb.CancelRequest(id=action_id, reason=reason, actor=actor)
        action: pb.Action = self._call("Cancel", request).action
        return action

    def sweep(self) -> list[pb.Action]:
        """Requeue expired claims now."""
        return list(self._call("Sweep", spb.SweepRequest()).actions)

    def list_events(
        self,
        *,
        after_cursor: int = 0,
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        page_size: int = 100,
    ) -> spb.ListEventsResponse:
        """One page of the event log after a cursor."""
        request = spb.ListEventsRequest(
            after_cursor=after_cursor,
            action_ids=list(action_ids),
            event_types=list(event_types),
            page_size=page_size,
        )
        response: spb.ListEventsResponse = self._call("ListEvents", request)
        return response

    def watch_events(
        self,
        *,
        after_cursor: int = 0,
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        from_end: bool = False,
        max_batch: int = 0,
    ) -> EventStream:
        """Follow the log live; the stream's `.cancel()` ends it."""
        request = spb.WatchEventsRequest(
            after_cursor=after_cursor,
            action_ids=list(action_ids),
            event_types=list(event_types),
            from_end=from_end,
            max_batch=max_batch,
        )
        stream = self.stub.WatchEvents(request, metadata=self._metadata)
        return EventStream(stream, self.address)

    def follow_events(
        self,
        *,
        after_cursor: int = 0,
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        from_end: bool = False,
        retry_delay: float = 1.0,
    ) -> Iterator[pb.Event]:
        """Every event after the cursor, until the caller stops iterating: when the
        stream ends or breaks (the server restarts, the database is down), it
        resumes from the last cursor it saw, so nothing is lost or repeated."""
        cursor = self.stats().latest_event_cursor if from_end else after_cursor
        ids, types = list(action_ids), list(event_types)
        while True:
            stream = self.watch_events(after_cursor=cursor, action_ids=ids, event_types=types)
            try:
                for message in stream:
                    yield from message.events
                    cursor = message.cursor
            except Error as exc:
                if exc.code != "UNAVAILABLE":
                    raise
            finally:
                stream.cancel()
            # The stream ended (a draining server ends it cleanly) or broke: resume.
            time.sleep(retry_delay)

    def emit(
        self, event_type: str, actor: str, payload: dict[str, Any], action_id: int = 0
    ) -> pb.Event:
        """Append a coordinator event."""
        request = spb.EmitEventRequest(
            event_type=event_type, actor=actor, payload=_struct(payload), action_id=action_id
        )
        event: pb.Event = self._call("EmitEvent", request).event
        return event

    def stats(self, *, queue: str = "", project: str = "") -> spb.GetQueueStatsResponse:
        """Counts per queue and action type."""
        response: spb.GetQueueStatsResponse = self._call(
            "GetQueueStats", spb.GetQueueStatsRequest(queue=queue, project=project)
        )
        return response

    def migrate(self) -> spb.MigrateResponse:
        """Create or upgrade the schema."""
        response: spb.MigrateResponse = self._call(
            "Migrate", spb.MigrateRequest(), timeout=max(self.timeout, 60.0)
        )
        return response


class EventStream:
    """Iterates a server stream, raising `Error` instead of grpc errors."""

    def __init__(self, stream: Any, address: str) -> None:
        self._stream = stream
        self._address = address

    def __iter__(self) -> Iterator[spb.WatchEventsResponse]:
        try:
            yield from self._stream
        except grpc.RpcError as exc:
            if exc.code() is grpc.StatusCode.CANCELLED:
                return
            raise Error.from_rpc(exc, self._address) from None

    def cancel(self) -> None:
        """End the stream."""
        self._stream.cancel()


class AsyncClient:
    """An asyncio client with the same calls as `Client`, as coroutines."""

    def __init__(
        self,
        address: str | None = None,
        *,
        tls: bool = False,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.address = _target(address)
        self.timeout = timeout
        if tls:
            self._channel = grpc.aio.secure_channel(
                self.address, _credentials(token), options=CHANNEL_OPTIONS
            )
        else:
            self._channel = grpc.aio.insecure_channel(self.address, options=CHANNEL_OPTIONS)
        self._metadata = (("authorization", f"Bearer {token}"),) if token and not tls else ()
        self.stub = service_pb2_grpc.ActionQueueServiceStub(self._channel)

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(self, method: str, request: Any, timeout: float | None = None) -> Any:
        try:
            return await getattr(self.stub, method)(
                request, timeout=timeout or self.timeout, metadata=self._metadata
            )
        except grpc.RpcError as exc:
            raise Error.from_rpc(exc, self.address) from None

    async def enqueue(self, actions: Iterable[pb.NewAction]) -> list[pb.EnqueuedAction]:
        """Enqueue a batch atomically; results in request order."""
        response = await self._call("Enqueue", spb.EnqueueRequest(actions=list(actions)))
        return list(response.actions)

    async def add(self, action_type: str, project: str, **fields: Any) -> pb.Action:
        """Enqueue one action (see `new_action` for the fields)."""
        done = await self.enqueue([new_action(action_type, project, **fields)])
        action: pb.Action = done[0].action
        return action

    async def get(self, action_id: int) -> pb.Action:
        """One action."""
        action: pb.Action = (
            await self._call("GetAction", spb.GetActionRequest(id=action_id))
        ).action
        return action

    async def claim(
        self,
        worker: str,
        *,
        queue: str = "",
        action_types: Iterable[str] = (),
        project: str = "",
        max_actions: int = 1,
        lease: float | None = None,
        wait: float | None = None,
    ) -> list[pb.ClaimedAction]:
        """Claim up to max_actions, waiting up to `wait` seconds for work."""
        request = _Requests.claim(worker, queue, action_types, project, max_actions, lease, wait)
        timeout = (wait or 0) + self.timeout + WAIT_MARGIN
        return list((await self._call("Claim", request, timeout=timeout)).actions)

    async def heartbeat(
        self, action_id: int, lease_token: str, lease: float | None = None
    ) -> spb.HeartbeatResponse:
        """Extend a lease; `.cancelled` tells the worker to stop."""
        request = spb.HeartbeatRequest(
            id=action_id, lease_token=lease_token, lease=_duration(lease)
        )
        response: spb.HeartbeatResponse = await self._call("Heartbeat", request)
        return response

    async def complete(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        result_ref: str = "",
        result: dict[str, Any] | None = None,
    ) -> pb.Action:
        """claimed -> completed."""
        request = spb.CompleteRequest(
            id=action_id, lease_token=lease_token, result_ref=result_ref, result=_struct(result)
        )
        action: pb.Action = (await self._call("Complete", request)).action
        return action

    async def complete_many(
        self, completions: Iterable[spb.CompleteRequest]
    ) -> spb.CompleteManyResponse:
        """Complete several actions at once; refused items come back in `.failures`."""
        request = spb.CompleteManyRequest(completions=list(completions))
        response: spb.CompleteManyResponse = await self._call("CompleteMany", request)
        return response

    async def fail(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        reason: str,
        retry_delay: float | None = None,
        no_retry: bool = False,
    ) -> pb.Action:
        """claimed -> failed, or pending again while attempts remain."""
        request = spb.FailRequest(
            id=action_id,
            lease_token=lease_token,
            reason=reason,
            retry_delay=_duration(retry_delay),
            no_retry=no_retry,
        )
        action: pb.Action = (await self._call("Fail", request)).action
        return action

    async def reject(
        self, action_id: int, lease_token: str = "", *, reason: str, validator: str
    ) -> pb.Action:
        """claimed -> rejected."""
        request = spb.RejectRequest(
            id=action_id, lease_token=lease_token, reason=reason, validator=validator
        )
        action: pb.Action = (await self._call("Reject", request)).action
        return action

    async def cancel(self, action_id: int, *, reason: str, actor: str = "") -> pb.Action:
        """pending|claimed -> cancelled."""
        request = spb.CancelRequest(id=action_id, reason=reason, actor=actor)
        action: pb.Action = (await self._call("Cancel", request)).action
        return action

    async def watch_events(
        self,
        *,
        after_cursor: int = 0,
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        from_end: bool = False,
        max_batch: int = 0,
    ) -> AsyncIterator[spb.WatchEventsResponse]:
        """Follow the log live."""
        request = spb.WatchEventsRequest(
            after_cursor=after_cursor,
            action_ids=list(action_ids),
            event_types=list(event_types),
            from_end=from_end,
            max_batch=max_batch,
        )
        try:
            async for response in self.stub.WatchEvents(request, metadata=self._metadata):
                yield response
        except grpc.RpcError as exc:
            raise Error.from_rpc(exc, self.address) from None
