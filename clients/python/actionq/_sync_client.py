"""The blocking client. GENERATED from _async_client.py by clients/python/gen_sync.py
(unasync): do not edit; change _async_client.py and run `make gen`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from . import records
from ._wire import (
    DEFAULT_TIMEOUT,
    ENQUEUE_ATTEMPTS,
    ENQUEUE_BACKOFF,
    WAIT_MARGIN,
    Security,
    backoff_message,
    claim_request,
    completion,
    duration,
    list_actions_request,
    new_action,
    sync_channel,
    sync_sleep,
    target,
    timestamp,
)
from .errors import (
    DeadlineExceeded,
    Unavailable,
    WaitTimeout,
    WatcherTooSlow,
    error_from_rpc,
    make_error,
)
from .records import (
    Action,
    ActionPage,
    Backoff,
    Checkpoint,
    ClaimedAction,
    CompleteManyResult,
    EnqueuedIds,
    EnqueueResult,
    Event,
    EventBatch,
    EventPage,
    Heartbeat,
    MigrateReport,
    NewToken,
    PruneResult,
    Queue,
    QueueLimit,
    QueueStats,
    RetryResult,
    Schedule,
    SignalResult,
    Suspension,
    SweepResult,
    Token,
    WorkflowRun,
    encode_object,
    role_number,
)
from .tracing import call_metadata
from .v1 import action_pb2 as pb
from .v1 import service_pb2 as spb
from .v1 import service_pb2_grpc

SignalModeName = Literal["broadcast", "one"]
SIGNAL_MODES: dict[str, pb.SignalMode.ValueType] = {
    "broadcast": pb.SIGNAL_MODE_BROADCAST,
    "one": pb.SIGNAL_MODE_ONE,
}


class Client:
    """A client of one actionq server; `AsyncClient`'s calls are coroutines,
    `Client`'s block. Every call raises an `ActionqError` subclass on a non-OK
    status."""

    def __init__(
        self,
        address: str | None = None,
        *,
        tls: bool = False,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        enqueue_attempts: int = ENQUEUE_ATTEMPTS,
        ca_file: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
    ) -> None:
        """`token` (else ACTIONQ_TOKEN; "" sends none) is sent as a bearer
        token. TLS is on with `tls` (else ACTIONQ_TLS=true), or with a
        `ca_file` (else ACTIONQ_CA_FILE: PEM roots to trust instead of the
        system's); `cert_file` and `key_file` (else ACTIONQ_CLIENT_CERT and
        ACTIONQ_CLIENT_KEY) add a client certificate (mutual TLS)."""
        self.address = target(address)
        self.timeout = timeout
        self.enqueue_attempts = max(1, enqueue_attempts)
        security = Security.of(tls, token, ca_file, cert_file, key_file)
        security.warn_if_exposed(self.address)
        self._channel = sync_channel(self.address, security)
        self._metadata = security.metadata()
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
                request, timeout=timeout or self.timeout, metadata=self._metadata + call_metadata()
            )
        except grpc.RpcError as exc:
            raise error_from_rpc(exc, self.address) from None

    def enqueue(
        self, actions: Iterable[pb.NewAction], *, request_id: str | None = None
    ) -> EnqueueResult:
        """Enqueue a batch atomically (build items with `new_action`); the
        result lists the stored actions in request order.

        The call carries a request_id (a fresh UUID unless given) and is retried
        with it when no answer came (UNAVAILABLE, deadline), so a retry after a
        lost reply stores nothing twice; the server then answers `replayed`."""
        request = spb.EnqueueRequest(
            actions=list(actions), request_id=request_id or str(uuid.uuid4())
        )
        return records.enqueue_result(self._enqueue(request), request.request_id)

    def enqueue_ids(
        self, actions: Iterable[pb.NewAction], *, request_id: str | None = None
    ) -> EnqueuedIds:
        """As `enqueue`, but the server answers only the stored actions' ids
        (ENQUEUE_VIEW_ID): the cheapest call for producers that do not read the
        stored actions back."""
        request = spb.EnqueueRequest(
            actions=list(actions),
            request_id=request_id or str(uuid.uuid4()),
            view=spb.ENQUEUE_VIEW_ID,
        )
        return records.enqueued_ids(self._enqueue(request), request.request_id)

    def _enqueue(self, request: spb.EnqueueRequest) -> spb.EnqueueResponse:
        """Send an Enqueue, retrying it under its request_id while no answer came."""
        delay, longest = ENQUEUE_BACKOFF
        attempt = 1
        while True:
            try:
                response: spb.EnqueueResponse = self._call("Enqueue", request)
            except (Unavailable, DeadlineExceeded):
                if attempt >= self.enqueue_attempts:
                    raise
            else:
                return response
            sync_sleep(delay)
            attempt += 1
            delay = min(delay * 2, longest)

    def add(self, action_type: str, project: str, **fields: Any) -> Action:
        """Enqueue one action (see `new_action` for the fields) and return it."""
        done = self.enqueue([new_action(action_type, project, **fields)])
        return done[0].action

    def get(self, action_id: int) -> Action:
        """One action."""
        response = self._call("GetAction", spb.GetActionRequest(id=action_id))
        return Action.from_proto(response.action)

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
        workflow_id: str = "",
        target_ref_contains: str = "",
    ) -> ActionPage:
        """One page of actions, filtered; statuses by name ("pending", ...);
        `target_ref_contains` keeps those whose target_ref contains it (any case)."""
        request = list_actions_request(
            statuses,
            action_type,
            project,
            queue,
            page_size,
            page_token,
            newest_first,
            workflow_id,
            target_ref_contains,
        )
        return records.action_page(self._call("ListActions", request))

    def iter_actions(
        self,
        *,
        statuses: Iterable[str] = (),
        action_type: str = "",
        project: str = "",
        queue: str = "",
        page_size: int = 1000,
        newest_first: bool = False,
        workflow_id: str = "",
        target_ref_contains: str = "",
    ) -> Iterator[Action]:
        """Every matching action, page after page."""
        wanted = list(statuses)
        token = ""
        while True:
            page = self.list_actions(
                statuses=wanted,
                action_type=action_type,
                project=project,
                queue=queue,
                page_size=page_size,
                page_token=token,
                newest_first=newest_first,
                workflow_id=workflow_id,
                target_ref_contains=target_ref_contains,
            )
            yield from page.actions
            token = page.next_page_token
            if not token:
                return

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
        queues: Iterable[str] = (),
    ) -> list[ClaimedAction]:
        """Claim up to max_actions, waiting up to `wait` seconds for work;
        from `queue`, or from any of `queues` (paused queues are skipped)."""
        request = claim_request(
            worker, queue, action_types, project, max_actions, lease, wait, queues
        )
        timeout = (wait or 0) + self.timeout + WAIT_MARGIN
        return records.claimed(self._call("Claim", request, timeout=timeout))

    def heartbeat(
        self,
        action_id: int,
        lease_token: str,
        lease: float | None = None,
        *,
        progress: dict[str, Any] | None = None,
    ) -> Heartbeat:
        """Extend a lease by `lease` seconds (unset: 30 s); `.cancelled` tells
        the worker to stop. `progress`, a JSON object, is stored on the action
        and logged as an action_progress event."""
        request = spb.HeartbeatRequest(
            id=action_id,
            lease_token=lease_token,
            lease=duration(lease),
            progress_json=encode_object(progress, "progress") if progress is not None else "",
        )
        return records.heartbeat(self._call("Heartbeat", request))

    def complete(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        result_ref: str = "",
        result: dict[str, Any] | None = None,
        actor: str = "",
    ) -> Action:
        """claimed -> completed, with an optional reference and JSON result."""
        request = completion(
            action_id, lease_token, result_ref=result_ref, result=result, actor=actor
        )
        return Action.from_proto((self._call("Complete", request)).action)

    def complete_many(self, completions: Iterable[spb.CompleteRequest]) -> CompleteManyResult:
        """Complete several actions at once (items from `completion`); refused
        items come back in `.failures`, each with its reason."""
        request = spb.CompleteManyRequest(completions=list(completions))
        return records.complete_many(self._call("CompleteMany", request))

    def fail(
        self,
        action_id: int,
        lease_token: str = "",
        *,
        reason: str,
        retry_delay: float | None = None,
        no_retry: bool = False,
        actor: str = "",
    ) -> Action:
        """claimed -> pending again at now + backoff while attempts remain (after
        `retry_delay` seconds when given), else failed; `no_retry` ends it
        failed whatever attempts remain."""
        request = spb.FailRequest(
            id=action_id,
            lease_token=lease_token,
            reason=reason,
            retry_delay=duration(retry_delay),
            no_retry=no_retry,
            actor=actor,
        )
        return Action.from_proto((self._call("Fail", request)).action)

    def reject(
        self, action_id: int, lease_token: str = "", *, reason: str, validator: str
    ) -> Action:
        """claimed -> rejected."""
        request = spb.RejectRequest(
            id=action_id, lease_token=lease_token, reason=reason, validator=validator
        )
        return Action.from_proto((self._call("Reject", request)).action)

    def cancel(self, action_id: int, *, reason: str, actor: str = "") -> Action:
        """pending|claimed -> cancelled."""
        request = spb.CancelRequest(id=action_id, reason=reason, actor=actor)
        return Action.from_proto((self._call("Cancel", request)).action)

    def sweep(self) -> SweepResult:
        """Requeue expired claims now; returns what was requeued."""
        return records.sweep_result(self._call("Sweep", spb.SweepRequest()))

    def list_events(
        self,
        *,
        after_cursor: str = "",
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        page_size: int = 100,
    ) -> EventPage:
        """One page of the event log after a cursor ("" is the start of the log)."""
        request = spb.ListEventsRequest(
            after_cursor=after_cursor,
            action_ids=list(action_ids),
            event_types=list(event_types),
            page_size=page_size,
        )
        return records.event_page(self._call("ListEvents", request))

    def iter_events(
        self,
        *,
        after_cursor: str = "",
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        page_size: int = 1000,
    ) -> Iterator[Event]:
        """Every matching event after the cursor that is readable now, page after
        page; ends when a page brings nothing and the cursor stops moving."""
        ids, types = list(action_ids), list(event_types)
        cursor = after_cursor
        while True:
            page = self.list_events(
                after_cursor=cursor, action_ids=ids, event_types=types, page_size=page_size
            )
            yield from page.events
            if not page.events and page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def watch_events(
        self,
        *,
        after_cursor: str = "",
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        from_end: bool = False,
        max_batch: int = 0,
    ) -> EventStream:
        """Follow the log live from a cursor: iterate the stream for
        `EventBatch`es; its `cancel()` ends it."""
        request = spb.WatchEventsRequest(
            after_cursor=after_cursor,
            action_ids=list(action_ids),
            event_types=list(event_types),
            from_end=from_end,
            max_batch=max_batch,
        )
        return EventStream(self.stub.WatchEvents(request, metadata=self._metadata), self.address)

    def follow_events(
        self,
        *,
        after_cursor: str = "",
        action_ids: Iterable[int] = (),
        event_types: Iterable[str] = (),
        from_end: bool = False,
        retry_delay: float = 1.0,
    ) -> Iterator[Event]:
        """Every event after the cursor, until the caller stops iterating.

        An unreachable server at the start raises `Unavailable` at once. Once
        connected, when the stream ends or breaks (the server restarts, the
        database is down) it resumes from the last cursor the server gave, so
        nothing is lost or repeated. A stream the server closed because this
        reader fell behind (`WatcherTooSlow`) resumes the same way, at once."""
        cursor = (self.stats()).latest_event_cursor if from_end else after_cursor
        if not from_end:
            self.ping()
        ids, types = list(action_ids), list(event_types)
        while True:
            stream = self.watch_events(after_cursor=cursor, action_ids=ids, event_types=types)
            try:
                for batch in stream:
                    yield from batch.events
                    cursor = batch.cursor
            except WatcherTooSlow:
                # Every batch sent before the error has been read: resume now
                # from the last one (the error's cursor is never ahead of it).
                stream.cancel()
                continue
            except Unavailable:
                pass
            finally:
                stream.cancel()
            # The stream ended (a draining server ends it cleanly) or broke: resume.
            sync_sleep(retry_delay)

    def ping(self) -> None:
        """Check that a server answers at the address (gRPC health, no database
        work); raises `Unavailable` when none does."""
        health = health_pb2_grpc.HealthStub(self._channel)
        try:
            health.Check(health_pb2.HealthCheckRequest(), timeout=self.timeout)
        except grpc.RpcError as exc:
            error = error_from_rpc(exc, self.address)
            if isinstance(error, (Unavailable, DeadlineExceeded)):
                raise error from None

    def emit(
        self, event_type: str, actor: str, payload: dict[str, Any], action_id: int = 0
    ) -> Event:
        """Append a coordinator event with a JSON object payload."""
        request = spb.EmitEventRequest(
            event_type=event_type,
            actor=actor,
            payload_json=encode_object(payload),
            action_id=action_id,
        )
        return Event.from_proto((self._call("EmitEvent", request)).event)

    def stats(
        self, *, queue: str = "", project: str = "", include_completed: bool = False
    ) -> QueueStats:
        """Counts per queue and action type, and the cursor of the log's end.
        `completed` counts every stored completed action only with
        include_completed (it reads each such row); it is 0 otherwise."""
        request = spb.GetQueueStatsRequest(
            queue=queue, project=project, include_completed=include_completed
        )
        return records.queue_stats(self._call("GetQueueStats", request))

    def retry(
        self,
        ids: Iterable[int] = (),
        *,
        statuses: Iterable[str] = (),
        action_type: str = "",
        project: str = "",
        queue: str = "",
        limit: int = 0,
        actor: str = "",
    ) -> RetryResult:
        """Put dead actions (failed, rejected, cancelled) back to pending with
        fresh attempts: the named `ids` (all must be dead, or none is retried),
        or up to `limit` matching the filter (statuses by name; none means
        failed). Call again while `.more`."""
        request = spb.RetryRequest(
            ids=list(ids),
            statuses=[records.status_number(s) for s in statuses],
            action_type=action_type,
            project=project,
            queue=queue,
            limit=limit,
            actor=actor,
        )
        return records.retry_result(self._call("Retry", request))

    def wait(self, ids: int | Iterable[int], timeout: float | None = None) -> list[Action]:
        """Wait until every named action is in a terminal status and return
        them in request order; `WaitTimeout` when `timeout` seconds (unset: up
        to an hour) pass first. Built on the server's event stream, not polling."""
        wanted = [ids] if isinstance(ids, int) else list(ids)
        request = spb.WaitActionRequest(ids=wanted, timeout=duration(timeout))
        deadline = (timeout if timeout is not None else 3600.0) + WAIT_MARGIN
        try:
            response = self._call("WaitAction", request, timeout=deadline)
        except DeadlineExceeded as exc:
            if isinstance(exc, WaitTimeout):
                raise
            raise make_error(
                "DEADLINE_EXCEEDED",
                f"actions {wanted} did not all finish within {timeout}s ({exc.message})",
                reason="WAIT_TIMEOUT",
            ) from None
        return [Action.from_proto(a) for a in response.actions]

    def save_checkpoint(
        self, action_id: int, lease_token: str, step: str, state: dict[str, Any] | None = None
    ) -> Checkpoint:
        """Save (or replace) a step's JSON state under the lease of a claimed
        action; a stale lease raises StaleLease."""
        request = spb.SaveCheckpointRequest(
            id=action_id,
            lease_token=lease_token,
            step=step,
            state_json=encode_object(state if state is not None else {}, "state"),
        )
        return Checkpoint.from_proto((self._call("SaveCheckpoint", request)).checkpoint)

    def get_checkpoints(self, action_id: int) -> list[Checkpoint]:
        """Every checkpoint of an action, from every attempt, oldest step first."""
        response = self._call("GetCheckpoints", spb.GetCheckpointsRequest(id=action_id))
        return [Checkpoint.from_proto(k) for k in response.checkpoints]

    def list_queues(self) -> list[Queue]:
        """Every queue, by name, with its defaults, paused flag and counts."""
        return records.queues(self._call("ListQueues", spb.ListQueuesRequest()))

    def update_queue(
        self,
        queue: str,
        *,
        max_attempts: int = 0,
        backoff: Backoff | str | None = None,
        lease: float | None = None,
        actor: str = "",
    ) -> Queue:
        """Set a queue's defaults, creating it if needed; 0 and None keep the
        current value. `backoff` is a Backoff or its spelling, `lease` seconds."""
        request = spb.UpdateQueueRequest(
            queue=queue,
            max_attempts=max_attempts,
            backoff=backoff_message(backoff),
            lease=duration(lease),
            actor=actor,
        )
        return Queue.from_proto((self._call("UpdateQueue", request)).queue)

    def pause_queue(self, queue: str, *, actor: str = "", reason: str = "") -> Queue:
        """Stop claiming from a queue (enqueuing continues); `QueueNotFound`
        for a queue that does not exist."""
        request = spb.PauseQueueRequest(queue=queue, actor=actor, reason=reason)
        return Queue.from_proto((self._call("PauseQueue", request)).queue)

    def resume_queue(self, queue: str, *, actor: str = "") -> Queue:
        """Let claiming from a paused queue continue; wakes waiting claims."""
        request = spb.ResumeQueueRequest(queue=queue, actor=actor)
        return Queue.from_proto((self._call("ResumeQueue", request)).queue)

    def prune(self, older_than: float | None = None, *, limit: int = 0) -> PruneResult:
        """Delete up to `limit` (0: 1,000) finished actions older than
        `older_than` seconds (unset: the server's ACTIONQ_RETENTION) and drop
        the event partitions wholly before the cutoff. Call again while `.more`."""
        request = spb.PruneRequest(older_than=duration(older_than), limit=limit)
        timeout = max(self.timeout, 60.0)
        return records.prune_result(self._call("Prune", request, timeout=timeout))

    def create_schedule(
        self,
        name: str,
        cron: str,
        action: pb.NewAction,
        *,
        time_zone: str = "",
        replace: bool = False,
        paused: bool = False,
        actor: str = "",
    ) -> Schedule:
        """Create a cron schedule that enqueues `action` (build it with
        `new_action`; no idempotency_key, run_after or parent_id) at each tick
        of `cron` read in `time_zone` (IANA, "" for UTC). `ScheduleExists`
        when the name is taken, unless `replace`."""
        request = spb.CreateScheduleRequest(
            name=name,
            cron=cron,
            time_zone=time_zone,
            action=action,
            replace=replace,
            paused=paused,
            actor=actor,
        )
        return Schedule.from_proto((self._call("CreateSchedule", request)).schedule)

    def list_schedules(self) -> list[Schedule]:
        """Every schedule, by name."""
        response = self._call("ListSchedules", spb.ListSchedulesRequest())
        return [Schedule.from_proto(s) for s in response.schedules]

    def pause_schedule(self, name: str, *, actor: str = "") -> Schedule:
        """Stop a schedule's ticks; `ScheduleNotFound` for an unknown name."""
        request = spb.PauseScheduleRequest(name=name, actor=actor)
        return Schedule.from_proto((self._call("PauseSchedule", request)).schedule)

    def resume_schedule(self, name: str, *, actor: str = "") -> Schedule:
        """Restart a paused schedule from its next tick after now (the ticks
        missed while paused are not enqueued)."""
        request = spb.ResumeScheduleRequest(name=name, actor=actor)
        return Schedule.from_proto((self._call("ResumeSchedule", request)).schedule)

    def delete_schedule(self, name: str, *, actor: str = "") -> Schedule:
        """Remove a schedule (the actions it enqueued stay); returns it as it was."""
        request = spb.DeleteScheduleRequest(name=name, actor=actor)
        return Schedule.from_proto((self._call("DeleteSchedule", request)).schedule)

    def create_token(
        self,
        name: str,
        role: str,
        *,
        names: Iterable[str] = (),
        expires_in: float | None = None,
    ) -> NewToken:
        """Make an API token (admin); its secret is in the result, only now."""
        request = spb.CreateTokenRequest(
            name=name, role=role_number(role), names=list(names), expires_in=duration(expires_in)
        )
        response = self._call("CreateToken", request)
        return NewToken(Token.from_proto(response.token), response.secret)

    def list_tokens(self) -> list[Token]:
        """Every token, newest first (admin)."""
        response = self._call("ListTokens", spb.ListTokensRequest())
        return [Token.from_proto(t) for t in response.tokens]

    def revoke_token(self, token_id: str) -> Token:
        """Revoke a token (admin); within a second no server accepts it."""
        response = self._call("RevokeToken", spb.RevokeTokenRequest(id=token_id))
        return Token.from_proto(response.token)

    # ---- signals and durable sleep ----

    def suspend(
        self,
        action_id: int,
        lease_token: str,
        step: str,
        *,
        signal: str = "",
        until: datetime | None = None,
        timeout: float | timedelta | None = None,
    ) -> Suspension:
        """Give up a claimed action's lease until `signal` arrives, or until
        `until` / after `timeout` (a sleep: no signal, one of them required).
        `.suspended` False: the wait was answered at once (its step woke
        before, or a kept signal matched) and `.wake` says how; the action is
        still yours. The wake-up is saved as the checkpoint of `step`."""
        if isinstance(timeout, timedelta):
            timeout = timeout.total_seconds()
        request = spb.SuspendRequest(
            id=action_id,
            lease_token=lease_token,
            step=step,
            signal=signal,
            until=timestamp(until),
            timeout=duration(timeout),
        )
        return Suspension.from_proto(self._call("Suspend", request))

    def signal(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        mode: SignalModeName = "broadcast",
        keep: float | timedelta | None = None,
        actor: str = "",
    ) -> SignalResult:
        """Send a named signal. "broadcast" wakes every action waiting for it;
        "one" wakes the one waiting longest and is then used up. It is kept
        `keep` (seconds or timedelta; None: 24 h, 0: not kept) for actions that
        start waiting later."""
        if isinstance(keep, timedelta):
            keep = keep.total_seconds()
        if mode not in SIGNAL_MODES:
            raise ValueError(f"mode must be 'broadcast' or 'one', not {mode!r}")
        request = spb.SignalRequest(
            name=name,
            payload_json=encode_object(payload if payload is not None else {}, "payload"),
            mode=SIGNAL_MODES[mode],
            keep=duration(keep),
            actor=actor,
        )
        return SignalResult.from_proto(self._call("Signal", request))

    # ---- end of signals ----

    # ---- workflows ----

    def enqueue_workflow(
        self,
        actions: Iterable[pb.NewAction],
        *,
        workflow_id: str | None = None,
        request_id: str | None = None,
    ) -> EnqueueResult:
        """Enqueue a workflow run in one atomic call: every action (built with
        `new_action`, dependencies by position with `depends_on_index`) joins
        `workflow_id`, a fresh UUID unless given (an action naming its own
        keeps it). The run's id is `result[0].action.workflow_id`."""
        run = workflow_id or str(uuid.uuid4())
        items = []
        for action in actions:
            item = pb.NewAction()
            item.CopyFrom(action)
            item.workflow_id = item.workflow_id or run
            items.append(item)
        return self.enqueue(items, request_id=request_id)

    def get_workflow(self, workflow_id: str) -> WorkflowRun:
        """A workflow run: its status, counts by status and actions in id order."""
        request = spb.GetWorkflowRequest(workflow_id=workflow_id)
        return WorkflowRun.from_proto(self._call("GetWorkflow", request))

    # ---- end of workflows ----

    # ---- limits ----

    def set_queue_limits(
        self,
        queue: str,
        limits: Iterable[QueueLimit | pb.QueueLimit],
        *,
        replace: bool = False,
        actor: str = "",
    ) -> Queue:
        """Set a queue's concurrency and rate limits (creating the queue if
        needed): each limit replaces the one of its scope (and action type); one
        with concurrency and rate 0 removes it; `replace` removes every other
        limit first. Returns the queue with its limits."""
        request = spb.SetQueueLimitsRequest(
            queue=queue,
            limits=[x.to_proto() if isinstance(x, QueueLimit) else x for x in limits],
            replace=replace,
            actor=actor,
        )
        return Queue.from_proto((self._call("SetQueueLimits", request)).queue)

    # ---- end of limits ----

    def migrate(self) -> MigrateReport:
        """Create or upgrade the schema."""
        request = spb.MigrateRequest()
        timeout = max(self.timeout, 60.0)
        return records.migrate_report(self._call("Migrate", request, timeout=timeout))


class EventStream:
    """A live WatchEvents subscription: yields `EventBatch`es, raises typed
    errors, and ends quietly after `cancel()`."""

    def __init__(self, call: Any, address: str) -> None:
        self._call = call
        self._address = address
        self._cancelled = False

    def __iter__(self) -> Iterator[EventBatch]:
        try:
            for message in self._call:
                yield records.event_batch(message)
        except grpc.RpcError as exc:
            if self._cancelled or exc.code() is grpc.StatusCode.CANCELLED:
                return
            raise error_from_rpc(exc, self._address) from None
        except asyncio.CancelledError:
            if not self._cancelled:
                raise

    def cancel(self) -> None:
        """End the stream."""
        self._cancelled = True
        self._call.cancel()
