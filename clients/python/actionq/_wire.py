"""What both clients share: request builders, channel settings, and the few
primitives that differ between the blocking and the asyncio flavour.

The asyncio client (`_async_client.py`) is the one source of every call; the
blocking client is generated from it by unasync (`clients/python/gen_sync.py`),
which renames each `async_*` primitive below to its `sync_*` twin.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import math
import os
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from .records import Backoff, encode_object, status_number
from .tracing import current_context
from .v1 import action_pb2 as pb
from .v1 import service_pb2 as spb

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 10.0
# Extra time a long-polling call gets beyond its wait.
WAIT_MARGIN = 5.0
# Enqueue retries: attempts in all, and the backoff between them (seconds).
ENQUEUE_ATTEMPTS = 4
ENQUEUE_BACKOFF = (0.1, 1.0)

# Calls that are safe to repeat are retried by the channel when the server or
# its database is briefly unavailable. Enqueue is retried by the client itself,
# with its request_id; the other state-changing calls are not retried.
IDEMPOTENT_METHODS = (
    "GetAction",
    "ListActions",
    "ListEvents",
    "GetQueueStats",
    "Heartbeat",
    "Sweep",
    "Migrate",
    "ListQueues",
    "WaitAction",
    "SaveCheckpoint",
    "GetCheckpoints",
)
# The largest answer accepted: reads stay under 4 MB, but an Enqueue answer
# echoes its whole batch (up to 10,000 actions with their payloads).
MAX_RECEIVE_BYTES = 128 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
    ("grpc.enable_retries", 1),
    (
        "grpc.service_config",
        json.dumps(
            {
                "methodConfig": [
                    {
                        "name": [
                            {"service": "actionq.v1.ActionQueueService", "method": m}
                            for m in IDEMPOTENT_METHODS
                        ],
                        "retryPolicy": {
                            "maxAttempts": 4,
                            "initialBackoff": "0.1s",
                            "maxBackoff": "1s",
                            "backoffMultiplier": 2,
                            "retryableStatusCodes": ["UNAVAILABLE"],
                        },
                    }
                ]
            }
        ),
    ),
]


def target(address: str | None) -> str:
    """The server address: the argument, else ACTIONQ_SERVER, else the default."""
    return address or os.environ.get("ACTIONQ_SERVER") or DEFAULT_ADDRESS


@dataclass(frozen=True)
class Security:
    """How a channel is secured: TLS (with the system roots or a CA file, and a
    client certificate for mutual TLS) and a bearer token."""

    tls: bool = False
    token: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    @classmethod
    def of(
        cls,
        tls: bool,
        token: str | None,
        ca_file: str | None,
        cert_file: str | None,
        key_file: str | None,
    ) -> Security:
        """What is not given comes from the environment: ACTIONQ_TOKEN (a
        token of "" sends none), ACTIONQ_CA_FILE, ACTIONQ_CLIENT_CERT,
        ACTIONQ_CLIENT_KEY, ACTIONQ_TLS=true. Any file implies TLS; a client
        certificate needs its key."""
        env = os.environ
        token = env.get("ACTIONQ_TOKEN") if token is None else token
        ca_file = ca_file or env.get("ACTIONQ_CA_FILE") or None
        if cert_file is None and key_file is None:
            cert_file = env.get("ACTIONQ_CLIENT_CERT") or None
            key_file = env.get("ACTIONQ_CLIENT_KEY") or None
        if (cert_file is None) != (key_file is None):
            raise ValueError("cert_file and key_file go together (mutual TLS)")
        tls = tls or env.get("ACTIONQ_TLS", "").lower() in ("1", "true", "yes", "on")
        uses_tls = tls or ca_file is not None or cert_file is not None
        return cls(uses_tls, token or None, ca_file, cert_file, key_file)

    def warn_if_exposed(self, address: str) -> None:
        """Warn (InsecureTokenWarning) when the token would travel in
        plaintext to an address that is not loopback."""
        if self.token and not self.tls and not is_loopback(address):
            warnings.warn(
                f"actionq: sending a token in plaintext to {address}; "
                "use TLS (ca_file, tls=True, ACTIONQ_CA_FILE or ACTIONQ_TLS=true)",
                InsecureTokenWarning,
                stacklevel=3,
            )

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """Bearer token metadata for plaintext channels (TLS channels carry it
        in their credentials)."""
        return (("authorization", f"Bearer {self.token}"),) if self.token and not self.tls else ()

    def credentials(self) -> grpc.ChannelCredentials:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=_read(self.ca_file),
            private_key=_read(self.key_file),
            certificate_chain=_read(self.cert_file),
        )
        if self.token:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(self.token)
            )
        return credentials


class InsecureTokenWarning(UserWarning):
    """A client sends its token in plaintext to an address off this machine."""


def is_loopback(address: str) -> bool:
    """Whether a gRPC target (host:port, [v6]:port, unix:path) stays on this machine."""
    if address.startswith(("unix:", "unix-abstract:")):
        return True
    host = address.rsplit("/", 1)[-1]
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") else host
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None


def async_channel(address: str, security: Security) -> grpc.aio.Channel:
    """An asyncio channel with the retry policy."""
    if security.tls:
        return grpc.aio.secure_channel(address, security.credentials(), options=CHANNEL_OPTIONS)
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)


def sync_channel(address: str, security: Security) -> grpc.Channel:
    """A blocking channel with the retry policy."""
    if security.tls:
        return grpc.secure_channel(address, security.credentials(), options=CHANNEL_OPTIONS)
    return grpc.insecure_channel(address, options=CHANNEL_OPTIONS)


async def async_sleep(seconds: float) -> None:
    """Pause the calling task."""
    await asyncio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    """Pause the calling thread."""
    time.sleep(seconds)


def duration(seconds: float | None) -> duration_pb2.Duration | None:
    """Seconds as a Duration (None stays unset); refuses NaN and infinities."""
    if seconds is None:
        return None
    if not math.isfinite(seconds):
        raise ValueError(f"a duration must be a finite number of seconds, not {seconds}")
    message = duration_pb2.Duration()
    message.FromNanoseconds(round(seconds * 1e9))
    return message


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    """A datetime as a Timestamp (naive datetimes are taken as UTC)."""
    if value is None:
        return None
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


def new_action(
    action_type: str,
    project: str,
    *,
    queue: str = "",
    target_ref: str = "",
    source_refs: Sequence[str] = (),
    payload: dict[str, Any] | None = None,
    payload_json: str | None = None,
    priority: int = 0,
    parent_id: int = 0,
    created_by: str = "",
    idempotency_key: str = "",
    max_attempts: int = 0,
    run_after: datetime | None = None,
    delay: float | None = None,
    backoff: Backoff | str | None = None,
    workflow_id: str = "",
    depends_on: Iterable[int] = (),
    depends_on_index: Iterable[int] = (),
    concurrency_key: str = "",
    group_key: str = "",
    trace_context: dict[str, str] | None = None,
) -> pb.NewAction:
    """One action to enqueue. `payload` is encoded as JSON text (NaN and
    Infinity are refused); `payload_json` sends JSON text verbatim instead.
    `max_attempts` 0 and `backoff` None take the queue's defaults; `backoff`
    is a Backoff or its spelling ("exponential:2s:10m:0.1", "fixed:30s").
    `run_after` (a datetime) or `delay` (seconds from now) schedule it later.
    `workflow_id` joins a workflow run; `depends_on` (ids) and
    `depends_on_index` (positions in the same enqueue call) name the actions
    that must complete first. `concurrency_key` and `group_key` are the keys
    of per-key limits and of ordered groups. `trace_context` (W3C headers) is
    handed to the worker; by default the current OpenTelemetry span's, when
    OpenTelemetry is installed and a span is active."""
    if payload is not None and payload_json is not None:
        raise ValueError("pass payload or payload_json, not both")
    text = payload_json if payload_json is not None else encode_object(payload or {})
    message = pb.NewAction(
        queue=queue,
        action_type=action_type,
        project=project,
        target_ref=target_ref,
        source_refs=list(source_refs),
        payload_json=text,
        priority=priority,
        parent_id=parent_id,
        created_by=created_by,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
        run_after=timestamp(run_after),
        delay=duration(delay),
        backoff=backoff_message(backoff),
    )
    # Set only what is there: most actions carry none of these (and each empty
    # field passed to the constructor still costs a conversion).
    if workflow_id:
        message.workflow_id = workflow_id
    if depends_on:
        message.depends_on.extend(depends_on)
    if depends_on_index:
        message.depends_on_index.extend(depends_on_index)
    if concurrency_key:
        message.concurrency_key = concurrency_key
    if group_key:
        message.group_key = group_key
    context = trace_context if trace_context is not None else current_context()
    if context:
        message.trace_context.update(context)
    return message


def backoff_message(value: Backoff | str | None) -> pb.Backoff | None:
    """A Backoff (or its spelling) as a message; None stays unset."""
    policy = Backoff.of(value)
    return policy.to_proto() if policy is not None else None


def completion(
    action_id: int,
    lease_token: str = "",
    *,
    result_ref: str = "",
    result: dict[str, Any] | None = None,
    actor: str = "",
) -> spb.CompleteRequest:
    """One completion: a Complete request, also an item of `complete_many`."""
    return spb.CompleteRequest(
        id=action_id,
        lease_token=lease_token,
        result_ref=result_ref,
        result_json=encode_object(result, "result") if result is not None else "",
        actor=actor,
    )


def claim_request(
    worker: str,
    queue: str,
    action_types: Iterable[str],
    project: str,
    max_actions: int,
    lease: float | None,
    wait: float | None,
    queues: Iterable[str] = (),
) -> spb.ClaimRequest:
    """A Claim request."""
    return spb.ClaimRequest(
        queues=list(queues),
        worker=worker,
        queue=queue,
        action_types=list(action_types),
        project=project,
        max_actions=max_actions,
        lease=duration(lease),
        wait=duration(wait),
    )


def list_actions_request(
    statuses: Iterable[str],
    action_type: str,
    project: str,
    queue: str,
    page_size: int,
    page_token: str,
    newest_first: bool,
    workflow_id: str = "",
    target_ref_contains: str = "",
) -> spb.ListActionsRequest:
    """A ListActions request; statuses by name ("pending", ...)."""
    return spb.ListActionsRequest(
        statuses=[status_number(s) for s in statuses],
        action_type=action_type,
        project=project,
        queue=queue,
        page_size=page_size,
        page_token=page_token,
        newest_first=newest_first,
        workflow_id=workflow_id,
        target_ref_contains=target_ref_contains,
    )
