"""A Claim whose caller goes away while its statement runs (a worker stopping
during its long poll) does not strand the leases it took: the server puts the
actions back to pending without using up their attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import grpc
import pytest
from actionq import Client
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import duration_pb2

from tests.conftest import ServerProcess, fresh_schema
from tests.support import start_server, wait_until


@pytest.fixture
def own_server(pg_dsn: str) -> Iterator[ServerProcess]:
    """A server of its own: the test locks its actions table."""
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


def test_a_claim_cancelled_while_it_commits_is_released(
    own_server: ServerProcess, pg_dsn: str
) -> None:
    schema = own_server.schema
    with Client(own_server.address) as client:
        action = client.add("release.me", "p", max_attempts=1)

        async def cancel_a_blocked_claim() -> None:
            holder = await asyncpg.connect(pg_dsn)
            watcher = await asyncpg.connect(pg_dsn)
            try:
                # Hold the claim statement at its first row lock.
                await holder.execute("BEGIN")
                await holder.execute(f'LOCK TABLE "{schema}".actions IN EXCLUSIVE MODE')
                async with grpc.aio.insecure_channel(own_server.address) as channel:
                    stub = service_pb2_grpc.ActionQueueServiceStub(channel)
                    call = stub.Claim(
                        spb.ClaimRequest(
                            worker="w-stopping", wait=duration_pb2.Duration(seconds=30)
                        ),
                    )

                    async def blocked() -> bool:
                        waiting = await watcher.fetchval(
                            "SELECT count(*) FROM pg_stat_activity"
                            " WHERE application_name = $1 AND wait_event_type = 'Lock'",
                            f"actionq:{schema}",
                        )
                        return bool(waiting)

                    for _ in range(400):
                        if await blocked():
                            break
                        await asyncio.sleep(0.025)
                    else:
                        raise AssertionError("the claim never reached the table lock")
                    call.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await call
            finally:
                await holder.execute("ROLLBACK")
                await holder.close()
                await watcher.close()

        asyncio.run(cancel_a_blocked_claim())

        def released() -> bool:
            types = [e.event_type for e in client.list_events(action_ids=[action.id]).events]
            return types == ["action_enqueued", "action_claimed", "claim_released"]

        assert wait_until(released, timeout=15)
        back = client.get(action.id)
        assert (back.status, back.attempt, back.claimed_by) == ("pending", 0, None)
        event = client.list_events(action_ids=[action.id], event_types=["claim_released"]).events
        assert event[0].payload["worker"] == "w-stopping" and event[0].actor == "server"
        # The action is claimable again with its one attempt intact.
        again = client.claim("w-next", wait=5)
        assert [c.action.id for c in again] == [action.id] and again[0].action.attempt == 1
        assert client.complete(action.id, again[0].lease_token).status == "completed"
