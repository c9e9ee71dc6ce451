"""The dashboard's JSON API: each handler validates with the domain rules,
calls the store (or the service) as the gRPC servicer does, and answers JSON.

Parameters are named as the page sends them, and an error names that name.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..domain import validation as v
from ..domain.errors import InvalidArgument
from ..domain.models import ActionFilter, EventFilter, LogPosition, Status
from ..service import QueueService
from ..store.schedules import ScheduleStore
from . import views

# A workflow by id, as GetWorkflow answers it (see workflows.py).
WorkflowLookup = Callable[[str], Awaitable[dict[str, Any]]]

ACTOR_KEY = web.RequestKey("actor", str)
DEFAULT_PAGE = 50
# The events an action page shows (a longer history: actionctl show).
TIMELINE_LIMIT = v.MAX_PAGE
# What the dead-letter view retries at once.
MAX_RETRY_IDS = v.MAX_PAGE


class DashboardApi:
    """The handlers of /api/*, over one server's service and store."""

    def __init__(self, service: QueueService, workflow: WorkflowLookup | None) -> None:
        self._service = service
        self._store = service.store
        self._schedules = ScheduleStore(service.store)
        self._workflow = workflow

    def routes(self) -> list[web.RouteDef]:
        """Every route of the API."""
        return [
            web.get("/api/overview", self.overview),
            web.get("/api/actions", self.list_actions),
            web.get("/api/actions/{id}", self.get_action),
            web.post("/api/actions/retry", self.retry),
            web.post("/api/actions/cancel", self.cancel),
            web.post("/api/queues/pause", self.pause_queue),
            web.post("/api/queues/resume", self.resume_queue),
            web.get("/api/schedules", self.list_schedules),
            web.post("/api/schedules/pause", self.pause_schedule),
            web.post("/api/schedules/resume", self.resume_schedule),
            web.get("/api/workflow", self.get_workflow),
        ]

    async def overview(self, request: web.Request) -> web.Response:
        """Queues with their pause state, and counts per queue and type (the
        stats read no finished history but the last minute's)."""
        (stats, horizon, now), queues = await asyncio.gather(
            self._store.stats("", "", False), self._store.queues()
        )
        return web.json_response(
            {
                "as_of": views.plain(now),
                "cursor": horizon.token(),
                "queues": [views.queue(q) for q in queues],
                "stats": [views.queue_stat(s) for s in stats],
            }
        )

    async def list_actions(self, request: web.Request) -> web.Response:
        """A page of actions, newest first unless order=oldest; `cursor` is
        the `next_cursor` of the page before."""
        query = request.query
        where = ActionFilter(
            statuses=[_status(s) for s in query.getall("status", [])],
            action_type=v.name("type", query.get("type", ""), required=False),
            project=v.name("project", query.get("project", ""), required=False),
            queue=v.name("queue", query.get("queue", ""), required=False),
            target_ref_contains=v.text("q", query.get("q", ""), limit=v.MAX_SEARCH),
        )
        order = query.get("order", "newest")
        if order not in ("newest", "oldest"):
            raise InvalidArgument("order", "must be newest or oldest")
        limit = v.bounded(
            "limit",
            _integer("limit", query["limit"]) if "limit" in query else DEFAULT_PAGE,
            low=1,
            high=v.MAX_PAGE,
        )
        cursor = _integer("cursor", query.get("cursor", ""))
        actions, more = await self._store.list_actions(
            where, cursor=cursor, limit=limit, newest_first=order == "newest"
        )
        return web.json_response(
            {
                "actions": [views.action_row(a) for a in actions],
                "next_cursor": str(actions[-1].id) if more and actions else "",
            }
        )

    async def get_action(self, request: web.Request) -> web.Response:
        """One action in full, its event timeline and its checkpoints."""
        action_id = v.positive_id("id", _integer("id", request.match_info["id"]))
        action = await self._store.get(action_id)
        page, checkpoints = await asyncio.gather(
            self._store.list_events(
                LogPosition.start(), EventFilter(action_ids=[action_id]), TIMELINE_LIMIT
            ),
            self._store.checkpoints(action_id),
        )
        return web.json_response(
            {
                "action": views.action(action),
                "events": [views.event(e) for e in page.events],
                "more_events": len(page.events) == TIMELINE_LIMIT,
                "checkpoints": [views.checkpoint(k) for k in checkpoints],
            }
        )

    async def retry(self, request: web.Request) -> web.Response:
        """Dead actions back to pending with fresh attempts: all named or none."""
        body = await _body(request)
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids:
            raise InvalidArgument("ids", "must be a non-empty list of action ids")
        if len(ids) > MAX_RETRY_IDS:
            raise InvalidArgument("ids", f"must name at most {MAX_RETRY_IDS} actions")
        checked = [_id(f"ids[{i}]", x) for i, x in enumerate(ids)]
        retried = await self._store.retry(checked, request[ACTOR_KEY])
        return web.json_response({"retried_ids": retried})

    async def cancel(self, request: web.Request) -> web.Response:
        """A pending, claimed or waiting action -> cancelled."""
        body = await _body(request)
        action_id = _id("id", body.get("id"))
        reason = v.text("reason", _string(body, "reason"), required=True)
        action = await self._store.cancel(action_id, reason, request[ACTOR_KEY])
        return web.json_response({"action": views.action(action)})

    async def pause_queue(self, request: web.Request) -> web.Response:
        """Stop claims from a queue."""
        body = await _body(request)
        name = v.name("queue", _string(body, "queue"))
        reason = v.text("reason", _string(body, "reason"))
        queue = await self._store.pause_queue(name, request[ACTOR_KEY], reason)
        return web.json_response({"queue": views.queue(queue)})

    async def resume_queue(self, request: web.Request) -> web.Response:
        """Let claims from a queue go on."""
        body = await _body(request)
        name = v.name("queue", _string(body, "queue"))
        queue = await self._store.resume_queue(name, request[ACTOR_KEY])
        return web.json_response({"queue": views.queue(queue)})

    async def list_schedules(self, request: web.Request) -> web.Response:
        """Every schedule."""
        schedules = await self._schedules.list_all()
        return web.json_response({"schedules": [views.schedule(s) for s in schedules]})

    async def pause_schedule(self, request: web.Request) -> web.Response:
        """Stop a schedule's ticks."""
        body = await _body(request)
        name = v.name("name", _string(body, "name"))
        stored = await self._schedules.pause(name, request[ACTOR_KEY])
        return web.json_response({"schedule": views.schedule(stored)})

    async def resume_schedule(self, request: web.Request) -> web.Response:
        """Let a schedule tick again (from its next time after now)."""
        body = await _body(request)
        name = v.name("name", _string(body, "name"))
        stored = await self._schedules.resume(name, request[ACTOR_KEY])
        return web.json_response({"schedule": views.schedule(stored)})

    async def get_workflow(self, request: web.Request) -> web.Response:
        """A workflow run with its counts and actions, as GetWorkflow answers."""
        workflow_id = v.text(
            "workflow_id", request.query.get("workflow_id", ""), required=True, limit=v.MAX_NAME
        )
        if self._workflow is None:
            raise InvalidArgument("workflow_id", "this server does not serve workflows")
        return web.json_response(await self._workflow(workflow_id))


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidArgument(
            "status", f"{value!r} is not one of {', '.join(s.value for s in Status)}"
        ) from None


def _integer(field: str, value: str) -> int:
    """A decimal parameter ("" is 0)."""
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > v.MAX_INT64:
        raise InvalidArgument(field, "must be a whole number")
    return int(value)


def _id(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(field, "must be a positive id")
    return v.positive_id(field, value)


def _string(body: dict[str, Any], field: str) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        raise InvalidArgument(field, "must be a string")
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object."""
    if request.content_type != "application/json":
        raise InvalidArgument("body", "must be JSON (Content-Type: application/json)")
    try:
        body = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument("body", "is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidArgument("body", "must be a JSON object")
    return body
