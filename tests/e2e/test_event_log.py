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
# The scenario: a writer holds a transaction that wrote an event open this long
# while the producers enqueue, one action per call, the whole time.
HOLD_SECONDS = 5.0
# A producer call blocked by the writer would finish only after it commits;
# this bounds the whole test, it is not what the test waits for.
DEADLINE = 60.0


async def _held_writer_scenario(server: ServerProcess, dsn: str, project: str) -> None:
    loop = asyncio.get_running_loop()
    async with grpc.aio.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        start = await stub.GetQueueStats(spb.GetQueueStatsRequest())
        watch = stub.WatchEvents(spb.WatchEventsRequest(after_cursor=start.latest_event_cursor))
        received: list[tuple[str, int, str]] = []
        calls: list[tuple[int, float]] = []  # (action id, when the call returned)
        released: list[float] = []

        async def follow() -> None:
            async for message in watch:
                for e in message.events:
                    received.append((e.cursor, e.action_id, e.event_type))
                if released and len(received) >= 1 + len(calls):
                    return

        async def produce(n: int, until: float) -> None:
            i = 0
            while loop.time() < until:
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
                    timeout=DEADLINE,
                )
                calls.append((response.actions[0].action.id, loop.time()))
                i += 1

        # A writer opens a transaction, writes an event, and stays open.
        writer = await asyncpg.connect(dsn, server_settings={"search_path": server.schema})
        held = writer.transaction()
        await held.start()
        await writer.execute(
            "INSERT INTO events (event_type, actor, payload) "
            "VALUES ('coordinator_cycle', 'held-writer', '{}')"
        )
        following = asyncio.ensure_future(follow())

        try:
            until = loop.time() + HOLD_SECONDS
            producers = asyncio.gather(*[produce(n, until) for n in range(PRODUCERS)])
            await asyncio.sleep(HOLD_SECONDS)  # the scenario's length, not a synchronization
            # Every producer finishes while the writer is still open: a call
            # that waited for the writer could not return before it commits.
            await asyncio.wait_for(producers, DEADLINE)
            # None of the producers' events has reached the watcher: they sort
            # after the held writer's event, which is not committed.
            assert received == []
            released.append(loop.time())
            await held.commit()
        finally:
            await writer.close()
        await asyncio.wait_for(following, 30)
        watch.cancel()

    # No producer waited for the writer: every call returned while it was open.
    assert len(calls) >= PRODUCERS
    assert all(returned < released[0] for _, returned in calls)
    # Exactly once, in order: the held writer's event first (its transaction is
    # the oldest), then one action_enqueued per action, none twice.
    ids = [action_id for action_id, _ in calls]
    assert received[0][2] == "coordinator_cycle"
    enqueued = [action_id for _, action_id, kind in received if kind == "action_enqueued"]
    assert sorted(enqueued) == sorted(ids)
    cursors = [cursor for cursor, _, _ in received]
    assert len(set(cursors)) == len(cursors)

    # ListEvents from the start cursor returns the same sequence.
    async with grpc.aio.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        listed: list[tuple[str, int, str]] = []
        cursor = start.latest_event_cursor
        while len(listed) < len(received):
            page = await stub.ListEvents(spb.ListEventsRequest(after_cursor=cursor, page_size=1000))
            listed += [(e.cursor, e.action_id, e.event_type) for e in page.events]
            cursor = page.next_cursor
    assert listed[: len(received)] == received
    print(f"{len(calls)} Enqueue calls from {PRODUCERS} producers while a writer held the log")


def test_a_writer_held_open_for_5_s_delays_watchers_only(
    server: ServerProcess, pg_dsn: str, project: str
) -> None:
    asyncio.run(_held_writer_scenario(server, pg_dsn, project))
