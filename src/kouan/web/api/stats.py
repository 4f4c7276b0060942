"""Port statistics: the port office's statistical returns imported as CSV, and each indicator's
monthly figures at a port, computed from Kouan's records or imported."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from kouan.services.stats import figures, imports
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1/stats", tags=["statistics"])


@router.post(
    "/imports",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_figures(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    """A statistical return as CSV (period,port,indicator,value,unit; UTF-8, with or without a
    BOM): a file with a bad row is refused whole, 422 naming each row's line and column; an
    accepted one answers how many figures were unchanged, added and changed."""
    data = await request.body()
    return await run_in_threadpool(imports.import_file, ctx, actor, data, "api")


@router.get("/figures")
def get_figures(
    ctx: Ctx,
    actor: ApiActor,
    indicator: str = Query(max_length=40, description="e.g. ship_calls"),
    port: str = Query(max_length=5, description="CNTAO or TAO"),
    first: str = Query(max_length=7, description="YYYY-MM"),
    last: str = Query(max_length=7, description="YYYY-MM"),
) -> dict[str, Any]:
    """Each month's figure: `value` the one shown (`source` computed where Kouan holds records
    for the month, else imported), with `computed` and `imported` beside it."""
    return figures.series(ctx, actor, indicator, port, first, last)
