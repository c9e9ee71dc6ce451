"""Server spans (OpenTelemetry, optional: `pip install actionq[otel]`): with
ACTIONQ_TRACING set, every actionq call runs in a SERVER span whose parent is
the caller's trace context (the traceparent metadata the clients send). The
exporter: `console` writes each span as one JSON line on stdout; `on` leaves
the tracer provider to the environment (e.g. opentelemetry-instrument with an
OTLP exporter)."""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

SERVICE_PREFIX = "/actionq.v1.ActionQueueService/"


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


class TracingInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """A SERVER span around each actionq call, continuing the caller's trace."""

    def __init__(self) -> None:
        from opentelemetry import propagate, trace

        self._propagate = propagate
        self._trace = trace
        self._tracer = trace.get_tracer("actionq-server")

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(SERVICE_PREFIX):
            return handler
        return self._wrap(details.method.removeprefix(SERVICE_PREFIX), handler)

    def _span(self, method: str, context: Any) -> Any:
        carrier = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
        parent = self._propagate.extract(carrier)
        return self._tracer.start_as_current_span(
            f"actionq.v1.ActionQueueService/{method}",
            context=parent,
            kind=self._trace.SpanKind.SERVER,
            attributes={
                "rpc.system": "grpc",
                "rpc.service": "actionq.v1.ActionQueueService",
                "rpc.method": method,
            },
        )

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        if handler.unary_unary:
            behavior = handler.unary_unary

            async def unary(request: Any, context: Any) -> Any:
                with self._span(method, context):
                    return await behavior(request, context)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream and inspect.isasyncgenfunction(handler.unary_stream):
            streaming = handler.unary_stream

            async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
                with self._span(method, context):
                    async for response in streaming(request, context):
                        yield response

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
