"""Port statistics, pure: indicators and units, months, changes and ranks, the bulletin's Chinese
and English, and the demo's two years of history; every expected value computed by hand."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouan.demo.history import COLUMNS, history_csv, history_rows, ports
from kouan.domain.stats.growth import Change, Rank, change, rank
from kouan.domain.stats.indicators import (
    INDICATORS,
    UNITS,
    canonical_unit,
    combine,
    indicator,
)
from kouan.domain.stats.periods import Month, months
from kouan.domain.stats.units import (
    growth_phrase,
    minutes,
    month_phrase,
    percent,
    quantity,
    quarter_phrase,
    rank_phrase,
    rate,
)

# --- indicators ----------------------------------------------------------------------------------

REQUIRED_UNITS = {
    "foreign_trade_cargo": "t",
    "container_throughput": "TEU",
    "sea_rail_containers": "TEU",
    "ship_calls": "calls",
    "cruise_calls": "calls",
    "cruise_passengers": "persons",
    "air_passengers": "persons",
    "air_passengers_foreign": "persons",
    "flights": "flights",
    "zero_wait_rate": "%",
    "wait_minutes_lost": "minutes",
    "declaration_clearance_minutes": "minutes",
    "passenger_clearance_minutes": "minutes",
}


def test_every_required_indicator_has_its_unit_and_both_languages() -> None:
    for code, unit in REQUIRED_UNITS.items():
        item = indicator(code)
        assert (item.code, item.unit) == (code, unit)
        assert item.name_en and item.name_zh and item.definition_en and item.definition_zh
        assert item.aggregate in ("sum", "mean") and item.place in ("seaport", "airport", "port")


def test_rates_and_durations_are_averaged_counts_are_added() -> None:
    assert indicator("zero_wait_rate").aggregate == "mean"
    assert indicator("declaration_clearance_minutes").aggregate == "mean"
    assert indicator("container_throughput").aggregate == "sum"
    assert combine(indicator("container_throughput"), [100, 250, 50]) == 400
    assert combine(indicator("zero_wait_rate"), [90.0, 96.0]) == 93.0
    assert combine(indicator("flights"), []) is None


def test_airport_indicators_carry_the_airport_code() -> None:
    assert indicator("air_passengers").place == "airport"
    assert indicator("flights").place == "airport"
    assert indicator("foreign_trade_cargo").place == "seaport"


def test_an_unknown_indicator_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="teu_throughput") as raised:
        indicator("teu_throughput")
    assert "container_throughput" in str(raised.value)
    assert "foreign_trade_cargo" in str(raised.value)


def test_units_accept_aliases_of_the_same_magnitude_in_any_case() -> None:
    assert canonical_unit("foreign_trade_cargo", "Tonnes") == "t"
    assert canonical_unit("foreign_trade_cargo", " T ") == "t"
    assert canonical_unit("container_throughput", "teu") == "TEU"
    assert canonical_unit("air_passengers", "Passengers") == "persons"
    assert canonical_unit("declaration_clearance_minutes", "min") == "minutes"
    assert UNITS["foreign_trade_cargo"][0] == "t"
    assert set(UNITS) == set(INDICATORS)


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("foreign_trade_cargo", "万吨"),  # a multiple would need the value scaled
        ("foreign_trade_cargo", "tons"),  # short tons or tonnes: ambiguous
        ("container_throughput", "t"),
        ("air_passengers", "calls"),
        ("zero_wait_rate", "ratio"),
    ],
)
def test_units_of_another_magnitude_or_indicator_are_refused(code: str, unit: str) -> None:
    with pytest.raises(ValueError, match="accepted"):
        canonical_unit(code, unit)


# --- months --------------------------------------------------------------------------------------


def test_a_month_reads_and_writes_yyyy_mm() -> None:
    assert Month.parse("2026-10") == Month(2026, 10)
    assert str(Month(2026, 3)) == "2026-03"
    assert str(Month(987, 1)) == "0987-01"


@pytest.mark.parametrize("text", ["2026-1", "2026-13", "2026-00", "26-10", "2026/10", " 2026-10"])
def test_a_month_written_otherwise_is_refused_naming_value_and_form(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        Month.parse(text)
    assert repr(text) in str(raised.value) and "YYYY-MM" in str(raised.value)


def test_month_arithmetic_crosses_year_ends() -> None:
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 10).shift(-22) == Month(2024, 12)
    assert Month(2026, 10).shift(15) == Month(2028, 1)
    assert Month(2026, 2).same_month_last_year() == Month(2025, 2)
    assert Month(2025, 11) < Month(2026, 2) < Month(2026, 10)


def test_quarters_and_the_year_to_date() -> None:
    assert [Month(2026, m).quarter for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert Month(2026, 8).quarter_months() == [Month(2026, 7), Month(2026, 8), Month(2026, 9)]
    assert Month(2026, 3).year_to_date() == [Month(2026, 1), Month(2026, 2), Month(2026, 3)]
    assert Month(2026, 1).year_to_date() == [Month(2026, 1)]
    assert len(Month(2026, 10).year_to_date()) == 10


def test_a_month_spans_its_days() -> None:
    assert Month(2024, 2).last_day() == date(2024, 2, 29)
    assert Month(2026, 2).last_day() == date(2026, 2, 28)
    assert Month(2026, 12).first_day() == date(2026, 12, 1)
    assert Month(2026, 12).last_day() == date(2026, 12, 31)
    assert Month.of(date(2026, 10, 31)) == Month(2026, 10)
    assert months(Month(2025, 11), Month(2026, 2)) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert months(Month(2026, 2), Month(2026, 1)) == []


def test_an_impossible_month_is_refused() -> None:
    with pytest.raises(ValueError):
        Month(2026, 13)
    with pytest.raises(ValueError):
        Month(2026, True)


month_values = st.builds(Month, st.integers(1000, 9000), st.integers(1, 12))


@given(month_values)
def test_a_month_reads_back_what_it_writes(month: Month) -> None:
    assert Month.parse(str(month)) == month


@given(month_values, st.integers(-5000, 5000))
def test_shifting_there_and_back_returns(month: Month, n: int) -> None:
    assert month.shift(n).shift(-n) == month
    assert month.shift(n).index - month.index == n
    assert (month.shift(n) > month) == (n > 0)


@given(month_values)
def test_a_month_holds_its_days(month: Month) -> None:
    assert Month.of(month.first_day()) == month == Month.of(month.last_day())
    assert month.last_day().toordinal() + 1 == month.next().first_day().toordinal()
    assert month in month.quarter_months() and month == month.year_to_date()[-1]


# --- changes and ranks ---------------------------------------------------------------------------


def test_growth_and_decline() -> None:
    assert change(106.4, 100) == Change(106.4, 100, 0.064, "ok")
    assert change(96.9, 100).ratio == pytest.approx(-0.031)
    assert change(100, 100).ratio == 0


def test_a_year_with_no_previous_data_has_no_ratio() -> None:
    assert change(1500, None) == Change(1500, None, None, "no_base")
    assert change(None, 1500) == Change(None, 1500, None, "no_current")
    assert change(None, None).note == "no_current"


def test_a_zero_base_cannot_be_divided() -> None:
    assert change(12, 0) == Change(12, 0, None, "zero_base")
    assert change(0, 0) == Change(0, 0, None, "both_zero")
    assert change(0, 12) == Change(0, 12, -1.0, "ok")


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_a_negative_or_broken_figure_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        change(bad, 100)
    with pytest.raises(ValueError):
        change(100, bad)


def test_rank_is_highest_first_with_ties_sharing_a_place() -> None:
    values = {"CNNGB": 600.0, "CNSHA": 500.0, "CNTAO": 500.0, "CNTSN": 300.0, "CNXMN": None}
    assert rank(values, "CNNGB") == Rank(1, 4, False)
    assert rank(values, "CNTAO") == Rank(2, 4, True)
    assert rank(values, "CNSHA") == Rank(2, 4, True)
    assert rank(values, "CNTSN") == Rank(4, 4, False)  # 1, 2, 2, 4: no third
    assert rank(values, "CNXMN") is None
    assert rank(values, "CNDLC") is None


# --- quantities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (180_000_000, "t", "1.8亿吨", "180 million tonnes"),
        (23_500_000, "TEU", "2350万标箱", "23.5 million TEU"),
        (23_456_789, "TEU", "2346万标箱", "23.5 million TEU"),  # whole 万 are kept
        (456_000, "persons", "45.6万人次", "456,000 passengers"),
        (12_345, "calls", "1.23万艘次", "12,345 calls"),
        (1_234_567, "persons", "123万人次", "1.23 million passengers"),
        (9_999, "persons", "9999人次", "9,999 passengers"),
        (10_000, "persons", "1万人次", "10,000 passengers"),
        (9_999.7, "t", "1万吨", "10,000 tonnes"),  # rounds up into the next unit
        (99_950, "persons", "10万人次", "99,950 passengers"),
        (99_949, "persons", "9.99万人次", "99,949 passengers"),
        (99_995_000, "t", "1亿吨", "100 million tonnes"),
        (999_999.6, "t", "100万吨", "1 million tonnes"),
        (2_500_000_000, "t", "25亿吨", "2.5 billion tonnes"),
        (1, "flights", "1架次", "1 flight"),
        (312, "flights", "312架次", "312 flights"),
        (0, "TEU", "0标箱", "0 TEU"),
        (0.0004, "t", "0.0004吨", "0.0004 tonnes"),
        (2.675, "t", "2.68吨", "2.68 tonnes"),  # as printed, not 2.67499999...
    ],
)
def test_quantities_as_a_bulletin_writes_them(value: float, unit: str, zh: str, en: str) -> None:
    assert quantity(value, unit, "zh") == zh
    assert quantity(value, unit, "en") == en


def test_rounding_is_half_away_from_zero_not_bankers() -> None:
    assert quantity(0.125, "t", "zh", digits=2) == "0.13吨"
    assert quantity(0.125, "t", "en", digits=2) == "0.13 tonnes"
    assert quantity(0.135, "t", "zh", digits=2) == "0.14吨"
    assert quantity(12_500, "persons", "zh", digits=2) == "1.3万人次"
    assert quantity(183_456_789, "t", "zh", digits=4) == "1.835亿吨"
    assert quantity(183_456_789, "t", "zh", digits=1) == "2亿吨"


def test_quantities_take_the_unit_s_aliases_and_refuse_others() -> None:
    assert quantity(456_000, "passengers", "zh") == "45.6万人次"
    assert quantity(6.25, "min", "en") == "6.3 minutes"
    assert quantity(98.5, "%", "zh") == "98.5%"
    with pytest.raises(ValueError, match="unknown unit"):
        quantity(1, "kg", "zh")
    with pytest.raises(ValueError, match="language"):
        quantity(1, "t", "fr")
    with pytest.raises(ValueError, match="digits"):
        quantity(1, "t", "zh", digits=0)


@given(
    st.floats(min_value=1e-9, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.sampled_from(["t", "TEU", "persons", "calls", "flights"]),
    st.sampled_from(["zh", "en"]),
    st.integers(1, 6),
)
def test_a_figure_that_is_not_zero_never_shows_as_zero(
    value: float, unit: str, lang: str, digits: int
) -> None:
    shown = quantity(value, unit, lang, digits)
    number = shown.split(" ")[0] if lang == "en" else shown.rstrip("吨标箱人次艘架万亿")
    assert any(ch in "123456789" for ch in number), shown


@given(st.integers(1, 10**13))
def test_a_chinese_figure_is_never_more_than_four_whole_digits_in_its_unit(value: int) -> None:
    shown = quantity(value, "t", "zh").removesuffix("吨").rstrip("万亿")
    # From 9999.5亿 on, the figure rounds to 10000亿: there is no larger unit in use.
    assert len(shown.split(".")[0]) <= 4 or value >= 9999.5e8, shown


# --- percentages and changes in words ------------------------------------------------------------


def test_percentages_keep_one_decimal_and_never_show_zero_for_a_change() -> None:
    assert percent(0.064) == "6.4%"
    assert percent(0.06) == "6.0%"
    assert percent(0.064, signed=True) == "+6.4%"
    assert percent(-0.031, signed=True) == "-3.1%"
    assert percent(-0.031) == "-3.1%"
    assert percent(0.0645) == "6.5%"  # half away from zero
    assert percent(-0.0645) == "-6.5%"
    assert percent(0.0004) == "0.04%"
    assert percent(0) == "0.0%"
    assert percent(0.12345, "en", decimals=2) == "12.35%"


def test_a_rate_below_100_never_shows_as_100() -> None:
    assert rate(98.54) == "98.5%"
    assert rate(99.96) == "99.96%"
    assert rate(100) == "100.0%"
    assert rate(0.02) == "0.02%"


def test_changes_in_words_in_both_languages() -> None:
    up, down = change(106.4, 100), change(96.9, 100)
    assert growth_phrase(up, "zh") == "同比增长6.4%"
    assert growth_phrase(down, "zh") == "同比下降3.1%"
    assert growth_phrase(change(100, 100), "zh") == "同比持平"
    assert growth_phrase(up, "en") == "up 6.4% year on year"
    assert growth_phrase(down, "en") == "down 3.1% year on year"
    assert growth_phrase(change(100, 100), "en") == "unchanged year on year"
    assert growth_phrase(up, "zh", basis="month") == "环比增长6.4%"
    assert growth_phrase(down, "en", basis="month") == "down 3.1% month on month"


def test_a_change_that_rounds_at_the_half_rounds_as_by_hand() -> None:
    # 106.45 / 100 - 1 in floats is 0.06449999...; by hand it is 6.45%, shown 6.5%.
    assert growth_phrase(change(106.45, 100), "zh") == "同比增长6.5%"


def test_changes_without_a_ratio_say_why() -> None:
    assert growth_phrase(change(5, None), "zh") == "上年同期无数据"
    assert growth_phrase(change(5, None), "en") == "no figure for the same period last year"
    assert growth_phrase(change(5, None), "zh", basis="month") == "上月无数据"
    assert growth_phrase(change(5, None), "en", basis="month") == "no figure for the previous month"
    assert growth_phrase(change(5, 0), "zh") == "上年同期为零"
    assert growth_phrase(change(5, 0), "en") == "none in the same period last year"
    assert growth_phrase(change(0, 0), "zh") == "同比持平"
    assert growth_phrase(change(None, 5), "en") == "no figure for this period"
    with pytest.raises(ValueError, match="basis"):
        growth_phrase(change(1, 1), "zh", basis="quarter")


def test_ranks_in_words() -> None:
    assert rank_phrase(Rank(3, 8, False), "zh") == "居全国第三位"
    assert rank_phrase(Rank(10, 12, False), "zh") == "居全国第十位"
    assert rank_phrase(Rank(11, 12, False), "zh") == "居全国第11位"
    assert rank_phrase(Rank(2, 8, True), "zh") == "并列全国第二位"
    assert rank_phrase(Rank(3, 8, False), "en") == "third in the country"
    assert rank_phrase(Rank(2, 8, True), "en") == "joint second in the country"
    assert rank_phrase(Rank(11, 30, False), "en") == "11th in the country"
    assert rank_phrase(Rank(22, 30, False), "en") == "22nd in the country"
    assert rank_phrase(Rank(23, 30, False), "en") == "23rd in the country"
    assert rank_phrase(Rank(21, 30, False), "en") == "21st in the country"
    assert rank_phrase(Rank(112, 130, False), "en") == "112th in the country"
    assert rank_phrase(None, "zh") == "全国排名无数据"


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (6.25, "6.3分钟", "6.3 minutes"),
        (6.0, "6分钟", "6 minutes"),
        (1, "1分钟", "1 minute"),
        (0.7, "42秒", "42 seconds"),
        (1 / 60, "1秒", "1 second"),
        (0.005, "不到1秒", "under a second"),  # 0.3 s
        (0.9999, "1分钟", "1 minute"),  # 59.994 s rounds to a minute
        (59.96, "1小时", "1 hour"),
        (1530, "25.5小时", "25.5 hours"),
        (0, "0分钟", "0 minutes"),
    ],
)
def test_durations(value: float, zh: str, en: str) -> None:
    assert minutes(value, "zh") == zh
    assert minutes(value, "en") == en


@given(st.floats(min_value=1e-12, max_value=1e6, allow_nan=False))
def test_a_duration_that_is_not_zero_never_shows_as_zero(value: float) -> None:
    for lang in ("zh", "en"):
        shown = minutes(value, lang)
        assert not shown.startswith("0"), shown


def test_periods_in_words() -> None:
    october = Month(2026, 10)
    assert month_phrase(october, "zh") == "10月份"
    assert month_phrase(october, "zh", year_to_date=True) == "截至10月份"
    assert month_phrase(october, "zh", year_to_date=True, with_year=True) == "截至2026年10月份"
    assert month_phrase(october, "en") == "October 2026"
    assert month_phrase(october, "en", year_to_date=True) == "January–October 2026"
    assert month_phrase(Month(2026, 1), "zh", year_to_date=True) == "1月份"
    assert month_phrase(Month(2026, 1), "en", year_to_date=True) == "January 2026"


def test_quarters_in_words() -> None:
    assert quarter_phrase(Month(2026, 10), "zh") == "2026年第四季度"
    assert quarter_phrase(Month(2026, 10), "en") == "Q4 2026"
    assert quarter_phrase(Month(2026, 2), "zh", with_year=False) == "第一季度"
    assert quarter_phrase(Month(2026, 2), "en", with_year=False) == "Q1"
    assert quarter_phrase(Month(2026, 11), "en", to_date=True, with_year=False) == (
        "Q4 (October–November)"
    )
    # To date: the months of the quarter so far, until the quarter is whole.
    assert quarter_phrase(Month(2026, 10), "zh", to_date=True) == "2026年第四季度（10月份）"
    assert quarter_phrase(Month(2026, 10), "en", to_date=True) == "Q4 2026 (October)"
    assert quarter_phrase(Month(2026, 8), "zh", to_date=True) == "2026年第三季度（7—8月份）"
    assert quarter_phrase(Month(2026, 8), "en", to_date=True) == "Q3 2026 (July–August)"
    assert quarter_phrase(Month(2026, 6), "zh", to_date=True) == "2026年第二季度"
    assert quarter_phrase(Month(2026, 12), "en", to_date=True) == "Q4 2026"
    with pytest.raises(ValueError, match="language"):
        quarter_phrase(Month(2026, 10), "fr")


@given(st.integers(2000, 2099), st.integers(1, 12))
def test_every_quarter_phrase_names_its_quarter_and_year(year: int, month: int) -> None:
    m = Month(year, month)
    for to_date in (False, True):
        zh = quarter_phrase(m, "zh", to_date=to_date)
        en = quarter_phrase(m, "en", to_date=to_date)
        assert zh.startswith(f"{year}年第{'一二三四'[m.quarter - 1]}季度")
        assert en.startswith(f"Q{m.quarter} {year}")


# --- the demo's history --------------------------------------------------------------------------

LAST = Month(2026, 10)
SEAPORTS = {"CNTAO", "CNSHA", "CNSZX", "CNNGB", "CNCAN", "CNTSN", "CNDLC", "CNXMN"}
AIRPORTS = {"TAO", "PVG", "SZX", "NGB", "CAN", "TSN", "DLC", "XMN"}


def _by_port(rows: list, code: str, periods: set[str]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        if row["indicator"] == code and row["period"] in periods:
            totals[row["port"]] += row["value"]
    return dict(totals)


def test_history_is_deterministic_two_years_ending_with_the_last_month() -> None:
    rows = history_rows(LAST)
    assert rows == history_rows(LAST)
    periods = sorted({row["period"] for row in rows})
    assert periods == [str(m) for m in months(Month(2024, 11), LAST)]
    assert all(set(row) == set(COLUMNS) for row in rows)


def test_history_covers_every_port_and_indicator_every_month() -> None:
    rows = history_rows(LAST)
    assert {p.locode for p in ports()} == SEAPORTS
    for period in {row["period"] for row in rows}:
        month_rows = [row for row in rows if row["period"] == period]
        seen = {(row["port"], row["indicator"]) for row in month_rows}
        for code in ("foreign_trade_cargo", "container_throughput", "ship_calls", "cruise_calls"):
            assert {port for port, c in seen if c == code} == SEAPORTS
        assert {port for port, c in seen if c == "air_passengers"} == AIRPORTS
        assert "CNTAO" in {port for port, c in seen if c == "sea_rail_containers"}
    assert all(row["unit"] == indicator(row["indicator"]).unit for row in rows)
    assert all(isinstance(row["value"], int) and row["value"] >= 0 for row in rows)


def test_a_month_s_figure_does_not_depend_on_the_last_month_asked() -> None:
    later = {
        (r["period"], r["port"], r["indicator"]): r["value"] for r in history_rows(LAST.next())
    }
    for row in history_rows(LAST):
        if row["period"] != "2024-11":
            assert later[(row["period"], row["port"], row["indicator"])] == row["value"]


def test_history_has_realistic_magnitudes_growth_and_the_spring_festival_dip() -> None:
    rows = history_rows(LAST)
    ytd = {str(m) for m in LAST.year_to_date()}
    ytd_before = {str(m) for m in LAST.same_month_last_year().year_to_date()}
    cargo = _by_port(rows, "foreign_trade_cargo", ytd)
    teu = _by_port(rows, "container_throughput", {str(LAST)})
    assert 3.0e8 < cargo["CNTAO"] < 4.5e8  # a few hundred million tonnes a year to October
    assert 2.0e6 < teu["CNTAO"] < 3.0e6 and 3.8e6 < teu["CNSHA"] < 5.2e6
    growth = change(cargo["CNTAO"], _by_port(rows, "foreign_trade_cargo", ytd_before)["CNTAO"])
    assert growth.ratio is not None and 0.01 < growth.ratio < 0.10
    february = _by_port(rows, "foreign_trade_cargo", {"2026-02"})["CNTAO"]
    march = _by_port(rows, "foreign_trade_cargo", {"2026-03"})["CNTAO"]
    assert february < 0.92 * march


def test_qingdao_is_third_in_foreign_trade_cargo_every_month_and_year_to_date() -> None:
    rows = history_rows(LAST)
    for month in months(LAST.shift(-23), LAST):
        assert rank(_by_port(rows, "foreign_trade_cargo", {str(month)}), "CNTAO") == Rank(
            3, 8, False
        )
    ytd = _by_port(rows, "foreign_trade_cargo", {str(m) for m in LAST.year_to_date()})
    assert rank_phrase(rank(ytd, "CNTAO"), "zh") == "居全国第三位"
    sea_rail = _by_port(rows, "sea_rail_containers", {str(LAST)})
    assert rank(sea_rail, "CNTAO") == Rank(1, len(sea_rail), False)


def test_history_csv_reads_back_as_the_rows() -> None:
    rows = history_rows(LAST)
    text = history_csv(rows)
    assert text.splitlines()[0] == "period,port,indicator,value,unit"
    read = list(csv.DictReader(io.StringIO(text)))
    assert len(read) == len(rows)
    assert read[0] == {key: str(value) for key, value in rows[0].items()}
    assert all(Month.parse(row["period"]) for row in read)
