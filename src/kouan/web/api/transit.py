"""Transit under customs seal (转关): customs at the port opens a transit for an inland-declared
import, customs or the terminal records its departure under seal, the inland office's customs
acknowledges its arrival (the seals checked) and releases goods it held; everyone allowed lists
them with the time left (kouan.services.transit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.transit import MAX_SEALS, TransitStatus
from kouan.domain.values import Plain, PortTime
from kouan.services.transit import transits
from kouan.web.deps import ApiActor, Ctx, Id, Offset

router = APIRouter(prefix="/api/v1/transits", tags=["transit"])

Seals = Annotated[
    list[Annotated[Plain, Field(max_length=40)]],
    Field(max_length=MAX_SEALS, description="seal numbers, e.g. CNTAO0001"),
]
Note = Annotated[Plain, Field(max_length=2000)]


class OpenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declaration_id: int = Field(ge=1, le=2**31 - 1)
    seals: Seals = []


class DepartureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seals: Seals = Field(default=[], description="replace the seals known; [] keeps them")
    conveyance: Annotated[Plain, Field(description="road or rail")]
    conveyance_id: Annotated[Plain, Field(max_length=40, description="plate or wagon number")]
    at: PortTime | None = None  # now when omitted


class ArrivalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seals_found: Seals
    at: PortTime | None = None  # now when omitted
    note: Note = ""


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Plain, Field(min_length=1, max_length=2000)]


@router.get("")
def list_transits(
    ctx: Ctx,
    actor: ApiActor,
    status: Annotated[list[TransitStatus] | None, Query()] = None,
    to_office: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}[A-Za-z2-9]{3}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """On their way first, the soonest due first (`seconds_left`, `overdue`); then the rest."""
    where = transits.Filter(tuple(status or ()), to_office)
    return transits.list_transits(ctx, actor, where, limit, offset)


@router.get("/awaiting")
def awaiting(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    """Inland-declared imports released and still at the port without a transit (customs)."""
    return transits.awaiting(ctx, actor)


@router.get("/{transit_id}")
def show(ctx: Ctx, actor: ApiActor, transit_id: Id) -> dict[str, Any]:
    return transits.get_transit(ctx, actor, transit_id)


@router.post("", status_code=201)
def open_transit(ctx: Ctx, actor: ApiActor, body: OpenIn) -> dict[str, Any]:
    """Customs at the port opens a transit to the office that took the declaration."""
    return transits.open_transit(ctx, actor, body.declaration_id, list(body.seals))


@router.post("/{transit_id}/departure")
def departure(ctx: Ctx, actor: ApiActor, transit_id: Id, body: DepartureIn) -> dict[str, Any]:
    """The goods leave the port under seal: the time limit starts."""
    return transits.record_departure(
        ctx,
        actor,
        transit_id,
        seals=list(body.seals),
        conveyance=body.conveyance,
        conveyance_id=body.conveyance_id,
        at=body.at,
    )


@router.post("/{transit_id}/arrival")
def arrival(ctx: Ctx, actor: ApiActor, transit_id: Id, body: ArrivalIn) -> dict[str, Any]:
    """The inland office acknowledges the arrival: intact seals close the transit, others hold
    the goods with the reason."""
    return transits.acknowledge_arrival(
        ctx, actor, transit_id, seals_found=list(body.seals_found), at=body.at, note=body.note
    )


@router.post("/{transit_id}/release")
def release(ctx: Ctx, actor: ApiActor, transit_id: Id, body: ReleaseIn) -> dict[str, Any]:
    """The inland office releases goods it held at arrival, with what it found."""
    return transits.release_held(ctx, actor, transit_id, body.note)
