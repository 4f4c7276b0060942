"""The baggage hall board: a wall screen by the exit. For each flight landed today with checked
bags, its counts and, in large text, the owners customs calls to its counter; it reloads itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from kouan.domain.identifiers import MAX_ID
from kouan.services.passengers import baggage
from kouan.web.deps import Ctx
from kouan.web.ui.render import render
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

# A wall screen nobody touches: it reloads itself this often (a meta refresh, no script).
REFRESH_SECONDS = 20


@router.get("/baggage-hall")
def baggage_hall(
    request: Request,
    ctx: Ctx,
    actor: PageActor,
    flight: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """Every flight landed today, or only `flight` (the screen at its belt)."""
    context = {
        "hall": baggage.hall_board(ctx, actor, flight),
        "refresh": REFRESH_SECONDS,
        "flight_asked": flight,
    }
    return render(request, "baggage_hall.html", context, actor=actor, current="baggage")
