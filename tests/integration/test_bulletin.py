"""The bulletin from the demo's imported history: every number of the Chinese and the English
text read back and found in the source rows (sums, growth and ranks computed here, apart from
the formatter) within the rounding shown; the PDF rendered with its CJK font; the command line.

No PDF text extractor is installed (neither pypdf nor pdftotext): the PDF's text is checked in
WeasyPrint's own layout of the document that was written, its pages counted, and its fonts read
from an uncompressed copy.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from kouan.cli import app
from kouan.config import get_settings
from kouan.demo.history import HistoryRow
from kouan.domain.stats.indicators import INDICATORS
from kouan.reports import bulletin as bl
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from tests.reports_history import LAST, import_history

ZH_NUMERALS = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}
EN_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ]
    )
}
ZH_SCALES = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "": Decimal(1)}
EN_SCALES = {" billion": Decimal(10) ** 9, " million": Decimal(10) ** 6, "": Decimal(1)}


class Truth:
    """What the rows say, computed without the formatter: each port's sum of a year's months up
    to October, the growth and the rank."""

    def __init__(self, rows: list[HistoryRow]) -> None:
        self.sums: dict[tuple[str, str, int], int] = defaultdict(int)
        for row in rows:
            year, month = map(int, row["period"].split("-"))
            if month <= LAST.month:
                self.sums[(row["indicator"], row["port"], year)] += row["value"]

    def ytd(self, code: str, port: str, year: int = LAST.year) -> int:
        return self.sums[(code, port, year)]

    def growth_pct(self, code: str, port: str) -> Decimal:
        now, base = self.ytd(code, port), self.ytd(code, port, LAST.year - 1)
        return (Decimal(now) / Decimal(base) - 1) * 100

    def rank(self, code: str, port: str) -> int:
        mine = self.ytd(code, port)
        others = [v for (c, _, y), v in self.sums.items() if c == code and y == LAST.year]
        return 1 + sum(1 for v in others if v > mine)


def _half_unit(number: str) -> Decimal:
    """Half a unit of the last digit written."""
    digits = number.split(".")[1] if "." in number else ""
    return Decimal("0.5") * Decimal(10) ** -len(digits)


def _close(shown: str, scale: Decimal, truth: int | Decimal) -> bool:
    value = Decimal(shown.replace(",", "")) * scale
    return abs(value - Decimal(truth)) <= _half_unit(shown.replace(",", "")) * scale


ZH_CLAUSE = re.compile(
    r"(?P<name>[^，；。\d]+?)(?:实现|完成)?(?P<n>\d+(?:\.\d+)?)(?P<scale>亿|万)?"
    r"(?P<unit>吨|标箱|人次|艘次|架次)，同比(?P<dir>增长|下降)(?P<pct>\d+\.\d)%"
    r"(?:，(?P<tied>并列|居)全国第(?P<rank>[一二三四五六七八九十]|\d+)位)?"
)
EN_CLAUSE = re.compile(
    r"(?P<name>[a-z][a-z -]+?) reached (?P<n>[\d,]+(?:\.\d+)?)(?P<scale> million| billion)? "
    r"(?P<unit>tonnes|TEU|passengers|calls|flights), (?P<dir>up|down) (?P<pct>\d+\.\d)% year on "
    r"year(?:, ranking (?P<tied>joint )?(?P<rank>\w+) in the country)?"
)


def _code(name: str, lang: str) -> str:
    for code, item in INDICATORS.items():
        if lang == "zh" and name.endswith(item.name_zh.removeprefix("航空口岸")):
            return code
        if lang == "en" and name.strip().lower() == item.name_en.lower():
            return code
    raise AssertionError(f"no indicator is called {name!r}")


def _check_text(text: str, lang: str, truth: Truth) -> set[str]:
    pattern, scales = (ZH_CLAUSE, ZH_SCALES) if lang == "zh" else (EN_CLAUSE, EN_SCALES)
    seen = set()
    rest = text
    for found in pattern.finditer(text):
        code = _code(found["name"], lang)
        port = "TAO" if INDICATORS[code].place == "airport" else "CNTAO"
        assert _close(found["n"], scales[found["scale"] or ""], truth.ytd(code, port)), found[0]
        growth = truth.growth_pct(code, port)
        sign = 1 if found["dir"] in ("增长", "up") else -1
        assert abs(sign * Decimal(found["pct"]) - growth) <= Decimal("0.05"), (found[0], growth)
        if found["rank"]:
            said = found["rank"]
            place = ZH_NUMERALS.get(said) or EN_ORDINALS.get(said) or int(re.sub(r"\D", "", said))
            assert place == truth.rank(code, port), found[0]
        seen.add(code)
        rest = rest.replace(found[0], "")
    # Every number of the text was read back: only the period's year and month are left.
    left = re.findall(r"\d+", rest)
    assert left == ["2026", "10"] if lang == "zh" else left == ["2026"], (left, rest)
    return seen


@pytest.fixture
def history(ctx: ServiceContext) -> tuple[ServiceContext, Truth]:
    return ctx, Truth(import_history(ctx))


def test_every_number_of_the_text_is_in_the_imported_rows(
    history: tuple[ServiceContext, Truth],
) -> None:
    ctx, truth = history
    reported = {code for (code, port, year) in truth.sums if port in ("CNTAO", "TAO")}
    for lang in ("zh", "en"):
        b = bl.bulletin(ctx, SYSTEM, "CNTAO", str(LAST), lang)
        assert len(b.paragraphs) == 1
        assert _check_text(b.paragraphs[0], lang, truth) == reported


def test_every_figure_of_the_table_is_in_the_imported_rows(
    history: tuple[ServiceContext, Truth],
) -> None:
    ctx, truth = history
    b = bl.bulletin(ctx, SYSTEM, "CNTAO", str(LAST), "zh")
    cell = re.compile(r"(\d+(?:\.\d+)?)(亿|万)?(?:吨|标箱|人次|艘次|架次)")
    for row in b.rows:
        ytd = cell.fullmatch(row.ytd or "")
        assert ytd, row
        assert _close(ytd[1], ZH_SCALES[ytd[2] or ""], truth.ytd(row.code, row.port)), row
        growth = truth.growth_pct(row.code, row.port)
        assert abs(Decimal((row.yoy_ytd or "").rstrip("%")) - growth) <= Decimal("0.05"), row
        position = re.fullmatch(r"第(\d+)位（(\d+)个口岸）", row.rank or "")
        assert position and int(position[1]) == truth.rank(row.code, row.port), row
        assert row.port_name == {"CNTAO": "青岛港", "TAO": "青岛胶东国际机场"}[row.port], row


def test_the_ports_are_named_and_their_names_add_no_number(
    history: tuple[ServiceContext, Truth],
) -> None:
    ctx, truth = history
    for lang, seaport, first, names in (
        ("zh", "青岛港（CNTAO）", "宁波舟山港", {"上海港", "深圳港", "广州港", "上海浦东国际机场"}),
        ("en", "Qingdao (CNTAO)", "Ningbo-Zhoushan", {"Shanghai", "Guangzhou", "Shanghai Pudong"}),
    ):
        b = bl.bulletin(ctx, SYSTEM, "CNTAO", str(LAST), lang)
        labels = {label for chart in b.charts for label, _, _ in chart.bars}
        assert {first, *names} <= labels, labels
        assert not any(re.search(r"\d", label) for label in labels)
        assert all(code not in labels for chart in b.charts for code in chart.codes)
        cargo = next(r for r in b.rows if r.code == "foreign_trade_cargo")
        assert cargo.port_label == seaport
        html = bl.to_html(b)
        assert seaport in html and f">{first}</text>" in html and "<title>CNNGB</title>" in html
        # The bars are each port's own year to date, in the order of the figures.
        chart = next(c for c in b.charts if c.code == "foreign_trade_cargo")
        assert chart.codes == sorted(
            chart.codes, key=lambda p: -truth.ytd("foreign_trade_cargo", p)
        )


def test_the_pdf_is_printed_with_its_text_and_the_cjk_font(
    history: tuple[ServiceContext, Truth],
) -> None:
    from weasyprint import HTML

    ctx, _ = history
    b = bl.bulletin(ctx, SYSTEM, "CNTAO", str(LAST), "zh")
    pdf = bl.to_pdf(b)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    document = HTML(string=bl.to_html(b, for_pdf=True)).render()
    assert 1 <= len(document.pages) <= 4

    def texts(box: object) -> list[str]:
        found = [box.text] if type(box).__name__ == "TextBox" else []  # type: ignore[attr-defined]
        for child in getattr(box, "children", None) or []:
            found += texts(child)
        return found

    laid_out = "".join(t for page in document.pages for t in texts(page._page_box))
    assert b.paragraphs[0] in laid_out
    assert "主要指标" in laid_out and "外贸货物吞吐量" in laid_out
    plain = document.write_pdf(uncompressed_pdf=True)
    assert re.search(rb"/Count %d\b" % len(document.pages), plain)
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([^\s/]+)", plain))
    assert fonts and all(font.startswith(b"WenQuanYi") for font in fonts), fonts


def _invoke(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Result:
    monkeypatch.setenv("KOUAN_DATABASE_URL", url)
    monkeypatch.setenv("KOUAN_AUDIT_KEY", "bulletin-test-key-" + "x" * 32)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def test_the_command_line_writes_each_format(
    history: tuple[ServiceContext, Truth],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    base = ("report", "bulletin", "--period", "2026-10", "--port", "CNTAO")
    md = _invoke(monkeypatch, database_url, *base, "--lang", "zh", "--format", "md")
    assert md.exit_code == 0, md.output
    assert "截至2026年10月份，我市海港口岸外贸货物吞吐量实现3.86亿吨" in md.stdout
    out = tmp_path / "b.pdf"
    pdf = _invoke(monkeypatch, database_url, *base, "--format", "pdf", "--out", str(out))
    assert pdf.exit_code == 0 and out.read_bytes().startswith(b"%PDF-")
    html = _invoke(monkeypatch, database_url, *base, "--lang", "en", "--format", "html")
    assert "<svg" in html.stdout and "In January–October 2026" in html.stdout
    assert "<script" not in html.stdout
    empty = _invoke(monkeypatch, database_url, "report", "bulletin", "--period", "2019-03",
                    "--lang", "en")  # fmt: skip
    assert "There are no statistics for Qingdao for January–March 2019." in empty.stdout
    bad = _invoke(monkeypatch, database_url, "report", "bulletin", "--period", "2026-1")
    assert bad.exit_code == 2 and "--period" in bad.output
