"""Concurrency limits, rate limits and ordered groups through the real server
(SetQueueLimits, Claim, the events): a limit of 3 holds for 20 workers on two
server processes (sampled from the database while they run, and rebuilt from
the events); a per-key limit serves both tenants; a per-type limit; a rate
limit over 5 s by database time; groups strictly in order, one at a time,
while another group proceeds; a retrying head blocks its group; bad limits
refused with nothing written; `actionctl queue set` and `add --group`."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from itertools import pairwise

import asyncpg
import grpc
import pytest
from actionq import AsyncClient, Client, InvalidField, QueueLimit, new_action
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc

from tests.conftest import fresh_schema
from tests.support import ServerProcess, actionctl, sql, start_server


@pytest.fixture
def two_servers(pg_dsn: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    schema = fresh_schema()
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema, "ACTIONQ_SWEEP_INTERVAL": "3600"}
    first = start_server(env)
    second = start_server(env)
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def _queue() -> str:
    return f"lq-{uuid.uuid4().hex[:10]}"


async def _connect(dsn: str, schema: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn, server_settings={"search_path": schema})


async def _work(
    addresses: list[str],
    queue: str,
    workers: int,
    *,
    handle: Callable[[AsyncClient, str, str], Awaitable[None]],
    done: Callable[[], Awaitable[bool]],
    sample: Callable[[], Awaitable[None]] | None = None,
    max_actions: int = 2,
    timeout: float = 90.0,
) -> None:
    """Run `workers` claim loops spread over the servers (each claims up to
    max_actions with a long poll and hands each action to `handle`) and a
    sampler, until `done()` says the scenario is over."""
    clients = [AsyncClient(a) for a in addresses]
    stop = asyncio.Event()
    # Each claimed batch is held (its "work") until the watcher has finished
    # a round that began after the claim: so every sample can see it claimed,
    # paced by the database reads, not by the clock.
    rounds = asyncio.Condition()
    finished = 0

    async def observed() -> None:
        async with rounds:
            target = finished + 2  # the round under way may have begun before the claim
            await rounds.wait_for(lambda: finished >= target or stop.is_set())

    async def loop(i: int) -> None:
        c = clients[i % len(clients)]
        while not stop.is_set():
            claimed = await c.claim(f"w{i}", queue=queue, max_actions=max_actions, wait=0.5)
            if claimed:
                await observed()
            await asyncio.gather(*(handle(c, x.action.id, x.lease_token) for x in claimed))

    async def watch() -> None:
        nonlocal finished
        deadline = time.monotonic() + timeout
        while not await done():
            assert time.monotonic() < deadline, "the scenario did not finish in time"
            if sample is not None:
                await sample()
            async with rounds:
                finished += 1
                rounds.notify_all()
        stop.set()
        async with rounds:
            rounds.notify_all()

    try:
        await asyncio.gather(watch(), *(loop(i) for i in range(workers)))
    finally:
        stop.set()
        for c in clients:
            await c.close()


def _claims_in_log_order(dsn: str, schema: str, queue: str) -> list[tuple[str, int, int]]:
    """(event type, action id, event id) of the queue's claim and end events, in log order."""
    rows = sql(
        dsn,
        schema,
        "SELECT e.event_type, e.action_id, e.id FROM events e JOIN actions a ON a.id = e.action_id"
        " WHERE a.queue = $1 AND e.event_type IN ('action_claimed', 'action_completed',"
        " 'action_failed', 'action_retry_scheduled', 'action_cancelled')"
        " ORDER BY e.id",
        queue,
    )
    return [(r["event_type"], r["action_id"], r["id"]) for r in rows]


def _max_running_from_events(events: list[tuple[str, int, int]]) -> int:
    running: set[int] = set()
    most = 0
    for kind, action_id, _ in events:
        if kind == "action_claimed":
            running.add(action_id)
            most = max(most, len(running))
        else:
            running.discard(action_id)
    return most


def test_concurrency_limit_of_3_holds_for_20_workers_on_two_servers(
    pg_dsn: str, two_servers: tuple[ServerProcess, ServerProcess], project: str
) -> None:
    a, b = two_servers
    schema, queue, total = a.schema, _queue(), 150
    with Client(a.address) as c:
        limited = c.set_queue_limits(queue, [QueueLimit("queue", concurrency=3)])
        assert [(x.scope, x.concurrency, x.rate) for x in limited.limits] == [("queue", 3, 0)]
        c.enqueue(new_action("t.limited", project, queue=queue) for _ in range(total))
    samples: list[int] = []

    async def scenario() -> None:
        db = await _connect(pg_dsn, schema)

        async def handle(client: AsyncClient, action_id: int, token: str) -> None:
            await client.complete(action_id, token)

        async def sample() -> None:
            samples.append(
                await db.fetchval(
                    "SELECT count(*) FROM actions WHERE status = 'claimed' AND queue = $1", queue
                )
            )

        async def done() -> bool:
            left = await db.fetchval(
                "SELECT count(*) FROM actions WHERE status <> 'completed' AND queue = $1", queue
            )
            return bool(left == 0)

        try:
            await _work([a.address, b.address], queue, 20, handle=handle, done=done, sample=sample)
        finally:
            await db.close()

    asyncio.run(scenario())
    assert len(samples) >= 50
    assert max(samples) == 3, max(samples)
    events = _claims_in_log_order(pg_dsn, schema, queue)
    assert sum(1 for e in events if e[0] == "action_claimed") == total
    assert _max_running_from_events(events) <= 3
    # Both servers handed out work.
    workers = sql(pg_dsn, schema, "SELECT DISTINCT claimed_by FROM actions WHERE queue = $1", queue)
    assert {int(r[0][1:]) % 2 for r in workers} == {0, 1}


def test_per_key_limit_serves_every_key_and_per_type_limit(
    pg_dsn: str, server: ServerProcess, project: str
) -> None:
    schema, queue = server.schema, _queue()
    with Client(server.address) as c:
        c.set_queue_limits(
            queue,
            [QueueLimit("key", concurrency=1), QueueLimit("type", "t.slow", concurrency=2)],
        )
        # Tenant a's 30 actions are ahead of tenant b's 5 in claim order.
        c.enqueue(
            new_action("t.keyed", project, queue=queue, concurrency_key="a") for _ in range(30)
        )
        c.enqueue(
            new_action("t.keyed", project, queue=queue, concurrency_key="b") for _ in range(5)
        )
        c.enqueue(new_action("t.slow", project, queue=queue) for _ in range(12))
        c.enqueue(new_action("t.free", project, queue=queue) for _ in range(12))
    per_key: list[tuple[int, int]] = []
    slow: list[int] = []

    async def scenario() -> None:
        db = await _connect(pg_dsn, schema)

        async def handle(client: AsyncClient, action_id: int, token: str) -> None:
            await client.complete(action_id, token)

        async def sample() -> None:
            row = await db.fetchrow(
                "SELECT count(*) FILTER (WHERE concurrency_key = 'a') AS a,"
                " count(*) FILTER (WHERE concurrency_key = 'b') AS b,"
                " count(*) FILTER (WHERE action_type = 't.slow') AS slow"
                " FROM actions WHERE status = 'claimed' AND queue = $1",
                queue,
            )
            per_key.append((row["a"], row["b"]))
            slow.append(row["slow"])

        async def done() -> bool:
            return bool(
                await db.fetchval(
                    "SELECT count(*) = 0 FROM actions WHERE status <> 'completed' AND queue = $1",
                    queue,
                )
            )

        try:
            await _work([server.address], queue, 6, handle=handle, done=done, sample=sample)
        finally:
            await db.close()

    asyncio.run(scenario())
    assert max(x for x, _ in per_key) == 1 and max(y for _, y in per_key) == 1
    assert max(slow) == 2, max(slow)
    keys = [
        r["concurrency_key"]
        for r in sql(
            pg_dsn,
            schema,
            "SELECT a.concurrency_key FROM events e JOIN actions a ON a.id = e.action_id"
            " WHERE a.queue = $1 AND e.event_type = 'action_claimed'"
            " AND a.concurrency_key IS NOT NULL ORDER BY e.id",
            queue,
        )
    ]
    # Fair: tenant b is served while tenant a still has most of its work queued.
    assert "b" in keys[:4], keys[:10]
    assert keys.index("b") < keys.index("a") + 3
    assert keys.count("a") == 30 and keys.count("b") == 5


def test_rate_limited_type_stays_within_its_rate_over_5_s(
    pg_dsn: str, server: ServerProcess, project: str
) -> None:
    schema, queue, rate = server.schema, _queue(), 4
    with Client(server.address) as c:
        c.set_queue_limits(queue, [QueueLimit("type", "t.api", rate=rate, period=1.0)])
        c.enqueue(new_action("t.api", project, queue=queue) for _ in range(80))
        c.enqueue(new_action("t.other", project, queue=queue) for _ in range(40))

    async def scenario() -> None:
        db = await _connect(pg_dsn, schema)

        async def handle(client: AsyncClient, action_id: int, token: str) -> None:
            await client.complete(action_id, token)

        async def done() -> bool:
            span = await db.fetchval(
                "SELECT extract(epoch FROM max(e.created_at) - min(e.created_at))"
                " FROM events e JOIN actions a ON a.id = e.action_id"
                " WHERE a.queue = $1 AND a.action_type = 't.api'"
                " AND e.event_type = 'action_claimed'",
                queue,
            )
            return span is not None and float(span) >= 5.0

        try:
            await _work([server.address], queue, 6, handle=handle, done=done, max_actions=5)
        finally:
            await db.close()

    asyncio.run(scenario())
    times: list[datetime] = [
        r["created_at"]
        for r in sql(
            pg_dsn,
            schema,
            "SELECT e.created_at FROM events e JOIN actions a ON a.id = e.action_id"
            " WHERE a.queue = $1 AND a.action_type = 't.api' AND e.event_type = 'action_claimed'"
            " ORDER BY e.created_at",
            queue,
        )
    ]
    first = times[0]
    # Over the whole run: the bucket's initial burst (rate) plus rate per second.
    span = (times[-1] - first).total_seconds()
    assert len(times) <= rate + rate * span + 1e-6, (len(times), span)
    # In every window of 1 s: at most the burst plus one period's refill.
    for i, t in enumerate(times):
        inside = sum(1 for u in times[i:] if u < t + timedelta(seconds=1))
        assert inside <= 2 * rate, (i, inside)
    # The limit held work back (80 were due), yet it refilled and went on.
    assert rate < len(times) < 80
    # The other type was not limited: all done.
    others = sql(
        pg_dsn,
        schema,
        "SELECT count(*) FROM actions WHERE queue = $1 AND action_type = 't.other'"
        " AND status = 'completed'",
        queue,
    )
    assert others[0][0] == 40


def test_groups_run_in_order_one_at_a_time_and_in_parallel(
    pg_dsn: str, two_servers: tuple[ServerProcess, ServerProcess], project: str
) -> None:
    a, b = two_servers
    schema, queue = a.schema, _queue()
    with Client(a.address) as c:
        # Group g1's 50 first, then g2's 50, then ungrouped work, in one call.
        c.enqueue(
            [new_action("t.g", project, queue=queue, group_key="g1") for _ in range(50)]
            + [new_action("t.g", project, queue=queue, group_key="g2") for _ in range(50)]
            + [new_action("t.free", project, queue=queue) for _ in range(30)]
        )
    samples: list[tuple[int, int]] = []

    async def scenario() -> None:
        db = await _connect(pg_dsn, schema)

        async def handle(client: AsyncClient, action_id: int, token: str) -> None:
            await client.complete(action_id, token)

        async def sample() -> None:
            row = await db.fetchrow(
                "SELECT count(*) FILTER (WHERE group_key = 'g1') AS g1,"
                " count(*) FILTER (WHERE group_key = 'g2') AS g2"
                " FROM actions WHERE status = 'claimed' AND queue = $1",
                queue,
            )
            samples.append((row["g1"], row["g2"]))

        async def done() -> bool:
            return bool(
                await db.fetchval(
                    "SELECT count(*) = 0 FROM actions WHERE status <> 'completed' AND queue = $1",
                    queue,
                )
            )

        try:
            await _work(
                [a.address, b.address],
                queue,
                8,
                handle=handle,
                done=done,
                sample=sample,
                max_actions=5,
            )
        finally:
            await db.close()

    asyncio.run(scenario())
    assert max(x for x, _ in samples) <= 1 and max(y for _, y in samples) <= 1
    groups = {
        r["id"]: r["group_key"]
        for r in sql(pg_dsn, schema, "SELECT id, group_key FROM actions WHERE queue = $1", queue)
    }
    events = _claims_in_log_order(pg_dsn, schema, queue)
    for group in ("g1", "g2"):
        mine = [(kind, i) for kind, i, _ in events if groups[i] == group]
        claimed = [i for kind, i in mine if kind == "action_claimed"]
        # Strictly in enqueue order, each claimed once...
        assert claimed == sorted(groups_of(groups, group)), group
        # ...and the next only after the previous one completed.
        assert mine == [(k, i) for i in claimed for k in ("action_claimed", "action_completed")]
    order = [groups[i] for kind, i, _ in events if kind == "action_claimed" and groups[i]]
    # The two groups proceeded in parallel: their claims interleave.
    g1 = [n for n, g in enumerate(order) if g == "g1"]
    g2 = [n for n, g in enumerate(order) if g == "g2"]
    assert g2[0] < g1[-1] and g1[0] < g2[-1]
    assert sum(1 for x, y in pairwise(order) if x != y) >= 10


def groups_of(groups: dict[int, str | None], group: str) -> list[int]:
    return [i for i, g in groups.items() if g == group]


def test_a_retrying_head_blocks_its_group(client: Client, project: str) -> None:
    queue = _queue()
    head, second = (
        x.action.id
        for x in client.enqueue(
            [
                new_action("t.g", project, queue=queue, group_key="g", max_attempts=3),
                new_action("t.g", project, queue=queue, group_key="g"),
            ]
        )
    )
    other = client.add("t.g", project, queue=queue, group_key="h").id
    first = client.claim("w", queue=queue, max_actions=10)
    assert sorted(x.action.id for x in first) == sorted([head, other])
    token = next(x.lease_token for x in first if x.action.id == head)
    failed = client.fail(head, token, reason="flaky", retry_delay=1.0)
    assert failed.status == "pending" and failed.attempt == 1
    # While the head waits for its retry, its group is blocked.
    assert client.claim("w", queue=queue, max_actions=10) == []
    assert client.get(second).status == "pending"
    again = client.claim("w", queue=queue, max_actions=10, wait=10)
    assert [x.action.id for x in again] == [head] and again[0].action.attempt == 2
    client.complete(head, again[0].lease_token)
    after = client.claim("w", queue=queue, max_actions=10, wait=5)
    assert [x.action.id for x in after] == [second]


def test_concurrent_claimers_never_take_two_of_one_group(
    pg_dsn: str, server: ServerProcess, project: str
) -> None:
    """Many claimers at once on one group: only its head is handed out."""
    queue = _queue()
    with Client(server.address) as c:
        ids = [
            x.action.id
            for x in c.enqueue(
                new_action("t.g", project, queue=queue, group_key="only") for _ in range(20)
            )
        ]

    async def race() -> list[int]:
        clients = [AsyncClient(server.address) for _ in range(4)]
        try:
            got = await asyncio.gather(
                *(clients[i % 4].claim(f"w{i}", queue=queue, max_actions=5) for i in range(16))
            )
        finally:
            for c in clients:
                await c.close()
        return [x.action.id for batch in got for x in batch]

    for step in range(3):
        taken = asyncio.run(race())
        assert taken == [ids[step]], taken
        with Client(server.address) as c:
            token = sql(
                pg_dsn, server.schema, "SELECT lease_token FROM actions WHERE id = $1", ids[step]
            )[0][0]
            c.complete(ids[step], str(token))


def test_set_queue_limits_refuses_bad_input_and_writes_nothing(
    pg_dsn: str, server: ServerProcess
) -> None:
    queue = _queue()
    cases = [
        (pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, concurrency=-1), "limits[0].concurrency"),
        (pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, rate=-5), "limits[0].rate"),
        (
            pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, rate=5, period={"seconds": 0}),
            "limits[0].period",
        ),
        (
            pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, rate=5, period={"seconds": 86401}),
            "limits[0].period",
        ),
        (
            pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, rate=5, period={"seconds": -1}),
            "limits[0].period",
        ),
        (pb.QueueLimit(scope=pb.LIMIT_SCOPE_UNSPECIFIED, concurrency=1), "limits[0].scope"),
        (pb.QueueLimit(scope=7, concurrency=1), "limits[0].scope"),  # type: ignore[arg-type]
        (pb.QueueLimit(scope=pb.LIMIT_SCOPE_ACTION_TYPE, concurrency=1), "limits[0].action_type"),
        (
            pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, action_type="t", concurrency=1),
            "limits[0].action_type",
        ),
    ]
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        for limit, field in cases:
            good = pb.QueueLimit(scope=pb.LIMIT_SCOPE_CONCURRENCY_KEY, concurrency=2)
            request = spb.SetQueueLimitsRequest(queue=queue, limits=[limit, good])
            with pytest.raises(grpc.RpcError) as caught:
                stub.SetQueueLimits(request)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, limit
            assert field in (caught.value.details() or ""), (field, caught.value.details())
        twice = spb.SetQueueLimitsRequest(
            queue=queue,
            limits=[
                pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, concurrency=1),
                pb.QueueLimit(scope=pb.LIMIT_SCOPE_QUEUE, rate=1),
            ],
        )
        with pytest.raises(grpc.RpcError) as caught:
            stub.SetQueueLimits(twice)
        assert "limits[1]" in (caught.value.details() or "")
    with Client(server.address) as c, pytest.raises(InvalidField) as refused:
        c.set_queue_limits(queue, [QueueLimit("queue", concurrency=-3)])
    assert refused.value.field == "limits[0].concurrency"
    schema = server.schema
    assert sql(pg_dsn, schema, "SELECT count(*) FROM queues WHERE name = $1", queue)[0][0] == 0
    assert (
        sql(pg_dsn, schema, "SELECT count(*) FROM queue_limits WHERE queue = $1", queue)[0][0] == 0
    )
    assert (
        sql(
            pg_dsn,
            schema,
            "SELECT count(*) FROM events WHERE event_type = 'queue_limits_updated'"
            " AND payload ->> 'queue' = $1",
            queue,
        )[0][0]
        == 0
    )


def test_set_replace_remove_and_the_event(pg_dsn: str, server: ServerProcess, project: str) -> None:
    queue = _queue()
    with Client(server.address) as c:
        q = c.set_queue_limits(
            queue,
            [
                QueueLimit("queue", concurrency=8, rate=100, period=60),
                QueueLimit("type", "t.x", concurrency=2),
            ],
            actor="ops",
        )
        assert {(x.scope, x.action_type, x.concurrency, x.rate, x.period) for x in q.limits} == {
            ("queue", "", 8, 100, 60.0),
            ("type", "t.x", 2, 0, None),
        }
        # Removing one (both numbers 0) keeps the other; the queue stays limited.
        q = c.set_queue_limits(queue, [QueueLimit("type", "t.x")])
        assert [(x.scope, x.concurrency) for x in q.limits] == [("queue", 8)]
        assert [x.limits for x in c.list_queues() if x.name == queue] == [q.limits]
        # A rate limit that has a token bucket (after a claim) is removed too.
        c.set_queue_limits(queue, [QueueLimit("type", "t.r", rate=5)])
        c.add("t.r", project, queue=queue)
        assert len(c.claim("w", queue=queue, action_types=["t.r"], wait=5)) == 1
        buckets = "SELECT count(*) FROM rate_buckets WHERE queue = $1 AND scope = 'type'"
        assert sql(pg_dsn, server.schema, buckets, queue)[0][0] == 1
        q = c.set_queue_limits(queue, [QueueLimit("type", "t.r")])
        assert [(x.scope, x.concurrency) for x in q.limits] == [("queue", 8)]
        assert sql(pg_dsn, server.schema, buckets, queue)[0][0] == 0
        # replace with nothing: no limit left, claims take the plain path again.
        q = c.set_queue_limits(queue, [], replace=True)
        assert q.limits == []
        c.add("t.x", project, queue=queue)
        assert len(c.claim("w", queue=queue, max_actions=5, wait=5)) == 1
    rows = sql(
        pg_dsn,
        server.schema,
        "SELECT actor, payload FROM events WHERE event_type = 'queue_limits_updated'"
        " AND payload ->> 'queue' = $1 ORDER BY id",
        queue,
    )
    assert [r["actor"] for r in rows] == ["ops"] + ["operator"] * 4
    limited = sql(pg_dsn, server.schema, "SELECT limited FROM queues WHERE name = $1", queue)
    assert limited[0][0] is False


def test_a_freed_slot_and_an_ended_group_head_notify_the_queue(
    pg_dsn: str, server: ServerProcess, project: str
) -> None:
    """The end of a claim taken through a limit, and of a group's head, wake
    the queue's waiting claimers (a NOTIFY naming the queue); the end of a
    plain claim does not notify."""
    limited, grouped, plain = _queue(), _queue(), _queue()
    with Client(server.address) as c:
        c.set_queue_limits(limited, [QueueLimit("queue", concurrency=1)])
        c.add("t", project, queue=limited)
        c.add("t", project, queue=grouped, group_key="g")
        c.add("t", project, queue=plain)
        held = {q: c.claim("w", queue=q, max_actions=1)[0] for q in (limited, grouped, plain)}

    async def ended(queue: str) -> list[str]:
        conn = await _connect(pg_dsn, server.schema)
        heard: asyncio.Queue[str] = asyncio.Queue()
        await conn.add_listener(f"{server.schema}.work", lambda *args: heard.put_nowait(args[3]))
        try:
            async with AsyncClient(server.address) as c:
                x = held[queue]
                await c.complete(x.action.id, x.lease_token)
            # A marker sent after the completion: every notification of the
            # completion arrives before it.
            await conn.execute(f"SELECT pg_notify('{server.schema}.work', 'marker')")
            got = []
            while (payload := await asyncio.wait_for(heard.get(), 10)) != "marker":
                got.append(payload)
            return got
        finally:
            await conn.close()

    assert asyncio.run(ended(limited)) == [limited]
    assert asyncio.run(ended(grouped)) == [grouped]
    assert asyncio.run(ended(plain)) == []


def test_actionctl_queue_set_queues_and_add_with_key_and_group(
    server: ServerProcess, project: str
) -> None:
    ctl = functools.partial(actionctl, server.address)
    queue = _queue()
    done = ctl("queue", "set", queue, "--concurrency", "3", "--rate", "10/s")
    assert done.code == 0, done.stderr
    assert done.json["limits"] == [
        {"scope": "queue", "action_type": "", "concurrency": 3, "rate": 10, "period": 1.0}
    ]
    # An option not given keeps its value.
    kept = ctl("queue", "set", queue, "--concurrency", "4").json["limits"]
    assert kept == [
        {"scope": "queue", "action_type": "", "concurrency": 4, "rate": 10, "period": 1.0}
    ]
    typed = ctl("queue", "set", queue, "--type", "t.api", "--rate", "5/2s").json["limits"]
    assert {
        "scope": "type",
        "action_type": "t.api",
        "concurrency": 0,
        "rate": 5,
        "period": 2.0,
    } in typed
    keyed = ctl("queue", "set", queue, "--per-key", "--concurrency", "1").json["limits"]
    assert {"scope": "key", "action_type": "", "concurrency": 1, "rate": 0, "period": None} in keyed
    listed = [q for q in ctl("queues").json if q["name"] == queue]
    assert len(listed) == 1 and len(listed[0]["limits"]) == 3
    bad = ctl("queue", "set", queue, "--rate", "ten/s")
    assert bad.code == 1 and bad.error["code"] == "INVALID_ARGUMENT" and "--rate" in bad.stderr
    both = ctl("queue", "set", queue, "--type", "t", "--per-key", "--concurrency", "1")
    assert both.code == 1 and both.error["code"] == "INVALID_ARGUMENT"
    cleared = ctl("queue", "set", queue, "--replace")
    assert cleared.code == 0 and cleared.json["limits"] == []
    added = ctl(
        "add",
        "--type",
        "t",
        "--project",
        project,
        "--queue",
        queue,
        "--concurrency-key",
        "tenant-1",
        "--group",
        "order-7",
    )
    assert added.code == 0, added.stderr
    assert added.json["concurrency_key"] == "tenant-1" and added.json["group_key"] == "order-7"
