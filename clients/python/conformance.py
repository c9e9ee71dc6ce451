"""Runs tests/conformance/scenario.json with the Python client.

Usage: python conformance.py SCENARIO_PATH   (env: ACTIONQ_SERVER,
ACTIONQ_CONFORMANCE_PROJECT, ACTIONQ_CONFORMANCE_CREATED_BY, and the client's
ACTIONQ_TOKEN, ACTIONQ_CA_FILE, ACTIONQ_CLIENT_CERT, ACTIONQ_CLIENT_KEY,
ACTIONQ_TLS; a 'denied' step reads the token in the variable it names).
Prints one line per step and exits 0 only when every step passed. The scenario is read with
`json.load`, which keeps every digit of an integer.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from actionq import Action, ActionqError, Backoff, Client, new_action


def same(a: Any, b: Any) -> bool:
    """JSON values equal in value and kind: 1, 1.0 and true are three values."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class Runner:
    """Executes the scenario's steps against a live server."""

    def __init__(self, scenario: dict[str, Any], project: str, created_by: str) -> None:
        self.scenario = scenario
        self.project = project
        self.created_by = created_by
        self.client = Client()
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}

    def run(self) -> bool:
        passed = 0
        steps = self.scenario["steps"]
        for step in steps:
            try:
                problem = self.step(step)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if problem:
                print(f"FAIL {step['name']}: {problem}")
            else:
                passed += 1
                print(f"ok {step['name']}")
        print(f"{passed} passed, {len(steps) - passed} failed")
        return passed == len(steps)

    def step(self, step: dict[str, Any]) -> str | None:
        op = step["op"]
        expected = step.get("expect_code", "OK")
        try:
            result = getattr(self, f"op_{op}")(step)
        except ActionqError as exc:
            if exc.code != expected:
                return f"got {exc} (expected {expected})"
            reason = step.get("expect_reason")
            if reason and exc.reason != reason:
                return f"reason {exc.reason!r}, expected {reason!r} ({exc})"
            return None
        if expected != "OK":
            return f"expected {expected}, got OK"
        return result  # type: ignore[no-any-return]

    def _id(self, step: dict[str, Any]) -> int:
        return int(step["id"]) if "id" in step else self.ids[step["ref"]]

    def _lease(self, step: dict[str, Any]) -> str:
        if step.get("lease") == "random":
            return str(uuid.uuid4())
        return self.tokens.get(step.get("ref", ""), "")

    @staticmethod
    def _check(step: dict[str, Any], actions: Sequence[Action]) -> str | None:
        """The step's expect_status, expect_payload and expect_result."""
        want = step.get("expect_status")
        got = [a.status for a in actions]
        if want and any(g != want for g in got):
            return f"status {got}, expected {want}"
        if "expect_attempt" in step and any(a.attempt != step["expect_attempt"] for a in actions):
            return f"attempt {[a.attempt for a in actions]}, expected {step['expect_attempt']}"
        for key, attr in (
            ("expect_payload", "payload"),
            ("expect_result", "result"),
            ("expect_progress", "progress"),
        ):
            if key in step:
                for action in actions:
                    value = getattr(action, attr)
                    if not same(value, step[key]):
                        return f"{attr} {json.dumps(value)}, expected {json.dumps(step[key])}"
        return None

    def _new_actions(self, step: dict[str, Any]) -> list[Any]:
        return [
            new_action(
                spec.get("action_type", self.scenario["action_type"]),
                self.project,
                priority=spec.get("priority", 0),
                target_ref=spec.get("target_ref", ""),
                source_refs=spec.get("source_refs", ()),
                payload=spec.get("payload"),
                payload_json=spec.get("payload_json"),
                created_by=self.created_by,
                max_attempts=spec.get("max_attempts", 0),
                backoff=_backoff(spec["backoff"]) if "backoff" in spec else None,
                delay=spec["delay_ms"] / 1000 if "delay_ms" in spec else None,
            )
            for spec in step["actions"]
        ]

    def op_enqueue(self, step: dict[str, Any]) -> str | None:
        stored = self.client.enqueue(self._new_actions(step))
        for spec, item in zip(step["actions"], stored, strict=True):
            self.ids[spec["ref"]] = item.action.id
        return self._check(step, [s.action for s in stored])

    def op_enqueue_retry(self, step: dict[str, Any]) -> str | None:
        request_id = str(uuid.uuid4())
        messages = self._new_actions(step)
        first = self.client.enqueue(messages, request_id=request_id)
        again = self.client.enqueue(messages, request_id=request_id)
        ids = [e.action.id for e in first]
        for spec, action_id in zip(step["actions"], ids, strict=True):
            self.ids[spec["ref"]] = action_id
        if first.replayed or not again.replayed:
            return f"replayed {first.replayed}, then {again.replayed}; expected False, then True"
        if [e.action.id for e in again] != ids:
            return f"the retry answered ids {[e.action.id for e in again]}, expected {ids}"
        payloads = [json.dumps(s.get("payload", {}), sort_keys=True) for s in step["actions"]]
        stored = [
            a.id
            for a in self.client.iter_actions(project=self.project)
            if json.dumps(a.payload, sort_keys=True) in payloads
        ]
        if sorted(stored) != sorted(ids):
            return f"stored {stored}, expected exactly {ids}"
        return self._check(step, [e.action for e in again])

    def op_claim(self, step: dict[str, Any]) -> str | None:
        claimed = self.client.claim(
            "conformance-python",
            project=self.project,
            action_types=[step.get("action_type", self.scenario["action_type"])],
            max_actions=step["max_actions"],
            lease=step["lease_ms"] / 1000,
            wait=step["wait_ms"] / 1000,
        )
        by_id = {v: k for k, v in self.ids.items()}
        refs = [by_id.get(c.action.id, f"#{c.action.id}") for c in claimed]
        for ref, item in zip(refs, claimed, strict=True):
            self.tokens[ref] = item.lease_token
        return None if refs == step["expect_refs"] else f"claimed {refs}"

    def op_heartbeat(self, step: dict[str, Any]) -> str | None:
        self.client.heartbeat(
            self._id(step),
            self._lease(step),
            step["lease_ms"] / 1000,
            progress=step.get("progress"),
        )
        return None

    def op_complete(self, step: dict[str, Any]) -> str | None:
        action = self.client.complete(
            self._id(step),
            self._lease(step),
            result_ref=step["result_ref"],
            result=step.get("result"),
        )
        return self._check(step, [action])

    def op_fail(self, step: dict[str, Any]) -> str | None:
        delay = step["retry_delay_ms"] / 1000 if "retry_delay_ms" in step else None
        action = self.client.fail(
            self._id(step),
            self._lease(step),
            reason=step["reason"],
            retry_delay=delay,
            no_retry=step.get("no_retry", False),
        )
        return self._check(step, [action])

    def op_save_checkpoint(self, step: dict[str, Any]) -> str | None:
        saved = self.client.save_checkpoint(
            self._id(step), self._lease(step), step["step"], step.get("state", {})
        )
        if saved.step != step["step"] or not same(saved.state, step.get("state", {})):
            return f"saved {saved.step} {json.dumps(saved.state)}"
        return None

    def op_get_checkpoints(self, step: dict[str, Any]) -> str | None:
        return _checkpoints_differ(step, self.client.get_checkpoints(self._id(step)))

    def op_suspend(self, step: dict[str, Any]) -> str | None:
        timeout = step["timeout_ms"] / 1000 if "timeout_ms" in step else None
        done = self.client.suspend(
            self._id(step),
            self._lease(step),
            step["step"],
            signal=step.get("signal", ""),
            timeout=timeout,
        )
        if "expect_suspended" in step and done.suspended != step["expect_suspended"]:
            return f"suspended {done.suspended}, expected {step['expect_suspended']}"
        problem = self._check(step, [done.action])
        if problem or "expect_wake" not in step:
            return problem
        if done.wake is None:
            return f"no wake-up, expected {json.dumps(step['expect_wake'])}"
        if done.wake.step != step["step"]:
            return f"wake-up of step {done.wake.step!r}, expected {step['step']!r}"
        got = {
            "signal": done.wake.signal,
            "payload": done.wake.payload,
            "timed_out": done.wake.timed_out,
        }
        return _fields_differ("wake-up", got, step["expect_wake"])

    def op_signal(self, step: dict[str, Any]) -> str | None:
        sent = self.client.signal(
            step["signal"],
            step.get("payload", {}),
            mode=step.get("mode", "broadcast"),
            keep=step["keep_ms"] / 1000 if "keep_ms" in step else None,
        )
        by_id = {v: k for k, v in self.ids.items()}
        woken = sorted(by_id.get(i, f"#{i}") for i in sent.woken)
        if "expect_woken" in step and woken != sorted(step["expect_woken"]):
            return f"woke {woken}, expected {sorted(step['expect_woken'])}"
        kept = sent.kept_until is not None
        if "expect_kept" in step and kept != step["expect_kept"]:
            return f"kept_until {sent.kept_until}, expected kept {step['expect_kept']}"
        return None

    def op_await_status(self, step: dict[str, Any]) -> str | None:
        deadline = time.monotonic() + step["timeout_ms"] / 1000
        while True:
            status = self.client.get(self._id(step)).status
            if status == step["expect_status"]:
                return None
            if time.monotonic() > deadline:
                want = step["expect_status"]
                return f"still {status} after {step['timeout_ms']} ms, expected {want}"
            time.sleep(0.05)  # a poll interval, not a synchronisation

    def op_retry(self, step: dict[str, Any]) -> str | None:
        ids = [self.ids[ref] for ref in step["refs"]]
        retried = self.client.retry(ids)
        if sorted(retried.retried_ids) != sorted(set(ids)):
            return f"retried {retried.retried_ids}, expected {ids}"
        return self._check(step, [self.client.get(i) for i in ids])

    def op_wait(self, step: dict[str, Any]) -> str | None:
        ids = [self.ids[ref] for ref in step["refs"]]
        actions = self.client.wait(ids, timeout=step["timeout_ms"] / 1000)
        if [a.id for a in actions] != ids:
            return f"wait answered ids {[a.id for a in actions]}, expected {ids}"
        statuses = [a.status for a in actions]
        want = step.get("expect_statuses")
        return None if want is None or statuses == want else f"statuses {statuses}"

    def op_reject(self, step: dict[str, Any]) -> str | None:
        action = self.client.reject(
            self._id(step), self._lease(step), reason=step["reason"], validator=step["validator"]
        )
        return self._check(step, [action])

    def op_cancel(self, step: dict[str, Any]) -> str | None:
        return self._check(step, [self.client.cancel(self._id(step), reason=step["reason"])])

    def op_get(self, step: dict[str, Any]) -> str | None:
        return self._check(step, [self.client.get(self._id(step))])

    def op_denied(self, step: dict[str, Any]) -> str | None:
        """A second client (same server and TLS, the token in the variable
        `token_env`, none for "") makes the call, which must be refused."""
        token = os.environ.get(step["token_env"], "") if step["token_env"] else ""
        if step["token_env"] and not token:
            return f"${step['token_env']} is not set"
        with Client(token=token) as other:
            try:
                getattr(self, f"call_{step['call']}")(other)
            except ActionqError as exc:
                if exc.reason != step["expect_reason"]:
                    return f"reason {exc.reason!r}, expected {step['expect_reason']!r} ({exc})"
                return None
        return f"the call succeeded, expected {step['expect_reason']}"

    @staticmethod
    def call_emit_event(client: Client) -> None:
        client.emit("coordinator_cycle", "conformance", {})

    def op_watch(self, step: dict[str, Any]) -> str | None:
        by_id = {v: k for k, v in self.ids.items()}
        want = [tuple(pair) for pair in step["expect_events"]]
        stream = self.client.watch_events(
            after_cursor=step["after_cursor"], action_ids=[self.ids[r] for r in step["refs"]]
        )
        got: list[tuple[str, str]] = []
        cursors: list[str] = []
        timer = threading.Timer(step["timeout_ms"] / 1000, stream.cancel)
        timer.start()
        try:
            for batch in stream:
                for event in batch.events:
                    got.append((by_id.get(event.action_id or 0, "?"), event.event_type))
                    cursors.append(event.cursor)
                if len(got) >= len(want):
                    break
        finally:
            timer.cancel()
            stream.cancel()
        if got != want:
            return f"events {got}"
        if len(set(cursors)) != len(cursors) or not all(cursors):
            return f"cursors not distinct and set: {cursors}"
        return None


def _checkpoints_differ(step: dict[str, Any], found: Sequence[Any]) -> str | None:
    """The step's expect_steps, expect_states and expect_attempts."""
    got = [k.step for k in found]
    if "expect_steps" in step and got != step["expect_steps"]:
        return f"steps {got}, expected {step['expect_steps']}"
    states = [k.state for k in found]
    if "expect_states" in step and not same(states, step["expect_states"]):
        return f"states {json.dumps(states)}, expected {json.dumps(step['expect_states'])}"
    if "expect_state_fields" in step:
        want = step["expect_state_fields"]
        if len(want) != len(found):
            return f"{len(found)} checkpoints, expected {len(want)}"
        for k, fields in zip(found, want, strict=True):
            problem = _fields_differ(f"state of {k.step}", k.state, fields)
            if problem:
                return problem
    attempts = [k.attempt for k in found]
    if "expect_attempts" in step and attempts != step["expect_attempts"]:
        return f"attempts {attempts}, expected {step['expect_attempts']}"
    return None


def _fields_differ(what: str, got: dict[str, Any], want: dict[str, Any]) -> str | None:
    """Each key of `want` equal in `got`; other keys of `got` are not compared."""
    for key, value in want.items():
        if key not in got:
            return f"{what} {json.dumps(got)} has no {key}"
        if not same(got[key], value):
            return f"{what}: {key} is {json.dumps(got[key])}, expected {json.dumps(value)}"
    return None


def _backoff(spec: dict[str, Any]) -> Backoff:
    """A scenario backoff ({"strategy", "base_ms", "max_ms", "jitter"})."""
    return Backoff(
        spec.get("strategy", "exponential"),
        base=spec.get("base_ms", 2000) / 1000,
        max=spec.get("max_ms", 3_600_000) / 1000,
        jitter=spec.get("jitter", 0.0),
    )


def _substitute(value: Any, project: str, created_by: str) -> Any:
    """The scenario with $PROJECT and $CREATED_BY replaced in every string."""
    if isinstance(value, str):
        return value.replace("$PROJECT", project).replace("$CREATED_BY", created_by)
    if isinstance(value, list):
        return [_substitute(v, project, created_by) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, project, created_by) for k, v in value.items()}
    return value


def main() -> int:
    project = os.environ.get("ACTIONQ_CONFORMANCE_PROJECT") or f"conf-python-{time.time_ns()}"
    created_by = os.environ.get("ACTIONQ_CONFORMANCE_CREATED_BY", "human:conformance-python")
    with open(sys.argv[1], encoding="utf-8") as f:
        scenario = _substitute(json.load(f), project, created_by)
    return 0 if Runner(scenario, project, created_by).run() else 1


if __name__ == "__main__":
    sys.exit(main())
