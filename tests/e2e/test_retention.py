"""Retention: finished actions pruned in bounded batches (children first), the
partitioned event log losing whole partitions, and readers whose cursor points
into what was dropped told so (OUT_OF_RANGE / CURSOR_EXPIRED, oldest_cursor).

Each test runs its own server on its own schema: pruning with a short cutoff
would take other tests' actions. The partition width is a test hook (SQL on
the schema's event_log row), so that partitions close within seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise

import grpc
import pytest
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.conftest import fresh_schema
from tests.support import ServerProcess, refusal, sql, start_server

HOUR = 3600
CENTURY = 100 * 365 * 86400


@pytest.fixture
def own_server(pg_dsn: str) -> Iterator[ServerProcess]:
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def stub(own_server: ServerProcess) -> Iterator[service_pb2_grpc.ActionQueueServiceStub]:
    options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    with grpc.insecure_channel(own_server.address, options=options) as channel:
        yield service_pb2_grpc.ActionQueueServiceStub(channel)


def _prune(
    stub: service_pb2_grpc.ActionQueueServiceStub, older_than: float | None, limit: int = 0
) -> spb.PruneResponse:
    request = spb.PruneRequest(limit=limit)
    if older_than is not None:
        request.older_than.CopyFrom(duration_pb2.Duration(seconds=int(older_than)))
    response: spb.PruneResponse = stub.Prune(request)
    return response


def _enqueue(
    stub: service_pb2_grpc.ActionQueueServiceStub,
    project: str,
    n: int,
    parent_id: int = 0,
) -> list[int]:
    request = spb.EnqueueRequest(
        actions=[
            pb.NewAction(action_type="ret.t", project=project, parent_id=parent_id)
            for _ in range(n)
        ],
        view=spb.ENQUEUE_VIEW_ID,
    )
    return [a.action.id for a in stub.Enqueue(request).actions]


def _finish(dsn: str, schema: str, ids: list[int], ago: str) -> None:
    """Mark actions completed `ago` (an interval) through SQL: the actions table
    is not append-only, and this sets completed_at exactly."""
    sql(
        dsn,
        schema,
        "UPDATE actions SET status = 'completed', completed_at = now() - $2::text::interval "
        "WHERE id = ANY($1::bigint[])",
        ids,
        ago,
    )


def _info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    status = rpc_status.from_call(error)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert any(d.Unpack(info) for d in status.details)
    return info


def _set_width(dsn: str, schema: str, seconds: int, ahead: int) -> None:
    """The test hook: partitions of `seconds`, `ahead` of them after the current
    one; the next maintenance replaces the empty partitions after now."""
    sql(
        dsn,
        schema,
        "UPDATE event_log SET partition_width = make_interval(secs => $1), partitions_ahead = $2",
        seconds,
        ahead,
    )


def _wait_for_db_time(dsn: str, schema: str, when: object, timeout: float = 30.0) -> None:
    """Wait until the database clock passes `when`."""
    deadline = time.monotonic() + timeout
    while not sql(dsn, schema, "SELECT clock_timestamp() > $1", when)[0][0]:
        assert time.monotonic() < deadline, f"the database clock did not pass {when}"
        time.sleep(0.05)


def test_the_partitioned_log_refuses_update_delete_and_truncate(
    own_server: ServerProcess, pg_dsn: str, stub: service_pb2_grpc.ActionQueueServiceStub
) -> None:
    _enqueue(stub, "p", 2)
    schema = own_server.schema
    partitions = [r[0] for r in sql(pg_dsn, schema, "SELECT name FROM event_partitions")]
    holding = sql(pg_dsn, schema, "SELECT DISTINCT tableoid::regclass::text FROM events")
    assert len(partitions) >= 5 and holding and holding[0][0] in partitions
    for table in ("events", holding[0][0]):
        for statement in (
            f"UPDATE {table} SET actor = 'x'",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            assert refusal(pg_dsn, schema, statement) == "InsufficientPrivilegeError", statement
    # An empty partition (one ahead): UPDATE and DELETE find no row to refuse,
    # but TRUNCATE is refused before it looks.
    statement = f"TRUNCATE {partitions[-1]}"
    assert refusal(pg_dsn, schema, statement) == "InsufficientPrivilegeError"
    assert sql(pg_dsn, schema, "SELECT count(*) FROM events")[0][0] == 2


def test_prune_takes_only_old_finished_actions_children_first_in_bounded_batches(
    own_server: ServerProcess, pg_dsn: str, stub: service_pb2_grpc.ActionQueueServiceStub
) -> None:
    schema = own_server.schema
    # Old and finished: a chain root <- child <- grandchild, and 5 loose ones.
    root = _enqueue(stub, "p", 1)[0]
    child = _enqueue(stub, "p", 1, parent_id=root)[0]
    grandchild = _enqueue(stub, "p", 1, parent_id=child)[0]
    loose = _enqueue(stub, "p", 5)
    # Old and finished, but with a child still pending: stays, and so does the child.
    held_parent = _enqueue(stub, "p", 1)[0]
    pending_child = _enqueue(stub, "p", 1, parent_id=held_parent)[0]
    recent = _enqueue(stub, "p", 3)
    pending = _enqueue(stub, "p", 2)
    # The chain finished oldest first (the root two hours ago): completed_at
    # order alone would take the root first; the rule holds it back.
    _finish(pg_dsn, schema, [root], "3 hours")
    _finish(pg_dsn, schema, [child], "2 hours 30 minutes")
    _finish(pg_dsn, schema, [grandchild], "2 hours")
    _finish(pg_dsn, schema, [*loose, held_parent], "90 minutes")
    _finish(pg_dsn, schema, recent, "1 minute")

    def alive() -> set[int]:
        return {r[0] for r in sql(pg_dsn, schema, "SELECT id FROM actions")}

    old = {root, child, grandchild, *loose}
    batches = []
    while True:
        before = alive()
        response = _prune(stub, HOUR, limit=3)
        gone = before - alive()
        batches.append(response.pruned_actions)
        assert response.pruned_actions == len(gone) <= 3
        assert gone <= old
        # No action went while an action naming it as parent was still there.
        for parent, kid in ((root, child), (child, grandchild), (held_parent, pending_child)):
            if parent in gone:
                assert kid not in alive()
        if not response.more:
            break
        assert len(batches) < 10
    assert alive() == {held_parent, pending_child, *recent, *pending}
    assert sum(batches) == len(old) and max(batches) == 3
    assert _prune(stub, HOUR).pruned_actions == 0


def test_prune_refuses_bad_arguments(stub: service_pb2_grpc.ActionQueueServiceStub) -> None:
    bad = [
        (spb.PruneRequest(limit=10_001), "limit"),
        (spb.PruneRequest(limit=-1), "limit"),
        (spb.PruneRequest(older_than=duration_pb2.Duration(seconds=-1)), "older_than"),
        (spb.PruneRequest(older_than=duration_pb2.Duration(seconds=CENTURY * 2)), "older_than"),
    ]
    for request, field in bad:
        with pytest.raises(grpc.RpcError) as refused:
            stub.Prune(request)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        info = _info(refused.value)
        assert info.reason == "INVALID_FIELD" and info.metadata["field"] == field
    # Unset: the server's retention (7 days by default); nothing is that old here.
    response = stub.Prune(spb.PruneRequest())
    assert response.pruned_actions == 0 and not response.more and response.oldest_cursor == ""


def _list_all(stub: service_pb2_grpc.ActionQueueServiceStub, after: str) -> list[pb.Event]:
    events: list[pb.Event] = []
    cursor = after
    while True:
        page = stub.ListEvents(spb.ListEventsRequest(after_cursor=cursor, page_size=1000))
        events.extend(page.events)
        if not page.events:
            return events
        cursor = page.next_cursor


def test_readers_of_a_dropped_partition_are_told_where_the_log_resumes(
    own_server: ServerProcess, pg_dsn: str, stub: service_pb2_grpc.ActionQueueServiceStub
) -> None:
    schema = own_server.schema
    _set_width(pg_dsn, schema, 10, 12)
    _prune(stub, CENTURY)  # maintenance: the partitions after now take the new width
    widths = sql(
        pg_dsn,
        schema,
        "SELECT extract(epoch FROM upper_bound - lower_bound) FROM event_partitions "
        "WHERE lower_bound > now()",
    )
    assert len(widths) >= 12 and {float(w[0]) for w in widths} == {10.0}

    old_ids = _enqueue(stub, "p", 2000)
    first_old = _list_all(stub, "")[:3]
    inside = first_old[1].cursor  # a cursor inside the partition that will go
    ends = sql(
        pg_dsn,
        schema,
        "SELECT max(p.upper_bound) FROM events e JOIN event_partitions p "
        "ON p.name = e.tableoid::regclass::text",
    )[0][0]
    _wait_for_db_time(pg_dsn, schema, ends)
    new_ids = _enqueue(stub, "p", 50)

    started = time.perf_counter()
    response = _prune(stub, 0)
    drop_seconds = time.perf_counter() - started
    assert response.dropped_partitions >= 1
    assert response.pruned_actions == 0  # nothing finished
    oldest = response.oldest_cursor
    assert oldest
    print(
        f"\nretention: Prune dropped {response.dropped_partitions} partitions "
        f"(one holding 2000 events) in {drop_seconds * 1000:.1f} ms "
        f"({drop_seconds * 1000 / response.dropped_partitions:.1f} ms per partition)"
    )
    remaining = sql(pg_dsn, schema, "SELECT action_id FROM events ORDER BY txid, id")
    assert {r[0] for r in remaining} == set(new_ids)

    # ListEvents: a cursor inside the dropped range is expired; the oldest
    # cursor is not, and reads every later event once.
    with pytest.raises(grpc.RpcError) as expired:
        stub.ListEvents(spb.ListEventsRequest(after_cursor=inside))
    assert expired.value.code() == grpc.StatusCode.OUT_OF_RANGE
    info = _info(expired.value)
    assert info.reason == "CURSOR_EXPIRED" and info.metadata["oldest_cursor"] == oldest
    later = _list_all(stub, oldest)
    assert [e.action_id for e in later] == new_ids
    # The empty cursor reads what the log kept.
    assert [e.cursor for e in _list_all(stub, "")] == [e.cursor for e in later]

    # WatchEvents: the same at the start of the stream.
    with pytest.raises(grpc.RpcError) as refused:
        next(iter(stub.WatchEvents(spb.WatchEventsRequest(after_cursor=inside))))
    assert refused.value.code() == grpc.StatusCode.OUT_OF_RANGE
    info = _info(refused.value)
    assert info.reason == "CURSOR_EXPIRED" and info.metadata["oldest_cursor"] == oldest
    stream = stub.WatchEvents(spb.WatchEventsRequest(after_cursor=oldest))
    try:
        seen: list[pb.Event] = []
        for message in stream:
            seen.extend(message.events)
            if len(seen) >= len(new_ids):
                break
        # And live events after them, once each.
        live = _enqueue(stub, "p", 3)
        for message in stream:
            seen.extend(message.events)
            if len(seen) >= len(new_ids) + 3:
                break
    finally:
        stream.cancel()
    assert [e.action_id for e in seen] == [*new_ids, *live]
    assert len({e.cursor for e in seen}) == len(seen)
    assert set(old_ids).isdisjoint(e.action_id for e in seen)


def test_a_watcher_that_falls_behind_a_drop_is_told_when_it_next_reads(
    own_server: ServerProcess, pg_dsn: str, stub: service_pb2_grpc.ActionQueueServiceStub
) -> None:
    """The watcher stops reading (gRPC flow control stops the server's stream)
    with most of a large partition unread; the partition is dropped; when the
    watcher reads on, it gets what was already on its way, then CURSOR_EXPIRED."""
    schema = own_server.schema
    _set_width(pg_dsn, schema, 10, 12)
    _prune(stub, CENTURY)
    big = json.dumps({"blob": "x" * 60_000})
    emitted = 600  # about 36 MB: far beyond what gRPC buffers for a reader that waits
    for _ in range(emitted):
        stub.EmitEvent(
            spb.EmitEventRequest(event_type="coordinator_cycle", actor="t", payload_json=big)
        )
    stream = stub.WatchEvents(spb.WatchEventsRequest(max_batch=1))
    received = [next(iter(stream))]
    ends = sql(
        pg_dsn,
        schema,
        "SELECT max(p.upper_bound) FROM events e JOIN event_partitions p "
        "ON p.name = e.tableoid::regclass::text",
    )[0][0]
    _wait_for_db_time(pg_dsn, schema, ends)
    response = _prune(stub, 0)
    assert response.dropped_partitions >= 1
    with pytest.raises(grpc.RpcError) as expired:
        for message in stream:
            received.append(message)
    assert expired.value.code() == grpc.StatusCode.OUT_OF_RANGE
    info = _info(expired.value)
    assert info.reason == "CURSOR_EXPIRED" and info.metadata["oldest_cursor"] == (
        response.oldest_cursor
    )
    events = [e for m in received for e in m.events]
    assert 0 < len(events) < emitted
    ids = [e.id for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_prune_throughput(
    own_server: ServerProcess, pg_dsn: str, stub: service_pb2_grpc.ActionQueueServiceStub
) -> None:
    """Measures deletion of finished actions in batches of 10,000 (printed for
    the closing note; no timed assertion)."""
    schema = own_server.schema
    total = 50_000
    ids: list[int] = []
    while len(ids) < total:
        ids.extend(_enqueue(stub, "p", 10_000))
    _finish(pg_dsn, schema, ids, "2 hours")
    started = time.perf_counter()
    pruned = batches = 0
    while True:
        response = _prune(stub, HOUR, limit=10_000)
        pruned += response.pruned_actions
        batches += 1
        if not response.more:
            break
    elapsed = time.perf_counter() - started
    assert pruned == total and batches == total // 10_000
    assert sql(pg_dsn, schema, "SELECT count(*) FROM actions")[0][0] == 0
    print(
        f"\nretention: pruned {pruned} finished actions in {batches} batches of 10,000 "
        f"in {elapsed:.2f} s ({pruned / elapsed:,.0f} actions/s)"
    )


def test_the_sweeper_prunes_with_actionq_retention(pg_dsn: str) -> None:
    """A server with ACTIONQ_RETENTION=1h prunes, at its first sweep, the
    actions that finished more than an hour before, and nothing else."""
    schema = fresh_schema()
    first = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema, "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        with grpc.insecure_channel(first.address) as channel:
            stub = service_pb2_grpc.ActionQueueServiceStub(channel)
            old = _enqueue(stub, "p", 20)
            recent = _enqueue(stub, "p", 5)
    finally:
        first.stop()
    _finish(pg_dsn, schema, old, "61 minutes")
    _finish(pg_dsn, schema, recent, "59 minutes")
    second = start_server(
        {
            "ACTIONQ_URL": pg_dsn,
            "ACTIONQ_SCHEMA": schema,
            "ACTIONQ_SWEEP_INTERVAL": "0.1",
            "ACTIONQ_RETENTION": "1h",
        }
    )
    try:
        deadline = time.monotonic() + 30
        while sql(pg_dsn, schema, "SELECT count(*) FROM actions")[0][0] > len(recent):
            assert time.monotonic() < deadline, "the sweeper did not prune"
            time.sleep(0.05)
        left = {r[0] for r in sql(pg_dsn, schema, "SELECT id FROM actions")}
        assert left == set(recent)
    finally:
        second.stop()
        sql(pg_dsn, "public", f'DROP SCHEMA "{schema}" CASCADE')


def test_a_server_starting_after_a_downtime_makes_partitions_before_it_serves(
    pg_dsn: str,
) -> None:
    """Time passed every partition ahead (simulated: they are dropped, and the
    clock passes the last one's end); an insert would find no partition. The
    next server makes one covering the gap and those ahead before serving."""
    schema = fresh_schema()
    server = start_server({"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema})
    server.stop()
    try:
        _set_width(pg_dsn, schema, 2, 3)
        for (name,) in sql(
            pg_dsn, schema, "SELECT name FROM event_partitions WHERE lower_bound IS NOT NULL"
        ):
            sql(pg_dsn, schema, f"DROP TABLE {name}")
        sql(pg_dsn, schema, "DELETE FROM event_partitions WHERE lower_bound IS NOT NULL")
        tip = sql(pg_dsn, schema, "SELECT max(upper_bound) FROM event_partitions")[0][0]
        _wait_for_db_time(pg_dsn, schema, tip + timedelta(seconds=4))
        insert = "INSERT INTO events (event_type, actor) VALUES ('queue_paused', 'x')"
        assert refusal(pg_dsn, schema, insert) == "CheckViolationError"  # no partition
        # The partitions ahead are counted from when the server makes them, at
        # start: no earlier than this (a later `now()` would depend on speed).
        starting = sql(pg_dsn, schema, "SELECT now()")[0][0]
        server = start_server({"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": schema})
        try:
            with grpc.insecure_channel(server.address) as channel:
                stub = service_pb2_grpc.ActionQueueServiceStub(channel)
                assert len(_enqueue(stub, "p", 1)) == 1
            rows = sql(
                pg_dsn,
                schema,
                "SELECT lower_bound, upper_bound FROM event_partitions ORDER BY upper_bound",
            )
        finally:
            server.stop()
        # Contiguous from the history on, the gap in one partition, and the
        # current period plus three ahead.
        assert all(a["upper_bound"] == b["lower_bound"] for a, b in pairwise(rows))
        assert rows[1]["lower_bound"] == tip
        assert rows[1]["upper_bound"] - rows[1]["lower_bound"] > timedelta(seconds=2)
        assert rows[-1]["upper_bound"] > starting + timedelta(seconds=6)
    finally:
        sql(pg_dsn, "public", f'DROP SCHEMA "{schema}" CASCADE')
