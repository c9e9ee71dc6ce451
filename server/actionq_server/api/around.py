"""Running each actionq call inside a context (an auth check, a trace span):
the one wrapping of gRPC method handlers the interceptors share."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc

SERVICE_PREFIX = "/actionq.v1.ActionQueueService/"

# Given the short method name, the call's context and its request, what to
# run the call in.
Around = Callable[[str, Any, Any], AbstractAsyncContextManager[Any]]


class AroundInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """An interceptor that runs each actionq call inside `around`."""

    def __init__(self, around: Around) -> None:
        self._wrapped = Wrapped(around)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        return self._wrapped.handler(details.method, await continuation(details))


class Wrapped:
    """The actionq handlers run inside `around`, built once per method (grpc
    asks the interceptors for every call). Other services pass untouched."""

    def __init__(self, around: Around) -> None:
        self._around = around
        self._made: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def handler(self, path: str, handler: grpc.RpcMethodHandler | None) -> Any:
        if handler is None or not path.startswith(SERVICE_PREFIX):
            return handler
        made = self._made.get(path)
        if made is None or made[0] is not handler:
            wrapped = _wrap(path.removeprefix(SERVICE_PREFIX), handler, self._around)
            made = self._made[path] = (handler, wrapped)
        return made[1]


def _wrap(method: str, handler: grpc.RpcMethodHandler, around: Around) -> grpc.RpcMethodHandler:
    if handler.unary_unary:
        behavior = handler.unary_unary

        async def unary(request: Any, context: Any) -> Any:
            async with around(method, context, request):
                return await behavior(request, context)

        return grpc.unary_unary_rpc_method_handler(
            unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream and inspect.isasyncgenfunction(handler.unary_stream):
        streaming = handler.unary_stream

        async def stream(request: Any, context: Any) -> AsyncIterator[Any]:
            async with around(method, context, request):
                async for response in streaming(request, context):
                    yield response

        return grpc.unary_stream_rpc_method_handler(
            stream,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
    return handler
