"""Port-call pages: the list (filtered, sorted, paged, CSV), the arrival-notice form, one call with
its reviews, timeline, documents and audit trail, and the forms posted from a call (its events,
its departure)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError

from kouan.domain.agency import ENTERPRISE_TYPES
from kouan.domain.errors import DomainError
from kouan.domain.filing import ArrivalNotice, DepartureNotice
from kouan.domain.portcall import CallStatus, TimelineEvent
from kouan.services.platform import reference
from kouan.services.platform.idempotency import request_hash
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import trails
from kouan.services.ships import portcalls
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import csvexport, forms, port_call_forms, port_call_view, words
from kouan.web.ui.display import paged, port_iso
from kouan.web.ui.forms import Forms, FormState
from kouan.web.ui.home import home_page
from kouan.web.ui.i18n import translations
from kouan.web.ui.port_call_forms import PERSON_ALIASES, Persons
from kouan.web.ui.render import Page, language, redirect, render, show
from kouan.web.ui.review_view import may_decide
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

LIST_PATH = "/port-calls"
NEW_PATH = "/port-calls/new"
SORTS = ("eta", "filed", "id")
PAGE_SIZES = (25, 50, 100)
CSV_COLUMNS = (
    "id", "ship_name", "imo", "voyage", "status", "late", "berth", "eta", "etd", "entry_permit",
    "ATA", "ALL_FAST", "OPS_START", "OPS_COMPLETE", "ATD", "departure_permit",
    "entry_wait_minutes", "departure_wait_minutes", "is_zero_wait",
)  # fmt: skip


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """The list's filter, sort and page as the address gives them (bad values fall back)."""

    statuses: list[CallStatus]
    sort: str
    limit: int
    offset: int

    @classmethod
    def of(cls, request: Request) -> ListQuery:
        params = request.query_params
        known = {s.value for s in CallStatus}
        sort = params.get("sort", "eta")
        limit, offset = forms.page_of(params, PAGE_SIZES)
        return cls(
            statuses=[CallStatus(s) for s in params.getlist("status") if s in known],
            sort=sort if sort in SORTS else "eta",
            limit=limit,
            offset=offset,
        )

    def url(self, **changes: Any) -> str:
        """The list's address with some of its parameters changed."""
        params: dict[str, Any] = {
            "status": [s.value for s in self.statuses],
            "sort": self.sort,
            "limit": self.limit,
            "offset": self.offset,
            **changes,
        }
        return f"{LIST_PATH}?" + urlencode(params, doseq=True)

    def fetch(self, ctx: ServiceContext, actor: Actor, limit: int, offset: int) -> list[Any]:
        """A page of the list, in the order asked for."""
        return portcalls.list_port_calls(
            ctx, actor, self.statuses or None, limit, offset, self.sort
        )


@router.get(LIST_PATH, response_model=None)
def list_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse | StreamingResponse:
    query = ListQuery.of(request)
    if request.query_params.get("format") == "csv":
        fetch = partial(query.fetch, ctx, actor)
        return csvexport.listing(CSV_COLUMNS, fetch, _csv_row, "port-calls.csv")
    rows = query.fetch(ctx, actor, query.limit + 1, query.offset)
    agents = {}
    if actor.org_type not in ENTERPRISE_TYPES:  # an enterprise sees only its own filings
        agents = portcalls.agent_names(ctx, actor, {r["agent_org_id"] for r in rows})
    context = {
        **paged(rows, query.offset, query.limit, key="calls"),
        "query": query,
        "agents": agents,
        "statuses": list(CallStatus),
        "page_sizes": PAGE_SIZES,
    }
    return render(request, "portcall_list.html", context, actor=actor, current="calls")


def _csv_row(call: dict[str, Any]) -> list[Any]:
    stamps, waits = call["timestamps"], call["zero_wait"]
    return [
        call["id"], call["ship"]["name"], call["ship"]["imo"], call["voyage"], call["status"],
        call["late"], call["berth"] or "", port_iso(call["eta"]), port_iso(call["etd"]),
        port_iso((call["entry_permit"] or {}).get("issued_at")),
        *(port_iso(stamps[e]) for e in ("ATA", "ALL_FAST", "OPS_START", "OPS_COMPLETE", "ATD")),
        port_iso((call["departure_permit"] or {}).get("issued_at")),
        waits["entry_wait_minutes"], waits["departure_wait_minutes"], waits["is_zero_wait"],
    ]  # fmt: skip


# --- filing: the arrival notice ---------------------------------------------------------------


def _arrival_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    state: FormState,
    persons: Persons,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "state": state,
        "berths": [(code, code) for code in reference.berths(ctx)],
        "row_counts": port_call_forms.row_counts(state.values),
        "persons": persons,
    }
    page = Page("portcall_new.html", context, url=NEW_PATH, current="new")
    return show(request, actor, page, {"arrival": state}, status)


@router.get(NEW_PATH)
def new_form(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    require(actor, Action.PORT_CALL_FILE)
    state = FormState(values=dict(port_call_forms.DEFAULTS))
    return _arrival_page(request, ctx, actor, state, Persons())


@router.post(NEW_PATH)
def file_arrival(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    require(actor, Action.PORT_CALL_FILE)
    lang = language(request)
    filled = port_call_forms.read(form, lang)
    try:
        notice = ArrivalNotice.model_validate(filled.document)
    except ValidationError as exc:
        state = forms.from_validation(exc, filled.values, filled.names, lang, PERSON_ALIASES)
        state = state.merge(filled.upload)
        return _arrival_page(request, ctx, actor, state, filled.persons, 422)
    if filled.upload.errors:
        return _arrival_page(request, ctx, actor, filled.upload, filled.persons, 422)
    digest = request_hash("POST", NEW_PATH, notice.model_dump(mode="json"))
    key = filled.values.get("idempotency_key") or None
    try:
        _, call = portcalls.file_arrival(ctx, actor, notice, key, digest)
    except DomainError as exc:
        state = forms.from_domain(exc, filled.values, filled.names, lang, PERSON_ALIASES)
        return _arrival_page(request, ctx, actor, state, filled.persons, http_status(exc))
    return redirect(f"/port-calls/{call['id']}", notice="filed")


# --- one call ---------------------------------------------------------------------------------


def call_page(ctx: ServiceContext, actor: Actor, call_id: int) -> Page:
    """One port call as its reader may act on it."""
    call = portcalls.get_port_call(ctx, actor, call_id)
    context = {
        "call": call,
        "cards": port_call_view.agency_cards(call),
        "steps": port_call_view.timeline(call),
        "trail": trails.trail(ctx, actor, "port_call", call_id),
        "review_agency": {str(r["id"]): r["agency"] for r in call["reviews"]},
        "decidable": {r["id"] for r in call["reviews"] if may_decide(actor, r)},
        "can_record": allowed(actor, Action.PORT_CALL_EVENT),
        # The agencies open a cruise line's list; the ship's agent sees its counts only.
        "can_open_lists": allowed(actor, Action.PERSON_READ),
        "can_depart": allowed(actor, Action.PORT_CALL_FILE)
        and call["entry_permit"] is not None
        and call["departure_filed_at"] is None
        and call["status"] != CallStatus.DEPARTED,
    }
    return Page("portcall.html", context, url=f"/port-calls/{call_id}", current="calls")


@router.get("/port-calls/{call_id:int}")
def call_detail(request: Request, ctx: Ctx, actor: PageActor, call_id: int) -> HTMLResponse:
    return show(request, actor, call_page(ctx, actor, call_id))


# --- forms posted from a call's page, the review queue and the home pages ---------------------


def origin_url(origin: str, call_id: int | None) -> str:
    """Where a form posted from a call's page, the review queue or a home page goes back to."""
    if origin == "call" and call_id is not None:
        return f"/port-calls/{call_id}"
    return "/reviews" if origin == "queue" else "/"


def call_or_home(ctx: ServiceContext, actor: Actor, origin: str, call_id: int | None) -> Page:
    """The page a refused form came from: the call's page, or else the home page."""
    if origin == "call" and call_id is not None:
        return call_page(ctx, actor, call_id)
    return home_page(ctx, actor)


def _again(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    origin: str,
    call_id: int,
    shown: Forms,
    status: int,
) -> HTMLResponse:
    """The page an event's form came from, with the refused form shown again."""
    return show(request, actor, call_or_home(ctx, actor, origin, call_id), shown, status)


@router.post("/port-calls/{call_id:int}/events")
def record_event(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, call_id: int
) -> Response:
    values = forms.typed(form, ("type", "at", "origin"))
    origin, key, lang = values.get("origin", "call"), f"event-{call_id}", language(request)
    t = translations(lang).gettext
    at = forms.port_datetime(values["at"]) if values.get("at") else ctx.clock()
    if at is None:
        state = forms.with_error(values, "at", t(words.DATE_TIME))
        return _again(request, ctx, actor, origin, call_id, {key: state}, 422)
    if values.get("type") not in set(TimelineEvent):
        state = forms.with_error(values, "type", t(words.CHOOSE_EVENT))
        return _again(request, ctx, actor, origin, call_id, {key: state}, 422)
    try:
        portcalls.record_event(ctx, actor, call_id, TimelineEvent(values["type"]), at)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("type", "at"), lang)
        return _again(request, ctx, actor, origin, call_id, {key: state}, http_status(exc))
    return redirect(origin_url(origin, call_id), notice="event")


@router.post("/port-calls/{call_id:int}/departure")
def file_departure(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, call_id: int
) -> Response:
    values = forms.typed(form, ("next_port", "etd", "idempotency_key"))
    lang = language(request)
    document = forms.present(
        {
            "next_port": values.get("next_port", "").upper(),
            "etd": forms.port_time(values.get("etd", "")),
        }
    )
    try:
        notice = DepartureNotice.model_validate(document)
        digest = request_hash("POST", request.url.path, notice.model_dump(mode="json"))
        key = values.get("idempotency_key") or None
        portcalls.file_departure(ctx, actor, call_id, notice, key, digest)
    except ValidationError as exc:
        state = forms.from_validation(exc, values, ("next_port", "etd"), lang)
        return show(request, actor, call_page(ctx, actor, call_id), {"departure": state}, 422)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("next_port", "etd"), lang)
        page = call_page(ctx, actor, call_id)
        return show(request, actor, page, {"departure": state}, http_status(exc))
    return redirect(f"/port-calls/{call_id}", notice="departure")
