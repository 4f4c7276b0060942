"""POST /api/v1/ais: NMEA 0183 AIVDM lines as text/plain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from kouan.services.ships import ais
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1/ais", tags=["ais"])


@router.post(
    "", openapi_extra={"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}}
)
async def ingest(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    text = (await request.body()).decode("ascii", errors="replace")
    result = await run_in_threadpool(ais.ingest, ctx, actor, text.splitlines())
    return result.as_dict()
