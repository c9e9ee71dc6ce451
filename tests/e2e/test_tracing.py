"""One trace from the producer through the queue to the worker: the producer's
span context is stored with the action, handed over at claim, and continued by
the worker's span; the server's spans (console exporter) join the same trace."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from actionq import AsyncClient, Client, InvalidArgument, WorkerApp
from actionq.v1 import action_pb2 as pb
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import fresh_schema
from tests.support import ServerProcess, start_server, wait_until

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def provider() -> None:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(tracer_provider)


@pytest.fixture
def traced(pg_dsn: str) -> Iterator[ServerProcess]:
    server = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_TRACING": "console"}
    )
    try:
        yield server
    finally:
        server.stop()


def _server_spans(server: ServerProcess) -> list[dict[str, object]]:
    spans = []
    for line in list(server.output):
        if line.startswith('{"name": "actionq.v1.ActionQueueService/'):
            spans.append(json.loads(line))
    return spans


def test_one_trace_spans_enqueue_claim_and_complete(traced: ServerProcess, project: str) -> None:
    EXPORTER.clear()
    tracer = trace.get_tracer("test-producer")
    with tracer.start_as_current_span("produce") as produce, Client(traced.address) as client:
        action = client.add("trace.t", project, queue="traced")
    trace_id = produce.get_span_context().trace_id
    stored = client_get(traced, action.id)
    assert stored.trace_context["traceparent"].split("-")[1] == f"{trace_id:032x}"

    app = WorkerApp("tracer-worker", queues=["traced"])

    @app.handler("trace.t")
    async def handle(job: object) -> dict[str, str]:
        span = trace.get_current_span().get_span_context()
        return {"trace": f"{span.trace_id:032x}"}

    async def run() -> None:
        async with AsyncClient(traced.address) as c:
            worker = asyncio.create_task(app.run(c))
            done = await c.wait(action.id, timeout=30)
            app.stop()
            await worker
        assert done[0].status == "completed"
        assert done[0].result == {"trace": f"{trace_id:032x}"}

    asyncio.run(run())
    spans = {s.name: s for s in EXPORTER.get_finished_spans()}
    process = spans["process trace.t"]
    assert process.kind == trace.SpanKind.CONSUMER
    assert process.context.trace_id == trace_id
    assert (
        process.parent is not None and process.parent.span_id == produce.get_span_context().span_id
    )
    assert process.attributes["messaging.message.id"] == str(action.id)
    # The server's spans: Enqueue is a child of the producer's span, Complete of
    # the worker's; all in the producer's trace.
    hex_trace = f"0x{trace_id:032x}"

    def server_spans_arrived() -> bool:
        names = {s["name"] for s in _server_spans(traced) if s["context"]["trace_id"] == hex_trace}
        return {
            "actionq.v1.ActionQueueService/Enqueue",
            "actionq.v1.ActionQueueService/Complete",
        } <= names

    assert wait_until(server_spans_arrived, timeout=15)
    by_name = {s["name"]: s for s in _server_spans(traced) if s["context"]["trace_id"] == hex_trace}
    enqueue = by_name["actionq.v1.ActionQueueService/Enqueue"]
    complete = by_name["actionq.v1.ActionQueueService/Complete"]
    assert enqueue["kind"] == "SpanKind.SERVER"
    assert enqueue["parent_id"] == f"0x{produce.get_span_context().span_id:016x}"
    assert complete["parent_id"] == f"0x{process.context.span_id:016x}"


def client_get(server: ServerProcess, action_id: int):  # type: ignore[no-untyped-def]
    with Client(server.address) as client:
        return client.get(action_id)


def test_a_bad_trace_context_is_refused(traced: ServerProcess, project: str) -> None:
    with Client(traced.address) as client:
        for bad in ({"traceparent": "not-a-traceparent"}, {"Bad Key": "x"}, {"k": "\x00"}):
            item = pb.NewAction(action_type="t", project=project, trace_context=bad)
            with pytest.raises(InvalidArgument) as refused:
                client.enqueue([item])
            assert "trace_context" in str(refused.value)
