"""`python -m actionq_server.healthcheck`: exit 0 when the server on
ACTIONQ_LISTEN answers the gRPC health check as SERVING (the container's
HEALTHCHECK). A wildcard listen address is probed on loopback."""

from __future__ import annotations

import os
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

DEFAULT_LISTEN = "127.0.0.1:50051"
WILDCARDS = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "": "127.0.0.1"}


def probe_address(listen: str) -> str:
    """Where to dial for a server listening on `listen`."""
    host, sep, port = listen.rpartition(":")
    if not sep:
        return f"127.0.0.1:{listen}"
    return f"{WILDCARDS.get(host, host)}:{port}"


def main() -> int:
    target = probe_address(os.environ.get("ACTIONQ_LISTEN", DEFAULT_LISTEN))
    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=2.0
            )
        except grpc.RpcError as exc:
            print(f"actionq health: {target}: {exc.code().name}", file=sys.stderr)
            return 1
    serving = reply.status == health_pb2.HealthCheckResponse.SERVING
    if not serving:
        print(f"actionq health: {target}: not serving", file=sys.stderr)
    return 0 if serving else 1


if __name__ == "__main__":
    sys.exit(main())
