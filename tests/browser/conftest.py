"""Browser fixtures: the app served by uvicorn on a free local port, Debian's Chromium driven by
Playwright, and the people of tests/conftest.py ORGS each logged in through the /login form.

The server runs on the `ctx` fixture, so the journeys run on SQLite and, when
KOUAN_TEST_DATABASE_URL is set, on PostgreSQL, with the test's hand-moved clock: a journey moves
it from filing to departure over days as a real call would, and every time it shows is known.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.conftest import PASSWORD, ROOT, skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container, and nothing fetched from the network behind the test's back.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# A browser set up as at the port, so its own controls (date pickers, file input) read Chinese.
LOCALE, TIME_ZONE = "zh-CN", "Asia/Shanghai"
# Screenshots land beside the tests (ignored by git); `make screenshots` writes the README's.
SCREENSHOTS = Path(os.environ.get("KOUAN_SCREENSHOTS", ROOT / "tests" / "browser" / "artifacts"))
# Each step answers in well under a second; a wait this long means the step failed.
TIMEOUT_MS = 10_000
SERVER_START_SECONDS = 15.0

PageFor = Callable[[str], Page]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run (each person gets a context of their own)."""
    if not CHROMIUM.exists():
        skip_or_fail(
            "browser tests skipped: install Debian's chromium (apt-get install chromium) "
            "to run them"
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def server(ctx: ServiceContext) -> Iterator[str]:
    """The whole app over HTTP on 127.0.0.1 and a free port; its base URL. Stopped at teardown."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    # Listening before uvicorn starts: the first request waits in the backlog until it serves.
    listening.listen()
    host, port = listening.getsockname()
    uvicorn_server = uvicorn.Server(uvicorn.Config(create_app(ctx), log_level="warning"))
    thread = threading.Thread(
        target=uvicorn_server.run, kwargs={"sockets": [listening]}, daemon=True
    )
    thread.start()
    url = f"http://{host}:{port}"
    try:
        health = httpx.get(f"{url}/api/v1/health", timeout=SERVER_START_SECONDS)
        assert health.json() == {"status": "ok"}, health.text
        yield url
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=SERVER_START_SECONDS)
        listening.close()


@pytest.fixture
def page_for(browser: Browser, server: str) -> Iterator[PageFor]:
    """`page_for("customs")`: that person's page, logged in through the /login form the first
    time (each person in a browser context of their own, so their sessions never mix). Whatever
    the Content-Security-Policy blocked on any of these pages fails the test."""
    pages: dict[str, Page] = {}
    blocked: list[str] = []

    def open_as(username: str) -> Page:
        if username not in pages:
            context = browser.new_context(
                base_url=server, viewport=VIEWPORT, locale=LOCALE, timezone_id=TIME_ZONE
            )
            context.set_default_timeout(TIMEOUT_MS)
            pages[username] = log_in(watch_policy(context.new_page(), blocked), username)
        return pages[username]

    yield open_as
    for page in pages.values():
        page.context.close()
    assert blocked == [], "the Content-Security-Policy blocked something on the pages"


def watch_policy(page: Page, blocked: list[str]) -> Page:
    """Collect in `blocked` what the page's Content-Security-Policy refused (Chromium says so
    on the console)."""
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def log_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Fill in and send the login form; the home page then names the user in the top bar."""
    page.goto("/login")
    page.get_by_test_id("input-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("who-user")).to_have_text(username)
    return page


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as <name>.png in SCREENSHOTS (the README shows some of them)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
