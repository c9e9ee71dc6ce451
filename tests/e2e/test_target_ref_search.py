"""ListActions target_ref_contains: a case-insensitive substring of
target_ref, combined with the other filters, through the API, the Python
client and `actionctl ls --search`."""

from __future__ import annotations

import uuid

import pytest
from actionq import Client, InvalidArgument

from tests.support import ServerProcess, actionctl


def test_search_finds_substrings_in_any_case(client: Client, project: str) -> None:
    refs = ["repo/Alpha.py", "repo/alphabet.txt", "other/ALPHA", "repo/beta", "", "100%_done"]
    ids = {r: client.add("t", project, target_ref=r).id for r in refs}

    def found(text: str, **filters: object) -> list[str | None]:
        listed = client.iter_actions(project=project, target_ref_contains=text, **filters)  # type: ignore[arg-type]
        return [a.target_ref for a in listed]

    assert found("alpha") == ["repo/Alpha.py", "repo/alphabet.txt", "other/ALPHA"]
    assert found("REPO/") == ["repo/Alpha.py", "repo/alphabet.txt", "repo/beta"]
    # An action without a target_ref (None) matches only the empty search.
    assert found("") == [r or None for r in refs]
    assert found("nothing") == []
    # A bind parameter, not a pattern: % and _ are themselves.
    assert found("%") == ["100%_done"]
    assert found("_") == ["100%_done"]
    assert found("E", newest_first=True)[:2] == ["100%_done", "repo/beta"]
    first = client.list_actions(project=project, target_ref_contains="alpha", page_size=2)
    assert [a.id for a in first.actions] == [ids["repo/Alpha.py"], ids["repo/alphabet.txt"]]
    rest = client.list_actions(
        project=project, target_ref_contains="alpha", page_size=2, page_token=first.next_page_token
    )
    assert [a.id for a in rest.actions] == [ids["other/ALPHA"]]
    (claim,) = client.claim("w", action_types=["t"], project=project)
    client.fail(claim.action.id, claim.lease_token, reason="x", no_retry=True)
    assert found("alpha", statuses=["failed"]) == ["repo/Alpha.py"]


def test_search_longer_than_200_characters_is_refused(client: Client) -> None:
    assert client.list_actions(target_ref_contains="x" * 200).actions == []
    with pytest.raises(InvalidArgument) as refused:
        client.list_actions(target_ref_contains="x" * 201)
    assert "target_ref_contains" in str(refused.value)
    with pytest.raises(InvalidArgument):
        client.list_actions(target_ref_contains="a\x00b")


def test_actionctl_ls_search(server: ServerProcess, client: Client) -> None:
    project = f"p-{uuid.uuid4().hex[:8]}"
    for ref in ("invoices/2026-11/A", "invoices/2026-12/B", "orders/2026-11/C"):
        client.add("t", project, target_ref=ref)
    done = actionctl(server.address, "ls", "--project", project, "--search", "2026-11")
    assert done.code == 0, done.stderr
    assert [a["target_ref"] for a in done.json] == ["invoices/2026-11/A", "orders/2026-11/C"]
    done = actionctl(server.address, "ls", "--project", project, "--search", "x" * 201)
    assert done.code != 0
    assert "target_ref_contains" in done.stderr
