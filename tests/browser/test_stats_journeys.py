"""The port office reads its statistics in a real browser: the dashboard with its cards and
plotly charts (the year to date, then the quarter), and the bulletin, in Chinese and in English,
the ports named in the page's language; on the Chinese pages no Latin word shows but codes
(CNTAO, TEU, CSV...)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from kouan.services.platform.unit_of_work import ServiceContext
from tests.browser.conftest import PageFor, screenshot
from tests.reports_history import import_history

# Codes and units a Chinese page may show: capitals and digits (CNTAO, TAO, TEU, CSV, XLSX).
CODE = re.compile(r"[A-Z0-9][A-Z0-9/-]*")


def _latin_words(page: Page) -> list[str]:
    text = page.locator("main").inner_text()
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9/-]*", text) if not CODE.fullmatch(w)]


def test_the_port_office_reads_the_dashboard_and_the_bulletin(
    page_for: PageFor, ctx: ServiceContext
) -> None:
    import_history(ctx)
    office = page_for("port_office")
    office.goto("/")
    office.get_by_test_id("nav-stats").click()
    expect(office).to_have_url(re.compile(r"/stats$"))
    office.goto("/stats?month=2026-10&lang=zh")
    expect(office.get_by_test_id("card-foreign_trade_cargo-CNTAO")).to_contain_text("3.857亿吨")
    expect(office.get_by_test_id("card-foreign_trade_cargo-CNTAO")).to_contain_text("居全国第三位")
    expect(office.locator("#stats-series .main-svg").first).to_be_visible()
    expect(office.locator("#stats-bars .main-svg").first).to_be_visible()
    expect(office.locator("#stats-bars .xtick text").first).to_have_text("宁波舟山港")
    expect(
        office.get_by_test_id("card-foreign_trade_cargo-CNTAO").get_by_test_id("card-port")
    ).to_have_text("青岛港")
    assert _latin_words(office) == []
    screenshot(office, "stats-dashboard-zh")

    office.get_by_test_id("stats-form").locator("select[name=period]").select_option("quarter")
    office.get_by_test_id("stats-submit").click()
    expect(office).to_have_url(re.compile(r"period=quarter"))
    expect(office.get_by_test_id("period-heading")).to_have_text("指标 · 2026年第四季度（10月份）")
    expect(
        office.get_by_test_id("card-foreign_trade_cargo-CNTAO").get_by_test_id("card-quarter")
    ).to_be_visible()
    expect(office.locator("#stats-bars .main-svg").first).to_be_visible()
    assert _latin_words(office) == []
    screenshot(office, "stats-dashboard-quarter-zh")

    office.goto("/stats?month=2026-10&lang=en")
    expect(office.get_by_test_id("card-foreign_trade_cargo-CNTAO")).to_contain_text(
        "385.7 million tonnes"
    )
    expect(office.locator("#stats-bars .xtick text").first).to_have_text("Ningbo-Zhoushan")
    screenshot(office, "stats-dashboard-en")

    office.goto("/stats?month=2026-08&period=quarter&area=airport&lang=en")
    expect(office.get_by_test_id("period-heading")).to_have_text(
        "Indicators · Q3 2026 (July–August)"
    )
    expect(office.locator("#stats-bars .xtick text").first).to_have_text("Shanghai Pudong")
    screenshot(office, "stats-dashboard-quarter-en")

    office.goto("/stats?month=2026-10&lang=en")

    office.get_by_test_id("sub-bulletin").click()
    expect(office.get_by_test_id("bulletin-text")).to_contain_text(
        "In January–October 2026, at Qingdao's seaport"
    )
    expect(office.locator("[data-testid=bulletin-chart] .main-svg").first).to_be_visible()
    screenshot(office, "stats-bulletin-en")

    office.goto("/stats/bulletin?month=2026-10&lang=zh")
    expect(office.get_by_test_id("bulletin-text")).to_contain_text(
        "截至2026年10月份，我市海港口岸外贸货物吞吐量实现3.86亿吨，同比增长6.2%，居全国第三位"
    )
    expect(office.locator("[data-testid=bulletin-chart] .main-svg").first).to_be_visible()
    assert _latin_words(office) == []
    screenshot(office, "stats-bulletin-zh")
    with office.expect_download() as download:
        office.get_by_test_id("pdf-link").click()
    assert download.value.suggested_filename == "bulletin-CNTAO-2026-10-zh.pdf"
