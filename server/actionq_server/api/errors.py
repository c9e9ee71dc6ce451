"""The one place where errors become gRPC statuses.

Domain errors map to their status code with google.rpc details (always an
ErrorInfo with a stable reason); anything else is logged with its traceback and
reaches the client as a generic INTERNAL. Request bytes that do not parse are
refused here too, as INVALID_ARGUMENT, before a handler runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from ..domain.errors import (
    Aborted,
    ActionqError,
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    LimitExceeded,
    NotFound,
    OutOfRange,
    PermissionDenied,
    RateLimited,
    Reason,
    Unauthenticated,
    Unavailable,
    WatcherTooSlow,
)

log = logging.getLogger(__name__)

ERROR_DOMAIN = "actionq.dev"

_CODES: dict[type[ActionqError], int] = {
    InvalidArgument: code_pb2.INVALID_ARGUMENT,
    NotFound: code_pb2.NOT_FOUND,
    FailedPrecondition: code_pb2.FAILED_PRECONDITION,
    AlreadyExists: code_pb2.ALREADY_EXISTS,
    Aborted: code_pb2.ABORTED,
    RateLimited: code_pb2.RESOURCE_EXHAUSTED,
    LimitExceeded: code_pb2.RESOURCE_EXHAUSTED,
    WatcherTooSlow: code_pb2.RESOURCE_EXHAUSTED,
    Unavailable: code_pb2.UNAVAILABLE,
    Unauthenticated: code_pb2.UNAUTHENTICATED,
    PermissionDenied: code_pb2.PERMISSION_DENIED,
    DeadlineExceeded: code_pb2.DEADLINE_EXCEEDED,
    OutOfRange: code_pb2.OUT_OF_RANGE,
}


def code_name(exc: ActionqError) -> str:
    """The gRPC status code name of a domain error, e.g. "NOT_FOUND"."""
    code = next(c for cls, c in _CODES.items() if isinstance(exc, cls))
    name: str = code_pb2.Code.Name(code)
    return name


def to_status(exc: BaseException) -> grpc.Status:
    """The gRPC status (with details) for an exception raised by a handler."""
    if not isinstance(exc, ActionqError):
        incident = uuid.uuid4().hex[:12]
        log.error("internal error %s", incident, exc_info=exc)
        status = status_pb2.Status(
            code=code_pb2.INTERNAL, message=f"internal error (incident {incident})"
        )
        _add_info(status, Reason.INTERNAL, {"incident": incident})
        return rpc_status.to_status(status)
    code = next(c for cls, c in _CODES.items() if isinstance(exc, cls))
    status = status_pb2.Status(code=code, message=exc.message)
    _add_info(status, exc.reason, exc.metadata)
    if isinstance(exc, InvalidArgument) and exc.field:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=exc.field, description=exc.message
                )
            ]
        )
        status.details.add().Pack(detail)
    elif isinstance(exc, RateLimited):
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(exc.retry_after * 1e9))
        status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
        status.message = f"{exc.message}; retry in {exc.retry_after:.0f} s"
    return rpc_status.to_status(status)


def _add_info(status: status_pb2.Status, reason: Reason, metadata: dict[str, str]) -> None:
    info = error_details_pb2.ErrorInfo(reason=reason.value, domain=ERROR_DOMAIN, metadata=metadata)
    status.details.add().Pack(info)


class Malformed:
    """Stands in for a request whose bytes did not parse; the handler wrapper
    refuses it with INVALID_ARGUMENT instead of letting grpc answer UNKNOWN."""

    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


def tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """A request deserializer that returns Malformed instead of raising."""
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception as exc:
            return Malformed(f"{type(exc).__name__}: {exc}"[:300])

    return parse


def _refuse_malformed(request: Any) -> None:
    if isinstance(request, Malformed):
        raise InvalidArgument(
            "",
            f"the request message does not parse ({request.problem})",
            reason=Reason.MALFORMED_REQUEST,
        )


async def _abort(exc: BaseException, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    status = to_status(exc)
    await context.abort(status.code, status.details, status.trailing_metadata)


async def _abort_stream(exc: BaseException, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    """As _abort, for a stream: its status goes out after the messages the
    reader has not taken yet, so a reader that leaves instead (cancels, or its
    connection drops) makes sending it fail. The call then simply ends as
    cancelled, as if the reader had left before the error."""
    try:
        await _abort(exc, context)
    except grpc.aio.AbortError:
        raise
    except Exception as unsent:
        log.debug("stream status not sent, the reader left: %s", unsent)
        raise asyncio.CancelledError from None


def _passes(exc: BaseException) -> bool:
    """Errors that already carry their status (an abort) pass through untouched."""
    return isinstance(exc, grpc.aio.AbortError)


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Wraps every handler so that no exception leaves without a proper status.

    It also counts the actionq calls in flight, so that a drain can wait for
    exactly those and then cut the endless ones (health watches) short.
    """

    def __init__(
        self, observer: CallObserver | None = None, slow_seconds: float | None = None
    ) -> None:
        self._observer = observer
        self._slow_seconds = slow_seconds
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait_idle(self, timeout: float) -> None:
        """Return once no actionq call is in flight, or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None:
            return None
        # grpc asks for every call; the wrapped handler of a method is built once.
        wrapped = self._wrapped.get(details.method)
        if wrapped is None or wrapped[0] is not handler:
            wrapped = self._wrapped[details.method] = (handler, self._wrap(details.method, handler))
        return wrapped[1]

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        track = method.startswith("/actionq.")
        if handler.unary_unary:
            behavior = self._wrap_unary(handler.unary_unary, track)
            short = method.rpartition("/")[2]
            if self._slow_seconds is not None and track and short not in WAITING_METHODS:
                behavior = _slow_logged(behavior, short, self._slow_seconds)
            if self._observer is not None and track:
                behavior = _observed_unary(behavior, method, self._observer)
            return grpc.unary_unary_rpc_method_handler(
                behavior,
                request_deserializer=tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            stream = self._wrap_stream(handler.unary_stream, track)
            if self._observer is not None and track and inspect.isasyncgenfunction(stream):
                stream = _observed_stream(stream, method, self._observer)
            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        return handler

    @contextlib.contextmanager
    def _counted(self, track: bool) -> Iterator[None]:
        if not track:
            yield
            return
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    def _wrap_unary(
        self, behavior: Callable[[Any, Any], Awaitable[Any]], track: bool
    ) -> Callable[[Any, Any], Awaitable[Any]]:
        async def unary(request: Any, context: Any) -> Any:
            with self._counted(track):
                try:
                    _refuse_malformed(request)
                    return await behavior(request, context)
                except Exception as exc:
                    if _passes(exc):
                        raise
                    await _abort(exc, context)

        return unary

    def _wrap_stream(
        self, behavior: Callable[[Any, Any], Any], track: bool
    ) -> Callable[[Any, Any], Any]:
        if not inspect.isasyncgenfunction(behavior):
            # A streaming handler that writes with context.write() (e.g. health Watch).
            return self._wrap_unary(behavior, track)

        async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
            with self._counted(track):
                try:
                    _refuse_malformed(request)
                    async for response in behavior(request, context):
                        yield response
                except Exception as exc:
                    if _passes(exc):
                        raise
                    await _abort_stream(exc, context)

        return stream


class CallObserver(Protocol):
    """Told about every actionq call (the metrics)."""

    def call_started(self, method: str) -> float: ...

    def call_finished(self, method: str, code: str, started: float) -> None: ...


def _code_of(exc: BaseException, context: Any) -> str:
    """The status code a call ended with, from what the handler raised."""
    if isinstance(exc, asyncio.CancelledError):
        return "CANCELLED"
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    return "UNKNOWN"


def _observed_unary(
    behavior: Callable[[Any, Any], Awaitable[Any]], method: str, observer: CallObserver
) -> Callable[[Any, Any], Awaitable[Any]]:
    async def unary(request: Any, context: Any) -> Any:
        started = observer.call_started(method)
        code = "OK"
        try:
            return await behavior(request, context)
        except BaseException as exc:
            code = _code_of(exc, context)
            raise
        finally:
            observer.call_finished(method, code, started)

    return unary


def _observed_stream(
    behavior: Callable[[Any, Any], AsyncIterator[Any]], method: str, observer: CallObserver
) -> Callable[[Any, Any], AsyncIterator[Any]]:
    async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
        started = observer.call_started(method)
        code = "OK"
        try:
            async for response in behavior(request, context):
                yield response
        except BaseException as exc:
            code = _code_of(exc, context)
            raise
        finally:
            observer.call_finished(method, code, started)

    return stream


# Calls that wait by design: never reported as slow.
WAITING_METHODS = frozenset({"Claim", "WaitAction"})


def _slow_logged(
    behavior: Callable[[Any, Any], Awaitable[Any]], method: str, threshold: float
) -> Callable[[Any, Any], Awaitable[Any]]:
    async def unary(request: Any, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return await behavior(request, context)
        finally:
            took = time.perf_counter() - started
            if took >= threshold:
                log.warning(
                    "slow call %s: %.3f s",
                    method,
                    took,
                    extra={"event": "slow_call", "method": method, "seconds": round(took, 4)},
                )

    return unary
