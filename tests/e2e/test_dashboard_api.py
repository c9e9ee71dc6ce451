"""The dashboard's HTTP side without a browser: its JSON API answers domain
errors as JSON naming the field (never a traceback), refuses cross-site
writes, serves its assets with validators, and its live stream pushes events."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from actionq import Client

from tests.conftest import fresh_schema
from tests.support import ServerProcess, http_base, start_server


@pytest.fixture(scope="module")
def dashboard(pg_dsn: str) -> Iterator[tuple[ServerProcess, str]]:
    """A server with its HTTP port on, and that port's host:port."""
    server = start_server(
        {
            "ACTIONQ_URL": pg_dsn,
            "ACTIONQ_SCHEMA": fresh_schema(),
            "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
            "ACTIONQ_SWEEP_INTERVAL": "3600",
        }
    )
    try:
        yield server, http_base(server).removeprefix("http://")
    finally:
        assert server.stop() == 0


def call(
    address: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: status, headers, body."""
    conn = http.client.HTTPConnection(address, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        conn.close()


def api(address: str, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    """A JSON call: status and parsed body."""
    body = None if payload is None else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    status, reply_headers, data = call(address, method, path, body, headers)
    assert reply_headers["Content-Type"].startswith("application/json"), data[:200]
    assert b"Traceback" not in data
    return status, json.loads(data)


def refused(
    address: str, method: str, path: str, payload: Any = None
) -> tuple[int, dict[str, str]]:
    status, body = api(address, method, path, payload)
    assert set(body) == {"error"}, body
    error: dict[str, str] = body["error"]
    assert error["message"]
    return status, error


def test_bad_parameters_are_400_naming_the_field(dashboard: tuple[ServerProcess, str]) -> None:
    _, address = dashboard
    cases = [
        ("/api/actions?status=bogus", "status"),
        ("/api/actions?queue=has%20space", "queue"),
        ("/api/actions?type=%2Fleading", "type"),
        ("/api/actions?q=" + "x" * 201, "q"),
        ("/api/actions?q=a%00b", "q"),
        ("/api/actions?limit=0", "limit"),
        ("/api/actions?limit=1001", "limit"),
        ("/api/actions?limit=-1", "limit"),
        ("/api/actions?cursor=abc", "cursor"),
        ("/api/actions?cursor=99999999999999999999", "cursor"),
        ("/api/actions?order=sideways", "order"),
        ("/api/actions/abc", "id"),
        ("/api/actions/0", "id"),
        ("/api/workflow", "workflow_id"),
    ]
    for path, field in cases:
        status, error = refused(address, "GET", path)
        assert (status, error["code"], error["reason"], error.get("field")) == (
            400,
            "INVALID_ARGUMENT",
            "INVALID_FIELD",
            field,
        ), path
    status, body = api(address, "GET", "/api/actions?q=" + "x" * 200)
    assert (status, body["actions"]) == (200, [])


def test_bad_bodies_are_400_naming_the_field(dashboard: tuple[ServerProcess, str]) -> None:
    _, address = dashboard
    cases: list[tuple[str, Any, str]] = [
        ("/api/actions/retry", {}, "ids"),
        ("/api/actions/retry", {"ids": []}, "ids"),
        ("/api/actions/retry", {"ids": [1, "2"]}, "ids[1]"),
        ("/api/actions/retry", {"ids": [True]}, "ids[0]"),
        ("/api/actions/retry", {"ids": list(range(1, 1002))}, "ids"),
        ("/api/actions/cancel", {"id": 1}, "reason"),
        ("/api/actions/cancel", {"id": -4, "reason": "x"}, "id"),
        ("/api/actions/cancel", {"id": 1, "reason": 7}, "reason"),
        ("/api/queues/pause", {}, "queue"),
        ("/api/queues/pause", {"queue": "a b"}, "queue"),
        ("/api/queues/resume", {"queue": ""}, "queue"),
        ("/api/schedules/pause", {"name": ""}, "name"),
        ("/api/actions/retry", [1, 2], "body"),
    ]
    for path, payload, field in cases:
        status, error = refused(address, "POST", path, payload)
        assert (status, error.get("field")) == (400, field), (path, payload, error)
    for body, headers in (
        (b"{not json", {"Content-Type": "application/json"}),
        (b'{"ids": [1]}', {"Content-Type": "text/plain"}),
        (b"\xff\xfe", {"Content-Type": "application/json"}),
    ):
        status, _, data = call(address, "POST", "/api/actions/retry", body, headers)
        assert status == 400
        assert json.loads(data)["error"]["field"] == "body"


def test_state_errors_are_404_and_409(
    dashboard: tuple[ServerProcess, str],
) -> None:
    server, address = dashboard
    with Client(server.address) as client:
        pending = client.add("t", "p", queue=f"q-{uuid.uuid4().hex[:6]}")
        done = client.add("t", "p", queue=pending.queue)
        (claim,) = client.claim("w", queue=pending.queue)
        client.complete(claim.action.id, claim.lease_token)
    assert claim.action.id == pending.id

    status, error = refused(address, "GET", "/api/actions/999999999")
    assert (status, error["reason"], error["field"]) == (404, "ACTION_NOT_FOUND", "id")
    status, error = refused(address, "POST", "/api/actions/retry", {"ids": [done.id]})
    assert (status, error["code"], error["reason"]) == (
        409,
        "FAILED_PRECONDITION",
        "ILLEGAL_TRANSITION",
    )
    status, error = refused(address, "POST", "/api/actions/retry", {"ids": [999999999]})
    assert (status, error["reason"], error["field"]) == (404, "ACTION_NOT_FOUND", "ids")
    status, error = refused(
        address, "POST", "/api/actions/cancel", {"id": pending.id, "reason": "no"}
    )
    assert (status, error["reason"]) == (409, "ILLEGAL_TRANSITION")
    status, error = refused(address, "POST", "/api/queues/pause", {"queue": "no-such-queue"})
    assert (status, error["reason"], error["field"]) == (409, "QUEUE_NOT_FOUND", "queue")
    status, error = refused(address, "POST", "/api/schedules/pause", {"name": "no-such"})
    assert (status, error["reason"]) == (404, "SCHEDULE_NOT_FOUND")
    status, error = refused(address, "GET", "/api/nothing-here")
    assert (status, error["code"]) == (404, "NOT_FOUND")
    status, error = refused(address, "GET", "/api/actions/retry")
    assert status in (400, 405)
    status, error = refused(address, "DELETE", "/api/overview")
    assert (status, error["code"]) == (405, "UNIMPLEMENTED")


def test_changes_from_another_origin_are_refused(dashboard: tuple[ServerProcess, str]) -> None:
    server, address = dashboard
    with Client(server.address) as client:
        queue = f"q-{uuid.uuid4().hex[:6]}"
        client.add("t", "p", queue=queue)
        body = json.dumps({"queue": queue}).encode()
        status, _, data = call(
            address,
            "POST",
            "/api/queues/pause",
            body,
            {"Content-Type": "application/json", "Origin": "http://evil.example"},
        )
        assert status == 403
        assert json.loads(data)["error"]["code"] == "PERMISSION_DENIED"
        assert not next(q for q in client.list_queues() if q.name == queue).paused
        status, _, data = call(
            address,
            "POST",
            "/api/queues/pause",
            body,
            {"Content-Type": "application/json", "Origin": f"http://{address}"},
        )
        assert status == 200
        assert json.loads(data)["queue"]["paused"] is True
        assert next(q for q in client.list_queues() if q.name == queue).paused
        status, _, data = call(address, "GET", "/api/overview", None, {"Origin": "http://x"})
        assert status == 200


def test_the_page_and_its_assets(dashboard: tuple[ServerProcess, str]) -> None:
    _, address = dashboard
    status, headers, page = call(address, "GET", "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    scripts = re.findall(rb'(?:src|href)="(/static/[^"]+)"', page)
    assert b"/static/js/main.js" in scripts
    for path in scripts:
        status, headers, body = call(address, "GET", path.decode())
        assert status == 200, path
        assert body
        status, _, body = call(
            address, "GET", path.decode(), headers={"If-None-Match": headers["ETag"]}
        )
        assert (status, body) == (304, b"")
    for path in re.findall(rb'from "\./([^"]+)"', call(address, "GET", "/static/js/main.js")[2]):
        assert call(address, "GET", f"/static/js/{path.decode()}")[0] == 200
    status, headers, _ = call(address, "GET", "/static/js/views/actions.js")
    assert headers["Content-Type"].startswith("text/javascript")
    assert call(address, "GET", "/static/../web.py")[0] == 404
    assert call(address, "GET", "/static/nothing.js")[0] == 404
    assert call(address, "GET", "/healthz")[2] == b"ok\n"


def test_overview_and_listing_answer_what_the_store_holds(
    dashboard: tuple[ServerProcess, str],
) -> None:
    server, address = dashboard
    queue = f"q-{uuid.uuid4().hex[:6]}"
    with Client(server.address) as client:
        ids = [
            client.add("kind.a", "p", queue=queue, target_ref=f"Doc/{i}", payload={"i": i}).id
            for i in range(5)
        ]
    status, overview = api(address, "GET", "/api/overview")
    assert status == 200
    (row,) = [s for s in overview["stats"] if s["queue"] == queue]
    assert (row["action_type"], row["pending"], row["claimed"]) == ("kind.a", 5, 0)
    assert [q["paused"] for q in overview["queues"] if q["name"] == queue] == [False]

    status, page = api(address, "GET", f"/api/actions?queue={queue}&limit=2")
    assert [a["id"] for a in page["actions"]] == ids[::-1][:2]
    assert "payload" not in page["actions"][0]
    status, second = api(
        address, "GET", f"/api/actions?queue={queue}&limit=2&cursor={page['next_cursor']}"
    )
    assert [a["id"] for a in second["actions"]] == ids[::-1][2:4]
    status, oldest = api(address, "GET", f"/api/actions?queue={queue}&order=oldest&limit=10")
    assert [a["id"] for a in oldest["actions"]] == ids
    assert oldest["next_cursor"] == ""
    status, found = api(address, "GET", f"/api/actions?queue={queue}&q=doc/3")
    assert [a["target_ref"] for a in found["actions"]] == ["Doc/3"]

    status, detail = api(address, "GET", f"/api/actions/{ids[0]}")
    assert json.loads(detail["action"]["payload"]) == {"i": 0}
    assert [e["event_type"] for e in detail["events"]] == ["action_enqueued"]
    assert detail["checkpoints"] == []


def test_live_stream_pushes_new_events(dashboard: tuple[ServerProcess, str]) -> None:
    server, address = dashboard
    queue = f"q-{uuid.uuid4().hex[:6]}"

    async def follow() -> dict[str, Any]:
        async with (
            asyncio.timeout(30),
            aiohttp.ClientSession() as session,
            session.get(f"http://{address}/api/live") as reply,
        ):
            assert reply.status == 200
            assert reply.headers["Content-Type"] == "text/event-stream"
            messages = sse(reply.content)
            kind, hello = await anext(messages)
            assert kind == "hello"
            assert re.fullmatch(r"\d+\.0", hello["cursor"])
            with Client(server.address) as client:
                action = client.add("live.t", "p", queue=queue)
            async for kind, data in messages:
                mine = [e for e in data.get("events", []) if e["action_id"] == action.id]
                if kind == "events" and mine:
                    return {"message": data, "event": mine[0]}
        raise AssertionError("the stream ended")

    found = asyncio.run(follow())
    assert found["event"]["event_type"] == "action_enqueued"
    assert "payload" not in found["event"]
    assert found["message"]["count"] >= 1
    assert re.fullmatch(r"\d+\.\d+", found["message"]["cursor"])


async def sse(lines: aiohttp.StreamReader) -> AsyncIterator[tuple[str, Any]]:
    """The (event, data) messages of a Server-Sent Events stream."""
    kind, data = "message", ""
    async for raw in lines:
        line = raw.decode().rstrip("\n")
        if not line:
            if data:
                yield kind, json.loads(data)
            kind, data = "message", ""
        elif line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data += line.removeprefix("data: ")
