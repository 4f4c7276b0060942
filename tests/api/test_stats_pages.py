"""The statistics pages over HTTP: the dashboard, the Time Release Study and the bulletin, in
Chinese and English, their downloads, and bad parameters answered with 422 naming them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.test_pages import signed_in, text_of, texts_of
from tests.reports_history import import_history


@pytest.fixture
def history(ctx: ServiceContext) -> ServiceContext:
    import_history(ctx)
    return ctx


def test_the_port_office_reads_the_dashboard_in_chinese_and_english(
    history: ServiceContext,
) -> None:
    client = signed_in(history, "port_office")
    page = client.get("/stats?month=2026-10")
    assert page.status_code == 200, page.text
    assert text_of(page, "nav-stats") == "统计"
    card = texts_of(page, "card-ytd")
    assert "3.857亿吨" in card
    assert "同比增长6.2%" in page.text and "居全国第三位" in page.text
    assert 'data-testid="series-chart"' in page.text and 'data-testid="bars-chart"' in page.text
    assert '<script src="/static-vendor/plotly.min.js" defer></script>' in page.text
    english = client.get("/stats?month=2026-10&lang=en&area=airport")
    assert english.status_code == 200
    assert text_of(english, "nav-stats") == "Statistics"
    assert "International air passengers" in english.text
    assert "Foreign-trade cargo" not in english.text


def test_the_dashboard_downloads_the_shown_figures(history: ServiceContext) -> None:
    client = signed_in(history, "port_office")
    answer = client.get("/stats?month=2026-10&format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    cargo = next(r for r in rows if r["indicator"] == "foreign_trade_cargo")
    assert (cargo["port"], cargo["month"], cargo["source"], cargo["rank_ytd"]) == (
        "CNTAO",
        "2026-10",
        "imported",
        "3",
    )
    book = client.get("/stats?month=2026-10&format=xlsx&area=seaport")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert head[:4] == ["indicator", "port", "area", "month"]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "foreign_trade_cargo" in codes and "air_passengers" not in codes


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("/stats?month=2026-13", "month"),
        ("/stats?period=week", "period"),
        ("/stats?area=moon", "area"),
        ("/stats?indicator=gold", "indicator"),
        ("/stats?lane=fast", "lane"),
        ("/stats?format=pdf", "format"),
        ("/stats/trs?first=2026-02-30", "first"),
        ("/stats/trs?first=2026-11-20&last=2026-11-01", "first"),
        ("/stats/trs?lane=purple", "lane"),
        ("/stats/trs?agency=NAVY", "agency"),
        ("/stats/trs?office=xx", "office"),
        ("/stats/trs?kind=trucks", "kind"),
        ("/stats/bulletin?month=10-2026", "month"),
        ("/stats/bulletin?port=1", "port"),
        ("/stats/bulletin?format=docx", "format"),
    ],
)
def test_a_bad_parameter_is_refused_with_422_naming_it(
    ctx: ServiceContext, address: str, field: str
) -> None:
    page = signed_in(ctx, "port_office").get(address)
    assert page.status_code == 422, page.text
    assert texts_of(page, f"error-{field}"), page.text


def test_the_time_release_study_and_its_downloads(ctx: ServiceContext) -> None:
    client = signed_in(ctx, "port_office", "zh")
    page = client.get("/stats/trs?first=2026-11-01&last=2026-11-27&lane=green&agency=CUSTOMS")
    assert page.status_code == 200, page.text
    assert "申报" in text_of(page, "trs-stages") and "放行" in text_of(page, "trs-stages")
    calls = client.get("/stats/trs?kind=port_call")
    assert calls.status_code == 200 and "入境许可" in calls.text
    sheet = client.get("/stats/trs?first=2026-11-01&last=2026-11-27&format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    table = client.get("/stats/trs?first=2026-11-01&last=2026-11-27&format=csv")
    assert table.status_code == 200 and "通关时间研究" in table.content.decode("utf-8-sig")


def test_the_bulletin_page_and_its_downloads(history: ServiceContext) -> None:
    client = signed_in(history, "port_office")
    page = client.get("/stats/bulletin?month=2026-10")
    assert page.status_code == 200, page.text
    text = text_of(page, "bulletin-text")
    assert text.startswith("截至2026年10月份，我市海港口岸外贸货物吞吐量实现3.86亿吨，同比增长6.2%")
    assert len(texts_of(page, "bulletin-chart")) >= 1
    markdown = client.get("/stats/bulletin?month=2026-10&format=md&lang=en")
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "In January–October 2026, at Qingdao's seaport" in markdown.text
    pdf = client.get("/stats/bulletin?month=2026-10&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    empty = client.get("/stats/bulletin?month=2020-10")
    assert text_of(empty, "bulletin-text") == "截至2020年10月份，我市口岸无统计数据。"


def test_agencies_read_the_statistics_and_enterprises_do_not(history: ServiceContext) -> None:
    assert signed_in(history, "customs").get("/stats?month=2026-10").status_code == 200
    agent = signed_in(history, "agent")
    assert agent.get("/stats").status_code == 403
    assert agent.get("/stats/bulletin").status_code == 403
    assert agent.get("/stats/trs").status_code == 403
    assert 'data-testid="nav-stats"' not in agent.get("/").text
