"""Reviews: an agency's queue and its officers' decisions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.agency import Decision
from kouan.domain.values import Plain, Whole
from kouan.services.review import reviews
from kouan.web.deps import ApiActor, Ctx, Id, Offset

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: Annotated[Plain, Field(max_length=2000)] = ""
    version: Whole | None = None  # the review's version the officer saw, to detect a stale screen


@router.get("")
def list_reviews(
    ctx: Ctx,
    actor: ApiActor,
    status: Literal["open", "pending", "inspect", "hold", "approved", "rejected"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return reviews.list_reviews(ctx, actor, status, limit=limit, offset=offset)


@router.post("/{review_id}/decision")
def decide(ctx: Ctx, actor: ApiActor, review_id: Id, body: DecisionIn) -> dict[str, Any]:
    return reviews.decide(ctx, actor, review_id, body.decision, body.reason, body.version)


@router.post("/{review_id}/targets/{target_id}/decision")
def decide_target(
    ctx: Ctx, actor: ApiActor, review_id: Id, target_id: Id, body: DecisionIn
) -> dict[str, Any]:
    """Decide one target a review's rules referred (a person of a list): approve clears, reject
    refuses, inspect sends to inspection or quarantine; `version` is the target's."""
    return reviews.decide_target(
        ctx, actor, review_id, target_id, body.decision, body.reason, body.version
    )
