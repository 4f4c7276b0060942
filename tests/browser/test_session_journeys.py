"""Sessions in a real browser under the Content-Security-Policy: a person changes their password
and the session in their other browser ends; logging out ends the session on the server, so the
cookie copied before no longer opens a page."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect

from kouan.domain.agency import OrgType
from kouan.services.platform import users
from kouan.services.platform.unit_of_work import ServiceContext
from tests.browser.conftest import LOCALE, TIMEOUT_MS, VIEWPORT, log_in, screenshot, watch_policy
from tests.conftest import PASSWORD


def _page(browser: Browser, server: str, blocked: list[str]) -> Page:
    context = browser.new_context(base_url=server, viewport=VIEWPORT, locale=LOCALE)
    context.set_default_timeout(TIMEOUT_MS)
    return watch_policy(context.new_page(), blocked)


def _submit(page: Page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_password_change_and_logout_end_sessions(
    browser: Browser, server: str, ctx: ServiceContext
) -> None:
    name = f"pw.{uuid.uuid4().hex[:10]}"  # PostgreSQL keeps users between tests
    users.create_user(ctx, name, PASSWORD, OrgType.SHIPPING_AGENT, "Penavico Qingdao")
    blocked: list[str] = []
    here = log_in(_page(browser, server, blocked), name)
    elsewhere = log_in(_page(browser, server, blocked), name)
    here.get_by_test_id("password-link").click()
    here.get_by_test_id("input-current_password").fill(PASSWORD)
    here.get_by_test_id("input-new_password").fill("harbour-pilot-77")
    here.get_by_test_id("input-new_password_again").fill("harbour-pilot-77")
    screenshot(here, "password")
    _submit(here, "password-submit")
    expect(here.get_by_test_id("notice")).to_contain_text("密码已修改")
    elsewhere.reload()
    expect(elsewhere.get_by_test_id("login-form")).to_be_visible()
    cookie = next(c for c in here.context.cookies() if c["name"] == "kouan_session")
    _submit(here, "logout-button")
    expect(here.get_by_test_id("notice")).to_contain_text("您已退出登录")
    copied = _page(browser, server, blocked)
    copied.context.add_cookies([cookie])
    copied.goto("/")
    expect(copied.get_by_test_id("login-form")).to_be_visible()
    for page in (here, elsewhere, copied):
        page.context.close()
    assert blocked == []
