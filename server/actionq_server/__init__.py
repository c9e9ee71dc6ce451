"""actionq server: a PostgreSQL-backed action queue served over gRPC."""

from __future__ import annotations

__version__ = "0.1.0"
