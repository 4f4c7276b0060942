"""Health and the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kouan.services.review import trails
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1", tags=["system"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/audit/{entity_type}/{entity_id}")
def audit(ctx: Ctx, actor: ApiActor, entity_type: str, entity_id: str) -> list[dict[str, Any]]:
    return trails.entries(ctx, actor, entity_type, entity_id)
