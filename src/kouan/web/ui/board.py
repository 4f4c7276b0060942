"""The port office's live board: ships at anchor, alongside and gone today; today's zero-wait
figures; each agency's pending reviews; today's declarations and clearance times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kouan.domain.agency import AGENCIES, Agency, OrgType
from kouan.domain.declaration import DeclarationStatus
from kouan.services.cargo import clearance
from kouan.services.passengers import figures
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.port_office import board
from kouan.services.review import reviews
from kouan.web.deps import Ctx
from kouan.web.ui.display import age_minutes
from kouan.web.ui.render import render
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)


def board_context(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    """The board's figures; the agencies' queues only for those who may read reviews."""
    return {
        "board": board.port_board(ctx, actor),
        "queues": _queues(ctx, actor),
        "cargo": _cargo(ctx, actor),
        "passengers": _passengers(ctx, actor),
    }


def _passengers(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    """Today's passengers in and out, by flight or cruise call, and the week's markets."""
    today = board.start_of_day(ctx.clock()).date()
    return {
        "today": figures.passenger_figures(ctx, actor, today, today, "journey"),
        "week": figures.passenger_figures(ctx, actor, today - timedelta(days=6), today, "day"),
    }


def _cargo(ctx: ServiceContext, actor: Actor) -> dict[str, Any] | None:
    """Declarations filed today by lane and status, and today's clearance times;
    for those who read every declaration and the clearance figures (port office, customs)."""
    if not (allowed(actor, Action.CLEARANCE_READ) and allowed(actor, Action.DECLARATION_READ)):
        return None
    midnight = board.start_of_day(ctx.clock())
    counts = board.cargo_counts(ctx, actor, midnight)
    today = midnight.date()
    return {
        "counts": counts,
        "statuses": [s.value for s in DeclarationStatus],
        "times": clearance.clearance_times(ctx, actor, today, today)["all"],
    }


def _queues(ctx: ServiceContext, actor: Actor) -> list[tuple[str, int, float | None]]:
    """Per agency: reviews waiting for an officer and the oldest one's age in minutes."""
    if not allowed(actor, Action.REVIEW_READ):
        return []
    counts = reviews.queue_counts(ctx, actor)
    now = ctx.clock()
    # An officer reads only the own agency's queue: the others are not shown as empty.
    shown = AGENCIES if actor.org_type is OrgType.PORT_OFFICE else (Agency(actor.org_type),)
    out: list[tuple[str, int, float | None]] = []
    for agency in shown:
        waiting = counts.get(agency.value)
        if waiting is None:
            out.append((agency.value, 0, None))
        else:
            out.append((agency.value, int(waiting["open"]), age_minutes(waiting["oldest"], now)))
    return out


@router.get("/board")
def board_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return render(request, "board.html", board_context(ctx, actor), actor=actor, current="board")
