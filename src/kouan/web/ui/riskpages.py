"""Customs' risk pages: the risk rule versions and the draft editor, the inspection schedule, the
clearance-time panel and traders' credit classes; plus plotly.js served from the installed
plotly package for the clearance chart (no CDN)."""

from __future__ import annotations

import copy
import gzip
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, partial
from importlib import metadata, resources
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from kouan.adapters.db.tables import MAX_ID
from kouan.domain.declaration import CreditClass, InspectionKind
from kouan.domain.errors import DomainError, FieldError, InvalidTransition, NotFound
from kouan.services.cargo import clearance, risk_rules, traders
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections
from kouan.web.deps import Ctx
from kouan.web.ui import csvexport, forms, words
from kouan.web.ui.cargo import record_posted_result
from kouan.web.ui.display import at_port, paged
from kouan.web.ui.forms import Forms, FormState
from kouan.web.ui.i18n import LOCALES, translations
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

MAX_VERSION = 1_000_000
TEST_LAST, TEST_MOST = 1000, 100_000
DEFAULT_SITE = "CNTAO"
SCHEDULE_DAYS = 7
MAX_CAPACITY = 10_000
MAX_FINDING = 2000
TRADER_PAGE = 50
RULE_SORTS = ("order", "hits", "code")
# Days outside these are refused: a week or a period past them would overflow the calendar.
_EARLIEST, _LATEST = date(2000, 1, 1), date(2099, 12, 31)
_SITE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
# Values of a rule typed one per line or separated by commas (Chinese ones too) or semicolons.
_SEPARATORS = re.compile(r"[\n,;，、；]")

RULE_FIELDS = (
    "rule.code", "rule.title", "rule.title_zh", "rule.lane", "rule.kind", "rule.values",
    "rule.hs_prefix", "rule.low", "rule.high",
)  # fmt: skip
RATE_LANES = ("document", "inspection")
RATE_FIELDS = tuple(f"random_rates.{lane}" for lane in RATE_LANES)
TRADER_FIELDS = ("code", "name", "credit_class")

# Plotly.js as the installed plotly package ships it


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


# Refusals shown beside their fields in the reader's language


def _explained(
    exc: DomainError, explain: Callable[[FieldError], str | None], lang: str
) -> DomainError:
    """The refusal with each field's expectation in the reader's language where the page knows
    the words (the service's English otherwise)."""
    t = translations(lang).gettext
    explained = copy.copy(exc)
    explained.fields = []
    for fe in exc.fields:
        msgid = explain(fe)
        explained.fields.append(FieldError(fe.field, fe.value, t(msgid) if msgid else fe.expected))
    return explained


def _refused(
    exc: DomainError,
    values: dict[str, str],
    names: Collection[str],
    lang: str,
    explain: Callable[[FieldError], str | None] | None = None,
    fallback: str | None = None,
) -> FormState:
    explained = _explained(exc, explain or _other_message, lang)
    return forms.from_domain(explained, values, names, lang, fallback=fallback)


def _other_message(fe: FieldError) -> str | None:
    return words.EXPECTATIONS.get(fe.field)


def _typed_again(values: dict[str, str], errors: dict[str, str], lang: str) -> FormState:
    """A form refused by the page's own checks: `errors` maps each field to its msgid; each
    message names the value typed, as the services' refusals do."""
    t = translations(lang).gettext
    headline = words.REFUSAL_HEADLINES["validation_failed"]
    state = FormState(values=values, messages=[(t(headline), "")])
    for name, msgid in errors.items():
        typed = values.get(name)
        quoted = {"value": typed, "message": t(msgid)}
        state.add(name, t(words.VALUE_SAID) % quoted if typed else t(msgid))
    return state


def _whole(text: str | None, low: int, high: int) -> int | None:
    return int(text) if text and text.isdigit() and low <= int(text) <= high else None


def _day(text: str | None) -> date | None:
    """A day typed or sent as 2026-11-27, within the years a port's records span."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and _EARLIEST <= day <= _LATEST else None


def _site(text: str | None) -> str | None:
    code = (text or "").strip().upper()
    return code if _SITE.match(code) else None


def _today(ctx: ServiceContext) -> date:
    moment = at_port(ctx.clock())
    assert moment is not None
    return moment.date()


def _version(version: int) -> int:
    if not 1 <= version <= MAX_VERSION:
        raise NotFound(f"risk rule set version {version} not found")
    return version


# Risk rules: the versions and the active one's rules with their hit rates


def _rules_sorted(rules: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "hits":
        return sorted(rules, key=lambda r: (-r["hits"], r["code"]))
    if sort == "code":
        return sorted(rules, key=lambda r: r["code"])
    return rules


def rules_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """The versions, and the active version's rules sorted as the address asks."""
    params = request.query_params if request.method == "GET" else {}
    versions = risk_rules.list_versions(ctx, actor)
    active = risk_rules.get_version(ctx, actor)
    sort = params.get("sort", "order")
    sort = sort if sort in RULE_SORTS else "order"
    context = {
        "versions": versions,
        "active": active,
        "rules": _rules_sorted(active["rules"], sort),
        "sort": sort,
        "draft": next((v for v in versions if v["status"] == risk_rules.DRAFT), None),
        # Said only while it is true: an old address does not announce a retired version.
        "activated": active["version"]
        if params.get("activated") == str(active["version"])
        else None,
        "can_edit": allowed(actor, Action.RISK_RULES_EDIT),
    }
    return Page("risk_rules.html", context, url="/risk-rules", current="risk")


@router.get("/risk-rules")
def rules_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, rules_page(request, ctx, actor))


@router.post("/risk-rules/drafts")
def new_draft(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    values = forms.typed(form, ("note",))
    try:
        draft = risk_rules.create_draft(ctx, actor, values.get("note", ""))
    except DomainError as exc:
        state = _refused(exc, values, ("note",), language(request))
        return show(request, actor, rules_page(request, ctx, actor), {"draft": state}, exc.status)
    return redirect(f"/risk-rules/{draft['version']}")


# One version: the draft editor, or a version read as it stands


@dataclass(frozen=True)
class Tested:
    """A test of the version on the last declarations, or the test form refused."""

    result: dict[str, Any] | None = None
    state: FormState | None = None
    last: int = TEST_LAST


def _tested(request: Request, ctx: ServiceContext, actor: Actor, version: int) -> Tested:
    """Run the test the address asks for (?last=N); nothing is stored, so a GET may run it."""
    text = request.query_params.get("last") if request.method == "GET" else None
    if text is None:
        return Tested()
    lang = language(request)
    last = _whole(text.strip(), 1, TEST_MOST)
    if last is None:
        errors = {"last": words.EXPECTATIONS["last"]}
        return Tested(state=_typed_again({"last": text}, errors, lang))
    try:
        return Tested(risk_rules.test_version(ctx, actor, version, last), last=last)
    except DomainError as exc:
        return Tested(state=_refused(exc, {"last": text}, ("last",), lang), last=last)


def version_page(
    ctx: ServiceContext, actor: Actor, version: int, tested: Tested | None = None
) -> Page:
    """A version's rules and random rates; a draft with the editor's forms for customs."""
    found = risk_rules.get_version(ctx, actor, _version(version))
    tested = tested or Tested()
    context = {
        "version": found,
        "rules": found["rules"],
        "editable": found["status"] == risk_rules.DRAFT and allowed(actor, Action.RISK_RULES_EDIT),
        "percents": {lane: _percent(found["random_rates"].get(lane, 0)) for lane in RATE_LANES},
        "test": tested.result,
        "last": tested.last,
        "lanes": ("green", "document", "inspection"),
    }
    return Page("risk_version.html", context, url=f"/risk-rules/{version}", current="risk")


@router.get("/risk-rules/{version:int}")
def version_view(request: Request, ctx: Ctx, actor: PageActor, version: int) -> HTMLResponse:
    tested = _tested(request, ctx, actor, _version(version))
    page = version_page(ctx, actor, version, tested)
    if tested.state is not None:
        return show(request, actor, page, {"test": tested.state}, 422)
    return show(request, actor, page)


def _again(
    request: Request, ctx: ServiceContext, actor: Actor, version: int, shown: Forms, status: int
) -> HTMLResponse:
    """The version's page again with a refused form."""
    return show(request, actor, version_page(ctx, actor, version), shown, status)


def rule_of(values: dict[str, str]) -> dict[str, Any]:
    """The rule as the editor's form gives it: values split at commas and line ends, or the
    HS prefix and reference range of a unit-value rule."""
    rule: dict[str, Any] = {
        name: values[f"rule.{name}"]
        for name in ("code", "title", "title_zh", "lane", "kind")
        if values.get(f"rule.{name}")
    }
    if values.get("rule.kind") == "unit_value":
        for name in ("hs_prefix", "low", "high"):
            rule[name] = values.get(f"rule.{name}", "")
    else:
        typed = _SEPARATORS.split(values.get("rule.values", ""))
        rule["values"] = [v.strip() for v in typed if v.strip()]
    return rule


def _percent(share: float) -> str:
    """A share as the percentage a person types: 0.03 -> "3"."""
    return f"{share * 100:g}"


def _is_number(value: object) -> bool:
    try:
        return math.isfinite(float(str(value)))
    except ValueError:
        return False


def _rule_message(kind: str, fe: FieldError) -> str | None:
    name = re.sub(r"\[\d+\]$", "", fe.field)
    if name == "rule.values":
        return words.RULE_VALUES_MESSAGES.get(kind)
    if name == "rule.high" and _is_number(fe.value) and float(str(fe.value)) >= 0:
        return words.RULE_HIGH_BELOW_LOW
    return words.RULE_MESSAGES.get(name)


@router.post("/risk-rules/{version:int}/rules")
def add_rule(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, version: int
) -> Response:
    values = forms.typed(form, RULE_FIELDS)
    rule = rule_of(values)
    try:
        risk_rules.add_rule(ctx, actor, _version(version), rule)
    except DomainError as exc:
        explain = partial(_rule_message, values.get("rule.kind", ""))
        state = _refused(exc, values, RULE_FIELDS, language(request), explain)
        return _again(request, ctx, actor, version, {"rule": state}, exc.status)
    return redirect(f"/risk-rules/{version}#rule-{str(rule.get('code', '')).strip().upper()}")


@router.post("/risk-rules/{version:int}/rules/{code}/delete")
def remove_rule(request: Request, ctx: Ctx, actor: PageActor, version: int, code: str) -> Response:
    try:
        risk_rules.remove_rule(ctx, actor, _version(version), code)
    except DomainError as exc:
        state = _refused(exc, {}, (), language(request))
        return _again(request, ctx, actor, version, {"rules": state}, exc.status)
    return redirect(f"/risk-rules/{version}#rules")


def _rates(values: dict[str, str]) -> tuple[dict[str, float], dict[str, str]]:
    """The random rates typed as percentages, as shares; and the fields that are not one."""
    rates, errors = {}, {}
    for name in RATE_FIELDS:
        text = values.get(name, "").replace("%", "").replace("，", ".").replace(",", ".").strip()
        share = float(text) / 100 if _is_number(text) else -1.0
        if 0 <= share <= 1:
            rates[name.removeprefix("random_rates.")] = round(share, 6)
        else:
            errors[name] = words.PERCENT
    if not errors and sum(rates.values()) > 1:
        errors["random_rates.inspection"] = words.EXPECTATIONS["random_rates"]
    return rates, errors


@router.post("/risk-rules/{version:int}/rates")
def set_rates(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, version: int
) -> Response:
    require(actor, Action.RISK_RULES_EDIT)  # a reader is refused before the form is checked
    values, lang = forms.typed(form, RATE_FIELDS), language(request)
    rates, errors = _rates(values)
    if errors:
        return _again(
            request, ctx, actor, version, {"rates": _typed_again(values, errors, lang)}, 422
        )
    try:
        found = risk_rules.get_version(ctx, actor, _version(version))
        rules = [{k: v for k, v in r.items() if k != "hits"} for r in found["rules"]]
        document = {"rules": rules, "random_rates": rates, "seed": found.get("seed", 0)}
        risk_rules.save_draft(ctx, actor, version, document)
    except DomainError as exc:
        state = _refused(exc, values, RATE_FIELDS, lang, fallback="random_rates.inspection")
        return _again(request, ctx, actor, version, {"rates": state}, exc.status)
    return redirect(f"/risk-rules/{version}#rates")


@router.post("/risk-rules/{version:int}/activate")
def activate(request: Request, ctx: Ctx, actor: PageActor, version: int) -> Response:
    try:
        risk_rules.activate(ctx, actor, _version(version))
    except DomainError as exc:
        state = _refused(exc, {}, (), language(request))
        return _again(request, ctx, actor, version, {"activate": state}, exc.status)
    return redirect(f"/risk-rules?activated={version}")


# The inspection schedule of a site


def _schedule_url(site: str, first: date | None, anchor: str = "") -> str:
    params = {"site": site, **({"first": first.isoformat()} if first else {})}
    return f"/inspections?{urlencode(params)}{anchor}"


def _bar(booked: int, capacity: int) -> int:
    """How full a day is, in percent of the bar (a day over capacity shows full)."""
    if capacity <= 0:
        return 100 if booked else 0
    return min(100, round(booked * 100 / capacity))


def schedule_page(
    ctx: ServiceContext, actor: Actor, site: str, first: date | None, lang: str
) -> Page:
    """Seven days of a site from `first` (today): capacity, booked, and the inspections."""
    today = _today(ctx)
    start = first or today
    plan = inspections.schedule(ctx, actor, site, start, SCHEDULE_DAYS)
    days = [
        {
            **day,
            "weekday": format_date(date.fromisoformat(day["day"]), "EEE", locale=LOCALES[lang]),
            "full": _bar(day["booked"], day["capacity"]),
            "is_today": day["day"] == today.isoformat(),
        }
        for day in plan["days"]
    ]
    context = {
        "site": site,
        "days": days,
        "first": start,
        "earlier": start - timedelta(days=SCHEDULE_DAYS),
        "later": start + timedelta(days=SCHEDULE_DAYS),
        "today": today,
        "can_record": allowed(actor, Action.INSPECTION_RECORD),
        "kinds": [k.value for k in InspectionKind],
    }
    return Page("inspections.html", context, url=_schedule_url(site, first), current="inspections")


@router.get("/inspections")
def schedule_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    params = request.query_params
    site = _site(params.get("site")) or DEFAULT_SITE
    page = schedule_page(ctx, actor, site, _day(params.get("first")), language(request))
    return show(request, actor, page)


def _schedule_again(
    request: Request, ctx: ServiceContext, actor: Actor, form: FormData, shown: Forms, status: int
) -> HTMLResponse:
    values = forms.typed(form, ("site", "first"))
    site = _site(values.get("site")) or DEFAULT_SITE
    page = schedule_page(ctx, actor, site, _day(values.get("first")), language(request))
    return show(request, actor, page, shown, status)


@router.post("/inspections/capacity")
def set_capacity(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    require(actor, Action.INSPECTION_RECORD)  # a reader is refused before the form is checked
    values, lang = forms.typed(form, ("site", "day", "capacity", "first")), language(request)
    site, day = _site(values.get("site")), _day(values.get("day"))
    capacity = _whole(values.get("capacity"), 0, MAX_CAPACITY)
    key = f"capacity-{values.get('day', '')}"
    if site is None or day is None:
        raise NotFound("no such inspection site or day")
    if capacity is None:
        state = _typed_again(values, {"capacity": words.EXPECTATIONS["capacity"]}, lang)
        return _schedule_again(request, ctx, actor, form, {key: state}, 422)
    try:
        inspections.set_capacity(ctx, actor, site, day, capacity)
    except InvalidTransition as exc:
        below = _typed_again(values, {"capacity": words.CAPACITY_BELOW_BOOKED}, lang)
        return _schedule_again(request, ctx, actor, form, {key: below}, exc.status)
    except DomainError as exc:
        state = _refused(exc, values, ("capacity",), lang)
        return _schedule_again(request, ctx, actor, form, {key: state}, exc.status)
    return redirect(_schedule_url(site, _day(values.get("first")), f"#day-{day.isoformat()}"))


@router.post("/inspections/{inspection_id:int}/result")
def record_result(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, inspection_id: int
) -> Response:
    values = forms.typed(form, ("result", "finding", "kind", "site", "first"))
    key, lang = f"result-{inspection_id}", language(request)
    if not 0 < inspection_id <= MAX_ID:
        raise NotFound(f"inspection {inspection_id} not found")
    require(actor, Action.INSPECTION_RECORD)
    errors = {} if values.get("result") in ("pass", "fail") else {"result": words.CHOOSE_RESULT}
    if len(values.get("finding", "")) > MAX_FINDING:
        errors["finding"] = words.FINDING_TOO_LONG
    if errors:
        state = _typed_again(values, errors, lang)
        return _schedule_again(request, ctx, actor, form, {key: state}, 422)
    try:
        record_posted_result(ctx, actor, inspection_id, values)
    except DomainError as exc:
        state = _refused(exc, values, ("result", "finding", "kind"), lang)
        return _schedule_again(request, ctx, actor, form, {key: state}, exc.status)
    site = _site(values.get("site")) or DEFAULT_SITE
    anchor = f"#inspection-{inspection_id}"
    return redirect(_schedule_url(site, _day(values.get("first")), anchor))


# The clearance-time panel


def _period(request: Request) -> tuple[date | None, date | None, FormState | None, dict[str, str]]:
    """The first and last day the address asks for; a value that is not a date is refused."""
    values = {k: request.query_params.get(k, "").strip() for k in ("first", "last")}
    days = {name: _day(text) for name, text in values.items()}
    bad = {name: words.DATE for name, text in values.items() if text and days[name] is None}
    state = _typed_again(values, bad, language(request)) if bad else None
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


def _clearance_csv(figures: dict[str, Any]) -> Response:
    head = ("group", "key", "count", "mean_s", "p50_s", "p90_s", "p99_s")
    rows: list[Sequence[Any]] = [("all", "", *(figures["all"][k] for k in head[2:]))]
    for group in ("lane", "office", "day"):
        rows += [(group, r[group], *(r[k] for k in head[2:])) for r in figures[f"by_{group}"]]
    filename = f"clearance-{figures['first']}-{figures['last']}.csv"
    return csvexport.download(head, [rows], filename)


@router.get("/clearance", response_model=None)
def clearance_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    first, last, state, values = _period(request)
    lang = language(request)
    try:
        figures = clearance.clearance_times(ctx, actor, first, last)
    except DomainError as exc:
        if exc.status == 403:
            raise
        state = _refused(exc, values, ("first", "last"), lang)
        figures = clearance.clearance_times(ctx, actor)
    if request.query_params.get("format") == "csv" and state is None:
        return _clearance_csv(figures)
    context = {"figures": figures, "chart": _chart(figures, lang), "values": values}
    url = f"/clearance?{urlencode({k: v for k, v in values.items() if v})}"
    page = Page("clearance.html", context, url=url, current="clearance")
    return show(request, actor, page, {"period": state} if state else None, 422 if state else 200)


# Traders and their credit classes


def traders_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    params = request.query_params if request.method == "GET" else {}
    wanted = params.get("credit_class", "")
    shown = CreditClass(wanted) if wanted in set(CreditClass) else None
    offset = forms.whole_number(params.get("offset"), 0)
    found = traders.list_traders(ctx, actor, shown, TRADER_PAGE + 1, min(offset, MAX_ID))
    context = {
        **paged(found, offset, TRADER_PAGE, key="traders"),
        "shown": shown.value if shown else "",
        "classes": [c.value for c in CreditClass],
        "class_options": [(c.value, c.value) for c in CreditClass],
        "changed": params.get("changed", ""),
        "can_edit": allowed(actor, Action.TRADERS_EDIT),
    }
    return Page("traders.html", context, url="/traders", current="risk")


def _traders_csv(ctx: ServiceContext, actor: Actor, shown: CreditClass | None) -> Response:
    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return traders.list_traders(ctx, actor, shown, limit, offset)

    head = ("code", "name", "credit_class", "updated_at")
    rows = ([[t[k] for k in head] for t in page] for page in csvexport.pages(fetch))
    return csvexport.download(head, rows, "traders.csv")


@router.get("/traders", response_model=None)
def traders_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    if request.query_params.get("format") == "csv":
        wanted = request.query_params.get("credit_class", "")
        shown = CreditClass(wanted) if wanted in set(CreditClass) else None
        return _traders_csv(ctx, actor, shown)
    return show(request, actor, traders_page(request, ctx, actor))


@router.post("/traders")
def register_trader(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Register a trader, or change a registered one's name or credit class (a row's form)."""
    require(actor, Action.TRADERS_EDIT)
    values = forms.typed(form, (*TRADER_FIELDS, "row"))
    key = f"trader-{values['row']}" if values.get("row") else "trader"
    try:
        trader = traders.register(
            ctx,
            actor,
            traders.checked(
                values.get("code", ""), values.get("name", ""), values.get("credit_class", "")
            ),
        )
    except DomainError as exc:
        state = _refused(exc, values, TRADER_FIELDS, language(request))
        page = traders_page(request, ctx, actor)
        return show(request, actor, page, {key: state}, exc.status)
    return redirect(f"/traders?changed={trader['code']}#trader-{trader['code']}")
