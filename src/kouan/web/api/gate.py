"""The terminal's gate: may this container go through? Yes or no with the reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from kouan.domain.values import Plain
from kouan.services.goods import gate
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1", tags=["gate"])
# Checked as ISO 6346 by the service (422 naming container_number); bounded here.
ContainerNumber = Annotated[Plain, Path(min_length=1, max_length=20)]


@router.get("/gate/refusals")
def refusals(
    ctx: Ctx, actor: ApiActor, limit: int = Query(50, ge=1, le=1000)
) -> list[dict[str, Any]]:
    """The last refusals (a terminal its own; customs and the port office all)."""
    return gate.refusals(ctx, actor, limit)


@router.get("/gate/{container_number}")
def check(ctx: Ctx, actor: ApiActor, container_number: ContainerNumber) -> dict[str, Any]:
    """Yes (`allowed`) only when the container is on a B/L whose declaration covering it is
    released and none is held or seized; each refusal is kept."""
    return gate.check(ctx, actor, container_number)
