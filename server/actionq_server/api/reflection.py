"""Server reflection, v1 and v1alpha, with every method symbol resolvable.

grpcio-reflection serves only v1alpha, and its descriptor lookup does not
resolve method symbols (`pkg.Service.Method`), which grpcurl's `describe` and
ghz ask for. The v1 protocol is v1alpha's messages under another package, so
one servicer answers both: the v1 file descriptor is derived from v1alpha's and
added to the pool (so the v1 service can be described too), and the v1 method
is served with v1alpha's (wire-identical) messages.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha._async import ReflectionServicer
from grpc_reflection.v1alpha._base import _file_descriptor_response, _not_found_error

V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
V1 = "grpc.reflection.v1.ServerReflection"


def _add_v1_descriptor(pool: descriptor_pool.DescriptorPool) -> None:
    try:
        pool.FindFileByName("grpc/reflection/v1/reflection.proto")
        return
    except KeyError:
        pass
    source = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(source)
    renamed = descriptor_pb2.FileDescriptorProto.FromString(source.SerializeToString())
    renamed.name = "grpc/reflection/v1/reflection.proto"
    renamed.package = "grpc.reflection.v1"
    renamed.options.Clear()
    for message in renamed.message_type:
        for field in message.field:
            if field.HasField("type_name"):
                field.type_name = field.type_name.replace(".v1alpha.", ".v1.")
    for service in renamed.service:
        for method in service.method:
            method.input_type = method.input_type.replace(".v1alpha.", ".v1.")
            method.output_type = method.output_type.replace(".v1alpha.", ".v1.")
    pool.Add(renamed)


class _Servicer(ReflectionServicer):  # type: ignore[misc]
    """Resolves `pkg.Service.Method` to the file of `pkg.Service`."""

    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        try:
            descriptor = self._pool.FindFileContainingSymbol(fully_qualified_name)
        except KeyError:
            service_name, _, method = fully_qualified_name.rpartition(".")
            try:
                service = self._pool.FindServiceByName(service_name)
            except KeyError:
                return _not_found_error(request)
            if method not in service.methods_by_name:
                return _not_found_error(request)
            descriptor = service.file
        return _file_descriptor_response(descriptor, request)


def enable(service_names: tuple[str, ...], server: grpc.aio.Server) -> None:
    """Serve reflection v1 and v1alpha for `service_names` (and themselves)."""
    pool = descriptor_pool.Default()
    _add_v1_descriptor(pool)
    servicer = _Servicer((*service_names, V1ALPHA, V1), pool=pool)
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    for name in (V1ALPHA, V1):
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(name, {"ServerReflectionInfo": handler}),)
        )
