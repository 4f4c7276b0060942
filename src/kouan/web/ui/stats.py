"""The port office's statistics: the dashboard of indicators (cards with the month, the quarter
or the year to date, year on year, month on month, the national rank of the period chosen and a
sparkline; a time series and the ports' bars drawn by the bundled plotly.js, served by the
clearance module), the Time Release Study and the monthly bulletin; each with its downloads (CSV,
XLSX; Markdown, PDF). Ports are named in the reader's language, their code beside the name.

Every parameter is checked before anything is read: a bad one shows the page again with 422,
the field named and the value typed.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kouan.domain.declaration import Lane
from kouan.domain.errors import DomainError
from kouan.domain.identifiers import port_name
from kouan.domain.stats import units
from kouan.domain.stats.growth import Change, Rank
from kouan.domain.stats.indicators import INDICATORS
from kouan.domain.stats.periods import Month
from kouan.reports import bulletin as bulletins
from kouan.reports import gather, svg
from kouan.services.platform.permissions import Action, require
from kouan.services.stats import trs
from kouan.site import PORT_ZONE, site_data
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import csvexport, forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, show
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

# What each parameter expects (shown beside its field, with the value typed).
EXPECT = {
    "month": N_("A month written YYYY-MM, e.g. 2026-10."),
    "period": N_("The month, the quarter to date or the year to date."),
    "area": N_("The seaport, the airport or both."),
    "indicator": N_("One of the indicators listed."),
    "lane": N_("One of the lanes listed."),
    "format": N_("One of the downloads offered."),
    "first": N_("A date, e.g. 2027-05-31, on or before the last day."),
    "last": N_("A date, e.g. 2027-05-31, within a year of the first day."),
    "kind": N_("Declarations or port calls."),
    "office": N_("A UN/LOCODE, e.g. CNTAO."),
    "agency": N_("Customs or inspection and quarantine."),
    "port": N_("A UN/LOCODE (CNTAO) or an airport's IATA code (TAO)."),
}
SOURCE_LABELS = {"computed": N_("Computed from records"), "imported": N_("Imported return")}
AREA_LABELS = {"seaport": N_("Seaport"), "airport": N_("Airport")}
PERIOD_LABELS = {
    "month": N_("The month"),
    "quarter": N_("Quarter to date"),
    "ytd": N_("Year to date"),
}
LANE_LABELS = {
    "green": N_("Green lane"),
    "document": N_("Document review"),
    "inspection": N_("Physical inspection"),
    "e-gate": N_("E-gates"),
    "gangway": N_("Gangway"),
    "counter": N_("Counters"),
}
KIND_LABELS = {"declaration": N_("Declarations"), "port_call": N_("Port calls")}
AGENCY_LABELS = {"CUSTOMS": N_("Customs"), "CIQ": N_("Inspection and quarantine")}
CHART_THIS = N_("Monthly figure")
CHART_YTD = N_("Year to date")
TRS_DAYS = 30
_MAX_TEXT = 40


def _t(lang: str) -> Any:
    return translations(lang).gettext


def _params(request: Request, names: Sequence[str]) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip()[:_MAX_TEXT] for k in names}


def _refused(values: dict[str, str], bad: Mapping[str, str], lang: str) -> FormState | None:
    return forms.refused_by_checks(values, bad, lang) if bad else None


def _month(text: str) -> Month | None:
    try:
        return Month.parse(text)
    except ValueError:
        return None


def _today(ctx: Ctx) -> date:
    """The port's day by the context's clock (the tests move it by hand)."""
    return ctx.clock().astimezone(PORT_ZONE).date()


# --- the dashboard ------------------------------------------------------------------------------


def _dashboard_query(
    request: Request, today: date
) -> tuple[dict[str, Any], dict[str, str], FormState | None]:
    values = _params(request, ("month", "period", "area", "indicator", "lane", "format"))
    bad: dict[str, str] = {}
    month = _month(values["month"]) if values["month"] else Month.of(today).previous()
    if month is None or not 2000 <= month.year <= 2099:
        bad["month"], month = EXPECT["month"], Month.of(today).previous()
    checks = {
        "period": ("", *PERIOD_LABELS),
        "area": ("", "all", *AREA_LABELS),
        "indicator": ("", *INDICATORS),
        "lane": ("", *LANE_LABELS),
        "format": ("", "html", "csv", "xlsx"),
    }
    for name, allowed in checks.items():
        if values[name] not in allowed:
            bad[name] = EXPECT[name]
    query = {
        "month": month,
        "period": values["period"] if values["period"] in PERIOD_LABELS else "ytd",
        "area": values["area"] if values["area"] in AREA_LABELS else "all",
        "indicator": values["indicator"] if values["indicator"] in INDICATORS else "",
        "lane": values["lane"] if values["lane"] in LANE_LABELS else "",
        "format": values["format"] if "format" not in bad else "",
    }
    return query, values, _refused(values, bad, language(request))


def port_label(code: str, lang: str) -> str:
    """A port's name with its code in parentheses ("青岛港（CNTAO）", "Qingdao (CNTAO)"); the code
    alone for a port without a name."""
    named = port_name(code, lang)
    if named == code:
        return code
    return f"{named}（{code}）" if lang == "zh" else f"{named} ({code})"


def _first_month(month: Month, period: str) -> Month:
    """The period's first month: the month itself, its quarter's first, or January."""
    if period == "month":
        return month
    return month.quarter_months()[0] if period == "quarter" else Month(month.year, 1)


def _period_figures(
    line: gather.Line, period: str
) -> tuple[float | None, Change, Rank | None, dict[str, float]]:
    """The period's figure at the port, its change on the same months a year before, its rank
    and every port's figure of it."""
    if period == "month":
        return line.value, line.yoy, line.rank_month, line.peers_month
    if period == "quarter":
        return line.quarter, line.quarter_yoy, line.rank_quarter, line.peers_quarter
    return line.ytd, line.ytd_yoy, line.rank, line.peers


def _card(line: gather.Line, lang: str, period: str) -> dict[str, Any]:
    t = _t(lang)
    unit = line.item.unit
    other = line.other
    other_text = None
    if other is not None:
        difference = bulletins.signed(other.difference) or "—"
        other_text = t(N_("%(source)s: %(value)s (%(difference)s)")) % {
            "source": t(SOURCE_LABELS[other.source]),
            "value": bulletins.shown(other.value, unit, lang, 4),
            "difference": difference,
        }
    _, _, rank, _ = _period_figures(line, period)
    # The card's second figure: the quarter to date when asked, else the year to date.
    kind = "quarter" if period == "quarter" else "ytd"
    total, total_yoy = (
        (line.quarter, line.quarter_yoy) if kind == "quarter" else (line.ytd, line.ytd_yoy)
    )
    return {
        "code": line.code,
        "port": line.port,
        "port_name": port_name(line.port, lang),
        "area": line.area,
        "name": bulletins.name(line.item, lang),
        "definition": line.item.definition_zh if lang == "zh" else line.item.definition_en,
        "value": bulletins.shown(line.value, unit, lang, 4),
        "total_kind": kind,
        "total": bulletins.shown(total, unit, lang, 4),
        "yoy": units.growth_phrase(line.yoy, lang),
        "mom": units.growth_phrase(line.mom, lang, basis="month"),
        "total_yoy": units.growth_phrase(total_yoy, lang),
        "rank": None if rank is None else units.rank_phrase(rank, lang),
        "rank_of": None if rank is None else rank.of,
        "spark": svg.sparkline([f.value for f in line.series]),
        "source": None if line.figure.source is None else t(SOURCE_LABELS[line.figure.source]),
        "other": other_text,
    }


_SCALES = {
    "zh": {"t": 1e4, "TEU": 1e4, "persons": 1e4},
    "en": {"t": 1e6, "TEU": 1e6, "persons": 1e6},
}
_SCALE_WORDS = {
    "zh": {
        "t": "万吨",
        "TEU": "万标箱",
        "persons": "万人次",
        "calls": "艘次",
        "flights": "架次",
        "%": "%",
        "minutes": "分钟",
    },
    "en": {
        "t": "million tonnes",
        "TEU": "million TEU",
        "persons": "million passengers",
        "calls": "calls",
        "flights": "flights",
        "%": "%",
        "minutes": "minutes",
    },
}


def _scaled(value: float | None, unit: str, lang: str) -> float | None:
    if value is None:
        return None
    return round(value / _SCALES[lang].get(unit, 1.0), 4)


def _charts(
    line: gather.Line | None, lang: str, period: str, period_text: str
) -> dict[str, Any] | None:
    """The chosen indicator's 24 months and the ports' figures of the period, by name with the
    code on hover, for plotly (categories only, so that no axis shows an English month or an SI
    letter)."""
    if line is None:
        return None
    t = _t(lang)
    unit = line.item.unit
    _, _, _, peers = _period_figures(line, period)
    ordered = sorted(peers.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "series": {
            "x": [str(f.month) for f in line.series],
            "y": [_scaled(f.value, unit, lang) for f in line.series],
            "name": t(CHART_THIS),
            "yTitle": _SCALE_WORDS[lang][unit],
        },
        "bars": {
            "title": period_text,
            "x": bulletins.bar_labels([port for port, _ in ordered], lang),
            "codes": [port for port, _ in ordered],
            "y": [_scaled(value, unit, lang) for _, value in ordered],
            "mine": [port == line.port for port, _ in ordered],
            "yTitle": _SCALE_WORDS[lang][unit],
        }
        if len(ordered) > 1
        else None,
    }


def _kpi_times(
    ctx: Ctx,
    actor: PageActor,
    month: Month,
    period: str,
    lane: str,
    lang: str,
    areas: tuple[gather.Area, ...] = gather.AREAS,
) -> list[dict[str, Any]]:
    """The median and p90 of each timed KPI over the period at the port areas shown, of one
    lane when asked."""
    first = _first_month(month, period).first_day()
    last = month.last_day()
    ports = gather.ports_for(str(site_data()["port"]))
    out = []
    for code, lanes in gather.LANES.items():
        if lane and lane not in lanes:
            continue
        for area in areas:
            port = ports.code(INDICATORS[code], area)
            # Goods are released at a seaport's code, passengers cross at either.
            if port is None or (code == "declaration_clearance_minutes" and area == "airport"):
                continue
            found = gather.percentiles(ctx, actor, port, code, first, last, lane or None)
            out.append(
                {
                    "code": code,
                    "port": port,
                    "port_label": port_label(port, lang),
                    "name": bulletins.name(INDICATORS[code], lang),
                    "p50": None if found["p50"] is None else units.minutes(found["p50"], lang),
                    "p90": None if found["p90"] is None else units.minutes(found["p90"], lang),
                }
            )
    return out


FIGURE_HEAD = (
    "indicator",
    "port",
    "area",
    "month",
    "value",
    "unit",
    "source",
    "computed",
    "imported",
    "ytd",
    "ytd_last_year",
    "yoy_pct",
    "mom_pct",
    "ytd_yoy_pct",
    "rank_ytd",
    "ports_ranked",
    # The period chosen (month, quarter or ytd): its first month, the figure, the same months a
    # year before, the change and the rank; then the port's name in the page's language.
    "period",
    "period_first",
    "period_value",
    "period_last_year",
    "period_yoy_pct",
    "rank_period",
    "ports_ranked_period",
    "port_name",
)


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 2)


def _figure_rows(found: list[gather.Line], period: str, lang: str) -> list[list[Any]]:
    rows = []
    for line in found:
        if not line.has_data:
            continue
        f = line.figure
        rank = line.rank
        value, growth, period_rank, _ = _period_figures(line, period)
        rows.append(
            [
                line.code,
                line.port,
                line.area,
                str(line.month),
                f.value,
                line.item.unit,
                f.source,
                f.computed,
                f.imported,
                line.ytd,
                line.ytd_base,
                _pct(line.yoy.ratio),
                _pct(line.mom.ratio),
                _pct(line.ytd_yoy.ratio),
                None if rank is None else rank.position,
                None if rank is None else rank.of,
                period,
                str(_first_month(line.month, period)),
                value,
                growth.base,
                _pct(growth.ratio),
                None if period_rank is None else period_rank.position,
                None if period_rank is None else period_rank.of,
                port_name(line.port, lang),
            ]
        )
    return rows


def _xlsx(head: Sequence[str], rows: list[list[Any]], title: str, filename: str) -> Response:
    from openpyxl import Workbook  # only the download needs it

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(head))
    for row in rows:
        sheet.append([csvexport.cell(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/stats", response_model=None)
def stats_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    require(actor, Action.STATS_READ)
    lang = language(request)
    query, values, state = _dashboard_query(request, _today(ctx))
    month, period, area = query["month"], query["period"], query["area"]
    areas = gather.AREAS if area == "all" else (area,)
    ports = gather.ports_for(str(site_data()["port"]))
    found = gather.lines(ctx, actor, ports, month, areas)
    if state is None and query["format"] in ("csv", "xlsx"):
        rows = _figure_rows(found, period, lang)
        name = f"stats-{ports.seaport}-{month}" + ("" if period == "ytd" else f"-{period}")
        if query["format"] == "csv":
            return csvexport.download(FIGURE_HEAD, [rows], f"{name}.csv")
        return _xlsx(FIGURE_HEAD, rows, str(month), f"{name}.xlsx")
    shown = [ln for ln in found if ln.has_data]
    chosen = next((ln for ln in shown if ln.code == query["indicator"]), None)
    chosen = chosen or next((ln for ln in shown if ln.code not in gather.KPIS), None)
    chosen = chosen or (shown[0] if shown else None)
    t = _t(lang)
    month_text = units.month_phrase(month, lang, with_year=True)
    ytd_text = units.month_phrase(month, lang, year_to_date=True, with_year=True)
    quarter_text = units.quarter_phrase(month, lang, to_date=True)
    period_text = {"month": month_text, "quarter": quarter_text, "ytd": ytd_text}[period]
    context = {
        "month": str(month),
        "month_text": month_text,
        "ytd_text": ytd_text,
        "quarter_text": quarter_text,
        "period_text": period_text,
        # A card's label: the year is in the card's other label and the heading.
        "total_text": units.quarter_phrase(month, lang, to_date=True, with_year=False)
        if period == "quarter"
        else ytd_text,
        "values": values,
        "query": {k: (str(v) if k == "month" else v) for k, v in query.items()},
        "cards": [_card(ln, lang, period) for ln in shown if ln.code not in gather.KPIS],
        "kpi_cards": [_card(ln, lang, period) for ln in shown if ln.code in gather.KPIS],
        "missing": sorted(
            {bulletins.name(ln.item, lang) for ln in found if not ln.has_data},
        ),
        "chart": _charts(chosen, lang, period, period_text),
        "chosen": chosen.code if chosen else "",
        "chosen_name": bulletins.name(chosen.item, lang) if chosen else "",
        "indicator_options": [(ln.code, bulletins.name(ln.item, lang)) for ln in shown],
        "kpi_times": _kpi_times(ctx, actor, month, period, query["lane"], lang, areas),
        "period_options": [(k, t(v)) for k, v in PERIOD_LABELS.items()],
        "area_options": [("all", t(N_("Seaport and airport")))]
        + [(k, t(v)) for k, v in AREA_LABELS.items()],
        "lane_options": [(k, t(v)) for k, v in LANE_LABELS.items()],
        "download": _download_links("/stats", query, ("csv", "xlsx")),
    }
    page = Page("stats.html", context, url="/stats", current="stats")
    return show(request, actor, page, {"stats": state} if state else None, 422 if state else 200)


def _download_links(path: str, query: Mapping[str, Any], formats: Sequence[str]) -> dict[str, str]:
    kept = {k: str(v) for k, v in query.items() if v and k != "format"}
    return {fmt: f"{path}?{urlencode({**kept, 'format': fmt})}" for fmt in formats}


# --- the Time Release Study ---------------------------------------------------------------------


def _trs_query(
    request: Request, today: date
) -> tuple[dict[str, Any], dict[str, str], FormState | None]:
    values = _params(request, ("first", "last", "kind", "lane", "office", "agency", "format"))
    bad: dict[str, str] = {}
    last = forms.day(values["last"]) if values["last"] else today
    if last is None:
        bad["last"], last = EXPECT["last"], today
    first = forms.day(values["first"]) if values["first"] else last - timedelta(days=TRS_DAYS - 1)
    if first is None:
        bad["first"], first = EXPECT["first"], last - timedelta(days=TRS_DAYS - 1)
    elif first > last:
        bad["first"] = EXPECT["first"]
        first = last - timedelta(days=TRS_DAYS - 1)
    elif (last - first).days >= trs.MAX_DAYS:
        bad["last"] = EXPECT["last"]
        first = last - timedelta(days=TRS_DAYS - 1)
    office = forms.locode(values["office"]) if values["office"] else ""
    if office is None:
        bad["office"], office = EXPECT["office"], ""
    checks = {
        "kind": ("", *KIND_LABELS),
        "lane": ("", *(lane.value for lane in Lane)),
        "agency": ("", *AGENCY_LABELS),
        "format": ("", "html", "csv", "xlsx"),
    }
    for name, allowed in checks.items():
        if values[name] not in allowed:
            bad[name] = EXPECT[name]
    query = {
        "first": first,
        "last": last,
        "kind": values["kind"] if values["kind"] in KIND_LABELS else "declaration",
        "lane": values["lane"] if "lane" not in bad else "",
        "office": office,
        "agency": values["agency"] if "agency" not in bad else "",
        "format": values["format"] if "format" not in bad else "",
    }
    return query, values, _refused(values, bad, language(request))


def _stage_names(result: dict[str, Any], lang: str) -> dict[str, str]:
    return {s["stage"]: s[lang] for s in result["stages"]}


@router.get("/stats/trs", response_model=None)
def trs_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    require(actor, Action.STATS_READ)
    lang = language(request)
    query, values, state = _trs_query(request, _today(ctx))
    first, last = query["first"], query["last"]
    try:
        if query["kind"] == "port_call":
            result = trs.port_calls(ctx, actor, first, last)
        else:
            result = trs.declarations(
                ctx,
                actor,
                first,
                last,
                lane=query["lane"] or None,
                office=query["office"] or None,
                agency=query["agency"] or None,
            )
    except DomainError as exc:
        if http_status(exc) == 403:
            raise
        names = ("first", "last", "lane", "office", "agency")
        state = forms.refused(exc, values, names, lang)
        query.update(lane="", office="", agency="")
        result = trs.declarations(ctx, actor, first, last)
    if state is None and query["format"] == "csv":
        return Response(
            trs.export_csv(result).encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="trs-{first}-{last}.csv"'},
        )
    if state is None and query["format"] == "xlsx":
        return Response(
            trs.export_xlsx(result),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="trs-{first}-{last}.xlsx"'},
        )
    t = _t(lang)
    stage_names = _stage_names(result, lang)
    group_names = [g for g in ("lane", "office", "agency", "month") if f"by_{g}" in result]
    shown_query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in query.items()}
    context = {
        "result": result,
        "stage_names": stage_names,
        "values": values,
        "query": shown_query,
        "groups": group_names,
        "group_labels": {
            "lane": t(N_("By lane")),
            "office": t(N_("By declaration office")),
            "agency": t(N_("By agency")),
            "month": t(N_("By month of filing")),
        },
        "key_label": _key_label(lang),
        "total_names": {
            name: labels[0 if lang == "zh" else 1] for name, labels in trs.TOTAL_LABELS.items()
        },
        "kind_options": [(k, t(v)) for k, v in KIND_LABELS.items()],
        "lane_options": [(lane.value, t(LANE_LABELS[lane.value])) for lane in Lane],
        "agency_options": [(k, t(v)) for k, v in AGENCY_LABELS.items()],
        "download": _download_links("/stats/trs", shown_query, ("csv", "xlsx")),
    }
    page = Page("stats_trs.html", context, url="/stats/trs", current="stats")
    return show(request, actor, page, {"trs": state} if state else None, 422 if state else 200)


def _key_label(lang: str) -> dict[str, dict[str, str]]:
    t = _t(lang)
    return {
        "lane": {k: t(v) for k, v in LANE_LABELS.items()},
        "agency": {k: t(v) for k, v in AGENCY_LABELS.items()},
    }


# --- the bulletin -------------------------------------------------------------------------------


@router.get("/stats/bulletin", response_model=None)
async def bulletin_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    require(actor, Action.STATS_READ)
    lang = language(request)
    values = _params(request, ("month", "port", "format"))
    today = _today(ctx)
    bad: dict[str, str] = {}
    month = _month(values["month"]) if values["month"] else Month.of(today).previous()
    if month is None or not 2000 <= month.year <= 2099:
        bad["month"], month = EXPECT["month"], Month.of(today).previous()
    port = values["port"] or str(site_data()["port"])
    try:
        gather.ports_for(port)
    except DomainError:
        bad["port"], port = EXPECT["port"], str(site_data()["port"])
    fmt = values["format"]
    if fmt not in ("", "html", "md", "pdf"):
        bad["format"], fmt = EXPECT["format"], ""
    state = _refused(values, bad, lang)
    b = await run_in_threadpool(bulletins.bulletin, ctx, actor, port, month, lang)
    if state is None and fmt in ("md", "pdf"):
        data = await run_in_threadpool(bulletins.render, b, fmt)
        return Response(
            data,
            media_type=bulletins.MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{bulletins.filename(b, fmt)}"'},
        )
    charts = [
        {
            "id": f"bulletin-chart-{chart.code}",
            "title": chart.title,
            "x": [label for label, _, _ in chart.bars],
            "y": [round(value, 4) for _, value, _ in chart.bars],
            "mine": [marked for _, _, marked in chart.bars],
            "codes": chart.codes,
            "yTitle": chart.unit,
        }
        for chart in b.charts
    ]
    query = {"month": str(month), "port": port}
    context = {
        "b": b,
        "w": b.words,
        "charts": charts,
        "values": values,
        "query": query,
        "download": _download_links("/stats/bulletin", query, ("md", "pdf")),
    }
    page = Page("stats_bulletin.html", context, url="/stats/bulletin", current="stats")
    return show(request, actor, page, {"bulletin": state} if state else None, 422 if state else 200)
