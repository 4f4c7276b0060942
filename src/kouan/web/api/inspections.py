"""Inspections: a site's schedule and daily capacity, and the officers' results."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.declaration import InspectionKind
from kouan.domain.filing import Locode
from kouan.domain.values import Plain, PortDate, Whole
from kouan.services.review import inspections
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Literal["pass", "fail"]
    finding: Annotated[Plain, Field(max_length=2000)] = ""
    kind: InspectionKind | None = None  # how it was done, when not as booked


class CapacityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site: Locode
    day: PortDate
    capacity: Annotated[Whole, Field(ge=0, le=10_000)]


@router.get("/schedule")
def schedule(
    ctx: Ctx,
    actor: ApiActor,
    site: Annotated[str, Query(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")] = "CNTAO",
    first: PortDate | None = None,
    days: Annotated[int, Query(ge=1, le=62)] = 7,
) -> dict[str, Any]:
    return inspections.schedule(ctx, actor, site, first, days)


@router.post("/{inspection_id}/result")
def record_result(ctx: Ctx, actor: ApiActor, inspection_id: Id, body: ResultIn) -> dict[str, Any]:
    return inspections.record_result(
        ctx, actor, inspection_id, body.result == "pass", body.finding, body.kind
    )


@router.put("/capacity")
def set_capacity(ctx: Ctx, actor: ApiActor, body: CapacityIn) -> dict[str, Any]:
    return inspections.set_capacity(ctx, actor, body.site, body.day, body.capacity)
