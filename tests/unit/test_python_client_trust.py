"""The Python client's connection settings from arguments or the environment,
and follow_events resuming a watcher the server closed as too slow."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from actionq import AsyncClient, Client, InsecureTokenWarning
from actionq._wire import Security
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from google.rpc import code_pb2

from tests.support import fake_server
from tests.unit.test_python_client import rich_status

VARIABLES = (
    "ACTIONQ_TOKEN",
    "ACTIONQ_CA_FILE",
    "ACTIONQ_CLIENT_CERT",
    "ACTIONQ_CLIENT_KEY",
    "ACTIONQ_TLS",
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_nothing_set_is_plaintext_without_a_token(env: pytest.MonkeyPatch) -> None:
    assert Security.of(False, None, None, None, None) == Security()


def test_the_environment_fills_what_the_arguments_leave_unset(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("ACTIONQ_TOKEN", "aq_env")
    env.setenv("ACTIONQ_CA_FILE", str(tmp_path / "ca.pem"))
    env.setenv("ACTIONQ_CLIENT_CERT", str(tmp_path / "c.pem"))
    env.setenv("ACTIONQ_CLIENT_KEY", str(tmp_path / "c.key"))
    got = Security.of(False, None, None, None, None)
    assert got == Security(
        True, "aq_env", str(tmp_path / "ca.pem"), str(tmp_path / "c.pem"), str(tmp_path / "c.key")
    )
    # Arguments win; an empty token sends none.
    assert Security.of(False, "aq_arg", "x.pem", None, None).token == "aq_arg"
    assert Security.of(False, "aq_arg", "x.pem", None, None).ca_file == "x.pem"
    assert Security.of(False, "", None, None, None).token is None
    assert Security.of(False, "", None, None, None).metadata() == ()


@pytest.mark.parametrize(
    ("value", "tls"), [("true", True), ("1", True), ("ON", True), ("no", False)]
)
def test_actionq_tls_turns_tls_on(env: pytest.MonkeyPatch, value: str, tls: bool) -> None:
    env.setenv("ACTIONQ_TLS", value)
    assert Security.of(False, None, None, None, None).tls is tls


def test_a_certificate_needs_its_key(env: pytest.MonkeyPatch) -> None:
    env.setenv("ACTIONQ_CLIENT_CERT", "c.pem")
    with pytest.raises(ValueError, match="go together"):
        Security.of(False, None, None, None, None)


class TooSlowOnce(service_pb2_grpc.ActionQueueServiceServicer):
    """The first watch delivers c1 and is closed as too slow; later ones deliver c2."""

    def __init__(self) -> None:
        self.cursors: list[str] = []

    def WatchEvents(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        self.cursors.append(request.after_cursor)
        n = 1 if len(self.cursors) == 1 else 2
        yield spb.WatchEventsResponse(
            events=[pb.Event(id=n, cursor=f"c{n}", event_type="e", payload_json="{}")],
            cursor=f"c{n}",
        )
        if n == 1:
            context.abort_with_status(
                rich_status(
                    code_pb2.RESOURCE_EXHAUSTED, "too slow", "WATCHER_TOO_SLOW", {"cursor": "c1"}
                )
            )


@pytest.fixture
def too_slow() -> Iterator[tuple[TooSlowOnce, str]]:
    service = TooSlowOnce()
    with fake_server(service) as address:
        yield service, address


def test_follow_events_resumes_after_watcher_too_slow(
    env: pytest.MonkeyPatch, too_slow: tuple[TooSlowOnce, str]
) -> None:
    service, address = too_slow
    with Client(address, timeout=5) as client:
        events = client.follow_events(retry_delay=0.01)
        assert [next(events).id, next(events).id] == [1, 2]
        events.close()
    assert service.cursors[:2] == ["", "c1"]

    async def run() -> list[int]:
        async with AsyncClient(address, timeout=5) as client:
            got = []
            async for event in client.follow_events(after_cursor="c0", retry_delay=0.01):
                got.append(event.id)
                if len(got) == 2:
                    break
            return got

    service.cursors.clear()
    assert asyncio.run(run()) == [1, 2]
    assert service.cursors[:2] == ["c0", "c1"]


def test_a_token_in_plaintext_off_loopback_is_warned_about(env: pytest.MonkeyPatch) -> None:
    with pytest.warns(InsecureTokenWarning, match="plaintext"):
        Client("queue.internal:50051", token="aq_x").close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for address in ("127.0.0.1:50051", "localhost:1", "[::1]:2", "unix:/tmp/actionq.sock"):
            Client(address, token="aq_x").close()
        Client("queue.internal:50051").close()
        Client("queue.internal:50051", token="aq_x", tls=True).close()
