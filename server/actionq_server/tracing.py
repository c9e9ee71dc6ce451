"""Server spans (OpenTelemetry, optional: `pip install actionq[otel]`): with
ACTIONQ_TRACING set, every actionq call runs in a SERVER span whose parent is
the caller's trace context (the traceparent metadata the clients send). The
exporter: `console` writes each span as one JSON line on stdout; `on` leaves
the tracer provider to the environment (e.g. opentelemetry-instrument with an
OTLP exporter)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

from .api.around import AroundInterceptor


class TracingUnavailable(RuntimeError):
    """ACTIONQ_TRACING is set but OpenTelemetry is not installed."""


def configure(mode: str) -> None:
    """Install the tracer provider ACTIONQ_TRACING asks for."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
    except ImportError:
        raise TracingUnavailable(
            "ACTIONQ_TRACING is set but OpenTelemetry is not installed: pip install 'actionq[otel]'"
        ) from None
    if mode != "console":
        return
    provider = TracerProvider(resource=Resource.create({"service.name": "actionq-server"}))
    exporter = ConsoleSpanExporter(
        out=sys.stdout, formatter=lambda span: span.to_json(indent=None) + "\n"
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


class TracingInterceptor(AroundInterceptor):
    """A SERVER span around each actionq call, continuing the caller's trace."""

    def __init__(self) -> None:
        from opentelemetry import propagate, trace

        self._propagate = propagate
        self._trace = trace
        self._tracer = trace.get_tracer("actionq-server")
        super().__init__(self._span)

    @contextlib.asynccontextmanager
    async def _span(self, method: str, context: Any, request: Any) -> AsyncIterator[Any]:
        carrier = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        with self._tracer.start_as_current_span(
            f"actionq.v1.ActionQueueService/{method}",
            context=self._propagate.extract(carrier),
            kind=self._trace.SpanKind.SERVER,
            attributes={
                "rpc.system": "grpc",
                "rpc.service": "actionq.v1.ActionQueueService",
                "rpc.method": method,
            },
        ) as span:
            yield span
