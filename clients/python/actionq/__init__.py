"""actionq: the Python client of the actionq action queue.

`Client` (blocking) and `AsyncClient` (asyncio) wrap the generated stubs in
`actionq.v1`; `Worker` runs a handler over claimed actions with heartbeats.
"""

from __future__ import annotations

from .client import AsyncClient, Client, Error, completion, new_action
from .records import action_record, event_record
from .worker import Result, Worker

__all__ = [
    "AsyncClient",
    "Client",
    "Error",
    "Result",
    "Worker",
    "action_record",
    "completion",
    "event_record",
    "new_action",
]
