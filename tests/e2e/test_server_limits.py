"""What one client may hold of the server: request size, open streams and long
polls per connection and per token, keepalive abuse, and the caller's
deadline carried into PostgreSQL as statement_timeout."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

import asyncpg
import grpc
import pytest
from actionq import (
    ClaimedAction,
    Client,
    DeadlineExceeded,
    LimitExceeded,
    ResourceExhausted,
    Unavailable,
)
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from actionq_server.app import keep_session
from actionq_server.store import deadline

from tests.conftest import fresh_schema
from tests.support import ServerProcess, bootstrap_token, start_server, wait_until


@pytest.fixture
def limited(pg_dsn: str, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), **request.param}
    server = start_server(env)
    try:
        yield server
    finally:
        server.stop()
        log = server.log
        assert "Traceback" not in log, log[log.find("Traceback") - 2000 :][:6000]


@pytest.mark.parametrize("limited", [{"ACTIONQ_MAX_MESSAGE_BYTES": "65536"}], indirect=True)
def test_a_request_over_the_message_limit_names_it(limited: ServerProcess) -> None:
    with Client(limited.address) as c:
        with pytest.raises(LimitExceeded) as refused:
            c.add("limits.big", "p", payload={"blob": "x" * 100_000})
        assert refused.value.code == "RESOURCE_EXHAUSTED"
        assert refused.value.metadata["limit"] == "ACTIONQ_MAX_MESSAGE_BYTES"
        assert refused.value.metadata["value"] == "65536"
        assert "ACTIONQ_MAX_MESSAGE_BYTES" in str(refused.value)
        # Past twice the limit gRPC refuses it unread, with the same code.
        with pytest.raises(ResourceExhausted):
            c.add("limits.big", "p", payload={"blob": "x" * 200_000})
        # Nothing was written; a request under the limit passes.
        assert c.list_actions(action_type="limits.big").actions == []
        assert c.add("limits.big", "p", payload={"blob": "x" * 10_000}).status == "pending"


@pytest.mark.parametrize("limited", [{"ACTIONQ_MAX_WATCHES_PER_CONNECTION": "2"}], indirect=True)
def test_watch_streams_are_limited_per_connection(limited: ServerProcess) -> None:
    # Channels to one target share their connection unless told not to.
    own = [("grpc.use_local_subchannel_pool", 1)]
    with (
        Client(limited.address) as first,
        grpc.insecure_channel(limited.address, options=own) as second,
    ):
        first.add("limits.watch", "p")
        # A stream that delivered its first batch is open (and counted).
        open_streams = [first.watch_events() for _ in range(2)]
        for stream in open_streams:
            assert next(iter(stream)).events
        with pytest.raises(LimitExceeded) as refused:
            next(iter(first.watch_events()))
        assert refused.value.metadata["limit"] == "ACTIONQ_MAX_WATCHES_PER_CONNECTION"
        # Another connection has its own allowance.
        other = service_pb2_grpc.ActionQueueServiceStub(second).WatchEvents(
            spb.WatchEventsRequest()
        )
        assert next(other).events
        other.cancel()
        # Closing one stream frees its place (once the server saw it go).
        open_streams[0].cancel()

        def reopened() -> bool:
            stream = first.watch_events()
            try:
                return bool(next(iter(stream)).events)
            except LimitExceeded:
                return False
            finally:
                stream.cancel()

        assert wait_until(reopened, timeout=30)
        open_streams[1].cancel()


@pytest.mark.parametrize(
    "limited",
    [{"ACTIONQ_AUTH": "on", "ACTIONQ_MAX_LONG_POLLS_PER_PRINCIPAL": "1"}],
    indirect=True,
)
def test_long_polls_are_limited_per_token(limited: ServerProcess, pg_dsn: str) -> None:
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": limited.schema}
    admin = bootstrap_token(env, "--role", "admin", "--name", "root")["secret"]
    with Client(limited.address, token=admin) as a:
        worker = a.create_token("w1", "worker").secret
        other = a.create_token("w2", "worker").secret
    pool = ThreadPoolExecutor(2)
    with (
        Client(limited.address, token=worker) as parked,
        Client(limited.address, token=worker) as second,
        Client(limited.address, token=other) as stranger,
        Client(limited.address, token=admin) as producer,
    ):

        def park() -> list[ClaimedAction]:
            # A worker whose long poll is refused tries again (the probe
            # below may hold the token's one place for a moment).
            while True:
                try:
                    return parked.claim("w1", action_types=["limits.poll"], wait=30)
                except LimitExceeded:
                    continue

        held: Future[list[ClaimedAction]] = pool.submit(park)

        def refused() -> bool:
            try:
                second.claim("w1", action_types=["limits.none"], wait=0.2)
            except LimitExceeded as exc:
                assert exc.metadata["limit"] == "ACTIONQ_MAX_LONG_POLLS_PER_PRINCIPAL"
                return True
            return False

        # Once the first long poll is parked, the same token's second one is refused...
        assert wait_until(refused, timeout=30)
        # ...but a claim that does not wait, and another token's long poll, pass.
        assert second.claim("w1", action_types=["limits.none"]) == []
        assert stranger.claim("w2", action_types=["limits.none"], wait=0.1) == []
        made = producer.add("limits.poll", "p")
        assert [x.action.id for x in held.result(timeout=30)] == [made.id]
        # The place is free again.
        assert wait_until(lambda: not refused(), timeout=30)
    pool.shutdown()


@pytest.mark.parametrize("limited", [{}], indirect=True)
def test_a_client_pinging_too_often_is_cut_off(limited: ServerProcess) -> None:
    options = [
        ("grpc.keepalive_time_ms", 100),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
    ]
    with grpc.insecure_channel(limited.address, options=options) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        request = spb.ClaimRequest(worker="pinger", action_types=["limits.never"])
        request.wait.FromTimedelta(timedelta(seconds=55))
        with pytest.raises(grpc.RpcError) as cut:
            stub.Claim(request, timeout=58)
        # GOAWAY (too_many_pings) ends the call long before its wait would.
        assert cut.value.code() == grpc.StatusCode.UNAVAILABLE, cut.value


def _lock_wait(dsn: str, schema: str) -> bool:
    async def query() -> bool:
        conn = await asyncpg.connect(dsn)
        try:
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = $1 AND wait_event_type = 'Lock'",
                f"actionq:{schema}",
            )
            return bool(waiting)
        finally:
            await conn.close()

    return asyncio.run(query())


@pytest.mark.parametrize("limited", [{}], indirect=True)
def test_an_abandoned_call_stops_its_sql(limited: ServerProcess, pg_dsn: str) -> None:
    """A Cancel stuck behind a row lock: when the caller's deadline passes, its
    statement is stopped (it does not wait on for the lock), and it changed nothing."""
    with Client(limited.address) as c:
        action = c.add("limits.locked", "p")
        locked = threading.Event()
        release = threading.Event()

        async def hold_lock() -> None:
            conn = await asyncpg.connect(pg_dsn, server_settings={"search_path": limited.schema})
            try:
                async with conn.transaction():
                    await conn.execute("SELECT 1 FROM actions WHERE id = $1 FOR UPDATE", action.id)
                    locked.set()
                    await asyncio.to_thread(release.wait, 60)
            finally:
                await conn.close()

        holder = threading.Thread(target=asyncio.run, args=(hold_lock(),))
        holder.start()
        try:
            assert locked.wait(30)
            impatient = Client(limited.address, timeout=1.5)
            with impatient, pytest.raises((DeadlineExceeded, Unavailable)) as gave_up:
                impatient.cancel(action.id, reason="too late")
            assert gave_up.value.code == "DEADLINE_EXCEEDED"
            # The server's statement no longer waits for the lock.
            assert wait_until(lambda: not _lock_wait(pg_dsn, limited.schema), timeout=15)
        finally:
            release.set()
            holder.join(30)
        assert c.get(action.id).status == "pending"


def test_the_deadline_becomes_statement_timeout(pg_dsn: str) -> None:
    async def check() -> list[str]:
        pool = await asyncpg.create_pool(
            pg_dsn, min_size=1, max_size=1, setup=deadline.apply, reset=keep_session
        )
        seen = []
        try:
            for left in (5.0, 4.9, None, 120.0):
                with deadline.until(left):
                    async with pool.acquire() as conn:
                        seen.append(await conn.fetchval("SHOW statement_timeout"))
        finally:
            await pool.close()
        return seen

    seen = asyncio.run(check())
    # 5 s + the grace; 4.9 s reuses it; none clears it; 120 s sets it anew.
    assert seen[0] == seen[1] and seen[0].endswith("ms") and 5000 <= int(seen[0][:-2]) <= 5300
    assert seen[2] == "0"
    assert seen[3].endswith("ms") and 120_000 <= int(seen[3][:-2]) <= 120_300
