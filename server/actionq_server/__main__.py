"""The actionq-server process: serve (default) or migrate, with signal-driven drain."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import signal
import sys
from collections.abc import Coroutine
from typing import Any

import asyncpg
import click
from actionq import durations

from . import logs
from .app import open_pool, start
from .config import ConfigError, Settings
from .domain.auth import Role, Token
from .domain.errors import ActionqError
from .embedded import EmbeddedPostgres
from .store import grants
from .store.identifiers import BadIdentifier
from .store.repository import Store
from .store.tokens import TokenStore
from .tracing import TracingUnavailable

log = logging.getLogger("actionq_server")


def _one_line(record: logging.LogRecord) -> bool:
    """The driver's reconnect warnings are expected during an outage: keep them short."""
    if record.name.startswith("asyncpg") and record.exc_info and record.exc_info[1] is not None:
        record.msg = f"{record.getMessage()}: {record.exc_info[1]}"
        record.args = ()
        record.exc_info = None
    return True


def _run(main: Coroutine[Any, Any, None]) -> None:
    """Run the server's event loop, on uvloop when it is installed (it is faster)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        click.echo(f"actionq-server: {exc}", err=True)
        sys.exit(2)


def _database(settings: Settings) -> tuple[str, EmbeddedPostgres | None, str]:
    """The DSN to use, the embedded server if one was started, and a description."""
    if settings.url:
        return settings.url, None, "PostgreSQL at ACTIONQ_URL"
    embedded = EmbeddedPostgres(settings.data_dir)
    try:
        dsn = embedded.start()
    except Exception as exc:
        click.echo(f"actionq-server: cannot start embedded PostgreSQL: {exc}", err=True)
        sys.exit(1)
    return dsn, embedded, f"embedded PostgreSQL, data in {embedded.pgdata}"


@click.group(invoke_without_command=True)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.option(
    "--insecure",
    is_flag=True,
    help="Listen off loopback without TLS and auth (ACTIONQ_INSECURE=true).",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, insecure: bool) -> None:
    """Run the actionq gRPC server (configured by ACTIONQ_* variables)."""
    settings = _settings()
    logs.configure(
        "debug" if verbose else settings.log_level, settings.log_format, one_line=_one_line
    )
    ctx.meta["actionq.insecure"] = insecure
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
def serve() -> None:
    """Serve on ACTIONQ_LISTEN until SIGTERM or SIGINT, then drain."""
    settings = _settings()
    if click.get_current_context().meta.get("actionq.insecure"):
        settings = dataclasses.replace(settings, insecure=True)
    problem = settings.exposure_problem()
    if problem is not None:
        click.echo(f"actionq-server: {problem}", err=True)
        sys.exit(2)
    if settings.insecure and not (settings.tls and settings.auth):
        log.warning(
            "listening on %s with %s (--insecure)",
            settings.listen,
            "no TLS" if not settings.tls else "no auth",
            extra={"event": "insecure"},
        )
    dsn, embedded, where = _database(settings)
    try:
        _run(_serve(settings, dsn, where))
    finally:
        if embedded is not None:
            embedded.stop()


async def _serve(settings: Settings, dsn: str, where: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        app = await start(settings, dsn)
    except (OSError, asyncpg.PostgresError, ActionqError, TracingUnavailable) as exc:
        click.echo(f"actionq-server: cannot start: {exc}", err=True)
        sys.exit(1)
    host = settings.listen.rsplit(":", 1)[0]
    click.echo(f"actionq serving {settings.schema!r} on {host}:{app.port} ({where})", err=False)
    if app.http is not None:
        click.echo(f"actionq http on http://{app.http.address} (dashboard: /, metrics: /metrics)")
    sys.stdout.flush()
    log.info(
        "serving",
        extra={
            "event": "start",
            "listen": f"{host}:{app.port}",
            "schema": settings.schema,
            "database": where,
            "http": app.http.address if app.http is not None else None,
        },
    )
    await stop.wait()
    log.info(
        "draining (grace %.1f s)",
        settings.grace_seconds,
        extra={"event": "drain", "grace_seconds": settings.grace_seconds},
    )
    await app.stop()
    log.info("stopped", extra={"event": "stopped"})


@main.command()
def migrate() -> None:
    """Create or upgrade the schema, print the result as JSON, and exit."""
    settings = _settings()
    dsn, embedded, _ = _database(settings)
    try:
        report = asyncio.run(_migrate(settings, dsn))
    finally:
        if embedded is not None:
            embedded.stop()
    click.echo(
        json.dumps({"schema": report.schema, "version": report.version, "applied": report.applied})
    )


async def _migrate(settings: Settings, dsn: str):  # type: ignore[no-untyped-def]
    pool = await open_pool(settings, dsn)
    try:
        return await Store(pool, settings.schema).migrate()
    finally:
        await pool.close()


@main.command()
@click.argument("role")
@click.option("--print", "print_only", is_flag=True, help="Only print the SQL; change nothing.")
def grant(role: str, print_only: bool) -> None:
    """Give the server's PostgreSQL ROLE exactly what it needs in the schema
    (run as the schema's owner; migrates first; idempotent)."""
    settings = _settings()
    dsn, embedded, _ = _database(settings)
    try:
        done, sees = asyncio.run(_grant(settings, dsn, role, print_only))
    except (grants.GrantRefused, BadIdentifier, ActionqError) as exc:
        click.echo(f"actionq-server: cannot grant: {exc}", err=True)
        sys.exit(1)
    finally:
        if embedded is not None:
            embedded.stop()
    warning = (
        None
        if sees
        else f"this role cannot see the sessions of {role!r}, so retention drops no event "
        "partition while the server is connected: as a superuser, GRANT pg_read_all_stats "
        "TO the owner"
    )
    if print_only:
        if warning:
            click.echo(f"-- {warning}")
        click.echo("BEGIN;")
        for statement in done:
            click.echo(f"{statement};")
        click.echo("COMMIT;")
        return
    if warning:
        click.echo(f"actionq-server: warning: {warning}", err=True)
    click.echo(json.dumps({"schema": settings.schema, "role": role, "statements": len(done)}))


async def _grant(
    settings: Settings, dsn: str, role: str, print_only: bool
) -> tuple[list[str], bool]:
    conn = await asyncpg.connect(dsn)
    try:
        if print_only:
            done = await grants.statements(conn, settings.schema, role)
        else:
            pool = await open_pool(settings, dsn)
            try:
                await Store(pool, settings.schema).migrate()
            finally:
                await pool.close()
            done = await grants.apply(conn, settings.schema, role)
        return done, await grants.sees_sessions(conn, settings.schema, role)
    finally:
        await conn.close()


@main.group()
def token() -> None:
    """API tokens, straight in the database (the first admin token)."""


@token.command("create")
@click.option("--name", required=True, help="The principal's name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="What it may do.",
)
@click.option("--names", "names", multiple=True, help="Another name it may assert (repeatable).")
@click.option("--expires", default=None, help="Lifetime (30d, 12h, ...); default: never.")
def token_create(name: str, role: str, names: tuple[str, ...], expires: str | None) -> None:
    """Create a token and print it with its secret as JSON, once (stdout only,
    never a log)."""
    settings = _settings()
    try:
        lifetime = durations.parse_duration(expires) if expires else None
    except ValueError as exc:
        click.echo(f"actionq-server: --expires: {exc}", err=True)
        sys.exit(2)
    dsn, embedded, _ = _database(settings)
    try:
        made, secret = asyncio.run(
            _create_token(settings, dsn, name, Role(role), list(names), lifetime)
        )
    finally:
        if embedded is not None:
            embedded.stop()
    click.echo(
        json.dumps(
            {
                "id": made.id,
                "name": made.name,
                "role": made.role.value,
                "names": made.names,
                "expires_at": made.expires_at.isoformat() if made.expires_at else None,
                "secret": secret,
            }
        )
    )


async def _create_token(
    settings: Settings,
    dsn: str,
    name: str,
    role: Role,
    names: list[str],
    lifetime: float | None,
) -> tuple[Token, str]:
    pool = await open_pool(settings, dsn)
    try:
        await Store(pool, settings.schema).migrate()
        return await TokenStore(pool).create(name, role, names, "actionq-server", lifetime)
    finally:
        await pool.close()


if __name__ == "__main__":
    main()
