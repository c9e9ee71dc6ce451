"""Tokens, roles and identity (ACTIONQ_AUTH=on), TLS and mutual TLS, and the
refusal to listen off loopback unprotected — against real server processes."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import trustme
from actionq import (
    Client,
    NotAuthenticated,
    NotPermitted,
    Unavailable,
)
from actionq.v1 import service_pb2 as spb
from actionq_server.domain.auth import ALLOWED, Role
from google.protobuf import message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.conftest import fresh_schema
from tests.support import (
    ServerProcess,
    actionctl,
    bootstrap_token,
    executable,
    start_server,
    wait_until,
)

SERVICE = spb.DESCRIPTOR.services_by_name["ActionQueueService"]


@dataclass
class Secured:
    server: ServerProcess
    env: dict[str, str]
    admin: str


@pytest.fixture(scope="module")
def secured(pg_dsn: str) -> Iterator[Secured]:
    env = {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_AUTH": "on"}
    admin = bootstrap_token(env, "--role", "admin", "--name", "root")
    server = start_server(env)
    try:
        yield Secured(server, env, admin["secret"])
    finally:
        server.stop()
    # The secret is printed once, to the bootstrap's stdout: never to a log.
    assert admin["secret"] not in "".join(server.output)


def _tokens(s: Secured) -> dict[Role, str]:
    with Client(s.server.address, token=s.admin) as admin:
        return {
            role: admin.create_token(f"matrix-{role.value}", role.value).secret for role in Role
        }


def _call(channel: grpc.Channel, method: str, token: str | None) -> grpc.StatusCode:
    """Call an RPC with an empty request; the status code it ends with."""
    desc = SERVICE.methods_by_name[method]
    request_type = spb.DESCRIPTOR.pool.FindMessageTypeByName(desc.input_type.full_name)
    request = message_factory.GetMessageClass(request_type)()
    # Enough for the role check to be the only question: a lease token where
    # one is asked for (a worker must present one), an id.
    for name, value in (("lease_token", str(uuid.uuid4())), ("id", 1)):
        field = request_type.fields_by_name.get(name)
        if field is not None and field.type == (9 if isinstance(value, str) else 3):
            setattr(request, name, value)
    metadata = (("authorization", f"Bearer {token}"),) if token else ()
    path = f"/actionq.v1.ActionQueueService/{method}"
    try:
        if desc.server_streaming:
            stream = channel.unary_stream(
                path,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=bytes,
            )(request, metadata=metadata, timeout=0.5)
            for _ in stream:
                break
            stream.cancel()
            return grpc.StatusCode.OK
        channel.unary_unary(
            path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=bytes
        )(request, metadata=metadata, timeout=10)
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def test_every_rpc_is_in_the_role_table() -> None:
    assert set(ALLOWED) == {m.name for m in SERVICE.methods}


def test_role_by_rpc_matrix(secured: Secured) -> None:
    tokens = _tokens(secured)
    refused = {grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED}
    seen: dict[tuple[str, Role], grpc.StatusCode] = {}
    with grpc.insecure_channel(secured.server.address) as channel:
        for method in sorted(m.name for m in SERVICE.methods):
            for role, token in tokens.items():
                code = _call(channel, method, token)
                seen[(method, role)] = code
                if role in ALLOWED[method]:
                    assert code not in refused, (method, role, code)
                else:
                    assert code == grpc.StatusCode.PERMISSION_DENIED, (method, role, code)
            assert _call(channel, method, None) == grpc.StatusCode.UNAUTHENTICATED, method
            assert _call(channel, method, "aq_000000000000_" + "x" * 43) == (
                grpc.StatusCode.UNAUTHENTICATED
            ), method
    assert len(seen) == len(SERVICE.methods) * len(Role)
    # Health stays open: load balancers probe it without a token.
    with grpc.insecure_channel(secured.server.address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_expired_and_revoked_tokens_stop_working(secured: Secured) -> None:
    with Client(secured.server.address, token=secured.admin) as admin:
        short = admin.create_token("short", "producer", expires_in=1)
        kept = admin.create_token("kept", "producer")
        with Client(secured.server.address, token=kept.secret) as producer:
            assert producer.add("auth.t", "p").created_by == "kept"
            admin.revoke_token(kept.token.id)

            def refused() -> bool:
                try:
                    producer.add("auth.t", "p")
                except NotAuthenticated:
                    return True
                return False

            # Within a second (the cache's life), with margin for a busy machine.
            assert wait_until(refused, timeout=5, interval=0.1)
        with Client(secured.server.address, token=short.secret) as producer:
            assert wait_until(lambda: _refused(producer), timeout=10, interval=0.2)
        listed = {t.id: t for t in admin.list_tokens()}
        assert listed[kept.token.id].revoked_at is not None
        assert all("secret" not in t.to_json() for t in listed.values())


def _refused(client: Client) -> bool:
    try:
        client.stats()
    except NotAuthenticated:
        return True
    return False


def test_identity_comes_from_the_token(secured: Secured) -> None:
    with Client(secured.server.address, token=secured.admin) as admin:
        agent = admin.create_token("agent:planner", "producer", names=["agent:planner-2"])
        worker = admin.create_token("worker-7", "worker")
    with Client(secured.server.address, token=agent.secret) as producer:
        assert producer.add("auth.who", "p", queue="who").created_by == "agent:planner"
        allowed = producer.add("auth.who", "p", queue="who", created_by="agent:planner-2")
        assert allowed.created_by == "agent:planner-2"
        # Calling itself human: to escape its rate limit does not work.
        with pytest.raises(NotPermitted) as denied:
            producer.add("auth.who", "p", queue="who", created_by="human:bob")
        assert "created_by" in denied.value.message
        with pytest.raises(NotPermitted):
            producer.claim("x", queue="who")
    with Client(secured.server.address, token=worker.secret) as w:
        claimed = w.claim("", queue="who")
        assert claimed and claimed[0].action.claimed_by == "worker-7"
        with pytest.raises(NotPermitted):
            w.claim("someone-else", queue="who")
        # A worker finishes only the lease it holds: it must present the token.
        with pytest.raises(NotPermitted):
            w.complete(claimed[0].action.id, "")
        with pytest.raises(NotPermitted):
            w.cancel(claimed[0].action.id, reason="not mine to cancel")
        done = w.complete(claimed[0].action.id, claimed[0].lease_token, result_ref="r")
        assert done.status == "completed"


def test_actionctl_token_commands(secured: Secured) -> None:
    address = secured.server.address
    env_token = ("--token", secured.admin)
    made = actionctl(address, *env_token, "token", "create", "--name", "ci", "--role", "operator")
    assert made.code == 0, made.stderr
    secret = made.json["secret"]
    assert made.json["role"] == "operator"
    listed = actionctl(address, *env_token, "token", "ls")
    assert any(t["id"] == made.json["id"] for t in listed.json)
    assert secret not in listed.stdout
    assert actionctl(address, "--token", secret, "queues").code == 0
    no_token = actionctl(address, "queues")
    assert no_token.code == 1 and no_token.error["code"] == "UNAUTHENTICATED"
    revoked = actionctl(address, *env_token, "token", "revoke", made.json["id"])
    assert revoked.json["revoked_at"]
    bad_role = actionctl(address, *env_token, "token", "create", "--name", "x", "--role", "god")
    assert bad_role.code != 0 and "Traceback" not in bad_role.stderr


# ---- TLS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    server_cert = ca.issue_cert("localhost", "127.0.0.1")
    client_cert = ca.issue_cert("worker@example")
    files = {
        "ca": folder / "ca.pem",
        "cert": folder / "server.pem",
        "key": folder / "server.key",
        "client_cert": folder / "client.pem",
        "client_key": folder / "client.key",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    server_cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    server_cert.private_key_pem.write_to_path(str(files["key"]))
    client_cert.cert_chain_pems[0].write_to_path(str(files["client_cert"]))
    client_cert.private_key_pem.write_to_path(str(files["client_key"]))
    return files


def test_tls_and_mutual_tls(pg_dsn: str, pki: dict[str, Path]) -> None:
    base = {
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_TLS_CERT": str(pki["cert"]),
        "ACTIONQ_TLS_KEY": str(pki["key"]),
    }
    server = start_server(base)
    try:
        with Client(server.address, ca_file=str(pki["ca"])) as c:
            assert c.add("tls.t", "p").status == "pending"
        with Client(server.address, timeout=3) as plain, pytest.raises(Unavailable):
            plain.stats()
        cli = actionctl(server.address, "--ca-file", str(pki["ca"]), "queues")
        assert cli.code == 0, cli.stderr
    finally:
        server.stop()
    mutual = start_server({**base, "ACTIONQ_TLS_CLIENT_CA": str(pki["ca"])})
    try:
        no_cert = Client(mutual.address, ca_file=str(pki["ca"]), timeout=3)
        with no_cert, pytest.raises(Unavailable):
            no_cert.stats()
        with Client(
            mutual.address,
            ca_file=str(pki["ca"]),
            cert_file=str(pki["client_cert"]),
            key_file=str(pki["client_key"]),
        ) as c:
            assert c.add("tls.t", "p").status == "pending"
    finally:
        mutual.stop()


def test_refuses_to_listen_off_loopback_unprotected(pg_dsn: str) -> None:
    env = {
        **os.environ,
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_LISTEN": "0.0.0.0:0",
    }
    done = subprocess.run(
        [executable("actionq-server")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "without TLS and auth" in lines[0] and "--insecure" in lines[0]
    # --insecure says so, in one line, and serves.
    server = start_server(
        {k: v for k, v in env.items() if k.startswith("ACTIONQ_")} | {"ACTIONQ_INSECURE": "true"}
    )
    try:
        assert any('"event": "insecure"' in line for line in server.output)
    finally:
        server.stop()


def test_the_command_worker_uses_actionctls_token(secured: Secured) -> None:
    """`actionctl --token T worker` claims and completes with that token (its
    asyncio client is connected like actionctl's own)."""
    kind = f"shell-{uuid.uuid4().hex[:8]}"
    with Client(secured.server.address, token=secured.admin) as admin:
        worker_token = admin.create_token("shell-worker", "worker").secret
        action = admin.add(kind, "p", payload={"command": ["true"]})
        proc = subprocess.Popen(
            [
                executable("actionctl"),
                "--server",
                secured.server.address,
                "--token",
                worker_token,
                "worker",
                "--type",
                kind,
                "--name",
                "shell-worker",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            (done,) = admin.wait(action.id, timeout=60)
            assert done.status == "completed" and done.claimed_by == "shell-worker"
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert worker_token not in out + err
