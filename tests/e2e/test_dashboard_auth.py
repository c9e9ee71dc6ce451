"""The dashboard with ACTIONQ_AUTH on: no token, no data; a token's role
decides what it may do (as for the gRPC RPC each request stands for); the page
signs in once and keeps the token in an HttpOnly cookie."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from actionq import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import fresh_schema
from tests.e2e.test_dashboard import browser  # noqa: F401  (the fixture)
from tests.support import ServerProcess, bootstrap_token, http_base, start_server


def _call(
    base: str, path: str, *, body: Any = None, token: str = "", cookie: str = ""
) -> tuple[int, Any, dict[str, str]]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"null"), dict(reply.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)


@pytest.fixture(scope="module")
def guarded(pg_dsn: str) -> Iterator[tuple[ServerProcess, str, dict[str, str]]]:
    env = {
        "ACTIONQ_URL": pg_dsn,
        "ACTIONQ_SCHEMA": fresh_schema(),
        "ACTIONQ_AUTH": "on",
        "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
    }
    admin = bootstrap_token(env, "--role", "admin", "--name", "root")["secret"]
    server = start_server(env)
    try:
        base = http_base(server)
        with Client(server.address, token=admin) as c:
            tokens = {
                role: c.create_token(f"dash-{role}", role).secret
                for role in ("producer", "operator", "coordinator")
            }
            c.add("dash.t", "p", queue="guarded")
        yield server, base, tokens
    finally:
        server.stop()


def test_the_api_checks_tokens_and_roles(
    guarded: tuple[ServerProcess, str, dict[str, str]],
) -> None:
    server, base, tokens = guarded
    status, body, _ = _call(base, "/api/overview")
    assert status == 401 and body["error"]["code"] == "UNAUTHENTICATED"
    status, body, _ = _call(base, "/api/overview", token="aq_000000000000_" + "x" * 43)
    assert status == 401
    status, body, _ = _call(base, "/api/overview", token=tokens["producer"])
    assert status == 200 and any(q["name"] == "guarded" for q in body["queues"])
    # Operating is the operator's: a producer may read, not pause.
    status, body, _ = _call(
        base, "/api/queues/pause", body={"queue": "guarded"}, token=tokens["producer"]
    )
    assert status == 403 and body["error"]["code"] == "PERMISSION_DENIED"
    # Signing in keeps the token in an HttpOnly cookie; the change is the token's.
    status, body, headers = _call(base, "/api/login", body={"token": tokens["operator"]})
    assert status == 200 and body["role"] == "operator"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    jar = cookie.split(";", 1)[0]
    status, body, _ = _call(base, "/api/queues/pause", body={"queue": "guarded"}, cookie=jar)
    assert status == 200, body
    with Client(server.address, token=tokens["operator"]) as c:
        paused = next(q for q in c.list_queues() if q.name == "guarded")
    assert paused.paused and paused.paused_by == "dash-operator"
    status, body, _ = _call(base, "/api/login", body={"token": "nope"})
    assert status == 401


def test_the_page_signs_in(
    guarded: tuple[ServerProcess, str, dict[str, str]],
    browser: WebDriver,  # noqa: F811
) -> None:
    _, base, tokens = guarded
    browser.delete_all_cookies()
    browser.get(f"{base}/#/")
    field = WebDriverWait(browser, 30).until(
        lambda b: (
            b.find_element(By.ID, "login-token") if b.find_elements(By.ID, "login-token") else None
        )
    )
    field.send_keys(tokens["coordinator"])
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    # The page reloads once signed in: read the view in one script each time
    # (an element found before the reload would be stale).
    WebDriverWait(browser, 30).until(lambda b: "guarded" in _view_text(b))
    assert not browser.find_elements(By.ID, "login-token")


def _view_text(driver: WebDriver) -> str:
    found = driver.execute_script(
        "const e = document.getElementById('view'); return e ? e.innerText : '';"
    )
    return str(found or "")
