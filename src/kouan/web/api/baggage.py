"""Checked bags: the airline sends its arriving flight's bags (tag and owner); customs' selection
answers at once which go to X-ray; customs calls owners and clears or holds bags."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.values import Plain, Whole
from kouan.services.passengers import baggage
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1", tags=["baggage"])

# The service checks each tag (10 digits) and owner, naming bags[N].tag or bags[N].owner.
Owner = Annotated[Whole, Field(ge=1, le=100_000)] | Annotated[Plain, Field(max_length=200)]


class BagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tag: Annotated[Plain, Field(max_length=20, description="the 10-digit IATA licence plate")]
    owner: Owner | None = Field(
        None,
        description="the owner's place in the flight's passenger list (from 1) or name; "
        "left out, the list's bag tags say whose it is",
    )


class BagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bags: Annotated[list[BagIn], Field(min_length=1, max_length=baggage.MAX_BAGS)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["cleared", "held"]
    note: Annotated[Plain, Field(max_length=2000)] = ""


@router.post("/flights/{flight_id}/bags", status_code=201)
def receive_bags(ctx: Ctx, actor: ApiActor, flight_id: Id, body: BagsIn) -> dict[str, Any]:
    """The airline's checked bags of its arriving flight; each answered selected or released."""
    bags = [bag.model_dump() for bag in body.bags]
    return baggage.receive_bags(ctx, actor, flight_id, bags)


@router.get("/flights/{flight_id}/bags")
def flight_bags(ctx: Ctx, actor: ApiActor, flight_id: Id) -> dict[str, Any]:
    """The flight's bags, counts and times (why each was selected: customs and the port office)."""
    return baggage.flight_bags(ctx, actor, flight_id)


@router.post("/bags/{bag_id}/decision")
def decide_bag(ctx: Ctx, actor: ApiActor, bag_id: Id, body: DecisionIn) -> dict[str, Any]:
    """Customs clears a selected bag (its owner may go) or holds it (the note says why)."""
    return baggage.decide_bag(ctx, actor, bag_id, body.decision == "cleared", body.note)


@router.post("/bags/{bag_id}/call")
def call_owner(ctx: Ctx, actor: ApiActor, bag_id: Id) -> dict[str, Any]:
    """Call the selected bag's owner by name at the exit (the baggage hall board shows it)."""
    return baggage.call_owner(ctx, actor, bag_id)
