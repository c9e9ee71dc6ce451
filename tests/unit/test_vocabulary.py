"""One vocabulary: the server's names come from the proto, and the database's
CHECK constraint spells the same statuses."""

from __future__ import annotations

import re
from importlib import resources

from actionq.v1 import action_pb2, errors_pb2
from actionq_server.domain.errors import Reason
from actionq_server.domain.models import Status


def test_error_reasons_are_the_proto_enum() -> None:
    proto = {
        name.removeprefix("ERROR_REASON_")
        for name in errors_pb2.ErrorReason.keys()  # noqa: SIM118
        if name != "ERROR_REASON_UNSPECIFIED"
    }
    assert {r.value for r in Reason} == proto


def test_statuses_are_the_proto_enum_and_the_check_constraint() -> None:
    proto = {
        name.removeprefix("ACTION_STATUS_").lower()
        for name in action_pb2.ActionStatus.keys()  # noqa: SIM118
        if name != "ACTION_STATUS_UNSPECIFIED"
    }
    assert {s.value for s in Status} == proto
    # The latest migration that (re)defines the status check is the one in force.
    migrations = sorted(
        (f for f in resources.files("actionq_migrations").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    checks = [
        found
        for f in migrations
        if (found := re.search(r"status IN \(([^)]*)\)\)", f.read_text(encoding="utf-8")))
        and "actions_status_known" in f.read_text(encoding="utf-8")
    ]
    assert checks
    assert set(re.findall(r"'(\w+)'", checks[-1].group(1))) == proto
