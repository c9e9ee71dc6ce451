"""Guarantee 4: no writer waits for another writer's commit, and a watcher still
receives every event once, in order, when transactions commit out of order."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import grpc
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc

from tests.support import ServerProcess

PRODUCERS = 16
CALLS_EACH = 5
# How long the test lets producers try while a writer holds its transaction
# open; they are expected to finish long before (a deadline, not a delay).
PRODUCER_DEADLINE = 60.0


async def _produce(
    stub: service_pb2_grpc.ActionQueueServiceStub, project: str, n: int
) -> list[int]:
    ids = []
    for i in range(CALLS_EACH):
        response = await stub.Enqueue(
            spb.EnqueueRequest(
                actions=[
                    pb.NewAction(
                        action_type="log.test",
                        project=project,
                        payload_json=json.dumps({"producer": n, "call": i}),
                    )
                ]
            ),
            timeout=PRODUCER_DEADLINE,
        )
        ids.append(response.actions[0].action.id)
    return ids


async def _held_writer_scenario(server: ServerProcess, dsn: str, project: str) -> None:
    async with grpc.aio.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        start = await stub.GetQueueStats(spb.GetQueueStatsRequest())
        watch = stub.WatchEvents(spb.WatchEventsRequest(after_cursor=start.latest_event_cursor))
        received: list[tuple[str, int, str]] = []

        async def follow(expected: int) -> None:
            async for message in watch:
                for e in message.events:
                    received.append((e.cursor, e.action_id, e.event_type))
                if len(received) >= expected:
                    return

        # A writer opens a transaction, writes an event, and stays open.
        writer = await asyncpg.connect(dsn, server_settings={"search_path": server.schema})
        held = writer.transaction()
        await held.start()
        await writer.execute(
            "INSERT INTO events (event_type, actor, payload) "
            "VALUES ('coordinator_cycle', 'held-writer', '{}')"
        )
        following = asyncio.ensure_future(follow(1 + PRODUCERS * CALLS_EACH))
        try:
            # Sixteen producers enqueue one action per call while it is open;
            # every call must finish without waiting for the writer.
            ids_per_producer = await asyncio.wait_for(
                asyncio.gather(*[_produce(stub, project, n) for n in range(PRODUCERS)]),
                PRODUCER_DEADLINE,
            )
            # The watcher has received none of them yet: they sort after the
            # held writer's event, which is not committed.
            assert received == []
        finally:
            await held.commit()
            await writer.close()
        ids = [i for batch in ids_per_producer for i in batch]
        assert len(set(ids)) == PRODUCERS * CALLS_EACH
        await asyncio.wait_for(following, 30)
        watch.cancel()

    # Exactly once, in order: the held writer's event first (its transaction is
    # the oldest), then one action_enqueued per action, none twice.
    assert received[0][2] == "coordinator_cycle"
    enqueued = [action_id for _, action_id, kind in received if kind == "action_enqueued"]
    assert sorted(enqueued) == sorted(ids)
    cursors = [cursor for cursor, _, _ in received]
    assert len(set(cursors)) == len(cursors)

    # ListEvents from the start cursor returns the same sequence.
    async with grpc.aio.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        page = await stub.ListEvents(
            spb.ListEventsRequest(after_cursor=start.latest_event_cursor, page_size=1000)
        )
        listed = [(e.cursor, e.action_id, e.event_type) for e in page.events]
    assert listed[: len(received)] == received


def test_a_held_writer_delays_watchers_only(
    server: ServerProcess, pg_dsn: str, project: str
) -> None:
    asyncio.run(_held_writer_scenario(server, pg_dsn, project))
