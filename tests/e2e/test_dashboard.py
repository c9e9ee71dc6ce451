"""The web dashboard in a real browser: Debian's chromium driven by selenium
against a real server and PostgreSQL. Each test writes a screenshot of its
view to docs/screenshots/ (the README links them).

No browser is a failure, not a skip: `make browser` (scripts/install_browser.sh)
installs it, and `make test` runs that first.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from actionq import Client
from actionq.v1 import action_pb2 as pb
from actionq.v1 import service_pb2 as spb
from actionq.v1 import service_pb2_grpc
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import fresh_schema
from tests.support import ServerProcess, http_base, start_server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 800
# How long the page may take to show what a test waits for (a deadline, not a pause).
PATIENCE = 30.0


@pytest.fixture(scope="module")
def dashboard(pg_dsn: str) -> Iterator[tuple[ServerProcess, str]]:
    """A server with its HTTP port on, and the dashboard's base URL."""
    server = start_server(
        {
            "ACTIONQ_URL": pg_dsn,
            "ACTIONQ_SCHEMA": fresh_schema(),
            "ACTIONQ_HTTP_LISTEN": "127.0.0.1:0",
            "ACTIONQ_SWEEP_INTERVAL": "3600",
        }
    )
    try:
        yield server, http_base(server)
    finally:
        assert server.stop() == 0


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless chromium with a 1280x800 viewport."""
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "the dashboard's browser tests need Debian's chromium and chromium-driver: "
            "run `make browser` (scripts/install_browser.sh)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        chrome.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def client(dashboard: tuple[ServerProcess, str]) -> Iterator[Client]:
    """A client of the dashboard's server."""
    with Client(dashboard[0].address) as c:
        yield c


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def open_view(browser: WebDriver, base: str, fragment: str) -> None:
    """Load the page afresh at a view (a new load, not only a fragment change)."""
    browser.get(f"{base}/?load={uuid.uuid4().hex[:8]}#{fragment}")


def text(browser: WebDriver, css: str) -> str | None:
    """The visible text of the first element matching `css`, or None; read in
    one script, so that a view re-drawn meanwhile cannot leave a stale element."""
    found = browser.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;",
        css,
    )
    return None if found is None else str(found)


def wait_for(browser: WebDriver, what: str, condition: Callable[[WebDriver], object]) -> None:
    """Wait for the page to satisfy `condition`."""

    def holds(driver: WebDriver) -> object:
        try:
            return condition(driver)
        except (NoSuchElementException, StaleElementReferenceException):
            return False

    try:
        WebDriverWait(browser, PATIENCE).until(holds)
    except TimeoutException:
        shown = text(browser, "#view") or ""
        raise AssertionError(
            f"the page never showed {what}; at {browser.current_url} it shows:\n{shown[:2000]}"
            f"\nnotice: {notice(browser)!r}"
        ) from None


def wait_text(browser: WebDriver, css: str, expected: str) -> None:
    """Wait until the element at `css` reads exactly `expected`."""
    wait_for(browser, f"{expected!r} at {css}", lambda d: text(d, css) == expected)


def rows(browser: WebDriver, table: str) -> list[str]:
    """The data-id of each row of a table (read in one script, as `text`)."""
    found = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((r) => r.dataset.id);",
        f"#{table} tbody tr",
    )
    return [str(i) for i in found]


def click(browser: WebDriver, css: str) -> None:
    """Click the element at `css`, finding it again if the view was re-drawn
    between finding and clicking."""

    def clicked(driver: WebDriver) -> bool:
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return True
        except StaleElementReferenceException:
            return False

    WebDriverWait(browser, PATIENCE).until(clicked, message=f"could not click {css}")


def screenshot(browser: WebDriver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"no screenshot written to {path}"
    assert path.stat().st_size > 10_000


def notice(browser: WebDriver) -> str:
    return text(browser, "#notice") or ""


def test_overview_shows_queues_counts_and_oldest_due(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    queue = unique("mail")
    ids = [
        client.add("email.send", "shop", queue=queue, target_ref=f"user/{i}@example.com").id
        for i in range(6)
    ]
    client.add("email.digest", "shop", queue=queue, delay=3600)
    claimed = client.claim("w1", queue=queue, max_actions=3)
    client.complete(claimed[0].action.id, claimed[0].lease_token)
    client.fail(claimed[1].action.id, claimed[1].lease_token, reason="SMTP 550", no_retry=True)
    assert len(ids) == 6

    open_view(browser, base, "/")
    row = f'#queues tr[data-queue="{queue}"]'
    wait_text(browser, f'{row} td[data-col="pending"]', "4")
    assert text(browser, f'{row} td[data-col="scheduled"]') == "1"
    assert text(browser, f'{row} td[data-col="claimed"]') == "1"
    assert text(browser, f'{row} td[data-col="failed"]') == "1"
    assert text(browser, f'{row} td[data-col="completed_last_minute"]') == "1"
    assert text(browser, f'{row} td[data-col="failed_last_minute"]') == "1"
    assert text(browser, f'{row} td[data-col="waiting"]') == "0"
    assert text(browser, f'{row} td[data-col="state"]') == "active"
    oldest = text(browser, f'{row} td[data-col="oldest_due"]') or ""
    assert re.fullmatch(r"\d+ (ms|s|min)", oldest), oldest
    by_type = f'#types tr[data-queue="{queue}"][data-type="email.send"]'
    assert text(browser, f'{by_type} td[data-col="pending"]') == "3"
    wait_for(browser, "the live stream connected", lambda d: text(d, "#live") == "live")
    screenshot(browser, "overview")


def test_action_list_filters_by_status_and_text(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    project = unique("orders")
    queue = unique("orders")
    refs = ["order/alpha-1", "order/BETA-2", "order/beta-3", "invoice/beta-4"]
    ids = {r: client.add("order.ship", project, queue=queue, target_ref=r).id for r in refs}
    claimed = client.claim("w", queue=queue, max_actions=4)
    alpha = next(c for c in claimed if c.action.id == ids["order/alpha-1"])
    client.fail(alpha.action.id, alpha.lease_token, reason="carrier down", no_retry=True)
    for c in claimed:
        if c.action.id != alpha.action.id:
            client.complete(c.action.id, c.lease_token)

    open_view(browser, base, f"/actions?project={project}")
    wait_for(browser, "four rows", lambda d: len(rows(d, "actions")) == 4)
    newest_first = [ids[r] for r in reversed(refs)]
    assert rows(browser, "actions") == [str(i) for i in newest_first]

    Select(browser.find_element(By.CSS_SELECTOR, "#filters select[name=status]")).select_by_value(
        "failed"
    )
    click(browser, "#filters button[type=submit]")
    wait_for(browser, "only the failed one", lambda d: rows(d, "actions") == [str(alpha.action.id)])
    assert text(browser, f'#actions tr[data-id="{alpha.action.id}"] [data-col="status"]') == (
        "failed"
    )
    assert "status=failed" in browser.current_url

    Select(browser.find_element(By.CSS_SELECTOR, "#filters select[name=status]")).select_by_value(
        ""
    )
    search = browser.find_element(By.CSS_SELECTOR, "#filters input[name=q]")
    search.clear()
    search.send_keys("order/beta")
    click(browser, "#filters button[type=submit]")
    wanted = [str(ids["order/beta-3"]), str(ids["order/BETA-2"])]
    wait_for(browser, "the two order/beta rows", lambda d: rows(d, "actions") == wanted)
    shown = [text(browser, f'#actions tr[data-id="{i}"] [data-col="target_ref"]') for i in wanted]
    assert shown == ["order/beta-3", "order/BETA-2"]
    screenshot(browser, "actions")

    search = browser.find_element(By.CSS_SELECTOR, "#filters input[name=q]")
    search.clear()
    search.send_keys("no-such-target")
    click(browser, "#filters button[type=submit]")
    wait_for(browser, "the empty result", lambda d: text(d, "#no-actions") is not None)


def test_action_page_shows_payload_result_timeline_and_checkpoints(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    queue = unique("media")
    action = client.add(
        "image.resize",
        "media",
        queue=queue,
        target_ref="s3://bucket/cat.png",
        payload={"width": 640, "format": "webp"},
        max_attempts=3,
    )
    (claim,) = client.claim("resizer-1", queue=queue)
    client.heartbeat(action.id, claim.lease_token, progress={"done": 1, "of": 2})
    client.save_checkpoint(action.id, claim.lease_token, "download", {"bytes": 52311})
    client.complete(action.id, claim.lease_token, result={"url": "s3://bucket/cat.webp"})

    open_view(browser, base, f"/actions/{action.id}")
    wait_text(browser, "#status", "completed")
    payload = text(browser, "#payload") or ""
    assert '"width": 640' in payload
    assert '"format": "webp"' in payload
    assert '"url": "s3://bucket/cat.webp"' in (text(browser, "#result") or "")
    assert '"done": 1' in (text(browser, "#progress") or "")
    assert text(browser, '#fields tr[data-field="attempt"] td') == "1 of 3"
    assert text(browser, '#fields tr[data-field="claimed_by"] td') == "resizer-1"
    timeline = browser.execute_script(
        "return [...document.querySelectorAll('#timeline li')].map((li) => li.dataset.event);"
    )
    assert timeline[0] == "action_enqueued"
    assert timeline[-1] == "action_completed"
    assert "action_claimed" in timeline
    checkpoints = text(browser, "#checkpoints") or ""
    assert "download" in checkpoints
    assert '{"bytes":52311}' in checkpoints
    screenshot(browser, "action")

    open_view(browser, base, "/actions/999999999")
    wait_for(browser, "the not-found notice", lambda d: "not found" in notice(d))


def test_retry_a_failed_action_from_the_dead_letter_view(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    queue = unique("mail")
    failed = []
    for i in range(3):
        action = client.add("email.send", "shop", queue=queue, target_ref=f"user/{i}@example.com")
        (claim,) = client.claim("mailer", queue=queue)
        client.fail(action.id, claim.lease_token, reason=f"SMTP 550 for #{i}", no_retry=True)
        failed.append(action.id)
    target = failed[1]

    open_view(browser, base, f"/dead?queue={queue}")
    wait_for(browser, "three dead rows", lambda d: len(rows(d, "dead")) == 3)
    row = f'#dead tr[data-id="{target}"]'
    assert text(browser, f"{row} [data-col=reason]") == "SMTP 550 for #1"
    assert text(browser, f"{row} [data-col=status]") == "failed"
    screenshot(browser, "dead-letters")

    click(browser, f'{row} button[data-act="retry"]')
    wait_text(browser, f"{row} [data-col=status]", "pending")
    assert "retried" in notice(browser)
    retried = client.get(target)
    assert retried.status == "pending"
    assert retried.attempt == 0
    assert client.get(failed[0]).status == "failed"

    click(browser, f'{row} button[data-act="cancel"]')
    wait_text(browser, f'{row} button[data-act="cancel"]', "Confirm cancel")
    assert client.get(target).status == "pending"
    click(browser, f'{row} button[data-act="cancel"]')
    wait_text(browser, f"{row} [data-col=status]", "cancelled")
    assert client.get(target).status == "cancelled"

    open_view(browser, base, f"/dead?queue={queue}")
    wait_for(browser, "the other two rows", lambda d: len(rows(d, "dead")) == 2)
    for box in browser.find_elements(By.CSS_SELECTOR, "#dead input[type=checkbox]"):
        box.click()
    click(browser, "#retry-selected")
    wait_for(browser, "no dead rows left", lambda d: text(d, "#no-dead") is not None)
    assert [client.get(i).status for i in (failed[0], failed[2])] == ["pending", "pending"]


def test_pause_and_resume_a_queue(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    queue = unique("billing")
    client.add("invoice.send", "acct", queue=queue)

    def paused() -> bool:
        return next(q for q in client.list_queues() if q.name == queue).paused

    open_view(browser, base, "/")
    row = f'#queues tr[data-queue="{queue}"]'
    wait_text(browser, f"{row} td[data-col=pending]", "1")
    click(browser, f'{row} button[data-act="pause"]')
    wait_text(browser, f"{row} td[data-col=state]", "paused")
    assert paused()
    assert client.claim("w", queue=queue) == []
    screenshot(browser, "queue-paused")

    click(browser, f'{row} button[data-act="resume"]')
    wait_text(browser, f"{row} td[data-col=state]", "active")
    assert not paused()
    assert len(client.claim("w", queue=queue)) == 1


def test_live_counts_move_while_a_worker_runs(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    server, base = dashboard
    queue = unique("live")
    total, half = 30, 15
    client.enqueue([pb.NewAction(action_type="ping", project="live", queue=queue)] * total)

    open_view(browser, base, "/")
    row = f'#queues tr[data-queue="{queue}"]'
    wait_text(browser, f"{row} td[data-col=pending]", str(total))
    wait_for(browser, "the live stream connected", lambda d: text(d, "#live") == "live")

    second_half = threading.Event()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with Client(server.address) as worker:
                done = 0
                while done < total:
                    if done == half:
                        assert second_half.wait(PATIENCE), "the page never showed the first half"
                    want = min(5, half - done % half)
                    for c in worker.claim("live-worker", queue=queue, max_actions=want, wait=5):
                        worker.complete(c.action.id, c.lease_token)
                        done += 1
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        wait_text(browser, f"{row} td[data-col=completed_last_minute]", str(half))
        wait_text(browser, f"{row} td[data-col=pending]", str(total - half))
        second_half.set()
        wait_text(browser, f"{row} td[data-col=completed_last_minute]", str(total))
        wait_text(browser, f"{row} td[data-col=pending]", "0")
    finally:
        second_half.set()
        thread.join(PATIENCE)
    assert not failures, failures
    received = browser.find_element(By.CSS_SELECTOR, "#live").get_attribute("data-events")
    assert int(received or 0) >= total * 2
    assert "action_completed" in (text(browser, "#feed") or "")
    screenshot(browser, "live")


def test_schedules_pause_and_resume(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    _, base = dashboard
    name = unique("nightly")
    client.create_schedule(
        name,
        "0 2 * * *",
        pb.NewAction(action_type="report.build", project="shop", queue="reports"),
        time_zone="Europe/Paris",
    )

    open_view(browser, base, "/schedules")
    row = f'#schedules tr[data-schedule="{name}"]'
    wait_text(browser, f"{row} td[data-col=state]", "active")
    click(browser, f'{row} button[data-act="pause"]')
    wait_text(browser, f"{row} td[data-col=state]", "paused")
    assert next(s for s in client.list_schedules() if s.name == name).paused
    screenshot(browser, "schedules")
    click(browser, f'{row} button[data-act="resume"]')
    wait_text(browser, f"{row} td[data-col=state]", "active")
    assert not next(s for s in client.list_schedules() if s.name == name).paused


def test_an_action_links_to_its_workflow(
    dashboard: tuple[ServerProcess, str], browser: WebDriver, client: Client
) -> None:
    server, base = dashboard
    workflow = unique("wf")
    (enqueued,) = client.enqueue(
        [pb.NewAction(action_type="step.one", project="wf", queue="wf", workflow_id=workflow)]
    )
    action_id = enqueued.action.id

    open_view(browser, base, f"/actions/{action_id}")
    wait_text(browser, '#fields tr[data-field="workflow_id"] td', workflow)
    click(browser, '#fields tr[data-field="workflow_id"] a')
    wait_for(
        browser,
        "the workflow or why it cannot be shown",
        lambda d: text(d, "#workflow-actions") is not None or bool(notice(d)),
    )
    with grpc.insecure_channel(server.address) as channel:
        stub = service_pb2_grpc.ActionQueueServiceStub(channel)
        try:
            stub.GetWorkflow(spb.GetWorkflowRequest(workflow_id=workflow), timeout=10)
        except grpc.RpcError as exc:
            # The server refuses GetWorkflow (e.g. not built): the page says what it said.
            assert exc.details() in notice(browser)
            return
    assert text(browser, f'#workflow-actions a[href="#/actions/{action_id}"]') == f"#{action_id}"
