"""WorkerApp against a scripted client (no server): how each way a handler ends
is reported, per-type concurrency, timeouts, heartbeats with progress, and
stopping (promptly during a long poll; gracefully, then cancelling)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from actionq import (
    Action,
    AsyncClient,
    Backoff,
    ClaimedAction,
    FailNoRetry,
    Heartbeat,
    Job,
    JobCancelled,
    Reject,
    Result,
    RetryIn,
    StaleLease,
    WorkerApp,
)
from actionq.__main__ import load_app, parser
from actionq.v1 import action_pb2 as pb
from pydantic import BaseModel


class ScriptedClient:
    """Hands out its queued actions to claims (filtered by type, at most
    max_actions) and otherwise long-polls until cancelled; records every call."""

    def __init__(self) -> None:
        self.queued: list[Action] = []
        self.arrived = asyncio.Event()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.claims: list[dict[str, Any]] = []
        self.claim_cancelled = 0
        self.cancel_ids: set[int] = set()
        self.next_id = 1000

    def add(self, action_type: str, payload: dict[str, Any], attempt: int = 1) -> int:
        self.next_id += 1
        action_id = self.next_id
        message = pb.Action(
            id=action_id,
            action_type=action_type,
            payload_json=json.dumps(payload),
            attempt=attempt,
            max_attempts=3,
            status=pb.ACTION_STATUS_CLAIMED,
        )
        self.queued.append(Action.from_proto(message))
        self.arrived.set()
        return action_id

    async def claim(self, worker: str, **request: Any) -> list[ClaimedAction]:
        self.claims.append(request)
        try:
            while True:
                wanted = set(request["action_types"])
                ready = [a for a in self.queued if a.action_type in wanted]
                if ready:
                    taken = ready[: request["max_actions"]]
                    for action in taken:
                        self.queued.remove(action)
                    return [ClaimedAction(a, f"lease-{a.id}") for a in taken]
                self.arrived.clear()
                await self.arrived.wait()
        except asyncio.CancelledError:
            self.claim_cancelled += 1
            raise

    def _record(self, call: str, **fields: Any) -> None:
        self.calls.append((call, fields))

    async def complete(self, action_id: int, lease_token: str, **fields: Any) -> None:
        self._record("complete", id=action_id, token=lease_token, **fields)

    async def fail(self, action_id: int, lease_token: str, **fields: Any) -> None:
        self._record("fail", id=action_id, token=lease_token, **fields)

    async def reject(self, action_id: int, lease_token: str, **fields: Any) -> None:
        self._record("reject", id=action_id, token=lease_token, **fields)

    async def heartbeat(
        self, action_id: int, lease_token: str, lease: float | None = None, **fields: Any
    ) -> Heartbeat:
        self._record("heartbeat", id=action_id, lease=lease, **fields)
        if action_id in self.cancel_ids:
            return Heartbeat(None, True)
        if lease_token == "stale":
            raise StaleLease("FAILED_PRECONDITION", "stale", reason="STALE_LEASE")
        return Heartbeat(datetime.now(UTC) + timedelta(seconds=lease or 30), False)

    def outcome(self, action_id: int) -> tuple[str, dict[str, Any]] | None:
        """The report sent for an action, if any."""
        for call, fields in self.calls:
            if call != "heartbeat" and fields["id"] == action_id:
                return call, fields
        return None


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def run_app(
    app: WorkerApp, scenario: Callable[[ScriptedClient], Awaitable[None]], **run: Any
) -> ScriptedClient:
    """Run `app` on a scripted client while `scenario` drives it; then stop it."""

    async def main() -> ScriptedClient:
        client = ScriptedClient()
        task = asyncio.create_task(app.run(cast(AsyncClient, client), **run))
        try:
            await scenario(client)
        finally:
            app.stop()
            await asyncio.wait_for(task, timeout=20)
        return client

    return asyncio.run(main())


class Email(BaseModel):
    to: str
    attempts_seen: int = 0


def test_each_way_a_handler_ends_is_reported() -> None:
    app = WorkerApp("billing")
    backoff = Backoff.parse("exponential:10s:1m:0.5")

    @app.handler("ok.dict")
    async def as_dict(job: Job[dict[str, Any]]) -> dict[str, Any]:
        return {"n": job.payload["n"] * 2, "attempt": job.attempt}

    @app.handler("ok.sync")
    def as_ref(job: Job[dict[str, Any]]) -> str:
        assert threading.current_thread() is not threading.main_thread()
        return f"ref:{job.id}"

    @app.handler("ok.model", model=Email)
    async def with_model(job: Job[Email]) -> Email:
        assert isinstance(job.payload, Email)
        return Email(to=job.payload.to.upper(), attempts_seen=job.attempt)

    @app.handler("ok.result")
    async def as_result(job: Job[dict[str, Any]]) -> Result:
        return Result(ref="r", data={"x": 1})

    @app.handler("end.reject")
    async def reject(job: Job[dict[str, Any]]) -> None:
        raise Reject("no customer")

    @app.handler("end.noretry")
    async def no_retry(job: Job[dict[str, Any]]) -> None:
        raise FailNoRetry("account deleted")

    @app.handler("end.retryin", retry_on=(KeyError,))
    async def retry_in(job: Job[dict[str, Any]]) -> None:
        raise RetryIn(42, "try later")

    @app.handler("end.retry_on", retry_on=(ConnectionError,), backoff=backoff)
    async def flaky(job: Job[dict[str, Any]]) -> None:
        if job.payload["kind"] == "network":
            raise ConnectionResetError("reset")
        raise ValueError("bad data")

    @app.handler("end.plain")
    async def plain(job: Job[dict[str, Any]]) -> None:
        raise RuntimeError("boom")

    @app.handler("end.badreturn")
    async def bad_return(job: Job[dict[str, Any]]) -> int:
        return 7

    ids: dict[str, int] = {}

    async def scenario(client: ScriptedClient) -> None:
        ids["dict"] = client.add("ok.dict", {"n": 21}, attempt=2)
        ids["sync"] = client.add("ok.sync", {})
        ids["model"] = client.add("ok.model", {"to": "a@b.c"})
        ids["invalid"] = client.add("ok.model", {"to": ["not", "text"]})
        ids["result"] = client.add("ok.result", {})
        ids["reject"] = client.add("end.reject", {})
        ids["noretry"] = client.add("end.noretry", {})
        ids["retryin"] = client.add("end.retryin", {})
        ids["network"] = client.add("end.retry_on", {"kind": "network"}, attempt=2)
        ids["data"] = client.add("end.retry_on", {"kind": "data"})
        ids["plain"] = client.add("end.plain", {})
        ids["badreturn"] = client.add("end.badreturn", {})
        await until(lambda: all(client.outcome(i) for i in ids.values()))

    client = run_app(app, scenario)
    assert client.outcome(ids["dict"]) == (
        "complete",
        {
            "id": ids["dict"],
            "token": f"lease-{ids['dict']}",
            "result_ref": "",
            "result": {"n": 42, "attempt": 2},
        },
    )
    assert client.outcome(ids["sync"])[1]["result_ref"] == f"ref:{ids['sync']}"  # type: ignore[index]
    assert client.outcome(ids["model"])[1]["result"] == {"to": "A@B.C", "attempts_seen": 1}  # type: ignore[index]
    call, fields = client.outcome(ids["invalid"])  # type: ignore[misc]
    assert call == "reject" and fields["validator"] == "billing"
    assert fields["reason"].startswith("payload does not match Email: to:")
    assert client.outcome(ids["result"])[1]["result"] == {"x": 1}  # type: ignore[index]
    assert client.outcome(ids["reject"]) == (
        "reject",
        {
            "id": ids["reject"],
            "token": f"lease-{ids['reject']}",
            "reason": "no customer",
            "validator": "billing",
        },
    )
    call, fields = client.outcome(ids["noretry"])  # type: ignore[misc]
    assert (call, fields["no_retry"], fields["reason"]) == ("fail", True, "account deleted")
    call, fields = client.outcome(ids["retryin"])  # type: ignore[misc]
    assert (call, fields["retry_delay"], fields["no_retry"]) == ("fail", 42.0, False)
    call, fields = client.outcome(ids["network"])  # type: ignore[misc]
    # Attempt 2 of exponential 10 s..1 m with jitter 0.5: between 10 s and 20 s.
    assert call == "fail" and not fields["no_retry"]
    assert 10.0 <= fields["retry_delay"] <= 20.0
    assert fields["reason"] == "ConnectionResetError: reset"
    call, fields = client.outcome(ids["data"])  # type: ignore[misc]
    assert (call, fields["no_retry"], fields["reason"]) == ("fail", True, "ValueError: bad data")
    call, fields = client.outcome(ids["plain"])  # type: ignore[misc]
    assert (call, fields["no_retry"], fields["retry_delay"]) == ("fail", False, None)
    call, fields = client.outcome(ids["badreturn"])  # type: ignore[misc]
    assert call == "fail" and fields["reason"].startswith("TypeError: handler returned int")
    assert app.processed == len(ids)


def test_per_type_concurrency_is_never_exceeded_nor_over_claimed() -> None:
    app = WorkerApp("c", concurrency=5)
    running = {"slow": 0, "fast": 0}
    peak = {"slow": 0, "fast": 0}
    release = asyncio.Event()

    def track(kind: str) -> Callable[[Job[Any]], Awaitable[None]]:
        async def handle(job: Job[Any]) -> None:
            running[kind] += 1
            peak[kind] = max(peak[kind], running[kind])
            try:
                await release.wait()
            finally:
                running[kind] -= 1

        return handle

    app.handler("slow", concurrency=2)(track("slow"))
    app.handler("fast", concurrency=3)(track("fast"))

    async def scenario(client: ScriptedClient) -> None:
        for _ in range(6):
            client.add("slow", {})
            client.add("fast", {})
        await until(lambda: running == {"slow": 2, "fast": 3})
        # Every slot is taken: no claim is in flight, none over-asked.
        release.set()
        await until(lambda: len([c for c in client.calls if c[0] == "complete"]) == 12)

    client = run_app(app, scenario)
    assert peak == {"slow": 2, "fast": 3}
    for claim in client.claims:
        assert claim["max_actions"] >= 1
        if "slow" in claim["action_types"]:
            assert claim["max_actions"] <= 2
        assert claim["max_actions"] <= 3


def test_a_timeout_cancels_the_handler_and_fails_the_attempt() -> None:
    app = WorkerApp("t")
    cancelled = asyncio.Event()

    @app.handler("slow", timeout=0.2)
    async def slow(job: Job[Any]) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    @app.handler("slow.strict", timeout=0.2, retry_on=(ConnectionError,))
    async def strict(job: Job[Any]) -> None:
        await asyncio.sleep(60)

    ids: list[int] = []

    async def scenario(client: ScriptedClient) -> None:
        ids.extend([client.add("slow", {}), client.add("slow.strict", {})])
        await until(lambda: all(client.outcome(i) for i in ids))

    client = run_app(app, scenario)
    assert cancelled.is_set()
    call, fields = client.outcome(ids[0])  # type: ignore[misc]
    assert call == "fail" and fields["reason"] == "TimeoutError: the handler timed out after 0.2s"
    assert not fields["no_retry"]
    # A timeout counts as a TimeoutError: not in retry_on, so it fails for good.
    assert client.outcome(ids[1])[1]["no_retry"] is True  # type: ignore[index]


def test_heartbeats_carry_progress_and_a_cancelled_action_stops_its_handler() -> None:
    app = WorkerApp("h", lease=30)
    stopped = asyncio.Event()
    sync_saw: list[str] = []

    @app.handler("report")
    async def report(job: Job[Any]) -> str:
        await job.heartbeat(progress={"done": 1, "of": 2})
        assert job.deadline is not None
        return "ok"

    @app.handler("report.sync")
    def report_sync(job: Job[Any]) -> str:
        job.heartbeat_sync(progress={"step": "sync"})
        return "ok"

    @app.handler("doomed")
    async def doomed(job: Job[Any]) -> None:
        try:
            await job.heartbeat(progress={"step": 1})
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            stopped.set()
            raise

    @app.handler("doomed.sync")
    def doomed_sync(job: Job[Any]) -> None:
        try:
            job.heartbeat_sync(progress={"step": 1})
        except JobCancelled as exc:
            sync_saw.append(str(exc))
            raise

    ids: list[int] = []

    async def scenario(client: ScriptedClient) -> None:
        ids.append(client.add("report", {}))
        ids.append(client.add("report.sync", {}))
        doomed_id = client.add("doomed", {})
        doomed_sync_id = client.add("doomed.sync", {})
        client.cancel_ids = {doomed_id, doomed_sync_id}
        ids.extend([doomed_id, doomed_sync_id])
        await until(lambda: all(client.outcome(i) for i in ids[:2]))
        await until(lambda: stopped.is_set() and bool(sync_saw) and app.processed == 4)

    client = run_app(app, scenario)
    beats = [f for c, f in client.calls if c == "heartbeat"]
    assert {"id": ids[0], "lease": 30, "progress": {"done": 1, "of": 2}} in beats
    assert {"id": ids[1], "lease": 30, "progress": {"step": "sync"}} in beats
    assert client.outcome(ids[2]) is None and client.outcome(ids[3]) is None
    assert sync_saw == ["the action was cancelled"]


def test_stop_returns_promptly_during_a_long_poll() -> None:
    app = WorkerApp("idle", poll_wait=60)

    @app.handler("never")
    async def never(job: Job[Any]) -> None:
        raise AssertionError("no work was queued")

    async def scenario(client: ScriptedClient) -> None:
        await until(lambda: len(client.claims) == 1)
        app.stop()
        # run_app waits for run() to return; the claim was cancelled, not waited out.

    client = run_app(app, scenario)
    assert client.claim_cancelled == 1


def test_stop_drains_within_the_grace_then_fails_the_rest_for_retry() -> None:
    app = WorkerApp("drain", grace=0.3)
    started: set[str] = set()

    @app.handler("quick")
    async def quick(job: Job[Any]) -> str:
        started.add("quick")
        await asyncio.sleep(0.05)
        return "finished during drain"

    @app.handler("stuck")
    async def stuck(job: Job[Any]) -> None:
        started.add("stuck")
        await asyncio.sleep(60)

    ids: list[int] = []

    async def scenario(client: ScriptedClient) -> None:
        ids.extend([client.add("quick", {}), client.add("stuck", {})])
        await until(lambda: started == {"quick", "stuck"})

    client = run_app(app, scenario)
    assert client.outcome(ids[0])[1]["result_ref"] == "finished during drain"  # type: ignore[index]
    call, fields = client.outcome(ids[1])  # type: ignore[misc]
    assert (call, fields["retry_delay"], fields["no_retry"]) == ("fail", 0.0, False)
    assert fields["reason"] == "the worker stopped before the handler finished"


def test_registration_is_checked() -> None:
    app = WorkerApp("r")
    app.handler("a")(lambda job: None)
    with pytest.raises(ValueError, match="already has a handler"):
        app.handler("a")(lambda job: None)
    with pytest.raises(ValueError, match="concurrency of 'b' must be at least 1"):
        app.handler("b", concurrency=0)
    with pytest.raises(ValueError, match="timeout of 'b'"):
        app.handler("b", timeout=-1)
    with pytest.raises(TypeError, match="pydantic model class"):
        app.handler("b", model=dict)
    with pytest.raises(ValueError, match="unknown strategy"):
        app.handler("b", backoff="soon")
    with pytest.raises(ValueError, match="needs a name"):
        WorkerApp("")
    with pytest.raises(ValueError, match="RetryIn needs a delay"):
        RetryIn(-1)


def test_the_runner_loads_only_a_worker_app() -> None:
    assert load_app("tests.unit.test_worker_app:RUNNABLE") is RUNNABLE
    for target, complaint in [
        ("tests.unit.test_worker_app", "package.module:attribute"),
        ("tests.unit.no_such_module:app", "cannot import"),
        ("tests.unit.test_worker_app:missing", "no attribute 'missing'"),
        ("tests.unit.test_worker_app:Email", "not a WorkerApp"),
        ("tests.unit.test_worker_app:EMPTY", "has no handlers"),
    ]:
        with pytest.raises(ValueError, match=complaint):
            load_app(target)
    args = parser().parse_args(
        ["worker", "m:app", "--queue", "a", "--queue", "b", "--grace", "1m", "--lease", "45s"]
    )
    assert (args.queue, args.grace, args.lease) == (["a", "b"], 60.0, 45.0)


RUNNABLE = WorkerApp("runnable")
RUNNABLE.handler("x")(lambda job: None)
EMPTY = WorkerApp("empty")


def test_the_single_handler_worker_honours_the_outcomes() -> None:
    from actionq import Worker

    async def handler(action: Action) -> None:
        kind = action.payload["kind"]
        if kind == "reject":
            raise Reject("not ours", validator="schema")
        if kind == "noretry":
            raise FailNoRetry("gone")
        raise RetryIn(15, "busy")

    async def main() -> ScriptedClient:
        client = ScriptedClient()
        ids = [client.add("w.t", {"kind": k}) for k in ("reject", "noretry", "retryin")]
        worker = Worker(cast(AsyncClient, client), handler, name="w", action_types=["w.t"])
        task = asyncio.create_task(worker.run())
        await until(lambda: all(client.outcome(i) for i in ids))
        worker.stop()
        await asyncio.wait_for(task, timeout=20)
        assert client.claim_cancelled == 1, "stop() cancelled the idle long poll"
        return client

    client = asyncio.run(main())
    outcomes = [client.outcome(i) for i in (1001, 1002, 1003)]
    assert outcomes[0] == (
        "reject",
        {"id": 1001, "token": "lease-1001", "reason": "not ours", "validator": "schema"},
    )
    assert outcomes[1] == (
        "fail",
        {"id": 1002, "token": "lease-1002", "reason": "gone", "no_retry": True},
    )
    assert outcomes[2] == (
        "fail",
        {"id": 1003, "token": "lease-1003", "reason": "busy", "retry_delay": 15.0},
    )
