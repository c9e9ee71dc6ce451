"""Retry-safe Enqueue: a request_id makes a retried call return the first call's
outcome, under races and across a PostgreSQL restart."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter

import asyncpg
import grpc
import pytest
from actionq import AsyncClient, new_action
from actionq.errors import Unavailable
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.conftest import fresh_schema
from tests.support import ServerProcess, sql, start_server


def _request(project: str, request_id: str, n: int = 3) -> spb.EnqueueRequest:
    return spb.EnqueueRequest(
        request_id=request_id,
        actions=[
            pb.NewAction(action_type="retry.t", project=project, payload_json=json.dumps({"i": i}))
            for i in range(n)
        ],
    )


def test_fifty_racing_calls_with_one_request_id_store_one_batch(
    server: ServerProcess, pg_dsn: str, project: str
) -> None:
    request = _request(project, str(uuid.uuid4()))

    async def race() -> list[spb.EnqueueResponse]:
        async with grpc.aio.insecure_channel(server.address) as channel:
            stub = service_pb2_grpc.ActionQueueServiceStub(channel)
            return list(await asyncio.gather(*[stub.Enqueue(request) for _ in range(50)]))

    responses = asyncio.run(race())
    ids = {tuple(a.action.id for a in r.actions) for r in responses}
    assert len(ids) == 1
    assert Counter(r.replayed for r in responses) == {True: 49, False: 1}
    rows = sql(pg_dsn, server.schema, "SELECT count(*) FROM actions WHERE project = $1", project)
    assert rows[0][0] == 3


def test_a_request_id_reused_for_another_request_is_refused(
    server: ServerProcess, pg_dsn: str, project: str
) -> None:
    request_id = str(uuid.uuid4())
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        stub.Enqueue(_request(project, request_id, n=1))
        with pytest.raises(grpc.RpcError) as refused:
            stub.Enqueue(_request(project, request_id, n=2))
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    status = rpc_status.from_call(refused.value)  # type: ignore[arg-type]
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info) and info.reason == "REQUEST_ID_REUSED"
    rows = sql(pg_dsn, server.schema, "SELECT count(*) FROM actions WHERE project = $1", project)
    assert rows[0][0] == 1


def test_enqueues_across_lost_database_connections_never_duplicate(pg_dsn: str) -> None:
    """Every server connection is killed (as a PostgreSQL restart does) while
    eight producers enqueue; the clients retry with their request ids, and no
    action is stored twice, none reported stored is missing, and no call gets
    anything but success or UNAVAILABLE."""
    schema = fresh_schema()
    proc = start_server({"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema})
    outcomes: Counter[str] = Counter()
    delivered: list[tuple[str, int]] = []

    async def produce(
        client: AsyncClient, n: int, stop: asyncio.Event, progress: asyncio.Condition
    ) -> None:
        i = 0
        while not stop.is_set():
            marker = f"{n}-{i}"
            i += 1
            try:
                result = await client.enqueue(
                    [new_action("restart.t", "p", payload={"marker": marker})]
                )
            except Unavailable:
                outcomes["unavailable"] += 1
                continue
            outcomes["replayed" if result.replayed else "stored"] += 1
            delivered.append((marker, result[0].action.id))
            async with progress:
                progress.notify_all()

    async def scenario() -> None:
        killer = await asyncpg.connect(pg_dsn)
        async with AsyncClient(proc.address, timeout=5, enqueue_attempts=30) as client:
            stop, progress = asyncio.Event(), asyncio.Condition()
            producers = [
                asyncio.ensure_future(produce(client, n, stop, progress)) for n in range(8)
            ]

            async def delivered_at_least(count: int) -> None:
                async with progress:
                    await asyncio.wait_for(progress.wait_for(lambda: len(delivered) >= count), 60)

            for _ in range(3):
                await delivered_at_least(len(delivered) + 40)
                killed = await killer.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = $1",
                    f"actionq:{schema}",
                )
                outcomes["connections killed"] += killed
            await delivered_at_least(len(delivered) + 40)
            stop.set()
            await asyncio.gather(*producers)
        await killer.close()

    try:
        asyncio.run(scenario())
        rows = sql(pg_dsn, schema, "SELECT payload->>'marker' AS marker, id FROM actions")
        stored = Counter(r["marker"] for r in rows)
        assert max(stored.values()) == 1, [m for m, c in stored.items() if c > 1]
        ids = {r["marker"]: r["id"] for r in rows}
        assert all(ids[marker] == action_id for marker, action_id in delivered)
        assert outcomes["connections killed"] > 0
        assert "Traceback" not in proc.log, proc.log
        print(f"enqueue outcomes with connections killed: {dict(outcomes)}")
    finally:
        proc.stop()
