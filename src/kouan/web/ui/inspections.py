"""The inspection schedule of a site: seven days of capacity and booked inspections, the capacity
of a day and the result of an inspection recorded from it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from kouan.domain.declaration import InspectionKind
from kouan.domain.errors import DomainError, InvalidTransition, NotFound
from kouan.domain.identifiers import valid_id
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms, words
from kouan.web.ui.display import port_day
from kouan.web.ui.forms import Forms
from kouan.web.ui.i18n import LOCALES
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

DEFAULT_SITE = "CNTAO"
SCHEDULE_DAYS = 7
MAX_CAPACITY = 10_000
MAX_FINDING = 2000
RESULT_FIELDS = ("result", "finding", "kind")


def record_posted_result(
    ctx: ServiceContext, actor: Actor, inspection_id: int, values: dict[str, str]
) -> None:
    """The result an inspection's form posted (its page has checked it is pass or fail), with
    the finding and the kind of inspection done when it is one of the known kinds."""
    kind = values.get("kind", "")
    inspections.record_result(
        ctx,
        actor,
        inspection_id,
        values["result"] == "pass",
        values.get("finding", ""),
        InspectionKind(kind) if kind in set(InspectionKind) else None,
    )


def _url(site: str, first: date | None, anchor: str = "") -> str:
    params = {"site": site, **({"first": first.isoformat()} if first else {})}
    return f"/inspections?{urlencode(params)}{anchor}"


def _bar(booked: int, capacity: int) -> int:
    """How full a day is, in percent of the bar (a day over capacity shows full)."""
    if capacity <= 0:
        return 100 if booked else 0
    return min(100, round(booked * 100 / capacity))


def _days(plan: dict[str, Any], today: date, lang: str) -> list[dict[str, Any]]:
    """The plan's days as the schedule shows them: weekday, how full, whether it is today."""
    return [
        {
            **day,
            "weekday": format_date(date.fromisoformat(day["day"]), "EEE", locale=LOCALES[lang]),
            "full": _bar(day["booked"], day["capacity"]),
            "is_today": day["day"] == today.isoformat(),
        }
        for day in plan["days"]
    ]


def schedule_page(
    ctx: ServiceContext, actor: Actor, site: str, first: date | None, lang: str
) -> Page:
    """Seven days of a site from `first` (today): capacity, booked, and the inspections."""
    today = port_day(ctx.clock())
    start = first or today
    plan = inspections.schedule(ctx, actor, site, start, SCHEDULE_DAYS)
    context = {
        "site": site,
        "days": _days(plan, today, lang),
        "first": start,
        "earlier": start - timedelta(days=SCHEDULE_DAYS),
        "later": start + timedelta(days=SCHEDULE_DAYS),
        "today": today,
        "can_record": allowed(actor, Action.INSPECTION_RECORD),
        "kinds": [k.value for k in InspectionKind],
    }
    return Page("inspections.html", context, url=_url(site, first), current="inspections")


@router.get("/inspections")
def schedule_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    params = request.query_params
    site = forms.locode(params.get("site")) or DEFAULT_SITE
    page = schedule_page(ctx, actor, site, forms.day(params.get("first")), language(request))
    return show(request, actor, page)


def _again(
    request: Request, ctx: ServiceContext, actor: Actor, form: FormData, shown: Forms, status: int
) -> HTMLResponse:
    """The schedule the form was posted from, with the refused form shown again."""
    values = forms.typed(form, ("site", "first"))
    site = forms.locode(values.get("site")) or DEFAULT_SITE
    page = schedule_page(ctx, actor, site, forms.day(values.get("first")), language(request))
    return show(request, actor, page, shown, status)


@router.post("/inspections/capacity")
def set_capacity(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    require(actor, Action.INSPECTION_RECORD)  # a reader is refused before the form is checked
    values, lang = forms.typed(form, ("site", "day", "capacity", "first")), language(request)
    site, day = forms.locode(values.get("site")), forms.day(values.get("day"))
    capacity = forms.whole_in(values.get("capacity"), 0, MAX_CAPACITY)
    key = f"capacity-{values.get('day', '')}"
    if site is None or day is None:
        raise NotFound("no such inspection site or day")
    if capacity is None:
        state = forms.refused_by_checks(values, {"capacity": words.EXPECTATIONS["capacity"]}, lang)
        return _again(request, ctx, actor, form, {key: state}, 422)
    try:
        inspections.set_capacity(ctx, actor, site, day, capacity)
    except InvalidTransition as exc:
        below = forms.refused_by_checks(values, {"capacity": words.CAPACITY_BELOW_BOOKED}, lang)
        return _again(request, ctx, actor, form, {key: below}, http_status(exc))
    except DomainError as exc:
        state = forms.refused(exc, values, ("capacity",), lang)
        return _again(request, ctx, actor, form, {key: state}, http_status(exc))
    return redirect(_url(site, forms.day(values.get("first")), f"#day-{day.isoformat()}"))


def _result_errors(values: dict[str, str]) -> dict[str, str]:
    """The page's own checks of a result: pass or fail, and a finding of a bounded length."""
    errors = {} if values.get("result") in ("pass", "fail") else {"result": words.CHOOSE_RESULT}
    if len(values.get("finding", "")) > MAX_FINDING:
        errors["finding"] = words.FINDING_TOO_LONG
    return errors


@router.post("/inspections/{inspection_id:int}/result")
def record_result(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, inspection_id: int
) -> Response:
    values = forms.typed(form, (*RESULT_FIELDS, "site", "first"))
    key, lang = f"result-{inspection_id}", language(request)
    if not valid_id(inspection_id):
        raise NotFound(f"inspection {inspection_id} not found")
    require(actor, Action.INSPECTION_RECORD)
    errors = _result_errors(values)
    if errors:
        state = forms.refused_by_checks(values, errors, lang)
        return _again(request, ctx, actor, form, {key: state}, 422)
    try:
        record_posted_result(ctx, actor, inspection_id, values)
    except DomainError as exc:
        state = forms.refused(exc, values, RESULT_FIELDS, lang)
        return _again(request, ctx, actor, form, {key: state}, http_status(exc))
    site = forms.locode(values.get("site")) or DEFAULT_SITE
    anchor = f"#inspection-{inspection_id}"
    return redirect(_url(site, forms.day(values.get("first")), anchor))
