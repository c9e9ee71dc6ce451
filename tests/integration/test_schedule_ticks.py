"""The exactly-once guarantee of schedule ticks, at the store: many replicas
firing the same due tick at once enqueue one action, and even a tick fired
twice (its compare-and-set undone behind the store's back) cannot make a
second row, because the action's idempotency key names the schedule and tick."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
from actionq_server.domain.cron import Cron
from actionq_server.domain.models import NewAction
from actionq_server.store.repository import Store, init_connection
from actionq_server.store.schedules import ScheduleStore, idempotency_key


async def _race(dsn: str, schema: str) -> None:
    pools = [
        await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=2,
            init=init_connection,
            server_settings={"search_path": schema},
        )
        for _ in range(8)
    ]
    try:
        store = Store(pools[0], schema)
        await store.migrate()
        replicas = [ScheduleStore(Store(p, schema)) for p in pools]
        template = NewAction("race.tick", "p", "schedule:race", queue="race")
        await replicas[0].create(
            "race", Cron("0 * * * *", ""), template, paused=False, replace=False, actor="t"
        )
        async with pools[0].acquire() as conn:
            # Three hours of hourly ticks missed, as after a downtime.
            await conn.execute(
                "UPDATE schedules SET next_run_at = date_trunc('hour', now()) - interval '3 hours'"
            )
        fired = await asyncio.gather(*[r.fire_due() for r in replicas])
        winners = [f for batch in fired for f in batch]
        assert len(winners) == 1, winners
        (won,) = winners
        assert not won.duplicate
        async with pools[0].acquire() as conn:
            rows = await conn.fetch("SELECT id, idempotency_key FROM actions")
            assert [(r["id"], r["idempotency_key"]) for r in rows] == [
                (won.action_id, idempotency_key("race", won.tick))
            ]
            now = await conn.fetchval("SELECT now()")
            assert now - timedelta(hours=1) < won.tick <= now and won.tick.minute == 0
            stored = await conn.fetchrow("SELECT * FROM schedules")
            assert stored["last_run_at"] == won.tick
            assert stored["last_action_id"] == won.action_id
            assert stored["next_run_at"] == won.tick + timedelta(hours=1)
            # Undo the compare-and-set: the same tick fires again, and finds its action.
            await conn.execute("UPDATE schedules SET next_run_at = $1", won.tick)
        again = [
            f for batch in await asyncio.gather(*[r.fire_due() for r in replicas]) for f in batch
        ]
        assert [(f.tick, f.action_id, f.duplicate) for f in again] == [
            (won.tick, won.action_id, True)
        ]
        async with pools[0].acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM actions") == 1
            events = await conn.fetch(
                "SELECT action_id, event_type, payload->>'duplicate' AS dup FROM events "
                "WHERE event_type IN ('action_enqueued', 'schedule_fired') ORDER BY id"
            )
            assert [(e["action_id"], e["event_type"], e["dup"]) for e in events] == [
                (won.action_id, "action_enqueued", None),
                (won.action_id, "schedule_fired", "false"),
                (won.action_id, "schedule_fired", "true"),
            ]
    finally:
        for p in pools:
            await p.close()


def test_racing_replicas_enqueue_a_due_tick_once(schema_dsn: tuple[str, str]) -> None:
    dsn, schema = schema_dsn
    asyncio.run(_race(dsn, schema))
