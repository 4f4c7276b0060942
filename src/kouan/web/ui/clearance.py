"""The clearance-time panel: filing to release over a period, by lane, office and day, as a chart
and a CSV; and plotly.js served from the installed plotly package for the chart (no CDN)."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import date
from functools import cache
from importlib import metadata, resources
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kouan.domain.errors import DomainError
from kouan.services.cargo import clearance
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import csvexport, forms, words
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import Page, language, show
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

CSV_HEAD = ("group", "key", "count", "mean_s", "p50_s", "p90_s", "p99_s")


@cache
def _plotly() -> tuple[bytes, bytes, str]:
    """The bundled plotly.min.js, gzipped once, and the plotly package's version."""
    script = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return script, gzip.compress(script, compresslevel=6, mtime=0), metadata.version("plotly")


@router.get("/static-vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    """4.8 MB as installed, 1.4 MB gzipped; cached by browsers for a day, then revalidated."""
    script, packed, version = _plotly()
    gzipped = "gzip" in request.headers.get("accept-encoding", "")
    tag = f'"plotly-{version}{"-gzip" if gzipped else ""}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(packed if gzipped else script, media_type="text/javascript", headers=headers)


def _period(request: Request) -> tuple[date | None, date | None, FormState | None, dict[str, str]]:
    """The first and last day the address asks for; a value that is not a date is refused."""
    values = {k: request.query_params.get(k, "").strip() for k in ("first", "last")}
    days = {name: forms.day(text) for name, text in values.items()}
    bad = {name: words.DATE for name, text in values.items() if text and days[name] is None}
    state = forms.refused_by_checks(values, bad, language(request)) if bad else None
    return days["first"], days["last"], state, values


def _chart(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    """The p50 and p90 of each day, in minutes, for plotly."""
    t = translations(lang).gettext
    by_day = figures["by_day"]

    def minutes(key: str) -> list[float | None]:
        return [None if d[key] is None else round(d[key] / 60, 2) for d in by_day]

    return {
        "x": [d["day"] for d in by_day],
        "series": [
            {"name": t(words.CHART_MEDIAN), "y": minutes("p50_s")},
            {"name": t(words.CHART_P90), "y": minutes("p90_s")},
        ],
        "yTitle": t(words.CHART_Y_TITLE),
    }


def _csv(figures: dict[str, Any]) -> Response:
    figure_keys = CSV_HEAD[2:]
    rows: list[Sequence[Any]] = [("all", "", *(figures["all"][k] for k in figure_keys))]
    for group in ("lane", "office", "day"):
        rows += [(group, r[group], *(r[k] for k in figure_keys)) for r in figures[f"by_{group}"]]
    filename = f"clearance-{figures['first']}-{figures['last']}.csv"
    return csvexport.download(CSV_HEAD, [rows], filename)


@router.get("/clearance", response_model=None)
def clearance_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    first, last, state, values = _period(request)
    lang = language(request)
    try:
        figures = clearance.clearance_times(ctx, actor, first, last)
    except DomainError as exc:
        if http_status(exc) == 403:
            raise
        state = forms.refused(exc, values, ("first", "last"), lang)
        figures = clearance.clearance_times(ctx, actor)
    if request.query_params.get("format") == "csv" and state is None:
        return _csv(figures)
    context = {"figures": figures, "chart": _chart(figures, lang), "values": values}
    url = f"/clearance?{urlencode({k: v for k, v in values.items() if v})}"
    page = Page("clearance.html", context, url=url, current="clearance")
    return show(request, actor, page, {"period": state} if state else None, 422 if state else 200)
