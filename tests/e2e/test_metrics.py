"""Prometheus metrics at /metrics: scraped after a known workload, they match it."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from actionq import Client, FailedPrecondition
from actionq.v1 import service_pb2 as spb
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import fresh_schema
from tests.support import ServerProcess, http_base, start_server, wait_until


@pytest.fixture
def metered(pg_dsn: str) -> Iterator[tuple[ServerProcess, str]]:
    server = start_server(
        {
            "ACTIONQ_URL": pg_dsn,
            "ACTIONQ_SCHEMA": fresh_schema(),
            "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
            "ACTIONQ_METRICS_INTERVAL": "0.1",
        }
    )
    try:
        yield server, http_base(server)
    finally:
        assert server.stop() == 0


def scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as reply:
        assert reply.headers["Content-Type"].startswith("text/plain")
        text = reply.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_and_gauges_match_a_known_workload(metered: tuple[ServerProcess, str]) -> None:
    server, base = metered
    with Client(server.address) as client:
        for _ in range(5):
            client.add("m.a", "p", queue="mq")
        for _ in range(3):
            client.add("m.b", "p", queue="mq", max_attempts=2)
        client.add("m.a", "p", queue="later", delay=3600)
        claimed = client.claim("w", queue="mq", max_actions=8)
        assert len(claimed) == 8
        by_type: dict[str, list[int]] = {"m.a": [], "m.b": []}
        tokens = {c.action.id: c.lease_token for c in claimed}
        for c in claimed:
            by_type[c.action.action_type].append(c.action.id)
        a, b = by_type["m.a"], by_type["m.b"]
        client.complete(a[0], tokens[a[0]])
        client.complete(a[1], tokens[a[1]])
        client.complete_many(
            [spb.CompleteRequest(id=i, lease_token=tokens[i]) for i in (a[2], a[3])]
        )
        client.fail(a[4], tokens[a[4]], reason="boom", no_retry=True)
        client.fail(b[0], tokens[b[0]], reason="again", retry_delay=3600)
        client.reject(b[1], tokens[b[1]], reason="bad", validator="v")
        client.cancel(b[2], reason="stop")
        with pytest.raises(FailedPrecondition):
            client.complete(a[0], tokens[a[0]])

    def settled() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return scrape(base)

    # Depth is sampled: wait for a sample that began after the workload ended
    # (one that began before the last cancel could still count it claimed).
    ended = time.time()
    assert wait_until(
        lambda: value(settled(), "actionq_queue_sampled_timestamp_seconds") > ended, timeout=30
    )
    s = settled()
    t = {"queue": "mq"}
    assert value(s, "actionq_actions_enqueued_total", **t, action_type="m.a") == 5
    assert value(s, "actionq_actions_enqueued_total", **t, action_type="m.b") == 3
    assert value(s, "actionq_actions_enqueued_total", queue="later", action_type="m.a") == 1
    assert value(s, "actionq_actions_claimed_total", **t, action_type="m.a") == 5
    assert value(s, "actionq_actions_claimed_total", **t, action_type="m.b") == 3
    assert value(s, "actionq_actions_completed_total", **t, action_type="m.a") == 4
    assert value(s, "actionq_actions_failed_total", **t, action_type="m.a") == 1
    assert value(s, "actionq_actions_retried_later_total", **t, action_type="m.b") == 1
    assert value(s, "actionq_actions_rejected_total", **t, action_type="m.b") == 1
    assert value(s, "actionq_actions_cancelled_total", **t, action_type="m.b") == 1
    # Depth: the retried one waits an hour, nothing claimed or due; "later" holds one.
    assert value(s, "actionq_queue_depth", queue="mq", state="due") == 0
    assert value(s, "actionq_queue_depth", queue="mq", state="claimed") == 0
    assert value(s, "actionq_queue_depth", queue="later", state="scheduled") == 1
    # RPCs by method and code, with latencies.
    assert value(s, "actionq_rpc_requests_total", method="Enqueue", code="OK") == 9
    assert value(s, "actionq_rpc_requests_total", method="Complete", code="OK") == 2
    assert (
        value(s, "actionq_rpc_requests_total", method="Complete", code="FAILED_PRECONDITION") == 1
    )
    assert value(s, "actionq_rpc_duration_seconds_count", method="Enqueue") == 9
    assert value(s, "actionq_rpc_duration_seconds_bucket", method="Enqueue", le="+Inf") == 9
    assert value(s, "actionq_db_pool_max_connections") >= 2
    assert value(s, "actionq_long_poll_waiters") == 0
    # No label carries an id: every label value is a method, code, queue, type or state.
    allowed = {"method", "code", "queue", "action_type", "state", "le"}
    assert all(k in allowed for (_, labels) in s for k, _ in labels)


def test_a_lease_expiry_and_a_long_poll_show(metered: tuple[ServerProcess, str]) -> None:
    server, base = metered
    with Client(server.address) as client:
        client.add("m.lease", "p", queue="lq", max_attempts=1)
        assert client.claim("w", queue="lq", lease=1)
        # A waiting long poll is visible while it waits.
        poller = threading.Thread(target=lambda: client.claim("w2", queue="empty", wait=5))
        poller.start()
        try:
            assert wait_until(lambda: value(scrape(base), "actionq_long_poll_waiters") == 1)
        finally:
            client.add("m.wake", "p", queue="empty")
            poller.join(10)

        def expired() -> bool:
            client.sweep()  # the server's own sweeper may find it first: either counts
            return value(scrape(base), "actionq_lease_expiries_total") == 1

        assert wait_until(expired, timeout=20)
        s = scrape(base)
        assert value(s, "actionq_actions_failed_total", queue="lq", action_type="m.lease") == 1
        assert value(s, "actionq_long_poll_waiters") == 0
