"""Server reflection v1 and v1alpha: every method symbol resolves, as grpcurl and
ghz need; checked with grpcurl itself and with grpcio-reflection's client."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import grpc
import pytest
from actionq.v1 import service_pb2 as spb
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

from tests.support import ServerProcess

GRPCURL = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "grpcurl"
SERVICE = spb.DESCRIPTOR.services_by_name["ActionQueueService"]
METHODS = [f"{SERVICE.full_name}.{m.name}" for m in SERVICE.methods]


def _grpcurl(server: ServerProcess, *verb: str, flags: tuple[str, ...] = ()) -> str:
    """Run grpcurl against the server: grpcurl [flags] ADDRESS [verb…]."""
    if not GRPCURL.exists():
        message = "grpcurl is not installed (scripts/install_grpcurl.sh needs go)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required in CI)")
        pytest.skip(message)
    done = subprocess.run(
        [str(GRPCURL), "-plaintext", *flags, server.address, *verb],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_grpcurl_lists_and_describes_every_method(server: ServerProcess) -> None:
    listed = _grpcurl(server, "list").split()
    assert {
        SERVICE.full_name,
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= set(listed)
    for name in listed:
        assert "is a service" in _grpcurl(server, "describe", name)
    for method in METHODS:
        assert f"{method} is a method" in _grpcurl(server, "describe", method)
    assert "rpc Enqueue ( .actionq.v1.EnqueueRequest )" in _grpcurl(server, "describe", METHODS[0])


def test_grpcurl_calls_through_reflection(server: ServerProcess) -> None:
    request = (
        '{"actions": [{"action_type": "reflected", "project": "p",'
        ' "payload_json": "{\\"n\\": 9007199254740993}"}], "request_id": "grpcurl-1"}'
    )
    out = _grpcurl(server, "actionq.v1.ActionQueueService/Enqueue", flags=("-d", request))
    assert '\\"n\\": 9007199254740993' in out
    again = _grpcurl(server, "actionq.v1.ActionQueueService/Enqueue", flags=("-d", request))
    assert '"replayed": true' in again


@pytest.mark.parametrize("version", ["v1", "v1alpha"])
def test_each_reflection_version_resolves_method_symbols(
    server: ServerProcess, version: str
) -> None:
    path = f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"
    with grpc.insecure_channel(server.address) as channel:
        call = channel.stream_stream(
            path,
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        requests = [
            reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol)
            for symbol in [*METHODS, SERVICE.full_name, "actionq.v1.ErrorReason"]
        ]
        for response in call(iter(requests), timeout=30):
            assert response.HasField("file_descriptor_response"), response
            files = [
                descriptor_pb2.FileDescriptorProto.FromString(raw).name
                for raw in response.file_descriptor_response.file_descriptor_proto
            ]
            assert files and files[0].startswith("actionq/v1/"), files
