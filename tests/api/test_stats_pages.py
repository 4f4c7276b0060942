"""The statistics pages over HTTP: the dashboard (the month, the quarter or the year to date),
the Time Release Study and the bulletin, in Chinese and English with the ports named in each,
their downloads, and bad parameters answered with 422 naming them."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kouan.demo.history import history_rows
from kouan.domain.stats import units
from kouan.domain.stats.growth import change
from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.test_pages import signed_in, text_of, texts_of
from tests.reports_history import LAST, import_history


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


def _total(code: str, port: str, periods: set[str]) -> int:
    """The sum of the imported history's figures of `code` at `port` in those months."""
    return sum(
        row["value"]
        for row in history_rows(LAST)
        if row["indicator"] == code and row["port"] == port and row["period"] in periods
    )


def _chart(page_text: str, name: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page_text)
    assert found, f"no chart data {name}"
    return dict(json.loads(found.group(1)))


def test_the_quarter_to_date_answers_with_the_quarters_figures(history: ServiceContext) -> None:
    # August: the third quarter so far is July and August, against the same months of 2025.
    quarter, before = {"2026-07", "2026-08"}, {"2025-07", "2025-08"}
    mine = _total("foreign_trade_cargo", "CNTAO", quarter)
    base = _total("foreign_trade_cargo", "CNTAO", before)
    ports = {row["port"] for row in history_rows(LAST) if row["indicator"] == "foreign_trade_cargo"}
    others = [_total("foreign_trade_cargo", port, quarter) for port in ports]
    place = 1 + sum(1 for value in others if value > mine)
    client = signed_in(history, "port_office")
    page = client.get("/stats?month=2026-08&period=quarter&indicator=foreign_trade_cargo")
    assert page.status_code == 200, page.text
    assert text_of(page, "period-heading") == "指标 · 2026年第三季度（7—8月份）"
    assert 'value="quarter" selected' in page.text
    cargo = page.text.split('data-testid="card-foreign_trade_cargo-CNTAO"')[1].split("</article>")[
        0
    ]
    assert "<dt>2026年8月份</dt>" in cargo and "<dt>第三季度（7—8月份）</dt>" in cargo
    assert units.quantity(mine, "t", "zh", 4) in cargo  # 8098万吨
    assert units.growth_phrase(change(mine, base), "zh") in cargo  # 同比增长6.8%
    assert f"居全国第{'一二三四五六七八'[place - 1]}位" in cargo
    # The ports' bars are the quarter's, the port's own among them.
    bars = _chart(page.text, "stats-bars-data")
    assert bars["title"] == "2026年第三季度（7—8月份）"
    assert dict(zip(bars["codes"], bars["y"], strict=True))["CNTAO"] == round(mine / 1e4, 4)
    # The download carries the quarter beside the month and the year to date.
    table = client.get("/stats?month=2026-08&period=quarter&format=csv")
    assert table.status_code == 200
    assert 'filename="stats-CNTAO-2026-08-quarter.csv"' in table.headers["content-disposition"]
    row = next(
        r
        for r in csv.DictReader(io.StringIO(table.text))
        if r["indicator"] == "foreign_trade_cargo"
    )
    assert (row["period"], row["period_first"], row["rank_period"]) == (
        "quarter",
        "2026-07",
        str(place),
    )
    assert Decimal(row["period_value"]) == mine and Decimal(row["period_last_year"]) == base
    assert row["ports_ranked_period"] == str(len(ports))
    assert row["port_name"] == "青岛港"
    english = client.get("/stats?month=2026-08&period=quarter&lang=en")
    assert text_of(english, "period-heading") == "Indicators · Q3 2026 (July–August)"
    assert units.quantity(mine, "t", "en", 4) in texts_of(english, "card-quarter")


def test_ports_are_named_in_the_readers_language(history: ServiceContext) -> None:
    client = signed_in(history, "port_office")
    page = client.get("/stats?month=2026-10&indicator=foreign_trade_cargo")
    bars = _chart(page.text, "stats-bars-data")
    assert bars["x"][0] == "宁波舟山港" and bars["codes"][0] == "CNNGB"
    assert "青岛港" in bars["x"] and not any(code in bars["x"] for code in bars["codes"])
    assert "青岛港" in texts_of(page, "card-port") and 'title="CNTAO">青岛港<' in page.text
    assert "青岛港（CNTAO）" in text_of(page, "kpi-declaration_clearance_minutes-CNTAO")
    bulletin = client.get("/stats/bulletin?month=2026-10")
    assert "青岛港（CNTAO）" in text_of(bulletin, "row-foreign_trade_cargo")
    charts = re.findall(
        r'<script type="application/json" id="(bulletin-chart-\w+-data)">', bulletin.text
    )
    assert _chart(bulletin.text, charts[0])["x"][0] == "宁波舟山港"
    english = client.get("/stats?month=2026-10&lang=en&area=airport&indicator=air_passengers")
    bars = _chart(english.text, "stats-bars-data")
    assert bars["x"][0] == "Shanghai Pudong" and bars["codes"][0] == "PVG"
    assert "Qingdao Jiaodong" in texts_of(english, "card-port")
    bulletin = client.get("/stats/bulletin?month=2026-10&lang=en")
    assert "Qingdao (CNTAO)" in text_of(bulletin, "row-foreign_trade_cargo")
    assert "Ningbo-Zhoushan" in _chart(bulletin.text, charts[0])["x"]


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
