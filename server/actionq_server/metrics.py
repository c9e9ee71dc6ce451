"""Prometheus metrics: RPC counts and latencies, action transitions per queue
and type, sampled queue depth, and live gauges (pool, long polls, streams).

Only built when the HTTP port is on (ACTIONQ_HTTP_LISTEN); with it off no call
pays for a metric. Every label value is bounded: RPC method names, status code
names, queue and action type names (never an id).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter as Tally
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .api.around import SERVICE_PREFIX
from .domain.models import Action, Claimed, Status
from .store.repository import Store

log = logging.getLogger(__name__)


# Seconds: from a fast read up to the longest long poll (60 s).
RPC_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0)
# How often queue depth and oldest due age are read from the database.
SAMPLE_SECONDS = 15.0
# Transitions counted per queue and action type (the metric is
# actionq_actions_<name>_total).
TRANSITIONS = (
    "enqueued",
    "claimed",
    "completed",
    "failed",
    "retried_later",
    "rejected",
    "cancelled",
)
# Queue and type of the actions this server handed out lately, so that a
# CompleteMany (which returns ids) is counted without reading them back.
RECENT_CLAIMS = 100_000


class Metrics:
    """Every metric of one server, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.rpc_requests = Counter(
            "actionq_rpc_requests",
            "RPCs handled, by method and status code.",
            ["method", "code"],
            registry=r,
        )
        self.rpc_seconds = Histogram(
            "actionq_rpc_duration_seconds",
            "RPC handling time by method (long polls and streams included).",
            ["method"],
            buckets=RPC_BUCKETS,
            registry=r,
        )
        self.rpc_in_flight = Gauge(
            "actionq_rpc_in_flight", "RPCs being handled now, by method.", ["method"], registry=r
        )
        self.transitions = {
            name: Counter(
                f"actionq_actions_{name}",
                f"Actions {name.replace('_', ' ')} by this server, by queue and action type.",
                ["queue", "action_type"],
                registry=r,
            )
            for name in TRANSITIONS
        }
        self.lease_expiries = Counter(
            "actionq_lease_expiries",
            "Claims whose lease expired (found by this server's sweeper or a Sweep call).",
            registry=r,
        )
        self.queue_depth = Gauge(
            "actionq_queue_depth",
            "Actions per queue and state (sampled every 15 s): due (pending and due), "
            "scheduled (pending, not yet due), claimed, waiting.",
            ["queue", "state"],
            registry=r,
        )
        self.oldest_due_age = Gauge(
            "actionq_queue_oldest_due_age_seconds",
            "Age of the oldest due pending action per queue (sampled every 15 s).",
            ["queue"],
            registry=r,
        )
        self.sampled_at = Gauge(
            "actionq_queue_sampled_timestamp_seconds",
            "When the last read of queue depth began (Unix time).",
            registry=r,
        )

    # ---- RPCs -------------------------------------------------------------

    def call_started(self, method: str) -> float:
        """Count a call in; returns its start time for call_finished."""
        self.rpc_in_flight.labels(_short(method)).inc()
        return time.perf_counter()

    def call_finished(self, method: str, code: str, started: float) -> None:
        """Count a call out with its status code name (e.g. "OK")."""
        name = _short(method)
        self.rpc_in_flight.labels(name).dec()
        self.rpc_requests.labels(name, code).inc()
        self.rpc_seconds.labels(name).observe(time.perf_counter() - started)

    # ---- transitions ------------------------------------------------------

    def count(self, transition: str, actions: Iterable[Action]) -> None:
        """Count actions that made one transition, per queue and type."""
        self.count_kinds(transition, ((a.queue, a.action_type) for a in actions))

    def count_kinds(self, transition: str, kinds: Iterable[tuple[str, str]]) -> None:
        """Count one transition of actions given as (queue, action type)."""
        tally = Tally(kinds)
        counter = self.transitions[transition]
        for (queue, action_type), n in tally.items():
            counter.labels(queue, action_type).inc(n)

    def count_outcome(self, action: Action) -> None:
        """Count the outcome of a Fail, Reject, Cancel or Complete by its status."""
        transition = _OUTCOMES.get(action.status)
        if transition is not None:
            self.count(transition, (action,))


_OUTCOMES = {
    Status.COMPLETED: "completed",
    Status.FAILED: "failed",
    Status.PENDING: "retried_later",
    Status.REJECTED: "rejected",
    Status.CANCELLED: "cancelled",
}


def _short(method: str) -> str:
    return method.removeprefix(SERVICE_PREFIX).rpartition("/")[2]


class MeteredStore(Store):
    """The store, counting each transition it makes (whoever asked for it: an
    RPC, the sweeper or the scheduler's enqueue)."""

    def __init__(self, pool: asyncpg.Pool, schema: str, metrics: Metrics) -> None:
        super().__init__(pool, schema)
        self.metrics = metrics
        self._kinds: OrderedDict[int, tuple[str, str]] = OrderedDict()

    async def enqueue(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().enqueue(*args, **kwargs)
        if not result.replayed:
            self.metrics.count("enqueued", (e.action for e in result.items if not e.duplicate))
        return result

    async def claim(self, *args: Any, **kwargs: Any) -> list[Claimed]:
        claimed: list[Claimed] = await super().claim(*args, **kwargs)
        self.metrics.count("claimed", (c.action for c in claimed))
        for c in claimed:
            self._kinds[c.action.id] = (c.action.queue, c.action.action_type)
        while len(self._kinds) > RECENT_CLAIMS:
            self._kinds.popitem(last=False)
        return claimed

    async def complete(self, *args: Any, **kwargs: Any) -> Action:
        action: Action = await super().complete(*args, **kwargs)
        self.metrics.count_outcome(action)
        return action

    async def complete_many(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().complete_many(*args, **kwargs)
        ids: list[int] = result[0]
        unknown = [i for i in ids if i not in self._kinds]
        if unknown:  # claimed through another server: read their queue and type
            for a in (await self.get_many(unknown)).values():
                self._kinds[a.id] = (a.queue, a.action_type)
        self.metrics.count_kinds("completed", (self._kinds.pop(i) for i in ids if i in self._kinds))
        return result

    async def fail(self, *args: Any, **kwargs: Any) -> Action:
        action: Action = await super().fail(*args, **kwargs)
        self.metrics.count_outcome(action)
        return action

    async def reject(self, *args: Any, **kwargs: Any) -> Action:
        action: Action = await super().reject(*args, **kwargs)
        self.metrics.count_outcome(action)
        return action

    async def cancel(self, *args: Any, **kwargs: Any) -> Action:
        action: Action = await super().cancel(*args, **kwargs)
        self.metrics.count_outcome(action)
        return action

    async def sweep(self, *args: Any, **kwargs: Any) -> list[Action]:
        swept: list[Action] = await super().sweep(*args, **kwargs)
        if swept:
            self.metrics.lease_expiries.inc(len(swept))
            self.metrics.count("failed", (a for a in swept if a.status == Status.FAILED))
        return swept


class LiveGauges(Collector):
    """Values read at scrape time: the database pool and the waiting calls."""

    def __init__(self, pool: asyncpg.Pool, metrics: Metrics) -> None:
        self._pool = pool
        self._metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        size = self._pool.get_size()
        idle = self._pool.get_idle_size()
        conns = GaugeMetricFamily(
            "actionq_db_pool_connections",
            "Database pool connections by state.",
            labels=["state"],
        )
        conns.add_metric(["in_use"], size - idle)
        conns.add_metric(["idle"], idle)
        yield conns
        yield GaugeMetricFamily(
            "actionq_db_pool_max_connections",
            "Largest size of the database pool (ACTIONQ_POOL_MAX).",
            value=self._pool.get_max_size(),
        )
        in_flight = self._metrics.rpc_in_flight
        yield GaugeMetricFamily(
            "actionq_long_poll_waiters",
            "Claim calls in flight (long polls waiting for work).",
            value=in_flight.labels("Claim")._value.get(),
        )
        yield GaugeMetricFamily(
            "actionq_watch_streams",
            "WatchEvents streams open.",
            value=in_flight.labels("WatchEvents")._value.get(),
        )


async def sample_forever(store: Store, metrics: Metrics, interval: float = SAMPLE_SECONDS) -> None:
    """Read queue depth and oldest due age every `interval` seconds (one stats
    query, which reads no finished history), so a scrape never counts a big
    table."""
    while True:
        try:
            started = time.time()
            stats, _, _ = await store.stats("", "")
            _set_depths(metrics, stats, started)
        except Exception as exc:
            log.warning("sampling queue depth failed: %s", exc)
        await asyncio.sleep(interval)


def _set_depths(metrics: Metrics, stats: Sequence[Any], started: float) -> None:
    depth: dict[tuple[str, str], float] = {}
    oldest: dict[str, float] = {}
    for s in stats:
        scheduled = s.scheduled
        for state, n in (
            ("due", s.pending - scheduled),
            ("scheduled", scheduled),
            ("claimed", s.claimed),
            ("waiting", getattr(s, "waiting", 0)),
        ):
            depth[(s.queue, state)] = depth.get((s.queue, state), 0) + n
        oldest[s.queue] = max(oldest.get(s.queue, 0.0), s.oldest_pending_seconds)
    metrics.queue_depth.clear()
    for (queue, state), n in depth.items():
        metrics.queue_depth.labels(queue, state).set(n)
    metrics.oldest_due_age.clear()
    for queue, age in oldest.items():
        metrics.oldest_due_age.labels(queue).set(age)
    metrics.sampled_at.set(started)
