"""Hostile input against the real server (guarantees 7 and 8).

Hypothesis builds requests for every RPC from the proto descriptors: random and
edge values for every field (integers at the int64 edges, unicode with NUL and
lone-surrogate escapes, SQL metacharacters, timestamps and durations at and
beyond protobuf's range, JSON text that is valid, almost valid, huge or deep),
plus raw bytes that do not parse. For every call it asserts:

- the status is never INTERNAL or UNKNOWN, and every error carries an ErrorInfo
  of domain actionq.dev with a known reason;
- a refused call changed nothing (the tables' fingerprint is unchanged);
- an accepted Enqueue reads back equal through GetAction, ListActions,
  ListEvents and Claim, and an accepted EmitEvent through ListEvents;
- afterwards the server still answers every read RPC over everything stored
  (no value poisoned a row, a page or a queue).
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import grpc
import pytest
from actionq.v1 import action_pb2 as pb
from actionq.v1 import errors_pb2, service_pb2_grpc
from actionq.v1 import service_pb2 as spb
from google.protobuf import descriptor, duration_pb2, timestamp_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fresh_schema
from tests.support import ServerProcess, sql, start_server

SERVICE = spb.DESCRIPTOR.services_by_name["ActionQueueService"]
REASONS = {n.removeprefix("ERROR_REASON_") for n in errors_pb2.ErrorReason.keys()}  # noqa: SIM118 - {"UNSPECIFIED"}
EXAMPLES = int(os.environ.get("ACTIONQ_FUZZ_EXAMPLES", "120"))
CALLS = {"count": 0, "accepted": 0, "refused": 0}

INT64 = (-(2**63), -(2**31) - 1, -1, 0, 1, 2, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1)
INT32 = (-(2**31), -1, 0, 1, 5, 1000, 1001, 2**31 - 1)
TS_EDGES = (-62_135_596_801, -62_135_596_800, 0, 253_402_300_799, 253_402_300_800)
NASTY_TEXT = (
    "",
    " ",
    "default",
    "'; DROP TABLE actions; --",
    "a\x00b",
    "\u2028\u2029",
    "日本語🎉",
    "x" * 201,
    "%s %d {}",
    "\\",
    "$1",
)


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(max_size=40),
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,12}", fullmatch=True),
        st.text(min_size=2000, max_size=2100, alphabet="ab"),
    )


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _deep(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def _json_text() -> st.SearchStrategy[str]:
    objects = st.dictionaries(st.text(max_size=8), _json_values, max_size=5)
    return st.one_of(
        objects.map(json.dumps),
        objects.map(lambda o: json.dumps(o, ensure_ascii=False)),
        st.sampled_from(
            [
                "",
                "{}",
                "[]",
                "1",
                '"x"',
                "null",
                '{"a": NaN}',
                '{"a": Infinity}',
                '{"a": -Infinity}',
                '{"a": 1e400}',
                '{"a": -1e400}',
                '{"a": 1e-400}',
                '{"a": "\\u0000"}',
                '{"\\u0000": 1}',
                '{"a": "\\ud800"}',
                '{"a": "\\udc00x"}',
                '{"a": "\\\\u0000"}',
                '{"a": 9007199254740993, "b": -9223372036854775808}',
                '{"a": 1' + "0" * 400 + "}",
                '{"a": 1,}',
                '{"a": 1} x',
                "{'a': 1}",
                '{"a": 1, "a": 2}',
                _deep(64),
                _deep(65),
                _deep(2000),
                '{"k": "' + "x" * 1_000_001 + '"}',
            ]
        ),
    )


def _timestamp() -> st.SearchStrategy[timestamp_pb2.Timestamp]:
    seconds = st.one_of(st.sampled_from(TS_EDGES), st.integers(-(2**63), 2**63 - 1))
    nanos = st.one_of(st.sampled_from((0, 999_999_999, 1_000_000_000, -1)), st.integers())
    return st.builds(
        lambda s, n: timestamp_pb2.Timestamp(seconds=s, nanos=max(-(2**31), min(n, 2**31 - 1))),
        seconds,
        nanos,
    )


def _duration() -> st.SearchStrategy[duration_pb2.Duration]:
    seconds = st.one_of(
        st.sampled_from((0, 1, 30, 60, 61, 86_400, 86_401, -1, 315_576_000_001)),
        st.integers(-(2**63), 2**63 - 1),
    )
    nanos = st.one_of(
        st.sampled_from((0, 1, -1, 999_999_999, 10**9)), st.integers(-(2**31), 2**31 - 1)
    )
    return st.builds(lambda s, n: duration_pb2.Duration(seconds=s, nanos=n), seconds, nanos)


def _scalar(field: descriptor.FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if field.name.endswith("_json"):
        return _json_text()
    if kind in (field.TYPE_INT64, field.TYPE_SINT64, field.TYPE_SFIXED64):
        return st.one_of(st.sampled_from(INT64), st.integers(-(2**63), 2**63 - 1))
    if kind in (field.TYPE_INT32, field.TYPE_SINT32, field.TYPE_SFIXED32):
        return st.one_of(st.sampled_from(INT32), st.integers(-(2**31), 2**31 - 1))
    if kind == field.TYPE_BOOL:
        return st.booleans()
    if kind in (field.TYPE_DOUBLE, field.TYPE_FLOAT):
        return st.one_of(
            st.sampled_from((0.0, -0.0, 1.0, 0.5, -1e-9, 1.0000001, 1e308, math.nan, math.inf)),
            st.floats(allow_nan=True, allow_infinity=True),
        )
    if kind == field.TYPE_ENUM:
        return st.one_of(
            st.sampled_from([v.number for v in field.enum_type.values]),
            st.integers(-(2**31), 2**31 - 1),
        )
    if kind == field.TYPE_STRING:
        if field.name in ("lease_token",):
            return st.one_of(st.just(str(uuid.uuid4())), st.uuids().map(str), _text())
        if field.name.endswith("cursor") or field.name == "page_token":
            return st.one_of(
                st.sampled_from(["", "0.0", "1.1", "99999999999999999999.1", "-1.0", "1", "x"]),
                st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 2**64), st.integers(0, 2**64)),
                st.integers(-(2**70), 2**70).map(str),
                _text(),
            )
        return _text()
    raise AssertionError(f"no strategy for {field.full_name}")


def _message(
    desc: descriptor.Descriptor, depth: int = 0, absent: int = 1
) -> st.SearchStrategy[Message]:
    """Random messages of a type, every field optional (absent `absent` times in
    `absent + 1`)."""
    cls = _class(desc)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in desc.fields:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key, item = (
                field.message_type.fields_by_name["key"],
                field.message_type.fields_by_name["value"],
            )
            fields[field.name] = st.one_of(
                st.none(), st.dictionaries(_scalar(key), _scalar(item), max_size=3)
            )
            continue
        if field.message_type is not None:
            if field.message_type.full_name == "google.protobuf.Timestamp":
                value: st.SearchStrategy[Any] = _timestamp()
            elif field.message_type.full_name == "google.protobuf.Duration":
                value = _duration()
            elif depth < 2:
                value = _message(field.message_type, depth + 1)
            else:
                continue
        else:
            value = _scalar(field)
        if field.is_repeated:
            fields[field.name] = st.lists(value, max_size=3)
        else:
            fields[field.name] = st.one_of(*[st.none()] * absent, value)

    def build(**values: Any) -> Message:
        message = cls()
        for name, value in values.items():
            if value is None:
                continue
            target = getattr(message, name)
            if isinstance(value, dict):
                target.update(value)
            elif isinstance(value, list):
                if value and isinstance(value[0], Message):
                    for item in value:
                        target.add().CopyFrom(item)
                else:
                    target.extend(value)
            elif isinstance(value, Message):
                target.CopyFrom(value)
            else:
                setattr(message, name, value)
        return message

    return st.builds(build, **fields)


def _class(desc: descriptor.Descriptor) -> type[Message]:
    for module in (spb, pb):
        found = getattr(module, desc.name, None)
        if found is not None and found.DESCRIPTOR.full_name == desc.full_name:
            return found  # type: ignore[no-any-return]
    raise AssertionError(desc.full_name)


# ---- the harness ----------------------------------------------------------


@pytest.fixture(scope="module")
def target(pg_dsn: str) -> Iterator[tuple[ServerProcess, str]]:
    """A server of its own, on a schema of its own."""
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc, pg_dsn
    finally:
        print(f"fuzz: {CALLS}")
        proc.stop()


def _fingerprint(dsn: str, schema: str) -> tuple[Any, ...]:
    rows = sql(
        dsn,
        schema,
        "SELECT (SELECT count(*) FROM actions), (SELECT max(updated_at) FROM actions),"
        " (SELECT count(*) FROM events), (SELECT count(*) FROM enqueue_requests),"
        " (SELECT count(*) FROM queues), (SELECT max(updated_at) FROM queues),"
        " (SELECT count(*) FROM schedules), (SELECT count(*) FROM checkpoints),"
        " (SELECT count(*) FROM workflows), (SELECT count(*) FROM action_dependencies),"
        " (SELECT count(*) FROM tokens),"
        # Signals: the sequence, not the rows (the waker deletes expired ones).
        " (SELECT last_value FROM signals_id_seq),"
        " (SELECT count(*) FROM queue_limits), (SELECT max(updated_at) FROM queue_limits),"
        " (SELECT count(*) FROM rate_buckets)",
    )
    return tuple(rows[0])


def _check_status(method: str, exc: grpc.RpcError) -> None:
    code = exc.code()
    assert code not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN), (
        f"{method}: {code.name} {exc.details()}"
    )
    status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    assert status is not None, f"{method}: {code.name} without status details"
    infos = []
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            infos.append(info)
    assert len(infos) == 1 and infos[0].domain == "actionq.dev", f"{method}: {status}"
    assert infos[0].reason in REASONS, infos[0].reason
    if infos[0].reason == "INVALID_FIELD":
        field = infos[0].metadata["field"]
        assert field and exc.details().startswith(f"{field}: "), f"{method}: {exc.details()}"


def _call(channel: grpc.Channel, method: str, request: Message, timeout: float = 10) -> Any:
    desc = SERVICE.methods_by_name[method]
    if desc.server_streaming:
        timeout = 1.0
    path = f"/{SERVICE.full_name}/{method}"
    response_class = _class(desc.output_type)
    if desc.server_streaming:
        call = channel.unary_stream(
            path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        stream = call(request, timeout=timeout)
        try:
            return next(stream, None)
        finally:
            stream.cancel()
    call = channel.unary_unary(
        path,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    return call(request, timeout=timeout)


def _tame(method: str, request: Message) -> Message:
    """Keep a valid long-poll short, so that the fuzzer spends its time on input."""
    if method == "Claim" and request.HasField("wait"):  # type: ignore[attr-defined]
        wait = request.wait  # type: ignore[attr-defined]
        if 0 < wait.seconds + wait.nanos / 1e9 <= 60 and wait.nanos >= 0:
            wait.seconds, wait.nanos = 0, 100_000_000
    if method == "WaitAction":
        timeout = request.timeout  # type: ignore[attr-defined]
        if not request.HasField("timeout") or (  # type: ignore[attr-defined]
            0 < timeout.seconds + timeout.nanos / 1e9 <= 3600 and timeout.nanos >= 0
        ):
            timeout.seconds, timeout.nanos = 0, 100_000_000
    return request


def _exercise(proc: ServerProcess, dsn: str, method: str, request: Message) -> None:
    request = _tame(method, request)
    before = _fingerprint(dsn, proc.schema)
    CALLS["count"] += 1
    with grpc.insecure_channel(proc.address) as channel:
        try:
            response = _call(channel, method, request)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED and method == "WatchEvents":
                return  # a valid watch with nothing to say
            _check_status(method, exc)
            CALLS["refused"] += 1
            after = _fingerprint(dsn, proc.schema)
            assert after == before, (
                f"{method} was refused ({exc.details()}) but changed {before} -> {after}"
            )
            return
        CALLS["accepted"] += 1
        if method == "Enqueue":
            _reads_back(channel, request, response)  # type: ignore[arg-type]
        elif method == "EmitEvent":
            _event_reads_back(channel, request, response)  # type: ignore[arg-type]


def _decimal_json(text: str) -> Any:
    """JSON with every number as its exact decimal value: jsonb keeps the value
    and may change its spelling (4.2e+16 reads back as 42000000000000000)."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal) if text else {}


def _same_json(sent: str, stored: str) -> None:
    assert _decimal_json(stored) == _decimal_json(sent)


def _reads_back(
    channel: grpc.Channel, request: spb.EnqueueRequest, response: spb.EnqueueResponse
) -> None:
    assert len(response.actions) == len(request.actions)
    for sent, item in zip(request.actions, response.actions, strict=True):
        stored = item.action
        got = _call(channel, "GetAction", spb.GetActionRequest(id=stored.id)).action
        assert got == stored or item.duplicate or response.replayed
        if item.duplicate or response.replayed:
            continue
        _same_json(sent.payload_json, got.payload_json)
        assert got.action_type == sent.action_type and got.project == sent.project
        assert got.queue == (sent.queue or "default")
        assert list(got.source_refs) == list(sent.source_refs)
        assert got.target_ref == sent.target_ref and got.priority == sent.priority
        assert dict(got.trace_context) == dict(sent.trace_context)
        if sent.HasField("run_after"):
            assert got.run_after.seconds == sent.run_after.seconds
            assert got.run_after.nanos == sent.run_after.nanos // 1000 * 1000
        listed = _call(
            channel,
            "ListActions",
            spb.ListActionsRequest(
                queue=got.queue, page_token=str(got.id + 1), newest_first=True, page_size=1
            ),
        ).actions
        assert listed and listed[0] == got
        events = _call(
            channel, "ListEvents", spb.ListEventsRequest(action_ids=[got.id], page_size=10)
        ).events
        assert [e.event_type for e in events][:1] == ["action_enqueued"]
        json.loads(events[0].payload_json)


def _event_reads_back(
    channel: grpc.Channel, request: spb.EmitEventRequest, response: spb.EmitEventResponse
) -> None:
    _same_json(request.payload_json, response.event.payload_json)
    found = []
    cursor = ""
    while True:
        page = _call(
            channel, "ListEvents", spb.ListEventsRequest(after_cursor=cursor, page_size=1000)
        )
        found += [e for e in page.events if e.id == response.event.id]
        if len(page.events) < 1000:
            break
        cursor = page.next_cursor
    assert found == [response.event]


def _valid_new_action() -> st.SearchStrategy[pb.NewAction]:
    """NewActions the server must accept, with values from the edges of what it
    accepts (big and deep JSON, unicode text, the ends of the time range)."""
    names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,20}", fullmatch=True)
    text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]))
    deep_objects = st.integers(1, 63).map(lambda n: _deep(n))
    objects = st.dictionaries(st.text(max_size=8), _json_values, max_size=5).map(
        lambda o: json.dumps(o, ensure_ascii=False)
    )
    times = st.builds(
        lambda s, n: timestamp_pb2.Timestamp(seconds=s, nanos=n),
        st.integers(-62_135_596_800, 253_402_300_799),
        st.integers(0, 999_999_999),
    )
    delays = st.builds(
        lambda s, n: duration_pb2.Duration(seconds=s, nanos=n),
        st.integers(0, 3650 * 86400 - 1),
        st.integers(0, 999_999_999),
    )
    return st.builds(
        pb.NewAction,
        action_type=names,
        project=names,
        queue=st.one_of(st.just(""), names),
        target_ref=text.filter(lambda t: len(t) <= 2000),
        source_refs=st.lists(
            text.filter(lambda t: len(t.strip()) > 0 and len(t) <= 2000), max_size=3
        ),
        payload_json=st.one_of(objects, deep_objects, st.just("")),
        priority=st.integers(-(2**31), 2**31 - 1),
        created_by=text.filter(lambda t: len(t) <= 200),
        idempotency_key=st.one_of(st.just(""), text.filter(lambda t: len(t) <= 255)),
        max_attempts=st.integers(0, 1000),
        run_after=st.one_of(st.none(), times),
        delay=st.one_of(st.none(), delays),
    )


def _mostly_valid_enqueue() -> st.SearchStrategy[spb.EnqueueRequest]:
    """Enqueue requests of valid actions, one of whose fields may hold a hostile
    value: the valid ones must be stored and read back equal, and the hostile
    ones must be refused without writing anything."""
    hostile = _message(pb.NewAction.DESCRIPTOR)
    fields = [f.name for f in pb.NewAction.DESCRIPTOR.fields if f.name != "parent_id"]

    def build(
        actions: list[pb.NewAction], spoiler: pb.NewAction, field: str | None, rid: str | None
    ) -> spb.EnqueueRequest:
        if field is not None:
            target = actions[0]
            target.ClearField(field)
            described = pb.NewAction.DESCRIPTOR.fields_by_name[field]
            if described.message_type is not None and described.message_type.GetOptions().map_entry:
                getattr(target, field).update(getattr(spoiler, field))
            elif spoiler.HasField(field) if _has_presence(field) else True:
                value = getattr(spoiler, field)
                if isinstance(value, Message):
                    getattr(target, field).CopyFrom(value)
                elif field in ("source_refs", "depends_on", "depends_on_index"):
                    getattr(target, field).extend(value)
                else:
                    setattr(target, field, value)
        return spb.EnqueueRequest(actions=actions, request_id=rid or "")

    return st.builds(
        build,
        st.lists(_valid_new_action(), min_size=1, max_size=3),
        hostile,
        st.one_of(st.none(), st.none(), st.sampled_from(fields)),
        st.one_of(st.none(), st.uuids().map(str)),
    )


def _has_presence(field: str) -> bool:
    return pb.NewAction.DESCRIPTOR.fields_by_name[field].message_type is not None


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=os.environ.get("CI") == "true",
)


@pytest.mark.parametrize("method", [m.name for m in SERVICE.methods])
def test_every_rpc_survives_hostile_fields(target: tuple[ServerProcess, str], method: str) -> None:
    proc, dsn = target
    desc = SERVICE.methods_by_name[method]

    @FUZZ
    @given(request=_message(desc.input_type))
    def run(request: Message) -> None:
        _exercise(proc, dsn, method, request)

    run()


@pytest.mark.parametrize("method", [m.name for m in SERVICE.methods])
def test_every_rpc_refuses_bytes_that_do_not_parse(
    target: tuple[ServerProcess, str], method: str
) -> None:
    proc, dsn = target
    desc = SERVICE.methods_by_name[method]
    path = f"/{SERVICE.full_name}/{method}"
    string_fields = [f for f in desc.input_type.fields if f.type == f.TYPE_STRING]
    invalid_utf8 = [
        bytes([f.number << 3 | 2, 2, 0xFF, 0xFE]) for f in string_fields
    ]  # a string field holding bytes that are not UTF-8

    @FUZZ
    @given(
        data=st.one_of(
            st.binary(min_size=1, max_size=64), st.sampled_from(invalid_utf8 or [b"\xff"])
        )
    )
    def run(data: bytes) -> None:
        before = _fingerprint(dsn, proc.schema)
        CALLS["count"] += 1
        with grpc.insecure_channel(proc.address) as channel:
            if desc.server_streaming:
                stream = channel.unary_stream(path)(data, timeout=5)
                try:
                    next(stream, None)
                    CALLS["accepted"] += 1
                except grpc.RpcError as exc:
                    if exc.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                        _check_status(method, exc)
                finally:
                    stream.cancel()
            else:
                try:
                    channel.unary_unary(path)(data, timeout=10)
                    CALLS["accepted"] += 1
                    return
                except grpc.RpcError as exc:
                    _check_status(method, exc)
                    CALLS["refused"] += 1
        if data in invalid_utf8:
            assert _fingerprint(dsn, proc.schema) == before

    run()


def test_enqueue_accepts_only_what_reads_back(target: tuple[ServerProcess, str]) -> None:
    proc, dsn = target

    @FUZZ
    @given(request=_mostly_valid_enqueue())
    def run(request: spb.EnqueueRequest) -> None:
        _exercise(proc, dsn, "Enqueue", request)

    run()


def test_nothing_stored_poisons_a_read(target: tuple[ServerProcess, str]) -> None:
    """After the fuzzing, every read RPC still answers over everything stored."""
    proc, _ = target
    with grpc.insecure_channel(proc.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        token, seen = "", 0
        while True:
            page = stub.ListActions(spb.ListActionsRequest(page_size=1000, page_token=token))
            for action in page.actions:
                json.loads(action.payload_json)
                assert stub.GetAction(spb.GetActionRequest(id=action.id)).action == action
            seen += len(page.actions)
            if not page.next_page_token:
                break
            token = page.next_page_token
        cursor = ""
        while True:
            events = stub.ListEvents(spb.ListEventsRequest(after_cursor=cursor, page_size=1000))
            for event in events.events:
                json.loads(event.payload_json)
            if len(events.events) < 1000:
                break
            cursor = events.next_cursor
        stub.GetQueueStats(spb.GetQueueStatsRequest())
        stub.Sweep(spb.SweepRequest())
        queues = {a.queue for a in stub.ListActions(spb.ListActionsRequest(page_size=1000)).actions}
        for queue in queues:
            stub.Claim(spb.ClaimRequest(worker="fuzz-reader", queue=queue, max_actions=1000))
        health = health_pb2_grpc.HealthStub(channel)
        assert (
            health.Check(health_pb2.HealthCheckRequest()).status
            == health_pb2.HealthCheckResponse.SERVING
        )
    assert proc.proc.poll() is None, proc.log
    print(f"fuzz: {seen} actions read back; {CALLS}")
