"""The dependency graph of an Enqueue request, checked before any SQL."""

from __future__ import annotations

import pytest
from actionq_server.domain.errors import InvalidArgument, Reason
from actionq_server.domain.models import NewAction
from actionq_server.domain.workflows import check_graph, dependencies, workflow_id


def batch(*deps: list[int]) -> list[NewAction]:
    return [NewAction("t", "p", "c", workflow_id="w", depends_on_index=tuple(d)) for d in deps]


def test_a_valid_graph_passes() -> None:
    check_graph(batch([], [0], [0], [1, 2], [3, 0]))
    # A chain as long as a request may be: no recursion limit in the way.
    check_graph(batch([], *[[i] for i in range(9_999)]))


@pytest.mark.parametrize(
    ("deps", "field", "reason", "words"),
    [
        (([1], [0]), "actions[0].depends_on_index", Reason.DEPENDENCY_CYCLE, "actions[1]"),
        (([], [2], [3], [1]), "actions[1].depends_on_index", Reason.DEPENDENCY_CYCLE, "actions[3]"),
        (([0],), "actions[0].depends_on_index", Reason.DEPENDENCY_NOT_FOUND, "itself"),
        (([], [2]), "actions[1].depends_on_index", Reason.DEPENDENCY_NOT_FOUND, "position 2"),
        (([-1],), "actions[0].depends_on_index", Reason.DEPENDENCY_NOT_FOUND, "position -1"),
    ],
)
def test_bad_graphs_are_refused(
    deps: tuple[list[int], ...], field: str, reason: Reason, words: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        check_graph(batch(*deps))
    assert caught.value.field == field and caught.value.reason is reason
    assert words in caught.value.message


def test_a_long_cycle_is_named_in_order() -> None:
    with pytest.raises(InvalidArgument) as caught:
        check_graph(batch([4], [0], [1], [2], [3]))
    assert "actions[0] -> actions[4] -> actions[3] -> actions[2] -> actions[1] -> actions[0]" in (
        caught.value.message
    )


def test_fields() -> None:
    assert dependencies([3, 1, 3]) == [3, 1]
    with pytest.raises(InvalidArgument, match=r"depends_on\[1\]"):
        dependencies([1, 0])
    assert workflow_id("workflow_id", "run 1 ✓") == "run 1 ✓"
    for bad in ("", "x" * 201, "a\nb"):
        with pytest.raises(InvalidArgument):
            workflow_id("workflow_id", bad)
