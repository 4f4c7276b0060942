"""Duties and guarantees on pages: customs' and the port office's view of the assessments
(counted by status; those awaiting payment oldest first with how long they have waited, those
released on a guarantee, the recently paid), the traders' guarantees with customs' form to set
each, and the tariff's versions with customs' upload; a broker sees its own declarations' duties
and the guarantees of the traders it declares for. A declaration's own duties show on its page
(`declaration_duties`, the macro in _duties_macros.html)."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kouan.domain.errors import DomainError, FieldError
from kouan.services.cargo import traders
from kouan.services.duties import guarantees, overview, tariffs
from kouan.services.duties.assessments import DUE, GUARANTEED, PAID
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import display, forms, words
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

PATH = "/duties"
GUARANTEE_PATH = "/duties/guarantees"
TARIFF_PATH = "/duties/tariff"
SHOWN = 50  # rows of each table of assessments awaiting payment
PAID_SHOWN = 20
ERRORS_SHOWN = 20  # a refused tariff file's errors named one by one
NEW = "new"  # the key of the form for a trader without a guarantee yet
_TRADER = re.compile(r"^[0-9A-Z]{10}$")
_MOST = Decimal("1e12")  # the largest guarantee the service records (CNY)

# What a field of the guarantee forms expects.
TRADER_EXPECTED = N_("A trader's code: 10 letters or digits.")
TRADER_UNKNOWN = N_("No trader is registered with this code.")
AMOUNT_EXPECTED = N_("An amount in yuan from 0 to 1,000,000,000,000, at most 2 decimals.")
AMOUNT_IN_USE = N_("Not less than what is in use: %(in_use)s.")
# What the tariff upload's fields expect, and its file's errors by line and column.
CHOOSE_TARIFF = N_("Choose a CSV file laid out as the packaged tariff.")
NOT_UTF8 = N_("The file is not CSV text in UTF-8.")
EFFECTIVE_FROM_EXPECTED = N_("A date from the year 2000, e.g. 2027-01-01.")
LINE_COLUMN_VALUE = N_('Line %(line)s, column %(column)s ("%(value)s"): expected %(expected)s.')
LINE_COLUMN = N_("Line %(line)s, column %(column)s: expected %(expected)s.")
HEADER_LACKS = N_("The first line lacks the columns %(columns)s.")
NO_LINES = N_("The file holds no tariff line.")
MORE_ERRORS = N_("And %(n)s more errors.")
TARIFF_EXPECTED = {
    "2 to 10 digits, or *": N_("an HS prefix of 2 to 10 digits, or * for all other goods"),
    "a prefix listed once": N_("an HS prefix not listed on an earlier line"),
    "a rate in percent, e.g. 6.5": N_("a rate in percent, e.g. 6.5"),
    "a rate in percent from 0 to below 100": N_("a rate in percent from 0 to below 100"),
    "a rate in percent from 0 to below 1000": N_("a rate in percent from 0 to below 1000"),
}
_LINE_FIELD = re.compile(r"^line (?P<line>\d+)\.(?P<column>\w+)$")
REFUSED = words.REFUSAL_HEADLINES["validation_failed"]
TOO_LONG = words.TYPE_MESSAGES["string_too_long"]


# --- how amounts, rates and waits read ---------------------------------------------------------


def money(amount: str | Decimal) -> str:
    """CNY to the fen with thousands separators, as tax payment notices show it: ¥1,234,567.89."""
    return f"¥{Decimal(amount):,.2f}"


def percent(rate: str | None) -> str:
    """A rate stored as a fraction ("0.065") in percent ("6.5%"); "" for none."""
    if rate is None or rate == "":
        return ""
    return f"{format((Decimal(rate) * 100).normalize(), 'f')}%"


def waited(since: datetime | str | None, now: datetime, lang: str) -> str:
    """How long since `since`: hours and minutes, never "0 min"."""
    return display.duration(display.age_minutes(since, now), lang)


def _row(a: Mapping[str, Any], now: datetime, lang: str) -> dict[str, Any]:
    """An assessment as a table shows it: amounts formatted, the wait since its assessment."""
    owed = Decimal(a["total"]) - Decimal(a["paid"])
    return {
        **a,
        "total_text": money(a["total"]),
        "owed_text": money(owed),
        "paid_text": money(a["paid"]),
        "part_paid": Decimal(a["paid"]) > 0 and owed > 0,
        "guaranteed_text": money(a["guaranteed"]),
        "waited": waited(a["assessed_at"], now, lang),
    }


def _line(line: Mapping[str, Any]) -> dict[str, Any]:
    total = Decimal(line["duty"]) + Decimal(line["consumption_tax"]) + Decimal(line["vat"])
    return {
        **line,
        "customs_value_text": money(line["customs_value"]),
        "duty_rate_text": percent(line["duty_rate"]),
        "duty_text": money(line["duty"]),
        "consumption_rate_text": percent(line["consumption_rate"]),
        "consumption_tax_text": money(line["consumption_tax"]),
        "vat_rate_text": percent(line["vat_rate"]),
        "vat_text": money(line["vat"]),
        "total_text": money(total),
    }


def declaration_duties(actor: Actor, view: Mapping[str, Any]) -> dict[str, Any] | None:
    """A declaration's duties as its page shows them (None: an export, or a reader who may not
    see duties)."""
    found = view.get("duties")
    if not found or not allowed(actor, Action.DUTIES_READ):
        return None
    return {
        **found,
        **{
            f"{k}_text": money(found[k])
            for k in ("customs_value", "duty", "consumption_tax", "vat", "total", "paid")
        },
        "guaranteed_text": money(found["guaranteed"]),
        "lines": [_line(line) for line in found.get("lines", [])],
    }


# --- the page ----------------------------------------------------------------------------------


def _versions(ctx: ServiceContext, actor: Actor, today: date) -> list[dict[str, Any]]:
    """The tariff's versions, newest first, each marked in force, to come or superseded."""
    found = tariffs.list_versions(ctx, actor)
    started = [v for v in found if date.fromisoformat(v["effective_from"]) <= today]
    current = max(started, key=lambda v: (v["effective_from"], v["version"]), default=None)
    for v in found:
        if v is current:
            v["state"] = "in_force"
        elif date.fromisoformat(v["effective_from"]) > today:
            v["state"] = "scheduled"
        else:
            v["state"] = "superseded"
    return found


def _page(request: Request, ctx: ServiceContext, actor: Actor, lang: str) -> Page:
    now = ctx.clock()
    counts = overview.counts(ctx, actor)
    held = guarantees.list_guarantees(ctx, actor)
    names = overview.trader_names(ctx, actor, [g["trader"] for g in held])
    may_guarantee = allowed(actor, Action.GUARANTEE_EDIT)
    unguaranteed: list[dict[str, Any]] = []
    if may_guarantee:
        have = {g["trader"] for g in held}
        unguaranteed = [
            t for t in traders.list_traders(ctx, actor, limit=1000) if t["code"] not in have
        ]
    versions = _versions(ctx, actor, display.port_day(now))
    context = {
        "counts": {k: {**c, "amount_text": money(c["amount"])} for k, c in counts.items()},
        "due": [_row(a, now, lang) for a in overview.listed(ctx, actor, DUE, SHOWN)],
        "guaranteed": [_row(a, now, lang) for a in overview.listed(ctx, actor, GUARANTEED, SHOWN)],
        "paid": [_row(a, now, lang) for a in overview.listed(ctx, actor, PAID, PAID_SHOWN)],
        "shown": SHOWN,
        "guarantees": [
            {
                **g,
                "name": names.get(g["trader"], ""),
                "amount_text": money(g["amount"]),
                "in_use_text": money(g["in_use"]),
                "balance_text": money(g["balance"]),
                "exhausted": Decimal(g["balance"]) <= 0 < Decimal(g["amount"]),
            }
            for g in held
        ],
        "unguaranteed": unguaranteed,
        "versions": versions,
        "packaged_in_force": not any(v["state"] == "in_force" for v in versions),
        "packaged_lines": len(tariffs.packaged().lines),
        "may_guarantee": may_guarantee,
        "may_tariff": allowed(actor, Action.TARIFF_EDIT),
        "is_broker": actor.org_type.value == "CUSTOMS_BROKER",
    }
    return Page("duties.html", context, url=PATH, current="duties")


@router.get(PATH)
def duties_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, _page(request, ctx, actor, language(request)))


# --- guarantees --------------------------------------------------------------------------------


def _amount(text: str) -> Decimal | None:
    """An amount in yuan as typed (thousands separators and a ¥ allowed); None if it is not
    one from 0 to 10^12 with at most 2 decimals."""
    cleaned = re.sub(r"[\s,，¥￥]", "", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
        return None
    return amount if 0 <= amount <= _MOST else None


def _in_use(ctx: ServiceContext, actor: Actor, code: str) -> str:
    try:
        return money(guarantees.get_guarantee(ctx, actor, code)["in_use"])
    except DomainError:
        return ""


@router.post(GUARANTEE_PATH)
def set_guarantee(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Customs sets a trader's guarantee: a row's form (its trader hidden) or the new one."""
    require(actor, Action.GUARANTEE_EDIT)
    values = forms.typed(form, ("trader", "amount", "issuer", "row"))
    lang = language(request)
    t = translations(lang).gettext
    code = values.get("trader", "").upper()
    key = f"guarantee-{code}" if values.get("row") and _TRADER.match(code) else f"guarantee-{NEW}"
    state = FormState(values=values)
    if not _TRADER.match(code):
        state.add("trader", t(TRADER_EXPECTED))
    amount = _amount(values.get("amount", ""))
    if amount is None:
        state.add("amount", t(AMOUNT_EXPECTED))
    if len(values.get("issuer", "")) > 200:
        state.add("issuer", t(TOO_LONG) % {"max_length": 200})
    status = 422
    if not state.errors and amount is not None:
        try:
            guarantees.set_guarantee(ctx, actor, code, amount, values.get("issuer", ""))
        except DomainError as exc:
            if http_status(exc) == 403:
                raise
            status = 422 if http_status(exc) == 404 else http_status(exc)
            _refused_guarantee(exc, state, ctx, actor, code, lang)
        else:
            return redirect(f"{PATH}#guarantee-{code}", "guarantee_set")
    state.messages.append((t(REFUSED), ""))
    page = _page(request, ctx, actor, lang)
    return show(request, actor, page, {key: state}, status)


def _refused_guarantee(
    exc: DomainError, state: FormState, ctx: ServiceContext, actor: Actor, code: str, lang: str
) -> None:
    """The service's refusal beside the field it concerns, in the reader's words."""
    t = translations(lang).gettext
    if exc.code == "not_found":
        state.add("trader", t(TRADER_UNKNOWN))
        return
    for fe in exc.fields:
        if fe.field == "amount" and fe.expected.startswith("at least what is in use"):
            state.add("amount", t(AMOUNT_IN_USE) % {"in_use": _in_use(ctx, actor, code)})
        elif fe.field == "amount":
            state.add("amount", t(AMOUNT_EXPECTED))
        else:
            state.add("issuer" if fe.field == "issuer" else "amount", fe.expected)
    if not exc.fields:
        state.add("amount", exc.message)


# --- the tariff --------------------------------------------------------------------------------


def tariff_error(fe: FieldError, lang: str) -> str:
    """One error of a tariff file in the reader's words, naming its line and column."""
    t = translations(lang).gettext
    found = _LINE_FIELD.match(fe.field)
    if found:
        known = TARIFF_EXPECTED.get(fe.expected)
        expected = t(known) if known else fe.expected
        value = str(fe.value)
        where = {"line": found["line"], "column": found["column"], "expected": expected}
        if value.strip():
            return t(LINE_COLUMN_VALUE) % {**where, "value": value}
        return t(LINE_COLUMN) % where
    if fe.field == "header":
        columns = ", ".join(re.findall(r"'([^']+)'", fe.expected)) or fe.expected
        return t(HEADER_LACKS) % {"columns": columns}
    if fe.field == "lines":
        return t(NO_LINES)
    return f"{fe.field}: {fe.expected}"


def _tariff_refused(request: Request, ctx: Ctx, actor: Actor, state: FormState) -> HTMLResponse:
    t = translations(language(request)).gettext
    state.messages.append((t(REFUSED), ""))
    page = _page(request, ctx, actor, language(request))
    return show(request, actor, page, {"tariff": state}, 422)


@router.post(TARIFF_PATH)
def import_tariff(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Customs uploads a version of the tariff; refused, each error names its line and column."""
    require(actor, Action.TARIFF_EDIT)
    values = forms.typed(form, ("effective_from", "note"))
    lang = language(request)
    t = translations(lang).gettext
    state = FormState(values=values)
    effective_from = forms.day(values.get("effective_from"))
    if effective_from is None:
        state.add("effective_from", t(EFFECTIVE_FROM_EXPECTED))
    if len(values.get("note", "")) > 500:
        state.add("note", t(TOO_LONG) % {"max_length": 500})
    upload = form.get("tariff")
    text = ""
    if not isinstance(upload, UploadFile) or not upload.filename:
        state.add("tariff", t(CHOOSE_TARIFF))
    else:
        try:
            text = upload.file.read().decode("utf-8-sig")  # a spreadsheet's CSV starts with a BOM
        except UnicodeDecodeError:
            state.add("tariff", t(NOT_UTF8))
    if state.errors or effective_from is None:
        return _tariff_refused(request, ctx, actor, state)
    try:
        tariffs.import_csv(ctx, actor, text, effective_from, values.get("note", ""))
    except csv.Error:
        state.add("tariff", t(NOT_UTF8))
        return _tariff_refused(request, ctx, actor, state)
    except DomainError as exc:
        if http_status(exc) == 403:
            raise
        for fe in exc.fields[:ERRORS_SHOWN]:
            if fe.field == "effective_from":
                state.add("effective_from", t(EFFECTIVE_FROM_EXPECTED))
            else:
                state.add("tariff", tariff_error(fe, lang))
        if len(exc.fields) > ERRORS_SHOWN:
            state.add("tariff", t(MORE_ERRORS) % {"n": len(exc.fields) - ERRORS_SHOWN})
        if not exc.fields:
            state.add("tariff", exc.message)
        return _tariff_refused(request, ctx, actor, state)
    return redirect(f"{PATH}#tariff", "tariff_imported")
