"""`actionctl add --from-file FILE`: enqueue many actions from JSON lines, in
batches, with a progress bar on a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from actionq.v1 import action_pb2 as pb

from .output import bad_input, client, emit_json, progress
from .workflows import _action

BATCH = 1000


def _lines(file: Any, project: str, created_by: str) -> Iterator[pb.NewAction]:
    for number, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            bad_input(f"FILE: line {number}: not valid JSON ({exc})")
        try:
            yield _action(number - 1, item, project, created_by)
        except ValueError as exc:  # e.g. a backoff that does not parse
            bad_input(f"FILE: line {number}: {exc}")


def add_from_file(file: Any, project: str, created_by: str) -> None:
    """Enqueue every line of FILE (each a JSON object as in `workflow start`:
    "type", "project", "payload", "queue", ...), 1,000 per call, each batch
    atomic and retry-safe (its own request id). Prints the totals."""
    added = duplicates = 0
    batch: list[pb.NewAction] = []
    with progress("enqueueing") as advance:

        def flush() -> None:
            nonlocal added, duplicates
            if not batch:
                return
            result = client().enqueue_ids(batch)
            added += result.duplicates.count(False)
            duplicates += result.duplicates.count(True)
            advance(len(batch))
            batch.clear()

        for message in _lines(file, project, created_by):
            batch.append(message)
            if len(batch) == BATCH:
                flush()
        flush()
    if not added and not duplicates:
        bad_input("FILE: no actions (expected one JSON object per line)")
    emit_json({"enqueued": added, "duplicates": duplicates})
