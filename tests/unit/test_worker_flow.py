"""The Python Worker's flow control, against a scripted client (no server, no storage):
a handler's slot frees before its report is acknowledged, and reports in flight
are bounded by the concurrency."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, cast

import pytest
from actionq import Action, AsyncClient, ClaimedAction, CompleteManyResult, Worker
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb


class ScriptedClient:
    """Hands out one action per claim; CompleteMany waits until the test lets it answer."""

    def __init__(self) -> None:
        self.claims = 0
        self.next_id = 1
        self.sent: list[list[int]] = []
        self.acknowledge = asyncio.Event()

    async def claim(self, worker: str, **_: Any) -> list[ClaimedAction]:
        self.claims += 1
        action_id, self.next_id = self.next_id, self.next_id + 1
        action = Action.from_proto(pb.Action(id=action_id, payload_json='{"n": 1}'))
        return [ClaimedAction(action, f"t{action_id}")]

    async def complete_many(self, completions: Iterable[spb.CompleteRequest]) -> CompleteManyResult:
        ids = [c.id for c in completions]
        self.sent.append(ids)
        await self.acknowledge.wait()
        return CompleteManyResult(ids, [])


async def _until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


def test_slot_frees_before_the_report_is_acknowledged_and_reports_are_bounded() -> None:
    async def scenario() -> None:
        client = ScriptedClient()
        handled: list[int] = []

        async def handler(action: Action) -> None:
            assert action.payload == {"n": 1}
            handled.append(action.id)

        worker = Worker(
            cast(AsyncClient, client), handler, name="w", concurrency=1, batch_window=0.0
        )
        running = asyncio.create_task(worker.run())
        # Action 1's completion is sent and not yet acknowledged, yet the worker
        # claimed and ran action 2: the slot did not wait for the acknowledgement.
        await _until(lambda: client.sent == [[1]] and handled == [1, 2])
        # With one report in flight (the bound for concurrency 1), action 2 holds
        # its slot: no third claim while the server has not answered.
        await asyncio.sleep(0.05)
        assert client.claims == 2 and worker.processed == 0
        client.acknowledge.set()
        await _until(lambda: worker.processed >= 3)
        worker.stop()
        await asyncio.wait_for(running, 5)
        sent = [i for batch in client.sent for i in batch]
        assert sorted(sent) == sorted(set(sent)) == list(range(1, max(sent) + 1))
        assert handled[: len(sent)] == sent

    asyncio.run(scenario())


def test_outbox_never_sends_an_id_twice_in_one_batch() -> None:
    """A lease that expired and was claimed again by the same worker can put one
    action in the outbox twice; the server would refuse such a batch whole."""
    from actionq.worker import _Outbox

    async def scenario() -> None:
        client = ScriptedClient()
        client.acknowledge.set()
        outbox = _Outbox(cast(AsyncClient, client), window=0.0)
        outbox.start()
        await asyncio.gather(*(outbox.complete(spb.CompleteRequest(id=i)) for i in (1, 2, 1, 3, 1)))
        await outbox.stop()
        assert all(len(batch) == len(set(batch)) for batch in client.sent)
        assert sorted(i for batch in client.sent for i in batch) == [1, 1, 1, 2, 3]

    asyncio.run(scenario())


def test_a_refused_completion_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    """CompleteMany's per-item refusal reaches the worker's log as a typed error."""
    from actionq import ItemFailure

    class Refusing(ScriptedClient):
        async def complete_many(
            self, completions: Iterable[spb.CompleteRequest]
        ) -> CompleteManyResult:
            ids = [c.id for c in completions]
            self.sent.append(ids)
            failures = [ItemFailure(i, "FAILED_PRECONDITION", "STALE_LEASE", "stale") for i in ids]
            return CompleteManyResult([], failures)

    async def scenario() -> None:
        client = Refusing()

        async def handler(action: Action) -> dict[str, int]:
            return {"id": action.id}

        worker = Worker(cast(AsyncClient, client), handler, name="w", concurrency=1)
        running = asyncio.create_task(worker.run())
        await _until(lambda: worker.processed >= 1)
        worker.stop()
        await asyncio.wait_for(running, 5)

    with caplog.at_level(logging.WARNING, logger="actionq.worker"):
        asyncio.run(scenario())
    assert "FAILED_PRECONDITION (STALE_LEASE): stale" in caplog.text
