"""The port office's board on the demo port: ships in every place, each agency's queue, today's
zero-wait rate — the page the README shows."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from kouan.demo import build as demo
from kouan.services.platform.unit_of_work import ServiceContext
from tests.browser.conftest import LOCALE, TIME_ZONE, VIEWPORT, log_in, screenshot


def test_the_board_shows_the_demo_port(browser: Browser, server: str, ctx: ServiceContext) -> None:
    logins = {login.username: login.password for login in demo.build(ctx)}
    context = browser.new_context(
        base_url=server, viewport=VIEWPORT, locale=LOCALE, timezone_id=TIME_ZONE
    )
    page = log_in(context.new_page(), "portoffice", logins["portoffice"])
    page.goto("/board")
    for count in ("count-at-anchor", "count-alongside", "count-left-today"):
        expect(page.get_by_test_id(count)).not_to_have_text("0")
    for agency in ("CUSTOMS", "CIQ", "BORDER", "MSA"):
        expect(page.get_by_test_id(f"queue-count-{agency}")).not_to_have_text("0")
    expect(page.get_by_test_id("zero-wait-rate")).to_contain_text("%")
    screenshot(page, "board")
    context.close()
