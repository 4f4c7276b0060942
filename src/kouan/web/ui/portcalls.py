"""Port-call pages: the list (filtered, sorted, paged, CSV) and one call with its reviews,
timeline, documents and audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from kouan.domain.agency import ENTERPRISE_TYPES
from kouan.domain.portcall import CallStatus
from kouan.services.platform import audit_trail
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from kouan.web.deps import Ctx
from kouan.web.ui import csvexport, port_call_view
from kouan.web.ui.display import at_port
from kouan.web.ui.forms import whole_number
from kouan.web.ui.render import Page, render, show
from kouan.web.ui.review_view import may_decide
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

SORTS = ("eta", "filed", "id")
PAGE_SIZES = (25, 50, 100)
CSV_COLUMNS = (
    "id", "ship_name", "imo", "voyage", "status", "late", "berth", "eta", "etd", "entry_permit",
    "ATA", "ALL_FAST", "OPS_START", "OPS_COMPLETE", "ATD", "departure_permit",
    "entry_wait_minutes", "departure_wait_minutes", "is_zero_wait",
)  # fmt: skip


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
        statuses = [CallStatus(s) for s in params.getlist("status") if s in known]
        sort = params.get("sort", "eta")
        limit = whole_number(params.get("limit"), PAGE_SIZES[1])
        return cls(
            statuses=statuses,
            sort=sort if sort in SORTS else "eta",
            limit=limit if limit in PAGE_SIZES else PAGE_SIZES[1],
            offset=max(whole_number(params.get("offset"), 0), 0),
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
        return "/port-calls?" + urlencode(params, doseq=True)


@router.get("/port-calls", response_model=None)
def list_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse | StreamingResponse:
    query = ListQuery.of(request)
    if request.query_params.get("format") == "csv":
        return _csv(ctx, actor, query)
    rows = portcalls.list_port_calls(
        ctx, actor, query.statuses or None, query.limit + 1, query.offset, query.sort
    )
    agents = {}
    if actor.org_type not in ENTERPRISE_TYPES:  # an enterprise sees only its own filings
        agents = portcalls.agent_names(ctx, actor, {r["agent_org_id"] for r in rows})
    context = {
        "calls": rows[: query.limit],
        "has_next": len(rows) > query.limit,
        "query": query,
        "agents": agents,
        "statuses": list(CallStatus),
        "page_sizes": PAGE_SIZES,
    }
    return render(request, "portcall_list.html", context, actor=actor, current="calls")


def _csv_row(call: dict[str, Any]) -> list[Any]:
    stamps = call["timestamps"]
    waits = call["zero_wait"]

    def local(value: str | None) -> str:
        moment = at_port(value)
        return moment.isoformat() if moment else ""

    return [
        call["id"], call["ship"]["name"], call["ship"]["imo"], call["voyage"], call["status"],
        call["late"], call["berth"] or "", local(call["eta"]), local(call["etd"]),
        local((call["entry_permit"] or {}).get("issued_at")),
        *(local(stamps[e]) for e in ("ATA", "ALL_FAST", "OPS_START", "OPS_COMPLETE", "ATD")),
        local((call["departure_permit"] or {}).get("issued_at")),
        waits["entry_wait_minutes"], waits["departure_wait_minutes"], waits["is_zero_wait"],
    ]  # fmt: skip


def _csv(ctx: ServiceContext, actor: Actor, query: ListQuery) -> StreamingResponse:
    """The whole filtered list, fetched a page at a time while it is sent."""

    def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        return portcalls.list_port_calls(
            ctx, actor, query.statuses or None, limit, offset, query.sort
        )

    rows = ([_csv_row(call) for call in page] for page in csvexport.pages(fetch))
    return csvexport.download(CSV_COLUMNS, rows, "port-calls.csv")


def call_page(ctx: ServiceContext, actor: Actor, call_id: int) -> Page:
    """One port call as its reader may act on it."""
    call = portcalls.get_port_call(ctx, actor, call_id)
    context = {
        "call": call,
        "cards": port_call_view.agency_cards(call),
        "steps": port_call_view.timeline(call),
        "trail": audit_trail.port_call_trail(ctx, actor, call_id),
        "review_agency": {str(r["id"]): r["agency"] for r in call["reviews"]},
        "decidable": {r["id"] for r in call["reviews"] if may_decide(actor, r)},
        "can_record": allowed(actor, Action.PORT_CALL_EVENT),
        "can_depart": allowed(actor, Action.PORT_CALL_FILE)
        and call["entry_permit"] is not None
        and call["departure_filed_at"] is None
        and call["status"] != CallStatus.DEPARTED,
    }
    return Page("portcall.html", context, url=f"/port-calls/{call_id}", current="calls")


@router.get("/port-calls/{call_id:int}")
def call_detail(request: Request, ctx: Ctx, actor: PageActor, call_id: int) -> HTMLResponse:
    return show(request, actor, call_page(ctx, actor, call_id))
