"""ACTIONQ_* settings, read from the environment and validated once."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from actionq import durations

SCHEMA_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("auto", "json", "text")


class ConfigError(ValueError):
    """A setting is invalid; the message says which and why."""


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """What one client may hold of the server (see README, Limits)."""

    # A request larger than this is refused (RESOURCE_EXHAUSTED, LIMIT_EXCEEDED).
    max_message_bytes: int = 16 * 1024 * 1024
    # Concurrent WatchEvents streams per connection / per token (auth on).
    watches_per_connection: int = 16
    watches_per_principal: int = 64
    # Concurrent long polls (Claim with a wait, WaitAction) per connection / per token.
    long_polls_per_connection: int = 64
    long_polls_per_principal: int = 256
    # The server pings a quiet connection this often and drops it when the
    # ping is not answered within keepalive_timeout (a vanished peer frees
    # its streams and long polls); clients may not ping more often than
    # min_ping_interval (GOAWAY "too_many_pings" after two strikes).
    keepalive: float = 60.0
    keepalive_timeout: float = 20.0
    min_ping_interval: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServerLimits:
        d = cls()
        return cls(
            max_message_bytes=_int(
                env, "ACTIONQ_MAX_MESSAGE_BYTES", d.max_message_bytes, low=64 * 1024
            ),
            watches_per_connection=_int(
                env, "ACTIONQ_MAX_WATCHES_PER_CONNECTION", d.watches_per_connection, low=1
            ),
            watches_per_principal=_int(
                env, "ACTIONQ_MAX_WATCHES_PER_PRINCIPAL", d.watches_per_principal, low=1
            ),
            long_polls_per_connection=_int(
                env, "ACTIONQ_MAX_LONG_POLLS_PER_CONNECTION", d.long_polls_per_connection, low=1
            ),
            long_polls_per_principal=_int(
                env, "ACTIONQ_MAX_LONG_POLLS_PER_PRINCIPAL", d.long_polls_per_principal, low=1
            ),
            keepalive=_duration(env, "ACTIONQ_KEEPALIVE", "60s", low=1.0),
            keepalive_timeout=_duration(env, "ACTIONQ_KEEPALIVE_TIMEOUT", "20s", low=1.0),
            min_ping_interval=_duration(env, "ACTIONQ_MIN_PING_INTERVAL", "10s", low=1.0),
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated server settings."""

    url: str | None
    data_dir: Path
    schema: str
    max_chain_depth: int
    rate_limit_per_hour: int
    listen: str
    sweep_interval: float
    pool_min: int
    pool_max: int
    grace_seconds: float
    # Finished actions and events older than this (seconds) are pruned.
    retention: float = 7 * 86400.0
    # host:port of the HTTP side (/metrics); None: off.
    http_listen: str | None = None
    # How often queue depth is read for the metrics (seconds).
    metrics_interval: float = 15.0
    log_level: str = "info"
    # auto (JSON lines unless stderr is a terminal), json or text.
    log_format: str = "auto"
    # Unary calls slower than this (seconds) are logged (long polls and waits excepted).
    slow_call_seconds: float = 1.0
    # Every call needs a bearer token whose role allows it.
    auth: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # With a client CA, clients must present a certificate it signed (mTLS).
    tls_client_ca: Path | None = None
    # Listen off loopback without TLS and auth anyway.
    insecure: bool = False
    # off, on (the environment's tracer provider) or console (spans on stdout).
    tracing: str = "off"
    limits: ServerLimits = ServerLimits()
    # A WatchEvents stream whose writes stall this long (seconds: the reader
    # stopped reading) is closed with RESOURCE_EXHAUSTED / WATCHER_TOO_SLOW.
    watch_stall_seconds: float = 30.0

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    def exposure_problem(self) -> str | None:
        """Why this listen address is unsafe, or None."""
        host = self.listen.rpartition(":")[0].strip("[]")
        if _loopback(host) or self.insecure:
            return None
        missing = [what for what, ok in (("TLS", self.tls), ("auth", self.auth)) if not ok]
        if not missing:
            return None
        return (
            f"refusing to listen on {self.listen} without {' and '.join(missing)}: set "
            "ACTIONQ_TLS_CERT/ACTIONQ_TLS_KEY and ACTIONQ_AUTH=on, listen on loopback, "
            "or pass --insecure (ACTIONQ_INSECURE=true) to accept the risk"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting; raise ConfigError naming the bad one."""
        env = os.environ if env is None else env
        schema = env.get("ACTIONQ_SCHEMA", "actionq")
        if not SCHEMA_RE.fullmatch(schema) or len(schema) > 48:
            raise ConfigError(
                f"ACTIONQ_SCHEMA={schema!r} is not a plain identifier "
                "(letters, digits and underscores, not starting with a digit, at most 48)"
            )
        data_dir = env.get("ACTIONQ_DATA_DIR") or platformdirs.user_data_dir("actionq")
        return cls(
            url=env.get("ACTIONQ_URL") or None,
            data_dir=Path(data_dir).expanduser(),
            schema=schema,
            max_chain_depth=_int(env, "ACTIONQ_MAX_CHAIN_DEPTH", 3, low=0),
            rate_limit_per_hour=_int(env, "ACTIONQ_RATE_LIMIT_PER_HOUR", 20, low=0),
            listen=env.get("ACTIONQ_LISTEN", "127.0.0.1:50051"),
            sweep_interval=_float(env, "ACTIONQ_SWEEP_INTERVAL", 5.0, low=0.05),
            pool_min=_int(env, "ACTIONQ_POOL_MIN", 2, low=1),
            pool_max=_int(env, "ACTIONQ_POOL_MAX", 10, low=2),
            grace_seconds=_float(env, "ACTIONQ_GRACE_SECONDS", 10.0, low=0.0),
            retention=_duration(env, "ACTIONQ_RETENTION", "7d"),
            http_listen=_address(env, "ACTIONQ_HTTP_LISTEN"),
            metrics_interval=_float(env, "ACTIONQ_METRICS_INTERVAL", 15.0, low=0.05),
            log_level=_choice(env, "ACTIONQ_LOG_LEVEL", "info", LOG_LEVELS),
            log_format=_choice(env, "ACTIONQ_LOG_FORMAT", "auto", LOG_FORMATS),
            slow_call_seconds=_float(env, "ACTIONQ_SLOW_CALL_SECONDS", 1.0, low=0.0),
            auth=_flag(env, "ACTIONQ_AUTH"),
            insecure=_flag(env, "ACTIONQ_INSECURE"),
            tracing=_choice(env, "ACTIONQ_TRACING", "off", ("off", "on", "console")),
            limits=ServerLimits.from_env(env),
            watch_stall_seconds=_float(env, "ACTIONQ_WATCH_STALL_SECONDS", 30.0, low=0.1),
            **_tls(env),
        )


def _int(env: Mapping[str, str], key: str, default: int, *, low: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not an integer") from None
    if value < low:
        raise ConfigError(f"{key}={raw!r} must be at least {low}")
    return value


def _float(env: Mapping[str, str], key: str, default: float, *, low: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number") from None
    if value < low:
        raise ConfigError(f"{key}={raw!r} must be at least {low}")
    return value


MAX_DURATION_SECONDS = 100 * 365.25 * 86400


def parse_duration(text: str) -> float:
    """Seconds in `7d`, `12h`, `30m`, `45s`, a sum of those (`1d12h`) or a plain
    number of seconds, at most 100 years (the spellings of actionctl and the
    Python client); ValueError otherwise."""
    value = durations.parse_duration(text)
    if value > MAX_DURATION_SECONDS:
        raise ValueError(text)
    return value


def _duration(env: Mapping[str, str], key: str, default: str, *, low: float = 0.0) -> float:
    raw = env.get(key) or default
    try:
        value = parse_duration(raw)
    except ValueError:
        raise ConfigError(
            f"{key}={raw!r} is not a duration: use e.g. 7d, 12h, 30m, 45s, 1d12h or a "
            "number of seconds, from 0 to 100 years"
        ) from None
    if value < low:
        raise ConfigError(f"{key}={raw!r} must be at least {low:g} s")
    return value


def _address(env: Mapping[str, str], key: str) -> str | None:
    """host:port (port 0 picks a free one), or None when unset."""
    raw = env.get(key)
    if raw is None or raw == "":
        return None
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"{key}={raw!r} is not host:port (e.g. 127.0.0.1:8080)")
    return raw


def _choice(env: Mapping[str, str], key: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = (env.get(key) or default).lower()
    if raw not in allowed:
        raise ConfigError(f"{key}={raw!r} must be one of {', '.join(allowed)}")
    return raw


def _flag(env: Mapping[str, str], key: str) -> bool:
    raw = (env.get(key) or "off").lower()
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"{key}={raw!r} must be on or off")


def _tls(env: Mapping[str, str]) -> dict[str, Path | None]:
    files = {
        key: Path(env[name]) if env.get(name) else None
        for key, name in (
            ("tls_cert", "ACTIONQ_TLS_CERT"),
            ("tls_key", "ACTIONQ_TLS_KEY"),
            ("tls_client_ca", "ACTIONQ_TLS_CLIENT_CA"),
        )
    }
    if (files["tls_cert"] is None) != (files["tls_key"] is None):
        raise ConfigError("ACTIONQ_TLS_CERT and ACTIONQ_TLS_KEY go together")
    if files["tls_client_ca"] is not None and files["tls_cert"] is None:
        raise ConfigError("ACTIONQ_TLS_CLIENT_CA needs ACTIONQ_TLS_CERT and ACTIONQ_TLS_KEY")
    for key, path in files.items():
        if path is not None and not path.is_file():
            name = "ACTIONQ_" + key.upper()
            raise ConfigError(f"{name}={str(path)!r}: no such file")
    return files


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
