"""OpenTelemetry, when it is installed (`pip install actionq[otel]`): the
producer's trace context goes with each enqueued action and with every call,
and a WorkerApp runs each job in a CONSUMER span that continues the
producer's trace. Without OpenTelemetry every function here does nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

try:
    from opentelemetry import propagate, trace

    ENABLED = True
except ImportError:  # the otel extra is not installed
    ENABLED = False

if TYPE_CHECKING:
    from .records import Action


def current_context() -> dict[str, str] | None:
    """The W3C headers (traceparent, tracestate) of the current span, or None
    when there is no valid span to continue."""
    if not ENABLED or not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


def call_metadata() -> tuple[tuple[str, str], ...]:
    """The current trace context as gRPC metadata (for the server's span)."""
    found = current_context()
    return tuple(found.items()) if found else ()


@contextlib.contextmanager
def continued(action: Action) -> Iterator[Any]:
    """Run a job inside a CONSUMER span whose parent is the producer's span
    (from the action's trace_context); a new trace when it carries none."""
    if not ENABLED:
        yield None
        return
    parent = propagate.extract(dict(action.trace_context or {}))
    tracer = trace.get_tracer("actionq")
    attributes: dict[str, str | int] = {
        "messaging.system": "actionq",
        "messaging.operation": "process",
        "messaging.destination.name": action.queue,
        "messaging.message.id": str(action.id),
        "actionq.action_type": action.action_type,
        "actionq.attempt": action.attempt,
    }
    with tracer.start_as_current_span(
        f"process {action.action_type}",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span
