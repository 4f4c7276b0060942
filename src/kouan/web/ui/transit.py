"""Transit under customs seal on pages: customs' view of the transits (opened, on their way with
the time left, overdue in red, arrived), the inland-declared imports still to put under seal,
the departure form (customs at the port, the terminal) and the inland office's arrival
acknowledgement form, where the seals found are checked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kouan.domain.errors import DomainError, NotFound
from kouan.domain.identifiers import valid_id
from kouan.domain.transit import IN_TRANSIT, Conveyance, TransitStatus, split_seals
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.transit import transits
from kouan.site import PORT
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

LIST = "/transits"
# The words of these pages' codes (templates translate them with `_()`).
STATUSES = {
    TransitStatus.OPENED.value: N_("Awaiting departure"),
    TransitStatus.DEPARTED.value: N_("In transit"),
    TransitStatus.OVERDUE.value: N_("Overdue"),
    TransitStatus.ARRIVED.value: N_("Arrived, held"),
    TransitStatus.CLOSED.value: N_("Arrived and closed"),
}
# Badge colours of the common stylesheet: overdue red, held orange, closed green.
BADGES = {
    TransitStatus.OPENED.value: "pending",
    TransitStatus.DEPARTED.value: "departed",
    TransitStatus.OVERDUE.value: "rejected",
    TransitStatus.ARRIVED.value: "hold",
    TransitStatus.CLOSED.value: "approved",
}
CONVEYANCES = {Conveyance.ROAD.value: N_("Truck"), Conveyance.RAIL.value: N_("Rail wagon")}
AT_EXPECTED = N_("A date and time, not in the future.")
# A refused field's words (the service's English `expected` otherwise).
FIELD_WORDS = {
    "seals": N_("Seal numbers: 3 to 20 letters, digits or dashes each, separated by commas."),
    "seals_found": N_("Seal numbers: 3 to 20 letters, digits or dashes each, separated by commas."),
    "conveyance": N_("Truck or rail wagon."),
    "conveyance_id": N_("A plate such as 鲁B12345, or a wagon number of 5 to 8 digits."),
    "note": N_("What the examination found, at most 2,000 characters."),
    "at": AT_EXPECTED,
}
DEPARTURE_FIELDS = ("seals", "conveyance", "conveyance_id", "at")
ARRIVAL_FIELDS = ("seals_found", "note", "at")


def _words() -> dict[str, Any]:
    return {"statuses": STATUSES, "badges": BADGES, "conveyances": CONVEYANCES}


def _refused(
    exc: DomainError, values: dict[str, str], names: tuple[str, ...], lang: str
) -> FormState:
    """The form again with the service's refusal, each field's error in the reader's words."""
    t = translations(lang).gettext
    state = forms.from_domain(exc, values, names, lang)
    for fe in exc.fields:
        root = fe.field.split("[", 1)[0]
        if root in names and root in FIELD_WORDS:
            state.errors[root] = [t(FIELD_WORDS[root])]
    return state


def _known(transit_id: int) -> None:
    if not valid_id(transit_id):
        raise NotFound(f"transit {transit_id} not found")


# --- the list ---------------------------------------------------------------------------------


def _list_page(request: Request, ctx: ServiceContext, actor: Actor, shown: str = "") -> Page:
    statuses = tuple(TransitStatus(s) for s in shown.split(",") if s in STATUSES)
    office = transits.my_office(ctx, actor)
    context = {
        "transits": transits.list_transits(ctx, actor, transits.Filter(statuses), limit=200),
        "counts": transits.counts(ctx, actor),
        "shown": shown,
        "office": office,
        "port": PORT,
        "awaiting": transits.awaiting(ctx, actor) if office == PORT else [],
        "may_open": allowed(actor, Action.TRANSIT_OPEN) and office == PORT,
        "may_depart": allowed(actor, Action.TRANSIT_DEPART) and (office == PORT or office is None),
        "in_transit": [s.value for s in IN_TRANSIT],
        **_words(),
    }
    url = f"{LIST}?status={shown}" if shown else LIST
    return Page("transit_list.html", context, url=url, current="transits")


@router.get(LIST)
def transit_list(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    shown = request.query_params.get("status", "")
    return show(request, actor, _list_page(request, ctx, actor, shown))


@router.post(LIST)
def open_transit(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Customs at the port opens a transit for an inland-declared import."""
    values = forms.typed(form, ("declaration_id", "seals"))
    key = f"open-{values.get('declaration_id', '')}"
    try:
        declaration_id = int(values.get("declaration_id", ""))
    except ValueError:
        declaration_id = 0
    try:
        _known(declaration_id)
        transits.open_transit(ctx, actor, declaration_id, split_seals(values.get("seals", "")))
    except DomainError as exc:
        state = _refused(exc, values, ("seals",), language(request))
        page = _list_page(request, ctx, actor)
        return show(request, actor, page, {key: state}, http_status(exc))
    return redirect(LIST, "transit_opened")


@router.post(LIST + "/{transit_id}/departure")
def departure(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, transit_id: int
) -> Response:
    """Customs at the port or the terminal records the departure under seal."""
    values = forms.typed(form, DEPARTURE_FIELDS)
    key, lang = f"depart-{transit_id}", language(request)
    at = forms.port_datetime(values["at"]) if values.get("at") else None
    try:
        _known(transit_id)
        if values.get("at") and at is None:
            state = forms.with_error(values, "at", translations(lang).gettext(AT_EXPECTED))
            return show(request, actor, _list_page(request, ctx, actor), {key: state}, 422)
        transits.record_departure(
            ctx,
            actor,
            transit_id,
            seals=split_seals(values.get("seals", "")),
            conveyance=values.get("conveyance", ""),
            conveyance_id=values.get("conveyance_id", ""),
            at=at,
        )
    except DomainError as exc:
        state = _refused(exc, values, DEPARTURE_FIELDS, lang)
        return show(request, actor, _list_page(request, ctx, actor), {key: state}, http_status(exc))
    return redirect(LIST, "transit_departed")


# --- the arrival ------------------------------------------------------------------------------


def _arrival_page(ctx: ServiceContext, actor: Actor, transit_id: int) -> Page:
    _known(transit_id)
    found = transits.get_transit(ctx, actor, transit_id)
    office = transits.my_office(ctx, actor)
    context = {
        "transit": found,
        "may_acknowledge": office == found["to_office"]
        and found["status"] in STATUSES
        and TransitStatus(found["status"]) in IN_TRANSIT,
        "may_release": office == found["to_office"]
        and found["status"] == TransitStatus.ARRIVED.value,
        **_words(),
    }
    return Page("transit_arrival.html", context, url=f"{LIST}/{transit_id}", current="transits")


@router.get(LIST + "/{transit_id}")
def arrival_page(request: Request, ctx: Ctx, actor: PageActor, transit_id: int) -> HTMLResponse:
    """One transit: its seals and times; the inland office's arrival acknowledgement form."""
    return show(request, actor, _arrival_page(ctx, actor, transit_id))


@router.post(LIST + "/{transit_id}/arrival")
def arrival(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, transit_id: int
) -> Response:
    values = forms.typed(form, ARRIVAL_FIELDS)
    lang = language(request)
    at = forms.port_datetime(values["at"]) if values.get("at") else None
    if values.get("at") and at is None:
        state = forms.with_error(values, "at", translations(lang).gettext(AT_EXPECTED))
        return show(request, actor, _arrival_page(ctx, actor, transit_id), {"arrival": state}, 422)
    try:
        _known(transit_id)
        transits.acknowledge_arrival(
            ctx,
            actor,
            transit_id,
            seals_found=split_seals(values.get("seals_found", "")),
            at=at,
            note=values.get("note", ""),
        )
    except DomainError as exc:
        state = _refused(exc, values, ARRIVAL_FIELDS, lang)
        page = _arrival_page(ctx, actor, transit_id)
        return show(request, actor, page, {"arrival": state}, http_status(exc))
    return redirect(f"{LIST}/{transit_id}", "transit_arrived")


@router.post(LIST + "/{transit_id}/release")
def release(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, transit_id: int
) -> Response:
    values = forms.typed(form, ("note",))
    try:
        _known(transit_id)
        transits.release_held(ctx, actor, transit_id, values.get("note", ""))
    except DomainError as exc:
        state = _refused(exc, values, ("note",), language(request))
        page = _arrival_page(ctx, actor, transit_id)
        return show(request, actor, page, {"release": state}, http_status(exc))
    return redirect(f"{LIST}/{transit_id}", "transit_released")
