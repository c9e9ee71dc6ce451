"""ActionQueueService: each RPC validates, calls the service, converts back."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc

from ..domain import validation as v
from ..domain.cron import Cron
from ..domain.errors import ActionqError, FailedPrecondition, InvalidArgument, WatcherTooSlow
from ..domain.jsontext import json_object_text
from ..domain.models import (
    COORDINATOR_EVENT_TYPES,
    Completion,
    PruneOutcome,
    RequestKey,
    Status,
)
from ..domain.workflows import workflow_id
from ..service import QueueService
from ..store.schedules import ScheduleStore
from ..store.signals import SignalStore
from ..store.tokens import TokenStore
from ..store.workflows import WorkflowStore
from ..waker import Waker
from . import convert as c
from . import convert_signals as cs
from . import convert_tokens as ct
from . import convert_workflows
from .auth import current
from .convert_limits import requested_limits
from .errors import code_name
from .identity import must_hold_lease, who

log = logging.getLogger(__name__)

Context = Any
# How long before the caller's deadline a wait gives up and says so.
DEADLINE_MARGIN = 0.05
# Prune: one batch of (older than seconds, at most this many actions).
Pruner = Callable[[float, int], Awaitable[PruneOutcome]]
MAX_RETENTION_SECONDS = 100 * 365.25 * 86400
PRUNE_LIMIT_DEFAULT = 1000
PRUNE_LIMIT_MAX = 10_000


class ActionQueueServicer(service_pb2_grpc.ActionQueueServiceServicer):
    """The gRPC handlers. Errors propagate to the ErrorInterceptor."""

    def __init__(
        self,
        service: QueueService,
        *,
        max_chain_depth: int,
        rate_limit: int,
        prune: Pruner | None = None,
        retention_seconds: float = 7 * 86400.0,
        tokens: TokenStore | None = None,
        waker: Waker | None = None,
        watch_stall_seconds: float = 30.0,
    ) -> None:
        self._service = service
        self._tokens = tokens or TokenStore(service.store.pool)
        self._store = service.store
        self._max_chain_depth = max_chain_depth
        self._rate_limit = rate_limit
        self._prune = prune
        self._retention_seconds = retention_seconds
        self._waker = waker
        self._watch_stall_seconds = watch_stall_seconds

    async def Enqueue(self, request: spb.EnqueueRequest, context: Context) -> spb.EnqueueResponse:
        new = c.new_actions(request)
        if current.get() is not None:
            new = [
                n._replace(created_by=who(f"actions[{i}].created_by", m.created_by, ""))
                for i, (n, m) in enumerate(zip(new, request.actions, strict=True))
            ]
        request_id = v.request_id("request_id", request.request_id)
        key = None
        if request_id is not None:
            digest = hashlib.sha256(request.SerializeToString(deterministic=True)).digest()
            key = RequestKey(request_id, digest)
        result = await self._store.enqueue(
            new,
            max_chain_depth=self._max_chain_depth,
            rate_limit_per_hour=self._rate_limit,
            request=key,
        )
        response = spb.EnqueueResponse(replayed=result.replayed)
        if request.view == spb.ENQUEUE_VIEW_ID:
            for e in result.items:
                response.actions.add(duplicate=e.duplicate).action.id = e.action.id
        else:
            for e in result.items:
                c.fill_action(response.actions.add(duplicate=e.duplicate).action, e.action)
        return response

    async def GetAction(
        self, request: spb.GetActionRequest, context: Context
    ) -> spb.GetActionResponse:
        action = await self._store.get(v.positive_id("id", request.id))
        return spb.GetActionResponse(action=c.action(action))

    async def ListActions(
        self, request: spb.ListActionsRequest, context: Context
    ) -> spb.ListActionsResponse:
        limit = c.page_size(request.page_size)
        actions, more = await self._store.list_actions(
            c.action_filter(request),
            cursor=c.page_cursor(request.page_token),
            limit=limit,
            newest_first=request.newest_first,
        )
        token = str(actions[-1].id) if more and actions else ""
        response = spb.ListActionsResponse(next_page_token=token)
        for a in actions:
            c.fill_action(response.actions.add(), a)
        return response

    async def Claim(self, request: spb.ClaimRequest, context: Context) -> spb.ClaimResponse:
        if current.get() is not None:
            # With auth the worker is the principal (or one of its names).
            request.worker = who("worker", request.worker, "")
        spec = c.claim_spec(request)
        claimed = await self._service.claim(spec)
        if claimed and context.cancelled():
            # The caller went away while the claim ran: nobody will receive
            # these leases, so they go back without using up an attempt.
            await self._store.release(claimed, spec.worker)
            return spb.ClaimResponse()
        response = spb.ClaimResponse()
        for x in claimed:
            item = response.actions.add(lease_token=x.lease_token)
            c.fill_action(item.action, x.action)
        return response

    async def Heartbeat(
        self, request: spb.HeartbeatRequest, context: Context
    ) -> spb.HeartbeatResponse:
        outcome = await self._store.heartbeat(
            v.positive_id("id", request.id),
            v.lease_token("lease_token", request.lease_token, required=True) or "",
            c.lease(request, "lease"),
            json_object_text("progress_json", request.progress_json, empty=None),
        )
        return spb.HeartbeatResponse(
            claim_deadline=c.timestamp(outcome.claim_deadline), cancelled=outcome.cancelled
        )

    async def Complete(
        self, request: spb.CompleteRequest, context: Context
    ) -> spb.CompleteResponse:
        must_hold_lease("lease_token", request.lease_token)
        action = await self._store.complete(
            v.positive_id("id", request.id),
            _token(request.lease_token, required=False),
            v.text("result_ref", request.result_ref, limit=v.MAX_REF),
            json_object_text("result_json", request.result_json, empty=None),
            _actor(request.actor, None),
        )
        return spb.CompleteResponse(action=c.action(action))

    async def CompleteMany(
        self, request: spb.CompleteManyRequest, context: Context
    ) -> spb.CompleteManyResponse:
        items, invalid = c.completions(request)
        completed: list[int] = []
        refused: list[tuple[int, ActionqError]] = list(invalid)
        if current.get() is not None:
            items, denied = _authorized(items)
            refused.extend(denied)
        if items:
            completed, refused_by_store = await self._store.complete_many(items)
            refused.extend(refused_by_store)
        position = {m.id: i for i, m in enumerate(request.completions)}
        refused.sort(key=lambda item: position[item[0]])
        return spb.CompleteManyResponse(
            completed_ids=completed,
            failures=[
                spb.ItemFailure(
                    id=action_id,
                    code=code_name(error),
                    message=error.message,
                    reason=error.reason.value,
                )
                for action_id, error in refused
            ],
        )

    async def Fail(self, request: spb.FailRequest, context: Context) -> spb.FailResponse:
        retry_delay = c.duration(request, "retry_delay", low=0.0, high=v.MAX_RETRY_DELAY_SECONDS)
        must_hold_lease("lease_token", request.lease_token)
        action = await self._store.fail(
            v.positive_id("id", request.id),
            _token(request.lease_token, required=False),
            v.text("reason", request.reason, required=True),
            no_retry=request.no_retry,
            retry_delay=retry_delay,
            actor=_actor(request.actor, None),
        )
        return spb.FailResponse(action=c.action(action))

    async def Reject(self, request: spb.RejectRequest, context: Context) -> spb.RejectResponse:
        must_hold_lease("lease_token", request.lease_token)
        action = await self._store.reject(
            v.positive_id("id", request.id),
            _token(request.lease_token, required=False),
            v.text("reason", request.reason, required=True),
            v.name("validator", request.validator),
        )
        return spb.RejectResponse(action=c.action(action))

    async def Cancel(self, request: spb.CancelRequest, context: Context) -> spb.CancelResponse:
        action = await self._store.cancel(
            v.positive_id("id", request.id),
            v.text("reason", request.reason, required=True),
            _actor(request.actor, "operator"),
        )
        return spb.CancelResponse(action=c.action(action))

    async def Sweep(self, request: spb.SweepRequest, context: Context) -> spb.SweepResponse:
        swept = []
        while True:
            batch = await self._store.sweep()
            swept.extend(batch)
            if len(batch) < 1000:
                break
        listed = self._store.fit(swept)
        requeued = [a for a in swept if a.status is Status.PENDING]
        failed = [a for a in swept if a.status is not Status.PENDING]
        return spb.SweepResponse(
            actions=[c.action(a) for a in listed if a.status is Status.PENDING],
            requeued_count=len(requeued),
            failed=[c.action(a) for a in listed if a.status is not Status.PENDING],
            failed_count=len(failed),
        )

    async def ListEvents(
        self, request: spb.ListEventsRequest, context: Context
    ) -> spb.ListEventsResponse:
        where = c.event_filter(request)
        limit = c.page_size(request.page_size)
        after = c.log_position("after_cursor", request.after_cursor)
        page = await self._store.list_events(after, where, limit)
        response = spb.ListEventsResponse(next_cursor=c.cursor_token(page.next_cursor))
        for e in page.events:
            c.fill_event(response.events.add(), e)
        return response

    async def WatchEvents(
        self, request: spb.WatchEventsRequest, context: Context
    ) -> AsyncIterator[spb.WatchEventsResponse]:
        where = c.event_filter(request)
        max_batch = v.bounded(
            "max_batch", request.max_batch or c.DEFAULT_WATCH_BATCH, low=1, high=v.MAX_PAGE
        )
        after = c.log_position("after_cursor", request.after_cursor)
        pages = self._service.watch(after, where, max_batch, from_end=request.from_end)
        delivered = request.after_cursor
        async for page in pages:
            response = spb.WatchEventsResponse(cursor=c.cursor_token(page.next_cursor))
            for e in page.events:
                c.fill_event(response.events.add(), e)
            # Each write waits for the reader's flow-control window, so at most
            # one page is buffered per stream; a reader that stops reading
            # stalls the write, and past the stall limit its stream is closed.
            try:
                await asyncio.wait_for(context.write(response), self._watch_stall_seconds)
            except TimeoutError:
                log.info(
                    "closing a watcher that read nothing for %g s",
                    self._watch_stall_seconds,
                    extra={"event": "watcher_too_slow", "cursor": delivered},
                )
                raise WatcherTooSlow(
                    f"the watcher read nothing for {self._watch_stall_seconds:g} s; "
                    "resume from the last cursor received",
                    delivered,
                ) from None
            except Exception:
                # A write fails only when the call is over: the reader cancelled
                # or its connection dropped. End as grpc ends a cancelled call.
                raise asyncio.CancelledError from None
            delivered = response.cursor
        return
        # Still an async generator (what the interceptors wrap) that writes
        # with context.write, whose wait can be bounded.
        yield

    async def EmitEvent(
        self, request: spb.EmitEventRequest, context: Context
    ) -> spb.EmitEventResponse:
        if request.event_type not in COORDINATOR_EVENT_TYPES:
            raise InvalidArgument(
                "event_type", f"must be one of {', '.join(sorted(COORDINATOR_EVENT_TYPES))}"
            )
        action_id = v.positive_id("action_id", request.action_id) if request.action_id else None
        actor = who("actor", v.text("actor", request.actor, limit=v.MAX_NAME), "")
        if not actor:
            raise InvalidArgument("actor", "is required")
        payload = json_object_text("payload_json", request.payload_json) or "{}"
        event = await self._store.emit(request.event_type, actor, payload, action_id)
        return spb.EmitEventResponse(event=c.event(event))

    async def GetQueueStats(
        self, request: spb.GetQueueStatsRequest, context: Context
    ) -> spb.GetQueueStatsResponse:
        stats, horizon, now = await self._store.stats(
            v.name("queue", request.queue, required=False),
            v.name("project", request.project, required=False),
            request.include_completed,
        )
        return spb.GetQueueStatsResponse(
            stats=[c.queue_stat(s) for s in stats],
            latest_event_cursor=c.cursor_token(horizon),
            as_of=c.timestamp(now),
        )

    async def Retry(self, request: spb.RetryRequest, context: Context) -> spb.RetryResponse:
        actor = _actor(request.actor, "operator")
        if request.ids:
            if request.statuses or request.action_type or request.project or request.queue:
                raise InvalidArgument("ids", "retry either by ids or by filter, not both")
            if len(request.ids) > v.MAX_PAGE:
                raise InvalidArgument("ids", f"must name at most {v.MAX_PAGE} actions")
            if request.limit:
                raise InvalidArgument("limit", "applies to a retry by filter, not by ids")
            ids = [v.positive_id(f"ids[{i}]", x) for i, x in enumerate(request.ids)]
            return spb.RetryResponse(retried_ids=await self._store.retry(ids, actor))
        where = c.retry_filter(request)
        limit = v.bounded(
            "limit", request.limit or c.DEFAULT_RETRY_LIMIT, low=1, high=c.MAX_RETRY_LIMIT
        )
        retried, more = await self._store.retry_matching(where, limit, actor)
        return spb.RetryResponse(retried_ids=retried, more=more)

    async def WaitAction(
        self, request: spb.WaitActionRequest, context: Context
    ) -> spb.WaitActionResponse:
        if not request.ids:
            raise InvalidArgument("ids", "must name at least one action")
        if len(request.ids) > v.MAX_PAGE:
            raise InvalidArgument("ids", f"must name at most {v.MAX_PAGE} actions")
        ids = [v.positive_id(f"ids[{i}]", x) for i, x in enumerate(request.ids)]
        timeout = c.duration(request, "timeout", low=0.0, high=c.MAX_WAIT_ACTION_SECONDS)
        remaining = context.time_remaining()
        if remaining is not None:
            # Answer WAIT_TIMEOUT just before the caller's own deadline would.
            remaining = max(0.0, remaining - DEADLINE_MARGIN)
        if timeout is None:
            timeout = c.MAX_WAIT_ACTION_SECONDS if remaining is None else remaining
        elif remaining is not None:
            timeout = min(timeout, remaining)
        actions = await self._service.wait_finished(ids, timeout)
        return spb.WaitActionResponse(actions=[c.action(a) for a in actions])

    async def SaveCheckpoint(
        self, request: spb.SaveCheckpointRequest, context: Context
    ) -> spb.SaveCheckpointResponse:
        saved = await self._store.save_checkpoint(
            v.positive_id("id", request.id),
            v.lease_token("lease_token", request.lease_token, required=True) or "",
            v.name("step", request.step),
            json_object_text("state_json", request.state_json) or "{}",
        )
        return spb.SaveCheckpointResponse(checkpoint=c.checkpoint(saved))

    async def GetCheckpoints(
        self, request: spb.GetCheckpointsRequest, context: Context
    ) -> spb.GetCheckpointsResponse:
        found = await self._store.checkpoints(v.positive_id("id", request.id))
        return spb.GetCheckpointsResponse(checkpoints=[c.checkpoint(k) for k in found])

    async def ListQueues(
        self, request: spb.ListQueuesRequest, context: Context
    ) -> spb.ListQueuesResponse:
        return spb.ListQueuesResponse(queues=[c.queue(q) for q in await self._store.queues()])

    async def UpdateQueue(
        self, request: spb.UpdateQueueRequest, context: Context
    ) -> spb.UpdateQueueResponse:
        name = v.name("queue", request.queue)
        settings = c.queue_settings(request)
        actor = _actor(request.actor, "operator")
        queue = await self._store.update_queue(name, settings, actor)
        return spb.UpdateQueueResponse(queue=c.queue(queue))

    async def PauseQueue(
        self, request: spb.PauseQueueRequest, context: Context
    ) -> spb.PauseQueueResponse:
        name = v.name("queue", request.queue)
        actor = _actor(request.actor, "operator")
        reason = v.text("reason", request.reason)
        queue = await self._store.pause_queue(name, actor, reason)
        return spb.PauseQueueResponse(queue=c.queue(queue))

    async def ResumeQueue(
        self, request: spb.ResumeQueueRequest, context: Context
    ) -> spb.ResumeQueueResponse:
        name = v.name("queue", request.queue)
        actor = _actor(request.actor, "operator")
        queue = await self._store.resume_queue(name, actor)
        return spb.ResumeQueueResponse(queue=c.queue(queue))

    async def Migrate(self, request: spb.MigrateRequest, context: Context) -> spb.MigrateResponse:
        report = await self._store.migrate()
        return spb.MigrateResponse(
            schema=report.schema, version=report.version, applied=report.applied
        )

    async def Prune(self, request: spb.PruneRequest, context: Context) -> spb.PruneResponse:
        older_than = c.duration(
            request,
            "older_than",
            low=0.0,
            high=MAX_RETENTION_SECONDS,
            default=self._retention_seconds,
        )
        limit = v.bounded(
            "limit", request.limit or PRUNE_LIMIT_DEFAULT, low=1, high=PRUNE_LIMIT_MAX
        )
        if self._prune is None:
            raise FailedPrecondition("retention is not configured on this server")
        outcome = await self._prune(older_than or 0.0, limit)
        oldest = outcome.oldest_cursor
        return spb.PruneResponse(
            pruned_actions=outcome.pruned_actions,
            dropped_partitions=outcome.dropped_partitions,
            more=outcome.more,
            oldest_cursor=c.cursor_token(oldest) if oldest is not None else "",
        )

    @functools.cached_property
    def _schedules(self) -> ScheduleStore:
        return ScheduleStore(self._store)

    async def CreateSchedule(
        self, request: spb.CreateScheduleRequest, context: Context
    ) -> spb.CreateScheduleResponse:
        name = v.name("name", request.name)
        cron = Cron(request.cron, request.time_zone)
        template = c.schedule_template(request, name)
        actor = _actor(request.actor, "operator")
        stored = await self._schedules.create(
            name, cron, template, paused=request.paused, replace=request.replace, actor=actor
        )
        return spb.CreateScheduleResponse(schedule=c.schedule(stored))

    async def ListSchedules(
        self, request: spb.ListSchedulesRequest, context: Context
    ) -> spb.ListSchedulesResponse:
        schedules = await self._schedules.list_all()
        return spb.ListSchedulesResponse(schedules=[c.schedule(s) for s in schedules])

    async def PauseSchedule(
        self, request: spb.PauseScheduleRequest, context: Context
    ) -> spb.PauseScheduleResponse:
        name = v.name("name", request.name)
        actor = _actor(request.actor, "operator")
        return spb.PauseScheduleResponse(
            schedule=c.schedule(await self._schedules.pause(name, actor))
        )

    async def ResumeSchedule(
        self, request: spb.ResumeScheduleRequest, context: Context
    ) -> spb.ResumeScheduleResponse:
        name = v.name("name", request.name)
        actor = _actor(request.actor, "operator")
        return spb.ResumeScheduleResponse(
            schedule=c.schedule(await self._schedules.resume(name, actor))
        )

    async def DeleteSchedule(
        self, request: spb.DeleteScheduleRequest, context: Context
    ) -> spb.DeleteScheduleResponse:
        name = v.name("name", request.name)
        actor = _actor(request.actor, "operator")
        return spb.DeleteScheduleResponse(
            schedule=c.schedule(await self._schedules.delete(name, actor))
        )

    # ---- signals and durable sleep: Suspend, Signal ----

    @functools.cached_property
    def _signals(self) -> SignalStore:
        return SignalStore(self._store)

    async def Suspend(self, request: spb.SuspendRequest, context: Context) -> spb.SuspendResponse:
        action_id = v.positive_id("id", request.id)
        token = v.lease_token("lease_token", request.lease_token, required=True) or ""
        step = cs.label("step", request.step, required=True)
        signal = cs.label("signal", request.signal, required=False)
        until, timeout = cs.wait_end(request, signal)
        done = await self._signals.suspend(action_id, token, step, signal, until, timeout)
        if done.wake is not None:
            return spb.SuspendResponse(
                suspended=False, action=c.action(done.action), wake=cs.wake_up(done.wake)
            )
        if self._waker is not None and done.action.wait_until is not None:
            self._waker.poke()
        return spb.SuspendResponse(suspended=True, action=c.action(done.action))

    async def Signal(self, request: spb.SignalRequest, context: Context) -> spb.SignalResponse:
        name = cs.label("name", request.name, required=True)
        payload = json_object_text("payload_json", request.payload_json) or "{}"
        mode = cs.mode(request.mode)
        keep = cs.keep(request)
        actor = _actor(request.actor, "operator")
        outcome = await self._signals.signal(name, payload, mode, keep, actor)
        return cs.signal_response(outcome)

    # ---- end of signals ----

    # ---- workflows: GetWorkflow ----

    @functools.cached_property
    def _workflows(self) -> WorkflowStore:
        return WorkflowStore(self._store)

    async def GetWorkflow(
        self, request: spb.GetWorkflowRequest, context: Context
    ) -> spb.GetWorkflowResponse:
        run = await self._workflows.get(workflow_id("workflow_id", request.workflow_id))
        return convert_workflows.get_workflow_response(run)

    # ---- end of workflows ----

    # ---- limits: SetQueueLimits ----

    async def SetQueueLimits(
        self, request: spb.SetQueueLimitsRequest, context: Context
    ) -> spb.SetQueueLimitsResponse:
        name = v.name("queue", request.queue)
        limits = requested_limits(request)
        actor = v.text("actor", request.actor, limit=v.MAX_NAME) or "operator"
        await self._store.limits.set_limits(name, limits, replace=request.replace, actor=actor)
        (queue,) = await self._store.queues(name)
        return spb.SetQueueLimitsResponse(queue=c.queue(queue))

    # ---- end of limits ----

    # ---- tokens: CreateToken, ListTokens, RevokeToken ----

    async def CreateToken(
        self, request: spb.CreateTokenRequest, context: Context
    ) -> spb.CreateTokenResponse:
        name, role, names, expires_in = ct.new_token(request)
        created_by = who("created_by", "", "operator")
        token, secret = await self._tokens.create(name, role, names, created_by, expires_in)
        return spb.CreateTokenResponse(token=ct.token(token), secret=secret)

    async def ListTokens(
        self, request: spb.ListTokensRequest, context: Context
    ) -> spb.ListTokensResponse:
        return spb.ListTokensResponse(tokens=[ct.token(t) for t in await self._tokens.list_all()])

    async def RevokeToken(
        self, request: spb.RevokeTokenRequest, context: Context
    ) -> spb.RevokeTokenResponse:
        token_id = v.text("id", request.id, required=True, limit=v.MAX_NAME)
        actor = who("actor", "", "operator")
        return spb.RevokeTokenResponse(token=ct.token(await self._tokens.revoke(token_id, actor)))

    # ---- end of tokens ----


def _authorized(
    items: list[Completion],
) -> tuple[list[Completion], list[tuple[int, ActionqError]]]:
    """With auth on: the completions the principal may make, each with its
    actor; the others refused one by one."""
    kept: list[Completion] = []
    denied: list[tuple[int, ActionqError]] = []
    for item in items:
        try:
            must_hold_lease("lease_token", item.lease_token)
            kept.append(item._replace(actor=who("actor", item.actor or "", "")))
        except ActionqError as exc:
            denied.append((item.action_id, exc))
    return kept, denied


def _actor(value: str, default: str | None) -> Any:
    """The actor to record: the caller's word without auth, the principal's
    (or one of its allowed names) with it."""
    return who("actor", v.text("actor", value, limit=v.MAX_NAME), default or "") or default


def _token(value: str, *, required: bool) -> str | None:
    return v.lease_token("lease_token", value, required=required)
