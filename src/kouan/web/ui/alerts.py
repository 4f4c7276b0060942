"""Alerts on pages: the console (open alerts first, who has and who has not acknowledged), one
alert with its contact list and the Acknowledge button, and a person's page, where CIQ confirms
a case and so raises the joint alert."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kouan.domain import health
from kouan.domain.errors import DomainError, InvalidTransition, NotFound
from kouan.domain.identifiers import valid_id
from kouan.services.passengers import cases, persons
from kouan.services.platform import alerts
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms
from kouan.web.ui.forms import Forms, FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

CONSOLE = "/alerts"
CASE_FORM = "case"
CASE_FIELDS = ("note", "rows")
# The words of these pages' codes (templates translate them with `_()`).
KINDS = {
    alerts.EPIDEMIC_JOINT: N_("Joint epidemic alert"),
    alerts.ARRIVAL_WITHOUT_PERMIT: N_("Arrival without a permit"),
    alerts.TRANSIT_OVERDUE: N_("Transit overdue"),
    alerts.REFERRAL_OVERDUE: N_("Referral overdue"),
    alerts.REQUEST_LATE: N_("Late request"),
}
# Levels as words: Kouan's 4 is the most severe, the reverse of China's numbered grades, so a
# number alone would mislead.
LEVELS = {1: N_("Watch"), 2: N_("Warning"), 3: N_("Serious"), 4: N_("Most severe")}
ROLES = {"passenger": N_("Passenger"), "crew": N_("Crew member"), "other": N_("Other traveller")}
JOURNEYS = {
    "flight": N_("Flight"),
    "cruise": N_("Cruise call"),
    "ship": N_("Port call"),
    "list": N_("Person list"),
}
# What the next page confirms (the lead adds these keys to words.NOTICES).
NOTICES = {
    "case_confirmed": N_("Case confirmed: the joint alert is raised."),
    "acknowledged": N_("Acknowledged for your organisation."),
}
ROWS_EXPECTED = N_("A whole number of rows from 0 to 20.")  # 20: cases.MAX_ROWS
NOTE_TOO_LONG = N_("At most 2,000 characters.")
ALREADY_A_CASE = N_("This person is already a confirmed case: see the joint alert.")


def _words() -> dict[str, Any]:
    return {"kinds": KINDS, "levels": LEVELS, "roles": ROLES, "journeys": JOURNEYS}


# --- the console ------------------------------------------------------------------------------


def console_view(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open alerts (someone has still to acknowledge) first, newest first within each."""
    shown = [_with_counts(alert) for alert in found]
    # The service answers newest first; a stable sort keeps that order within each group.
    return sorted(shown, key=lambda alert: not alert["open"])


def _with_counts(alert: dict[str, Any]) -> dict[str, Any]:
    """The alert with what the pages count: acknowledged x of y, and each recipient's name
    only where its type does not tell it apart (two of one type)."""
    recipients = alert["recipients"]
    types = Counter(r["org_type"] for r in recipients)
    return {
        **alert,
        "open": bool(alert["not_acknowledged"]),
        "acknowledged_count": sum(1 for r in recipients if r["acknowledged_at"]),
        "recipient_count": len(recipients),
        "recipients": [{**r, "named": types[r["org_type"]] > 1} for r in recipients],
    }


@router.get(CONSOLE)
def console(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    waiting = request.query_params.get("status") == "open"
    found = alerts.list_alerts(ctx, actor, open_only=waiting, limit=200)
    context = {"alerts": console_view(found), "waiting": waiting, **_words()}
    url = f"{CONSOLE}?status=open" if waiting else CONSOLE
    return show(request, actor, Page("alerts.html", context, url=url, current="alerts"))


# --- one alert --------------------------------------------------------------------------------


@router.get(CONSOLE + "/{alert_id}")
def alert_page(request: Request, ctx: Ctx, actor: PageActor, alert_id: int) -> HTMLResponse:
    _known(alert_id, "alert")
    shown = _with_counts(alerts.show(ctx, actor, alert_id))
    context = {
        "alert": shown,
        "may_acknowledge": _may_acknowledge(shown),
        # The port office reads the contact list but not the persons' records.
        "may_read_persons": allowed(actor, Action.PERSON_READ),
        **_words(),
    }
    url = f"{CONSOLE}/{alert_id}"
    return show(request, actor, Page("alert.html", context, url=url, current="alerts"))


def _may_acknowledge(alert: dict[str, Any]) -> bool:
    return bool(alert["addressed_to_you"]) and not alert["acknowledged_by_you"]


@router.post(CONSOLE + "/{alert_id}/acknowledge")
def acknowledge(ctx: Ctx, actor: PageActor, alert_id: int) -> Response:
    """Acknowledge for the actor's organisation (again changes nothing), back to the alert."""
    _known(alert_id, "alert")
    alerts.acknowledge(ctx, actor, alert_id)
    return redirect(f"{CONSOLE}/{alert_id}", "acknowledged")


def _known(item_id: int, what: str) -> None:
    """An id no row can have is not found, as any other (not a refused input)."""
    if not valid_id(item_id):
        raise NotFound(f"{what} {item_id} not found")


# --- a person, and confirming a case ----------------------------------------------------------


def person_page(ctx: ServiceContext, actor: Actor, person_id: int) -> Page:
    person = persons.get_person(ctx, actor, person_id)
    context = {
        "person": person,
        "symptoms": symptoms((person["health"] or {}).get("symptoms", [])),
        "may_confirm": allowed(actor, Action.CASE_CONFIRM) and person["status"] != "case",
        "default_rows": cases.contact_rows(ctx),
        "max_rows": cases.MAX_ROWS,
        **_words(),
    }
    return Page("person.html", context, url=f"/persons/{person_id}", current="lists")


def symptoms(declared: list[str]) -> list[dict[str, Any]]:
    """Declared symptoms as reasons to render: a known code in the reader's language, anything
    else as written."""
    return [
        {"reason_key": f"symptom.{code}", "reason_params": {}}
        if (code := symptom.strip().lower()) in health.SYMPTOMS
        else {"reason": symptom}
        for symptom in declared
    ]


@router.get("/persons/{person_id}")
def person(request: Request, ctx: Ctx, actor: PageActor, person_id: int) -> HTMLResponse:
    _known(person_id, "person")
    return show(request, actor, person_page(ctx, actor, person_id))


@router.post("/persons/{person_id}/confirm-case")
def confirm_case(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, person_id: int
) -> Response:
    """Confirm the case and raise the joint alert; on to the alert, or the form again."""
    _known(person_id, "person")
    values, lang = forms.typed(form, CASE_FIELDS), language(request)
    rows = _rows(values.get("rows", ""))
    errors = _case_errors(values, rows)
    if errors:
        refused = forms.refused_by_checks(values, errors, lang)
        return _again(request, ctx, actor, person_id, refused, 422)
    try:
        raised = cases.confirm_case(ctx, actor, person_id, values.get("note", ""), rows)
    except InvalidTransition as exc:  # confirmed meanwhile (another officer, a second click)
        said = FormState(values=values, messages=[(translations(lang).gettext(ALREADY_A_CASE), "")])
        return _again(request, ctx, actor, person_id, said, http_status(exc))
    except DomainError as exc:
        if exc.code in ("not_found", "forbidden"):
            raise
        refused = forms.refused(exc, values, CASE_FIELDS, lang)
        return _again(request, ctx, actor, person_id, refused, http_status(exc))
    return redirect(f"{CONSOLE}/{raised['id']}", "case_confirmed")


def _rows(typed: str) -> int | None:
    """The rows typed; None when left blank (the default applies) or not a number in range."""
    return forms.whole_in(typed, 0, cases.MAX_ROWS) if typed else None


def _case_errors(values: dict[str, str], rows: int | None) -> dict[str, str]:
    errors = {}
    if values.get("rows") and rows is None:
        errors["rows"] = ROWS_EXPECTED
    if len(values.get("note", "")) > cases.MAX_NOTE:
        errors["note"] = NOTE_TOO_LONG
    return errors


def _again(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    person_id: int,
    state: FormState,
    status: int,
) -> HTMLResponse:
    shown: Forms = {CASE_FORM: state}
    return show(request, actor, person_page(ctx, actor, person_id), shown, status)
