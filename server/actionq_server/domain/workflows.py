"""Rules of workflow runs that need no database: which actions of an Enqueue
request take part in one, and whether their dependencies by position form a
valid graph (in range, not on themselves, no cycle)."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import InvalidArgument, Reason
from .models import NewAction
from .validation import positive_id

MAX_WORKFLOW_ID = 200
MAX_DEPENDENCIES = 10_000


def in_workflow(n: NewAction) -> bool:
    """Whether enqueuing `n` involves a workflow run (its own, or one it depends on)."""
    return n.workflow_id is not None or bool(n.depends_on) or bool(n.depends_on_index)


def workflow_id(field: str, value: str) -> str:
    """A caller-chosen workflow id: 1 to 200 printable characters."""
    if not value:
        raise InvalidArgument(field, "is required")
    if len(value) > MAX_WORKFLOW_ID:
        raise InvalidArgument(field, f"is longer than {MAX_WORKFLOW_ID} characters")
    if not value.isprintable():
        raise InvalidArgument(field, "must hold only printable characters")
    return value


def dependencies(ids: Sequence[int]) -> list[int]:
    """The ids of a NewAction's depends_on, each positive, without repeats."""
    if len(ids) > MAX_DEPENDENCIES:
        raise InvalidArgument("depends_on", f"must name at most {MAX_DEPENDENCIES} actions")
    for i, value in enumerate(ids):
        positive_id(f"depends_on[{i}]", value)
    return list(dict.fromkeys(ids))


def check_graph(new: Sequence[NewAction]) -> None:
    """Refuse positions out of range or naming the action itself, and cycles
    among the request's actions (DEPENDENCY_NOT_FOUND, DEPENDENCY_CYCLE)."""
    size = len(new)
    edges: dict[int, list[int]] = {}
    for i, n in enumerate(new):
        if not n.depends_on_index:
            continue
        for j in n.depends_on_index:
            if not 0 <= j < size:
                raise _not_found(i, f"position {j} is outside the request (0 to {size - 1})")
            if j == i:
                raise _not_found(i, "an action cannot depend on itself")
        edges[i] = sorted(set(n.depends_on_index))
    cycle = _find_cycle(edges)
    if cycle:
        names = " -> ".join(f"actions[{i}]" for i in cycle)
        error = InvalidArgument(
            f"actions[{cycle[0]}].depends_on_index",
            f"the dependencies form a cycle: {names}",
            reason=Reason.DEPENDENCY_CYCLE,
        )
        error.metadata["actions"] = ",".join(str(i) for i in cycle[:-1])
        raise error


def _not_found(index: int, problem: str) -> InvalidArgument:
    return InvalidArgument(
        f"actions[{index}].depends_on_index", problem, reason=Reason.DEPENDENCY_NOT_FOUND
    )


def _find_cycle(edges: dict[int, list[int]]) -> list[int]:
    """A cycle of the graph as a closed path (first == last), or [] (iterative
    depth-first search: requests hold up to 10,000 actions)."""
    white, grey, black = 0, 1, 2
    color: dict[int, int] = {}
    for root in sorted(edges):
        if color.get(root, white) != white:
            continue
        path = [root]
        stack = [iter(edges.get(root, ()))]
        color[root] = grey
        while stack:
            step = next(stack[-1], None)
            if step is None:
                color[path.pop()] = black
                stack.pop()
                continue
            state = color.get(step, white)
            if state == grey:
                return [*path[path.index(step) :], step]
            if state == white:
                color[step] = grey
                path.append(step)
                stack.append(iter(edges.get(step, ())))
    return []
