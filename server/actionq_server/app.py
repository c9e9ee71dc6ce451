"""The composition root: wires settings, PostgreSQL, the store and the gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from dataclasses import dataclass, field

import asyncpg
import grpc
from actionq.v1 import service_pb2, service_pb2_grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from . import metrics as m
from . import scheduler, tracing, web
from .api import reflection
from .api.auth import Authenticator, AuthInterceptor
from .api.errors import ErrorInterceptor
from .api.quotas import LimitsInterceptor, grpc_options
from .api.servicer import ActionQueueServicer
from .config import Settings
from .dashboard import Dashboard
from .dashboard.workflows import via_servicer
from .domain.models import Status
from .service import QueueService
from .store import deadline
from .store.notify import Listener
from .store.repository import Store, init_connection
from .store.retention import Retention
from .store.schedules import ScheduleStore
from .store.signals import SignalStore
from .store.tokens import TokenStore
from .waker import Waker

log = logging.getLogger(__name__)

SERVICE_NAME = service_pb2.DESCRIPTOR.services_by_name["ActionQueueService"].full_name
# Responses may be larger than requests: an Enqueue echoes its actions with
# their stored fields added. Reads stay within RESPONSE_JSON_BUDGET.
MAX_SEND_BYTES = 128 * 1024 * 1024
# How often the sweeper prunes finished actions and old event partitions.
PRUNE_EVERY_SECONDS = 60.0


async def open_pool(settings: Settings, dsn: str) -> asyncpg.Pool:
    """An asyncpg pool whose connections resolve names in the actionq schema."""
    return await asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        init=init_connection,
        setup=deadline.apply,
        reset=keep_session,
        server_settings={"search_path": settings.schema, "application_name": _name(settings)},
    )


def _name(settings: Settings) -> str:
    """How the server's connections show in pg_stat_activity."""
    return f"actionq:{settings.schema}"


async def keep_session(conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on each release (a round trip per call,
    ~5% of a single-action Enqueue's server CPU): no pool connection keeps
    session state (no LISTEN or cursors; the one SET, statement_timeout, is
    tracked by store/deadline and set again on acquire when it must differ;
    the migrator's session lock is released and its search_path is the
    pool's own); an open transaction is still rolled back by the pool."""


@dataclass
class App:
    """A running actionq server and everything it owns."""

    settings: Settings
    pool: asyncpg.Pool
    listener: Listener
    service: QueueService
    server: grpc.aio.Server
    health: health.aio.HealthServicer
    interceptor: ErrorInterceptor
    port: int
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    http: web.HttpServer | None = None

    async def stop(self, grace: float | None = None) -> None:
        """Drain: refuse new work, let calls in flight finish, close everything."""
        grace = self.settings.grace_seconds if grace is None else grace
        await self.health.enter_graceful_shutdown()
        self.service.close()
        stopping = asyncio.ensure_future(self.server.stop(grace))
        await self.interceptor.wait_idle(grace)
        await self.server.stop(0)
        await stopping
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.http is not None:
            await self.http.stop()
        await self.service.stop()
        await self.listener.stop()
        await self.pool.close()


async def start(settings: Settings, dsn: str) -> App:
    """Migrate, then serve on settings.listen."""
    pool = await open_pool(settings, dsn)
    metrics = m.Metrics() if settings.http_listen else None
    store = (
        m.MeteredStore(pool, settings.schema, metrics)
        if metrics is not None
        else Store(pool, settings.schema)
    )
    report = await store.migrate()
    if report.applied:
        log.info(
            "migrated schema %s to version %d",
            report.schema,
            report.version,
            extra={"event": "migrate", "version": report.version, "applied": report.applied},
        )
    # After a long downtime no partition of the event log may cover now: make
    # them before anything can write an event.
    retention = Retention(pool)
    await retention.create_partitions()
    listener = Listener(
        lambda: asyncpg.connect(dsn, server_settings={"application_name": _name(settings)}),
        settings.schema,
    )
    await listener.start()
    service = QueueService(store, listener)
    service.start()

    interceptor = ErrorInterceptor(metrics, settings.slow_call_seconds)
    tokens = TokenStore(pool)
    interceptors: list[grpc.aio.ServerInterceptor] = [interceptor]
    if settings.tracing != "off":
        tracing.configure(settings.tracing)
        # Outside the auth check: a refused call is traced too.
        interceptors.insert(0, tracing.TracingInterceptor())
    if settings.auth:
        interceptors.append(AuthInterceptor(Authenticator(tokens)))
        if not await tokens.admins():
            log.warning(
                "auth is on and no admin token exists: create one with "
                "`actionq-server token create --role admin --name NAME`",
                extra={"event": "no_admin_token"},
            )
    # Innermost: it counts per principal, so the auth check has run.
    interceptors.append(LimitsInterceptor(settings.limits))
    server = grpc.aio.server(
        interceptors=interceptors,
        options=[
            *grpc_options(settings.limits),
            ("grpc.max_send_message_length", MAX_SEND_BYTES),
            ("grpc.so_reuseport", 0),
        ],
    )
    waker = Waker(SignalStore(store))
    servicer = ActionQueueServicer(
        service,
        max_chain_depth=settings.max_chain_depth,
        rate_limit=settings.rate_limit_per_hour,
        prune=retention.prune,
        retention_seconds=settings.retention,
        tokens=tokens,
        waker=waker,
        watch_stall_seconds=settings.watch_stall_seconds,
    )
    service_pb2_grpc.add_ActionQueueServiceServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable((SERVICE_NAME, health.SERVICE_NAME), server)
    if settings.tls:
        port = server.add_secure_port(settings.listen, _server_credentials(settings))
    else:
        port = server.add_insecure_port(settings.listen)
    if port == 0:
        await pool.close()
        await listener.stop()
        raise OSError(f"cannot listen on {settings.listen}")
    await server.start()
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    app = App(settings, pool, listener, service, server, health_servicer, interceptor, port)
    if metrics is not None and settings.http_listen:
        metrics.registry.register(m.LiveGauges(pool, metrics))
        dashboard = Dashboard(
            service, via_servicer(servicer), Authenticator(tokens) if settings.auth else None
        )
        app.http = await web.start(settings.http_listen, metrics, dashboard)
        app.tasks.append(
            asyncio.create_task(m.sample_forever(store, metrics, settings.metrics_interval))
        )
    _tune_gc()
    app.tasks.append(
        asyncio.create_task(
            _sweep_forever(store, settings.sweep_interval, retention, settings.retention)
        )
    )
    app.tasks.append(asyncio.create_task(_prune_requests_forever(store)))
    app.tasks.append(asyncio.create_task(scheduler.run_forever(ScheduleStore(store))))
    app.tasks.append(asyncio.create_task(waker.run_forever()))
    return app


def _server_credentials(settings: Settings) -> grpc.ServerCredentials:
    """TLS from the cert and key files; with a client CA, mutual TLS."""
    assert settings.tls_cert is not None and settings.tls_key is not None
    client_ca = settings.tls_client_ca.read_bytes() if settings.tls_client_ca else None
    return grpc.ssl_server_credentials(
        [(settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


def _tune_gc() -> None:
    """Everything allocated so far lives as long as the process: keep the cycle
    collector off it, and let it run less often on the many short-lived protobuf
    and row objects each call makes (they are freed by reference counting)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


async def _prune_requests_forever(store: Store, interval: float = 300.0) -> None:
    """Forget Enqueue request ids older than a day, every `interval` seconds."""
    while True:
        try:
            await store.prune_requests()
        except Exception as exc:
            log.warning("pruning request ids failed: %s", exc)
        await asyncio.sleep(interval)


async def _sweep_forever(
    store: Store, interval: float, retention: Retention, retention_seconds: float
) -> None:
    """Requeue expired claims every `interval` seconds; at most once per
    PRUNE_EVERY_SECONDS of those sweeps, prune what retention lets go."""
    loop = asyncio.get_running_loop()
    pruned_at = loop.time() - PRUNE_EVERY_SECONDS  # the first sweep prunes too
    while True:
        await asyncio.sleep(interval)
        try:
            expired = failed = 0
            while True:
                swept = await store.sweep()
                expired += len(swept)
                failed += sum(1 for a in swept if a.status == Status.FAILED)
                if len(swept) < 1000:
                    break
            if expired:
                log.info(
                    "sweep: %d expired leases (%d requeued, %d failed)",
                    expired,
                    expired - failed,
                    failed,
                    extra={
                        "event": "lease_sweep",
                        "expired": expired,
                        "requeued": expired - failed,
                        "failed": failed,
                    },
                )
        except Exception as exc:
            log.warning("sweep failed: %s", exc)
        if loop.time() - pruned_at >= PRUNE_EVERY_SECONDS:
            pruned_at = loop.time()
            await _prune(retention, retention_seconds)


async def _prune(retention: Retention, retention_seconds: float) -> None:
    """Prune in bounded batches until nothing old is left, letting other work
    run between batches."""
    try:
        while True:
            outcome = await retention.prune(retention_seconds)
            if not outcome.more or not outcome.pruned_actions:
                return
            await asyncio.sleep(0)
    except Exception as exc:
        log.warning("pruning failed: %s", exc)
