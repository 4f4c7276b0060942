"""Crossings at the border's counters, e-gates and gangways: each recorded as it happens (a
referred person is answered held, with what stops them), a counter's screen, a journey's measured
figures, and a pre-cleared cruise call's passengers released by group."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.identifiers import MAX_ID
from kouan.domain.values import Plain, PortTime, Whole
from kouan.services.passengers import crossings
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1", tags=["crossings"])

COUNTER = r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,19}$"
Counter = Annotated[str, Field(pattern=COUNTER, description="e.g. E-GATE-03, COUNTER-12")]


class CrossingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    port: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{3,5}$", description="TAO or CNTAO")]
    counter: Counter
    direction: Literal["arriving", "departing"]
    document_number: Annotated[Plain, Field(min_length=1, max_length=35)] | None = None
    person_id: Annotated[Whole, Field(ge=1, le=MAX_ID)] | None = None
    queued_at: PortTime | None = Field(None, description="when the person joined the queue")
    crossed_at: PortTime | None = Field(None, description="when they crossed; now if left out")


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deck: Annotated[Plain, Field(max_length=10)] | None = None
    tour_group: Annotated[Plain, Field(max_length=35)] | None = None
    counter: Counter = crossings.GANGWAY


@router.post("/crossings", status_code=201)
def record_crossing(ctx: Ctx, actor: ApiActor, body: CrossingIn) -> dict[str, Any]:
    """A person's crossing at a counter or gate (border inspection). `outcome` "held": the
    person is still referred; `person` and `referrals` say why, for the officer there."""
    return crossings.record_crossing(
        ctx,
        actor,
        body.port,
        body.counter,
        body.direction,
        document_number=body.document_number,
        person_id=body.person_id,
        queued_at=body.queued_at,
        crossed_at=body.crossed_at,
    )


@router.get("/counters/{counter}")
def counter_view(
    ctx: Ctx,
    actor: ApiActor,
    counter: Annotated[str, Path(pattern=COUNTER)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """The counter's referred persons still presenting, its last crossings and today's figures."""
    return crossings.counter_view(ctx, actor, counter, limit)


@router.get("/flights/{flight_id}/crossings")
def flight_figures(ctx: Ctx, actor: ApiActor, flight_id: Id) -> dict[str, Any]:
    """Passengers per hour and median clearance minutes, measured from the flight's crossings."""
    return crossings.journey_figures(ctx, actor, flight_id=flight_id)


@router.get("/cruise-calls/{cruise_call_id}/crossings")
def cruise_figures(ctx: Ctx, actor: ApiActor, cruise_call_id: Id) -> dict[str, Any]:
    """Passengers per hour and median minutes from arrival to going ashore, for the call."""
    return crossings.journey_figures(ctx, actor, cruise_call_id=cruise_call_id)


@router.post("/cruise-calls/{cruise_call_id}/release")
def release_group(
    ctx: Ctx, actor: ApiActor, cruise_call_id: Id, body: ReleaseIn | None = None
) -> dict[str, Any]:
    """Let a group of the pre-cleared call ashore (a deck, a tour group; neither: the whole
    ship); passengers still referred are listed as exceptions and stay aboard."""
    body = body or ReleaseIn()
    return crossings.release_group(
        ctx, actor, cruise_call_id, body.deck, body.tour_group, counter=body.counter
    )
