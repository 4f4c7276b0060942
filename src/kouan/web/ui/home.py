"""The home page answers "what needs me now?", for each kind of organisation its own: the port
calls, and the cargo declarations of the broker, the customs and CIQ officers and the terminal."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kouan.domain.agency import Agency, OrgType
from kouan.domain.declaration import DeclarationStatus
from kouan.domain.portcall import IN_PORT, CallStatus
from kouan.services.cargo import queries
from kouan.services.cargo.queries import Filter
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.port_office import board
from kouan.services.ships import portcalls
from kouan.web.deps import Ctx
from kouan.web.ui import port_call_view
from kouan.web.ui.board import board_context
from kouan.web.ui.render import Page, show
from kouan.web.ui.review_view import QUEUE_LANES, review_rows
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

HOME_ROWS = 100
OFFICER_QUEUE_ROWS = 20
EXPECTED_HOURS = 48
# A rejected declaration stays on the broker's home for a week; held ones until decided.
REJECTED_DAYS = 7
RELEASED_ROWS = 20
_RELEASED = Filter(status=(DeclarationStatus.RELEASED,))
_ACTIVE: list[CallStatus] = [s for s in CallStatus if s is not CallStatus.DEPARTED]
_BEFORE_ARRIVAL: list[CallStatus] = [CallStatus.FILED, CallStatus.CLEARED, CallStatus.REJECTED]
_IN_PORT: list[CallStatus] = sorted(IN_PORT, key=list(CallStatus).index)


def _agent_order(call: dict[str, Any]) -> tuple[bool, datetime]:
    """Calls that need the agent first, then by ETA."""
    return not port_call_view.needs_attention(call), datetime.fromisoformat(call["eta"])


def _agent(ctx: ServiceContext, actor: Actor) -> tuple[str, dict[str, Any]]:
    """The agent's calls not yet departed: late filings and holds first, then by ETA."""
    calls = portcalls.list_port_calls(ctx, actor, _ACTIVE, HOME_ROWS)
    calls.sort(
        key=lambda c: (not port_call_view.needs_attention(c), datetime.fromisoformat(c["eta"]))
    )
    counts = {s.value: sum(1 for c in calls if c["status"] == s) for s in _ACTIVE}
    return "home_agent.html", {"calls": calls, "counts": counts}


def _broker(ctx: ServiceContext, actor: Actor) -> tuple[str, dict[str, Any]]:
    """The broker's declarations by status: held, then rejected this week, then under review or
    inspection (each oldest first within), and the latest released."""
    week = ctx.clock() - timedelta(days=REJECTED_DAYS)
    sections = (
        Filter(status=(DeclarationStatus.HELD,)),
        Filter(status=(DeclarationStatus.REJECTED,), since=week),
        Filter(status=(DeclarationStatus.INSPECTION, DeclarationStatus.UNDER_REVIEW)),
    )
    waiting = [
        view
        for where in sections
        for view in queries.list_declarations(ctx, actor, where, HOME_ROWS, oldest_first=True)
    ]
    context = {
        "waiting": waiting,
        "released": queries.list_declarations(ctx, actor, _RELEASED, RELEASED_ROWS),
        "counts": {
            s.value: queries.count_declarations(ctx, actor, Filter(status=(s,)))
            for s in DeclarationStatus
        },
    }
    return "home_broker.html", context


def _officer(ctx: ServiceContext, actor: Actor) -> tuple[str, dict[str, Any]]:
    cargo = None
    if allowed(actor, Action.INSPECTION_RECORD):  # customs and CIQ review declarations too
        cargo = queries.queue_counts(ctx, actor, Agency(actor.org_type.value))
    context = {
        "rows": review_rows(ctx, actor, "open", OFFICER_QUEUE_ROWS),
        "decided": board.decided_today(ctx, actor),
        "cargo": cargo,
        "lanes": [lane.value for lane in QUEUE_LANES],
    }
    return "home_officer.html", context


def _terminal(ctx: ServiceContext, actor: Actor) -> tuple[str, dict[str, Any]]:
    """Ships due within 48 hours (or overdue) and ships in port, each with its next event; the
    released declarations whose goods wait for the gate."""
    now = ctx.clock()
    coming = portcalls.list_port_calls(ctx, actor, _BEFORE_ARRIVAL, HOME_ROWS)
    etas = {c["id"]: datetime.fromisoformat(c["eta"]) for c in coming}
    expected = [c for c in coming if etas[c["id"]] <= now + timedelta(hours=EXPECTED_HOURS)]
    context = {
        "expected": expected,
        "overdue": {i for i, eta in etas.items() if eta < now},
        "in_port": portcalls.list_port_calls(ctx, actor, _IN_PORT, HOME_ROWS),
        "gate": queries.list_declarations(ctx, actor, _RELEASED, HOME_ROWS, oldest_first=True),
        "gate_waiting": queries.count_declarations(ctx, actor, _RELEASED),
    }
    return "home_terminal.html", context


def _port_office(ctx: ServiceContext, actor: Actor) -> tuple[str, dict[str, Any]]:
    return "board.html", board_context(ctx, actor)


def _other(_ctx: ServiceContext, _actor: Actor) -> tuple[str, dict[str, Any]]:
    return "home_other.html", {}


_HOMES = {
    OrgType.SHIPPING_AGENT: _agent,
    OrgType.CUSTOMS: _officer,
    OrgType.CIQ: _officer,
    OrgType.BORDER: _officer,
    OrgType.MSA: _officer,
    OrgType.TERMINAL: _terminal,
    OrgType.PORT_OFFICE: _port_office,
    OrgType.CUSTOMS_BROKER: _broker,
}


def home_page(ctx: ServiceContext, actor: Actor) -> Page:
    """The home of the actor's kind of organisation (a form refused on it shows it again)."""
    template, context = _HOMES.get(actor.org_type, _other)(ctx, actor)
    return Page(template, context, url="/", current="home")


@router.get("/")
def home(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, home_page(ctx, actor))
