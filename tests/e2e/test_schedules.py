"""Cron schedules through the real server: each tick enqueued exactly once by
two server processes on one schema, pause without ticks, resume without
catch-up, at most one missed tick after a downtime, DST as croniter has it,
bad input refused with nothing written, and the actionctl commands."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from actionq import (
    Client,
    InvalidField,
    ScheduleExists,
    ScheduleNotFound,
    new_action,
)
from actionq_server.domain.cron import Cron

from tests.conftest import fresh_schema
from tests.support import ServerProcess, actionctl, sql, start_server, wait_until

SECOND = timedelta(seconds=1)


def _tick_of(key: str) -> datetime:
    """schedule:NAME:2026-11-30T16:04:05Z -> that time."""
    return datetime.strptime(key[-20:], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _keys(dsn: str, schema: str, queue: str) -> list[str]:
    rows = sql(
        dsn, schema, "SELECT idempotency_key FROM actions WHERE queue = $1 ORDER BY id", queue
    )
    return [r["idempotency_key"] for r in rows]


def _db_now(dsn: str, schema: str) -> datetime:
    now: datetime = sql(dsn, schema, "SELECT now()")[0][0]
    return now


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


def test_two_servers_enqueue_each_tick_once_pause_resume_and_downtime(
    pg_dsn: str, two_servers: tuple[ServerProcess, ServerProcess], project: str
) -> None:
    a, b = two_servers
    schema = a.schema
    with Client(a.address) as ca, Client(b.address) as cb:
        tick = ca.create_schedule(
            "every-second", "* * * * * *", new_action("sched.tick", project, queue="ticks")
        )
        assert tick.created_by == "schedule:every-second" and tick.time_zone == "UTC"
        assert tick.next_run_at is not None and tick.next_run_at.microsecond == 0
        cb.create_schedule(
            "clock", "* * * * * *", new_action("sched.clock", project, queue="clock")
        )
        # ~5 s of ticks, fired by whichever server wins each one.
        assert wait_until(lambda: len(_keys(pg_dsn, schema, "ticks")) >= 6, timeout=30)
        paused = cb.pause_schedule("every-second")
        assert paused.paused
        keys = _keys(pg_dsn, schema, "ticks")
        ticks = [_tick_of(k) for k in keys]
        assert all(k.startswith("schedule:every-second:") for k in keys)
        assert len(set(ticks)) == len(ticks), ticks
        assert ticks == sorted(ticks)
        assert all(later - earlier == SECOND for earlier, later in pairwise(ticks)), ticks
        assert ticks[0] == tick.next_run_at
        # One action_enqueued and one schedule_fired event per action.
        rows = sql(
            pg_dsn,
            schema,
            "SELECT a.id, a.created_by, "
            " (SELECT count(*) FROM events e WHERE e.action_id = a.id"
            "  AND e.event_type = 'action_enqueued') AS enqueued,"
            " (SELECT count(*) FROM events e WHERE e.action_id = a.id"
            "  AND e.event_type = 'schedule_fired' AND e.payload->>'schedule' = 'every-second')"
            "  AS fired "
            "FROM actions a WHERE a.queue = 'ticks' ORDER BY a.id",
        )
        assert [(r["created_by"], r["enqueued"], r["fired"]) for r in rows] == [
            ("schedule:every-second", 1, 1)
        ] * len(ticks)
        assert paused.last_action_id == rows[-1]["id"]
        assert paused.last_run_at == ticks[-1]

        # Paused: no tick while the clock schedule ticks three more times.
        clock_count = len(_keys(pg_dsn, schema, "clock"))
        assert wait_until(lambda: len(_keys(pg_dsn, schema, "clock")) >= clock_count + 3, 30)
        assert _keys(pg_dsn, schema, "ticks") == keys
        # Resumed: from the next tick after now, the missed ones not caught up.
        resumed = ca.resume_schedule("every-second")
        assert not resumed.paused and resumed.next_run_at is not None
        assert resumed.next_run_at >= ticks[-1] + 3 * SECOND
        assert wait_until(lambda: len(_keys(pg_dsn, schema, "ticks")) >= len(keys) + 2, 30)
        after = [_tick_of(k) for k in _keys(pg_dsn, schema, "ticks")[len(keys) :]]
        assert after[0] == resumed.next_run_at and after[1] == after[0] + SECOND
        events = ca.list_events(event_types=["schedule_paused", "schedule_resumed"]).events
        assert [(e.event_type, e.payload["schedule"]) for e in events] == [
            ("schedule_paused", "every-second"),
            ("schedule_resumed", "every-second"),
        ]
        cb.create_schedule(
            "hourly", "0 * * * *", new_action("sched.hourly", project, queue="hourly")
        )

    # Downtime: both servers stop, at least three ticks pass.
    a.stop()
    b.stop()
    last = sql(pg_dsn, schema, "SELECT last_run_at FROM schedules WHERE name = 'every-second'")
    last_tick: datetime = last[0][0]
    # The hourly schedule missed three hours' ticks (as if down since then).
    sql(
        pg_dsn,
        schema,
        "UPDATE schedules SET next_run_at = date_trunc('hour', now()) - interval '3 hours' "
        "WHERE name = 'hourly'",
    )
    assert wait_until(lambda: _db_now(pg_dsn, schema) > last_tick + 3.5 * SECOND, timeout=30)
    restarted_at = _db_now(pg_dsn, schema)
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema, "ACTIONQ_SWEEP_INTERVAL": "3600"}
    c, d = start_server(env), start_server(env)
    try:
        count = len(_keys(pg_dsn, schema, "ticks"))
        assert wait_until(lambda: len(_keys(pg_dsn, schema, "ticks")) >= count + 3, timeout=30)
        assert wait_until(lambda: _keys(pg_dsn, schema, "hourly"), timeout=30)
        later = [_tick_of(k) for k in _keys(pg_dsn, schema, "ticks")[count:]]
        # At most one tick from the downtime (the latest past one), then every tick.
        assert later[0] > last_tick + 3 * SECOND
        assert len([t for t in later if t <= restarted_at]) <= 1
        assert all(y - x == SECOND for x, y in pairwise(later)), later
        hourly = _keys(pg_dsn, schema, "hourly")
        assert len(hourly) == 1
        hour_tick = _tick_of(hourly[0])
        assert hour_tick.minute == 0 and hour_tick.second == 0
        assert hour_tick >= restarted_at.replace(minute=0, second=0, microsecond=0)
        with Client(c.address) as cc:
            stored = {s.name: s for s in cc.list_schedules()}
        assert stored["hourly"].last_run_at == hour_tick
        assert stored["hourly"].next_run_at == hour_tick + timedelta(hours=1)
    finally:
        c.stop()
        d.stop()
    for proc in (a, b, c, d):
        assert "scheduler:" not in proc.log and "not enqueued" not in proc.log, proc.log


def test_dst_spring_forward_and_fall_back_in_berlin() -> None:
    """croniter runs a 02:30 daily schedule at 03:00 CEST on the day 02:30 does
    not exist (2026-03-29), and twice on the day it happens twice (2026-10-25:
    at 02:30 CEST and again at 02:30 CET)."""
    berlin = ZoneInfo("Europe/Berlin")
    cron = Cron("30 2 * * *", "Europe/Berlin")
    spring = [cron.next_after(datetime(2026, 3, 28, 12, tzinfo=UTC))]
    spring.append(cron.next_after(spring[-1]))
    assert spring == [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]
    assert [t.astimezone(berlin).time() for t in spring] == [time(3, 0), time(2, 30)]
    fall = [cron.next_after(datetime(2026, 10, 24, 12, tzinfo=UTC))]
    for _ in range(2):
        fall.append(cron.next_after(fall[-1]))
    assert fall == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    # The latest past tick (a downtime's one catch-up) sees the same ticks.
    assert cron.latest_until(datetime(2026, 3, 29, 5, tzinfo=UTC)) == spring[0]
    assert cron.latest_until(fall[1]) == fall[1]


def test_schedule_in_a_zone_seconds_field_and_macros(client: Client, project: str) -> None:
    name = f"s-{uuid.uuid4().hex[:8]}"
    berlin = client.create_schedule(
        name,
        "30 2 * * *",
        new_action("sched.zone", project, queue=name, payload={"n": 2**63 - 1}),
        time_zone="Europe/Berlin",
        paused=True,
    )
    assert berlin.time_zone == "Europe/Berlin" and berlin.paused
    assert berlin.payload == {"n": 2**63 - 1}
    assert berlin.next_run_at is not None
    assert berlin.next_run_at.astimezone(ZoneInfo("Europe/Berlin")).time() in (
        time(2, 30),
        time(3, 0),
    )
    seconds = client.create_schedule(
        f"{name}-s", "*/10 * * * * *", new_action("sched.s", project, queue=name), paused=True
    )
    assert seconds.next_run_at is not None and seconds.next_run_at.second % 10 == 0
    hourly = client.create_schedule(
        f"{name}-h", "@hourly", new_action("sched.h", project, queue=name), paused=True
    )
    assert hourly.next_run_at is not None
    assert (hourly.next_run_at.minute, hourly.next_run_at.second) == (0, 0)
    names = [s.name for s in client.list_schedules()]
    assert {name, f"{name}-s", f"{name}-h"} <= set(names) and names == sorted(names)
    for n in (name, f"{name}-s", f"{name}-h"):
        client.delete_schedule(n)


def test_replace_and_delete(client: Client, project: str) -> None:
    name = f"r-{uuid.uuid4().hex[:8]}"
    first = client.create_schedule(
        name, "0 0 * * *", new_action("sched.r", project, queue=name), paused=True
    )
    with pytest.raises(ScheduleExists) as exists:
        client.create_schedule(name, "0 1 * * *", new_action("sched.r", project))
    assert exists.value.reason == "SCHEDULE_EXISTS"
    replaced = client.create_schedule(
        name,
        "0 1 * * *",
        new_action("sched.r2", project, queue=name, created_by="human:test", max_attempts=3),
        replace=True,
        paused=True,
    )
    assert (replaced.cron, replaced.action_type, replaced.created_by) == (
        "0 1 * * *",
        "sched.r2",
        "human:test",
    )
    assert replaced.max_attempts == 3 and replaced.created_at == first.created_at
    assert replaced.next_run_at is not None and replaced.next_run_at.hour == 1
    deleted = client.delete_schedule(name, actor="human:test")
    assert deleted.name == name
    assert name not in [s.name for s in client.list_schedules()]
    events = [
        e
        for e in client.list_events(
            event_types=["schedule_created", "schedule_deleted"], page_size=1000
        ).events
        if e.payload.get("schedule") == name
    ]
    assert [(e.event_type, e.payload.get("replaced"), e.actor) for e in events] == [
        ("schedule_created", False, "operator"),
        ("schedule_created", True, "operator"),
        ("schedule_deleted", None, "human:test"),
    ]


def _schedule_events(client: Client) -> int:
    types = [
        "schedule_created",
        "schedule_paused",
        "schedule_resumed",
        "schedule_deleted",
        "schedule_fired",
    ]
    return len(client.list_events(event_types=types, page_size=1000).events)


def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    client: Client, project: str
) -> None:
    name = f"b-{uuid.uuid4().hex[:8]}"
    before = _schedule_events(client)
    good = new_action("sched.bad", project)
    cases: list[tuple[dict[str, object], str]] = [
        ({"cron": "not a cron"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "* * * *"}, "cron"),
        ({"cron": "0 0 * * * * 2099"}, "cron"),
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": ""}, "cron"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"name": ""}, "name"),
        ({"name": "bad name"}, "name"),
        ({"action": new_action("", project)}, "action.action_type"),
        ({"action": new_action("t", "")}, "action.project"),
        ({"action": new_action("t", project, payload_json="[1]")}, "action.payload_json"),
        ({"action": new_action("t", project, idempotency_key="k")}, "action.idempotency_key"),
        ({"action": new_action("t", project, parent_id=1)}, "action.parent_id"),
        (
            {"action": new_action("t", project, run_after=datetime(2030, 1, 1, tzinfo=UTC))},
            "action.run_after",
        ),
    ]
    for change, field in cases:
        args: dict[str, object] = {"name": name, "cron": "* * * * *", "action": good, **change}
        with pytest.raises(InvalidField) as refused:
            client.create_schedule(
                str(args["name"]),
                str(args["cron"]),
                args["action"],  # type: ignore[arg-type]
                time_zone=str(change.get("time_zone", "")),
            )
        assert refused.value.field == field, (change, refused.value)
        assert refused.value.message.startswith(f"{field}: "), refused.value.message
    for call in (client.pause_schedule, client.resume_schedule, client.delete_schedule):
        with pytest.raises(ScheduleNotFound) as missing:
            call(name)
        assert missing.value.reason == "SCHEDULE_NOT_FOUND"
    assert name not in [s.name for s in client.list_schedules()]
    assert _schedule_events(client) == before


def test_actionctl_schedule_commands(server: ServerProcess, project: str) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    created = actionctl(
        server.address,
        "schedule",
        "create",
        name,
        "--cron",
        "0 9 * * 1-5",
        "--tz",
        "America/New_York",
        "--type",
        "report.daily",
        "--project",
        project,
        "--queue",
        name,
        "--payload",
        '{"n": 1}',
        "--priority",
        "3",
        "--max-attempts",
        "2",
        "--paused",
    )
    assert created.code == 0, created.stderr
    record = created.json
    assert (record["name"], record["cron"], record["time_zone"], record["paused"]) == (
        name,
        "0 9 * * 1-5",
        "America/New_York",
        True,
    )
    assert (record["payload"], record["priority"], record["max_attempts"]) == ({"n": 1}, 3, 2)
    assert record["created_by"] == f"schedule:{name}"
    again = actionctl(
        server.address, "schedule", "create", name, "--cron", "@daily",
        "--type", "t", "--project", project,
    )  # fmt: skip
    assert again.code != 0 and again.error["reason"] == "SCHEDULE_EXISTS"
    replaced = actionctl(
        server.address, "schedule", "create", name, "--cron", "@daily",
        "--type", "t", "--project", project, "--replace", "--paused",
    )  # fmt: skip
    assert replaced.code == 0 and replaced.json["cron"] == "@daily"
    listed = actionctl(server.address, "schedule", "ls")
    assert listed.code == 0 and name in [s["name"] for s in listed.json]
    resumed = actionctl(server.address, "schedule", "resume", name)
    assert resumed.code == 0 and resumed.json["paused"] is False
    paused = actionctl(server.address, "schedule", "pause", name)
    assert paused.code == 0 and paused.json["paused"] is True
    deleted = actionctl(server.address, "schedule", "delete", name)
    assert deleted.code == 0 and deleted.json["name"] == name
    gone = actionctl(server.address, "schedule", "pause", name)
    assert gone.code != 0 and gone.error["reason"] == "SCHEDULE_NOT_FOUND"
    bad = actionctl(
        server.address, "schedule", "create", name, "--cron", "nope",
        "--type", "t", "--project", project,
    )  # fmt: skip
    assert bad.code != 0 and bad.error["reason"] == "INVALID_FIELD"
    assert "cron" in bad.error["message"]
    zone = actionctl(
        server.address, "schedule", "create", name, "--cron", "@daily", "--tz", "Nowhere/City",
        "--type", "t", "--project", project,
    )  # fmt: skip
    assert zone.code != 0 and zone.error["message"].startswith("time_zone: ")
