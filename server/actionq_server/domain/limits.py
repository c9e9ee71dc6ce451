"""Concurrency and rate limits on a queue's claims (SetQueueLimits)."""

from __future__ import annotations

from dataclasses import dataclass

# Stored scope names (queue_limits.scope).
SCOPE_QUEUE = "queue"
SCOPE_TYPE = "type"
SCOPE_KEY = "key"
# Limits one SetQueueLimits call may carry.
MAX_LIMITS = 100
# A rate's period: 1 ms to 1 day.
MIN_PERIOD_SECONDS = 0.001
MAX_PERIOD_SECONDS = 86_400.0


@dataclass(frozen=True, slots=True)
class QueueLimit:
    """One limit: scope 'queue', 'type' (match: the action type) or 'key'
    (each concurrency_key value separately; match ''). None in concurrency and
    rate means no such limit; both None (in a request) removes the limit."""

    scope: str
    match: str
    concurrency: int | None
    rate: int | None
    period_seconds: float | None
