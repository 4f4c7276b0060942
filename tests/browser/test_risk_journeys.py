"""A customs risk officer in a real browser: starts a draft of the risk rules, adds a rule that
sends knitted T-shirts (HS 6109) to document review (after a typing error shown beside its
field), tests it against the last declarations, sees it would hit them, and activates it; a
broker then files a T-shirt declaration through the API and the officer sees the rule's hit count
go to 1. Also: the inspection schedule with a result recorded, and the clearance panel's chart
drawn by the plotly.js of the installed package.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from kouan.domain.agency import Decision
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.web.ui.display import PORT_ZONE
from kouan.web.ui.i18n import translations
from tests.browser.conftest import PageFor, screenshot
from tests.conftest import PASSWORD, Clock, People, file_declaration, register_traders
from tests.factories import declaration_data

T = translations("zh").gettext
CLASS_C, CLASS_D = "3702960004", "3702960005"


def submit(page: Page, testid: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def broker_files_through_the_api(server: str, reference: str) -> dict[str, Any]:
    """The broker's own system: a token, then the declaration as JSON."""
    with httpx.Client(base_url=server) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": "broker", "password": PASSWORD}
        ).json()["access_token"]
        answer = api.post(
            "/api/v1/declarations",
            json=declaration_data(reference=reference),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 201, answer.text
    filed: dict[str, Any] = answer.json()
    return filed


def officer_writes_a_draft(page: Page) -> int:
    """From the risk rules page to a new draft's editor; the draft's version."""
    page.get_by_test_id("nav-risk").click()
    expect(page.get_by_test_id("active-rules")).to_be_visible()
    screenshot(page, "risk-rules")
    page.get_by_test_id("input-note").fill("针织T恤衫低报价格多发，先单证审核")
    submit(page, "new-draft")
    expect(page).to_have_url(re.compile(r"/risk-rules/\d+$"))
    expect(page.get_by_test_id("version-status")).to_have_attribute("data-status", "draft")
    return int(page.url.rsplit("/", 1)[1])


def officer_adds_the_rule(page: Page) -> None:
    """A typing error first (the letter O for a zero), then the rule as meant."""
    form = page.get_by_test_id("add-rule-form")
    form.get_by_test_id("input-rule.code").fill("HS-6109")
    form.get_by_test_id("input-rule.title").fill("Knitted T-shirts: documents checked")
    form.get_by_test_id("input-rule.title_zh").fill("针织T恤衫:单证审核")
    form.get_by_test_id("input-rule.lane").select_option("document")
    form.get_by_test_id("input-rule.kind").select_option("hs_prefix")
    expect(form.get_by_test_id("range-fields")).to_be_hidden()  # only a unit-value rule's
    form.get_by_test_id("input-rule.values").fill("61O9")
    submit(page, "add-rule-submit")
    error = page.get_by_test_id("error-rule.values")
    expect(error).to_have_text(
        "“61O9”：" + T("HS prefixes of 2 to 10 digits, e.g. 6109 or 847130.")
    )
    expect(page.get_by_test_id("input-rule.code")).to_have_value("HS-6109")
    page.get_by_test_id("input-rule.values").fill("6109")
    submit(page, "add-rule-submit")
    row = page.get_by_test_id("rule-row-HS-6109")
    expect(row).to_contain_text("针织T恤衫:单证审核")
    expect(row.get_by_test_id("lane-badge")).to_have_attribute("data-lane", "document")


def officer_tests_it(page: Page, version: int, earlier: list[dict[str, Any]]) -> None:
    """The last declarations with the draft beside the active version: all three would change."""
    page.get_by_test_id("input-last").fill("100")
    submit(page, "test-submit")
    expect(page).to_have_url(re.compile(rf"/risk-rules/{version}\?last=100#test$"))
    expect(page.get_by_test_id("test-now-green")).to_have_text("3")
    expect(page.get_by_test_id("test-then-document")).to_have_text("3")
    expect(page.get_by_test_id("test-hits-HS-6109")).to_have_text("3")
    for view in earlier:
        link = page.get_by_test_id(f"example-link-{view['id']}")
        expect(link).to_have_attribute("href", f"/declarations/{view['id']}")
    page.get_by_test_id("test-results").scroll_into_view_if_needed()
    screenshot(page, "risk-rule-test")


def officer_activates(page: Page, version: int) -> None:
    submit(page, "activate")
    expect(page).to_have_url(re.compile(rf"/risk-rules\?activated={version}$"))
    expect(
        page.get_by_test_id(f"version-row-{version}").get_by_test_id("version-status")
    ).to_have_attribute("data-status", "active")
    expect(page.get_by_test_id("hits-HS-6109")).to_have_text("0")


def test_a_risk_officer_drafts_tests_and_activates_a_rule(
    page_for: PageFor, server: str, ctx: ServiceContext, people: People
) -> None:
    register_traders(ctx, people)
    earlier = [file_declaration(ctx, people, reference=f"TS-{n}") for n in range(3)]
    assert [v["lane"] for v in earlier] == ["green"] * 3
    officer = page_for("customs")
    version = officer_writes_a_draft(officer)
    officer_adds_the_rule(officer)
    officer_tests_it(officer, version, earlier)
    officer_activates(officer, version)
    filed = broker_files_through_the_api(server, "TS-after")
    assert (filed["lane"], filed["rules_hit"], filed["risk_version"]) == (
        "document",
        ["HS-6109"],
        version,
    )
    officer.goto("/risk-rules?sort=hits")
    expect(officer.get_by_test_id("hits-HS-6109")).to_have_text("1")
    expect(officer.get_by_test_id("rate-HS-6109")).to_have_text("100%")
    screenshot(officer, "risk-rules-hit")


def test_inspections_and_the_clearance_chart(
    page_for: PageFor, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """Customs records a result on the schedule; the port office reads the clearance panel, its
    chart drawn by the bundled plotly.js."""
    register_traders(ctx, people)
    for day in range(3):
        file_declaration(ctx, people, reference=f"G-{day}")
        documents = file_declaration(
            ctx, people, reference=f"C-{day}", trader=CLASS_C, trader_name="Weifang Food"
        )
        file_declaration(
            ctx, people, reference=f"D-{day}", trader=CLASS_D, trader_name="Linyi Small Goods"
        )
        clock.advance(minutes=20 + 15 * day)
        review = next(r for r in documents["reviews"] if r["agency"] == "CUSTOMS")
        reviews.decide(ctx, people["customs"], review["id"], Decision.APPROVE, "")
        clock.advance(days=1)
    file_declaration(
        ctx, people, reference="D-today", trader=CLASS_D, trader_name="Linyi Small Goods"
    )
    officer = page_for("customs")
    officer.get_by_test_id("nav-inspections").click()
    today = clock.now.astimezone(PORT_ZONE).date().isoformat()
    expect(officer.get_by_test_id(f"day-{today}")).to_be_visible()
    booked = officer.locator("tr[data-testid^='inspection-']").first
    inspection = (booked.get_attribute("data-testid") or "").removeprefix("inspection-")
    officer.get_by_test_id(f"result-open-{inspection}").click()
    officer.get_by_test_id(f"result-{inspection}-pass").check()
    officer.get_by_test_id(f"result-{inspection}-finding").fill("与申报相符")
    screenshot(officer, "inspections")
    submit(officer, f"result-{inspection}-submit")
    row = officer.get_by_test_id(f"inspection-{inspection}")
    expect(row.get_by_test_id("inspection-status")).to_have_attribute("data-status", "passed")
    port_office = page_for("port_office")
    port_office.get_by_test_id("nav-clearance").click()
    chart = port_office.get_by_test_id("clearance-chart")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart.locator(".scatterlayer .trace")).to_have_count(2)
    expect(port_office.get_by_test_id("all-count")).not_to_have_text("0")
    screenshot(port_office, "clearance")
