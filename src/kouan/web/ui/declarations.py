"""Cargo declaration pages: the broker's list (filtered, paged, CSV), the declaration form and the
CUSDEC upload; one declaration with its lane, reviews, inspections, release and audit trail; the
officer's queue per lane; and the forms posted from them (decide, inspection result, seizure,
gate-out)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import ValidationError

from kouan.domain.agency import Agency
from kouan.domain.declaration import (
    FINAL,
    Declaration,
    DeclarationStatus,
    InspectionKind,
    InspectionStatus,
    Lane,
)
from kouan.domain.errors import DomainError, NotFound
from kouan.services.cargo import cusdec_import, declarations, queries, release
from kouan.services.cargo.queries import Filter
from kouan.services.platform.idempotency import request_hash
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import trails
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import csvexport, declaration_forms, forms, words
from kouan.web.ui.display import paged, port_iso
from kouan.web.ui.duties import declaration_duties
from kouan.web.ui.forms import Forms, FormState, whole_number
from kouan.web.ui.home import home_page
from kouan.web.ui.i18n import translations
from kouan.web.ui.inspections import record_posted_result
from kouan.web.ui.render import Page, address_params, language, redirect, render, show
from kouan.web.ui.review_view import QUEUE_LANES, declaration_rows, may_decide
from kouan.web.ui.reviews import decide_posted
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

LIST_PATH = "/declarations"
NEW_PATH = "/declarations/new"
UPLOAD_PATH = "/declarations/upload"
QUEUE_PATH = "/declarations/queue"
PAGE_SIZES = (25, 50, 100)
QUEUE_PAGE = 50
CSV_COLUMNS = (
    "id", "reference", "status", "status_reason", "lane", "rules_hit", "trader", "trader_name",
    "credit_class", "direction", "trade_mode", "transport", "transport_document",
    "declaration_office", "release_port", "items", "value_cny", "filed_at", "released_at",
    "release_notice", "clearance_seconds", "gated_out_at",
)  # fmt: skip


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """The list's filter and page as the address gives them (bad values fall back)."""

    statuses: tuple[DeclarationStatus, ...]
    lane: Lane | None
    search: str
    office: str
    limit: int
    offset: int

    @classmethod
    def of(cls, request: Request) -> ListQuery:
        params = request.query_params
        known = {s.value for s in DeclarationStatus}
        lane = params.get("lane", "")
        limit, offset = forms.page_of(params, PAGE_SIZES)
        return cls(
            statuses=tuple(DeclarationStatus(s) for s in params.getlist("status") if s in known),
            lane=Lane(lane) if lane in {x.value for x in Lane} else None,
            search=params.get("q", "").strip()[:100],
            office=forms.locode(params.get("office")) or "",
            limit=limit,
            offset=offset,
        )

    @property
    def where(self) -> Filter:
        return Filter(
            status=self.statuses,
            lane=self.lane,
            office=self.office or None,
            search=self.search or None,
        )

    def url(self, **changes: Any) -> str:
        """The list's address with some of its parameters changed."""
        params: dict[str, Any] = {
            "status": [s.value for s in self.statuses],
            "lane": self.lane.value if self.lane else "",
            "q": self.search,
            "office": self.office,
            "limit": self.limit,
            "offset": self.offset,
            **changes,
        }
        return f"{LIST_PATH}?" + urlencode({k: v for k, v in params.items() if v != ""}, True)

    def fetch(self, ctx: ServiceContext, actor: Actor, limit: int, offset: int) -> list[Any]:
        """A page of the list, newest first."""
        return queries.list_declarations(ctx, actor, self.where, limit, offset)


@router.get(LIST_PATH, response_model=None)
def list_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse | StreamingResponse:
    query = ListQuery.of(request)
    if request.query_params.get("format") == "csv":
        fetch = partial(query.fetch, ctx, actor)
        return csvexport.listing(CSV_COLUMNS, fetch, _csv_row, "declarations.csv")
    rows = query.fetch(ctx, actor, query.limit + 1, query.offset)
    context = {
        **paged(rows, query.offset, query.limit),
        "total": queries.count_declarations(ctx, actor, query.where),
        "query": query,
        "statuses": [s.value for s in DeclarationStatus],
        "lanes": [lane.value for lane in Lane],
        "page_sizes": PAGE_SIZES,
        "can_file": allowed(actor, Action.DECLARATION_FILE),
    }
    return render(request, "declaration_list.html", context, actor=actor, current="declarations")


def _csv_row(view: dict[str, Any]) -> list[Any]:
    trader, notice = view["trader"], view["release_notice"] or {}
    return [
        view["id"], view["reference"] or "", view["status"], view["status_reason"], view["lane"],
        " ".join(view["rules_hit"]), trader["code"], trader["name"], trader["credit_class"],
        view["direction"], view["trade_mode"], view["transport"], view["transport_document"],
        view["declaration_office"], view["release_port"], view["items"], view["value_cny"],
        port_iso(view["filed_at"]), port_iso(view["released_at"]), notice.get("number", ""),
        view["clearance_seconds"], port_iso(view["gated_out_at"]),
    ]  # fmt: skip


# --- filing: the form and the CUSDEC upload --------------------------------------------------


def _form_page(request: Request, actor: Actor, state: FormState, status: int = 200) -> HTMLResponse:
    context = {"state": state, "item_rows": declaration_forms.row_count(state.values)}
    page = Page("declaration_new.html", context, url=NEW_PATH, current="declare")
    return show(request, actor, page, {"declaration": state}, status)


@router.get(NEW_PATH)
def new_form(request: Request, actor: PageActor) -> HTMLResponse:
    require(actor, Action.DECLARATION_FILE)
    return _form_page(request, actor, FormState(values=dict(declaration_forms.DEFAULTS)))


@router.post(NEW_PATH)
def file_declaration(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    require(actor, Action.DECLARATION_FILE)
    lang = language(request)
    filled = declaration_forms.read(form)
    try:
        declaration = Declaration.model_validate(filled.document)
    except ValidationError as exc:
        return _form_page(request, actor, declaration_forms.refused(exc, filled, lang), 422)
    digest = request_hash("POST", NEW_PATH, declaration.model_dump(mode="json"))
    key = filled.values.get("idempotency_key") or None
    try:
        _, view = declarations.file_declaration(ctx, actor, declaration, "form", key, digest)
    except DomainError as exc:
        state = declaration_forms.refused_by_records(exc, filled, lang)
        return _form_page(request, actor, state, http_status(exc))
    return redirect(f"/declarations/{view['id']}", notice="declaration_filed")


def _upload_page(
    request: Request,
    actor: Actor,
    state: FormState,
    result: cusdec_import.ImportResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"state": state, "result": result}
    page = Page("declaration_upload.html", context, url=UPLOAD_PATH, current="declare")
    return show(request, actor, page, {"upload": state}, status)


@router.get(UPLOAD_PATH)
def upload_form(request: Request, actor: PageActor) -> HTMLResponse:
    require(actor, Action.DECLARATION_FILE)
    return _upload_page(request, actor, FormState())


@router.post(UPLOAD_PATH)
def upload_cusdec(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """File every declaration of a CUSDEC interchange; the page answers each one."""
    require(actor, Action.DECLARATION_FILE)
    lang = language(request)
    text = forms.uploaded_text(form, "cusdec")
    if not text.strip():
        state = FormState()
        state.add("cusdec", translations(lang).gettext(words.CHOOSE_CUSDEC))
        return _upload_page(request, actor, state, status=422)
    try:
        result = cusdec_import.import_interchange(ctx, actor, text)
    except DomainError as exc:
        state = forms.from_domain(exc, {}, ("cusdec",), lang, fallback="cusdec")
        return _upload_page(request, actor, state, status=http_status(exc))
    return _upload_page(request, actor, FormState(), result)


# --- one declaration --------------------------------------------------------------------------


def _agency_cards(view: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """Customs reviews every declaration; CIQ those with goods on its legal-inspection list."""
    by_agency = {r["agency"]: r for r in view["reviews"]}
    return [(a.value, by_agency.get(a.value)) for a in (Agency.CUSTOMS, Agency.CIQ)]


def _may_record(actor: Actor, inspection: dict[str, Any]) -> bool:
    return (
        allowed(actor, Action.INSPECTION_RECORD)
        and inspection["agency"] == actor.org_type.value
        and inspection["status"] == InspectionStatus.BOOKED
    )


def declaration_page(ctx: ServiceContext, actor: Actor, declaration_id: int) -> Page:
    """One declaration as its reader may act on it."""
    view = queries.get_declaration(ctx, actor, declaration_id)
    context = {
        "d": view,
        "doc": view["document"],
        "cards": _agency_cards(view),
        "titles": queries.rule_titles(ctx, actor, declaration_id),
        "trail": trails.trail(ctx, actor, "declaration", declaration_id),
        "review_agency": {str(r["id"]): r["agency"] for r in view["reviews"]},
        "decidable": {r["id"] for r in view["reviews"] if may_decide(actor, r)},
        "recordable": {i["id"] for i in view["inspections"] if _may_record(actor, i)},
        "can_seize": allowed(actor, Action.DECLARATION_SEIZE)
        and DeclarationStatus(view["status"]) not in FINAL,
        "can_gate_out": allowed(actor, Action.GATE_OUT)
        and view["status"] == DeclarationStatus.RELEASED,
        "kinds": [k.value for k in InspectionKind],
        "duties": declaration_duties(actor, view),
    }
    return Page(
        "declaration.html", context, url=f"/declarations/{declaration_id}", current="declarations"
    )


@router.get("/declarations/{declaration_id:int}")
def declaration_detail(
    request: Request, ctx: Ctx, actor: PageActor, declaration_id: int
) -> HTMLResponse:
    return show(request, actor, declaration_page(ctx, actor, declaration_id))


@router.get("/declarations/{declaration_id:int}/cusres")
def declaration_cusres(ctx: Ctx, actor: PageActor, declaration_id: int) -> PlainTextResponse:
    """The declaration's CUSRES as it stands now, for the broker's own system."""
    text = cusdec_import.cusres_for(ctx, actor, declaration_id)
    return PlainTextResponse(
        text,
        media_type="application/edifact",
        headers={"Content-Disposition": f'attachment; filename="cusres-{declaration_id}.edi"'},
    )


# --- the officer's queue ----------------------------------------------------------------------


def _chosen_lane(wanted: str | None, counts: dict[str, int]) -> Lane:
    """The tab asked for, else the first with declarations waiting, else document review."""
    if wanted in {lane.value for lane in Lane}:
        return Lane(wanted)
    return next((lane for lane in QUEUE_LANES if counts.get(lane.value)), Lane.DOCUMENT)


def queue_page(
    request: Request, ctx: ServiceContext, actor: Actor, lane: str | None = None
) -> Page:
    """The queue of one lane (from the address, or `lane` when a form posted to it comes back)."""
    require(actor, Action.INSPECTION_RECORD)
    counts = queries.queue_counts(ctx, actor, Agency(actor.org_type.value))
    params = address_params(request)
    shown = _chosen_lane(lane or params.get("lane"), counts)
    offset = whole_number(params.get("offset"), 0)
    found = declaration_rows(ctx, actor, shown, QUEUE_PAGE + 1, offset)
    context = {
        **paged(found, offset, QUEUE_PAGE),
        "lanes": [lane.value for lane in QUEUE_LANES],
        "counts": counts,
        "shown": shown.value,
    }
    url = f"{QUEUE_PATH}?lane={shown.value}"
    return Page("declaration_queue.html", context, url=url, current="cargo_queue")


@router.get(QUEUE_PATH)
def queue(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, queue_page(request, ctx, actor))


# --- forms posted from the declaration page, the queue and the home pages --------------------


def _again(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    declaration_id: int,
    shown: Forms,
    status: int,
    origin: str = "declaration",
    lane: str | None = None,
) -> HTMLResponse:
    """The page the form came from (the cargo queue of its lane, a home page or the
    declaration's), with the refused form shown again."""
    if origin == "queue":
        page = queue_page(request, ctx, actor, lane)
    elif origin == "home":
        page = home_page(ctx, actor)
    else:
        page = declaration_page(ctx, actor, declaration_id)
    return show(request, actor, page, shown, status)


def _belongs(ctx: ServiceContext, actor: Actor, declaration_id: int, kind: str, item: int) -> None:
    """The review or inspection named in the address is this declaration's (NotFound if not)."""
    view = queries.get_declaration(ctx, actor, declaration_id)
    if item not in {x["id"] for x in view[kind]}:
        raise NotFound(f"{kind[:-1]} {item} of declaration {declaration_id} not found")


@router.post("/declarations/{declaration_id:int}/reviews/{review_id:int}/decision")
def decide(
    request: Request,
    ctx: Ctx,
    actor: PageActor,
    form: PostedForm,
    declaration_id: int,
    review_id: int,
) -> Response:
    """An officer decides the agency's review of the declaration (the same decision as on a
    port call: a reason for anything but approve)."""
    values = forms.typed(form, ("decision", "reason", "version", "origin", "lane"))
    origin, lane = values.get("origin", "declaration"), values.get("lane")
    _belongs(ctx, actor, declaration_id, "reviews", review_id)
    refused = decide_posted(ctx, actor, review_id, values, language(request))
    if refused is not None:
        state, status = refused
        shown = {f"decide-{review_id}": state}
        return _again(request, ctx, actor, declaration_id, shown, status, origin, lane)
    if origin == "queue":
        back = lane if lane in {x.value for x in Lane} else Lane.DOCUMENT.value
        return redirect(f"{QUEUE_PATH}?lane={back}", notice="decided")
    return redirect(f"/declarations/{declaration_id}#review-{review_id}", notice="decided")


@router.post("/declarations/{declaration_id:int}/inspections/{inspection_id:int}/result")
def record_inspection(
    request: Request,
    ctx: Ctx,
    actor: PageActor,
    form: PostedForm,
    declaration_id: int,
    inspection_id: int,
) -> Response:
    """The officer records what the inspection found: a pass approves the review that ordered
    it, a failure holds it with the finding."""
    values = forms.typed(form, ("result", "finding", "kind"))
    key, lang = f"inspection-{inspection_id}", language(request)
    t = translations(lang).gettext
    _belongs(ctx, actor, declaration_id, "inspections", inspection_id)
    result = values.get("result")
    if result not in ("pass", "fail"):
        state = forms.with_error(values, "result", t(words.CHOOSE_RESULT))
        return _again(request, ctx, actor, declaration_id, {key: state}, 422)
    if result == "fail" and not values.get("finding"):
        state = forms.with_error(values, "finding", t(words.SAY_FINDING))
        return _again(request, ctx, actor, declaration_id, {key: state}, 422)
    try:
        record_posted_result(ctx, actor, inspection_id, values)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("result", "finding", "kind"), lang)
        return _again(request, ctx, actor, declaration_id, {key: state}, http_status(exc))
    return redirect(
        f"/declarations/{declaration_id}#inspection-{inspection_id}", notice="inspection_result"
    )


@router.post("/declarations/{declaration_id:int}/seizure")
def seize(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, declaration_id: int
) -> Response:
    """Customs seizes the goods; the reason is required and kept on record."""
    require(actor, Action.DECLARATION_SEIZE)
    values = forms.typed(form, ("reason",))
    lang = language(request)
    if not values.get("reason"):
        message = translations(lang).gettext(words.SEIZURE_REASON)
        state = forms.with_error(values, "reason", message)
        return _again(request, ctx, actor, declaration_id, {"seizure": state}, 422)
    try:
        release.seize(ctx, actor, declaration_id, values["reason"])
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("reason",), lang)
        return _again(request, ctx, actor, declaration_id, {"seizure": state}, http_status(exc))
    return redirect(f"/declarations/{declaration_id}", notice="seized")


@router.post("/declarations/{declaration_id:int}/gate-out")
def gate_out(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, declaration_id: int
) -> Response:
    """The terminal lets released goods out (the time defaults to now and may be changed)."""
    values = forms.typed(form, ("at", "origin"))
    origin, key = values.get("origin", "declaration"), f"gate-out-{declaration_id}"
    lang = language(request)
    at = forms.port_datetime(values["at"]) if values.get("at") else ctx.clock()
    if at is None:
        message = translations(lang).gettext(words.DATE_TIME)
        state = forms.with_error(values, "at", message)
        return _again(request, ctx, actor, declaration_id, {key: state}, 422, origin)
    try:
        release.gate_out(ctx, actor, declaration_id, at)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("at",), lang)
        return _again(request, ctx, actor, declaration_id, {key: state}, http_status(exc), origin)
    target = "/" if origin == "home" else f"/declarations/{declaration_id}"
    return redirect(target, notice="gated_out")
