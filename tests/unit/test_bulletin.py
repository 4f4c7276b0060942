"""The bulletin's sentences from figures built in memory: the year to date, its growth and rank,
the clearance KPIs, the same in English, a period without figures, and the ports named in the
table and the charts in the bulletin's language."""

from __future__ import annotations

import re
from collections.abc import Callable

from kouan.domain.identifiers import port_name
from kouan.domain.stats.indicators import INDICATORS
from kouan.domain.stats.periods import Month, months
from kouan.reports import bulletin as bl
from kouan.reports import svg
from kouan.reports.gather import SPAN, Line, ports_for
from kouan.services.stats.figures import Figure

OCTOBER = Month(2026, 10)
QINGDAO = ports_for("CNTAO")


def _line(
    code: str,
    value: Callable[[Month], float | None],
    peers: dict[str, float] | None = None,
    port: str = "CNTAO",
    area: str = "seaport",
) -> Line:
    series = []
    for month in months(OCTOBER.shift(1 - SPAN), OCTOBER):
        v = value(month)
        series.append(Figure(month, v, None if v is None else "imported", None, v))
    ytd = [f.value for f in series if f.month.year == 2026 and f.value is not None]
    base = [f.value for f in series if f.month.year == 2025 and f.month.month <= 10 and f.value]
    mean = INDICATORS[code].aggregate == "mean"
    return Line(
        item=INDICATORS[code],
        port=port,
        area=area,  # type: ignore[arg-type]
        month=OCTOBER,
        series=series,
        ytd=(sum(ytd) / len(ytd) if mean else sum(ytd)) if ytd else None,
        ytd_base=(sum(base) / len(base) if mean else sum(base)) if base else None,
        peers={port: sum(ytd), **(peers or {})} if peers else {},
        peers_month={},
    )


def _cargo() -> Line:
    # 36.0 Mt a month in 2025, 38.232 Mt in 2026: 382.32 Mt to October, 6.2% more.
    return _line(
        "foreign_trade_cargo",
        lambda m: 36_000_000 if m.year == 2025 else 38_232_000,
        peers={"CNSHA": 600e6, "CNNGB": 500e6, "CNTSN": 100e6},
    )


def _containers() -> Line:
    # 2.0 million TEU a month in 2025, 1.9 in 2026: down 5.0%; second of three, tied.
    return _line(
        "container_throughput",
        lambda m: 2_000_000 if m.year == 2025 else 1_900_000,
        peers={"CNSHA": 40e6, "CNNGB": 19e6},
    )


def test_the_year_to_date_its_growth_and_its_rank_in_chinese() -> None:
    b = bl.compose(QINGDAO, OCTOBER, "zh", [_cargo(), _containers()])
    assert b.paragraphs == [
        "截至2026年10月份，我市海港口岸外贸货物吞吐量实现3.82亿吨，同比增长6.2%，"
        "居全国第三位；集装箱吞吐量完成1900万标箱，同比下降5.0%，并列全国第二位。"
    ]
    cargo = b.rows[0]
    assert (cargo.month, cargo.ytd, cargo.yoy_month, cargo.yoy_ytd, cargo.rank) == (
        "3823万吨",
        "3.823亿吨",
        "+6.2%",
        "+6.2%",
        "第3位（4个口岸）",
    )
    assert [c.bars[0][0] for c in b.charts] == ["上海港", "上海港"]
    assert [c.codes[0] for c in b.charts] == ["CNSHA", "CNSHA"]
    assert (cargo.port, cargo.port_name, cargo.port_label) == ("CNTAO", "青岛港", "青岛港（CNTAO）")


def test_the_same_in_english() -> None:
    b = bl.compose(QINGDAO, OCTOBER, "en", [_cargo(), _containers()])
    assert b.paragraphs == [
        "In January–October 2026, at Qingdao's seaport, foreign-trade cargo throughput reached "
        "382 million tonnes, up 6.2% year on year, ranking third in the country; container "
        "throughput reached 19 million TEU, down 5.0% year on year, ranking joint second in the "
        "country."
    ]


def test_airport_and_clearance_kpis_follow_the_seaport() -> None:
    passengers = _line(
        "air_passengers",
        lambda m: 100_000 if m.year == 2025 else 112_000,
        port="TAO",
        area="airport",
    )
    zero_wait = _line("zero_wait_rate", lambda m: 97.0 if m.year == 2025 else 98.5)
    minutes = _line("declaration_clearance_minutes", lambda m: None if m.year == 2025 else 42.0)
    found = [_cargo(), passengers, zero_wait, minutes]
    zh = bl.compose(QINGDAO, OCTOBER, "zh", found).paragraphs[0]
    assert zh.endswith(
        "我市航空口岸出入境旅客实现112万人次，同比增长12.0%。"
        "通关效率方面，船舶“零待时”率98.5%，同比提高1.5个百分点；"
        "报关单通关时间42分钟，上年同期无数据。"
    )
    en = bl.compose(QINGDAO, OCTOBER, "en", found).paragraphs[0]
    assert en.endswith(
        "At Qingdao's airport, international air passengers reached 1.12 million passengers, up "
        "12.0% year on year. On clearance, zero-wait rate 98.5%, up 1.5 percentage points year "
        "on year; declaration clearance time 42 minutes, no figure for the same period last year."
    )


def test_a_period_without_figures_says_so_in_each_language() -> None:
    nothing = [_line("foreign_trade_cargo", lambda m: None)]
    zh = bl.compose(QINGDAO, OCTOBER, "zh", nothing)
    assert zh.empty and zh.paragraphs == ["截至2026年10月份，我市口岸无统计数据。"]
    en = bl.compose(QINGDAO, OCTOBER, "en", nothing)
    assert en.paragraphs == ["There are no statistics for Qingdao for January–October 2026."]
    assert "There are no statistics" in bl.to_markdown(en)
    assert "主要指标" not in bl.to_markdown(zh)


def test_ports_are_named_in_the_bulletins_language_with_their_code() -> None:
    passengers = _line(
        "air_passengers",
        lambda m: 100_000 if m.year == 2025 else 112_000,
        peers={"PVG": 30e6, "XYZ": 1e6},
        port="TAO",
        area="airport",
    )
    found = [_cargo(), passengers]
    zh = bl.compose(QINGDAO, OCTOBER, "zh", found)
    en = bl.compose(QINGDAO, OCTOBER, "en", found)
    cargo_zh, cargo_en = zh.charts[0], en.charts[0]
    assert [label for label, _, _ in cargo_zh.bars] == ["上海港", "宁波舟山港", "青岛港", "天津港"]
    assert [label for label, _, _ in cargo_en.bars] == [
        "Shanghai",
        "Ningbo-Zhoushan",
        "Qingdao",
        "Tianjin",
    ]
    assert cargo_zh.codes == cargo_en.codes == ["CNSHA", "CNNGB", "CNTAO", "CNTSN"]
    # An airport by its name, and a port Kouan has no name of by its code.
    air = en.charts[1]
    assert [label for label, _, _ in air.bars] == ["Shanghai Pudong", "Qingdao Jiaodong", "XYZ"]
    assert zh.charts[1].bars[0][0] == "上海浦东国际机场"
    markdown_zh, markdown_en = bl.to_markdown(zh), bl.to_markdown(en)
    assert "| 外贸货物吞吐量（青岛港，CNTAO） |" in markdown_zh
    assert "| 航空口岸出入境旅客（青岛胶东国际机场，TAO） |" in markdown_zh
    assert "| Foreign-trade cargo throughput (Qingdao, CNTAO) |" in markdown_en
    html = bl.to_html(zh)
    assert "青岛港（CNTAO）" in html and "<title>CNNGB</title>" in html
    assert ">宁波舟山港</text>" in html
    # The names add no digit (the integration test reads every number back from the text).
    for chart in zh.charts + en.charts:
        assert not any(re.search(r"\d", label) for label, _, _ in chart.bars)


def test_the_port_name_falls_back_to_the_code() -> None:
    assert port_name("CNNGB", "zh") == "宁波舟山港"
    assert port_name("CNNGB", "en") == "Ningbo-Zhoushan"
    assert port_name("pvg", "zh") == "上海浦东国际机场"
    assert port_name("PVG", "en") == "Shanghai Pudong"
    assert port_name("cn yNT", "zh") == "烟台港"
    assert port_name("CNZZZ", "zh") == port_name("CNZZZ", "en") == "CNZZZ"


def test_two_codes_of_one_port_keep_their_codes_on_the_bars() -> None:
    assert bl.bar_labels(["CNTAO", "CNQIN", "CNSHA", "XYZ"], "zh") == [
        "青岛港 CNTAO",
        "青岛港 CNQIN",
        "上海港",
        "XYZ",
    ]


def test_the_svg_bars_make_room_for_long_names() -> None:
    short = svg.bar_chart("t", [("CNTAO", 1.0, True)])
    long = svg.bar_chart("t", [("青岛胶东国际机场", 1.0, True)], codes=["TAO"])
    assert '<text x="64" y="42" text-anchor="end"' in short and "<title>" not in short
    assert '<text x="102" y="42" text-anchor="end"' in long and "<title>TAO</title>" in long
