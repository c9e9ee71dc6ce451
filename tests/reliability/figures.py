"""Figures the reliability tests yield: one `FIGURE name: value` line on stdout,
and one JSON line appended to the file named by ACTIONQ_FIGURES when set."""

from __future__ import annotations

import json
import os
import time
from typing import Any


def figure(name: str, value: Any, **detail: Any) -> None:
    """Report one figure of a reliability test."""
    print(f"FIGURE {name}: {value}", flush=True)
    path = os.environ.get("ACTIONQ_FIGURES")
    if path:
        line = json.dumps({"figure": name, "value": value, "at": time.time(), **detail})
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")
