"""The terminal's reports: POST /api/v1/terminal/moves (a JSON list of moves, or a raw COARRI),
/bayplans (a BAPLIE), /arrivals (goods-arrival reports); GET the moves, and customs'
GET /api/v1/terminal/discrepancies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from kouan.domain.errors import ValidationFailed
from kouan.services.terminal import discrepancies, moves
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1/terminal", tags=["terminal"])

_MOVES = TypeAdapter(Annotated[list[moves.MoveIn], Field(min_length=1, max_length=100_000)])
_ARRIVALS = TypeAdapter(Annotated[list[moves.ArrivalIn], Field(min_length=1, max_length=100_000)])
_EDIFACT = {"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}}
_JSON_OR_EDIFACT = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/edifact": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        }
    }
}


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _is_json(request: Request, body: bytes) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind.endswith("json"):
        return True
    return not kind.startswith(("text/", "application/edifact")) and body.lstrip()[:1] == b"["


@router.post("/moves", status_code=201, openapi_extra=_JSON_OR_EDIFACT)
async def report_moves(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        raise ValidationFailed.one("body", "", "a JSON list of moves or a COARRI interchange")
    if _is_json(request, body):
        listed = _MOVES.validate_json(body)
        return await run_in_threadpool(moves.record_moves, ctx, actor, listed)
    return await run_in_threadpool(moves.record_coarri, ctx, actor, _text(body))


@router.get("/moves")
def list_moves(
    ctx: Ctx,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    warned: bool = False,
) -> list[dict[str, Any]]:
    return moves.list_moves(ctx, actor, limit, warned)


@router.post("/bayplans", status_code=201, openapi_extra=_EDIFACT)
async def report_bay_plan(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    body = await request.body()
    return await run_in_threadpool(moves.record_bay_plan, ctx, actor, _text(body))


@router.get("/bayplans")
def list_bay_plans(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return moves.list_bay_plans(ctx, actor)


@router.post("/arrivals", status_code=201)
async def report_arrivals(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    listed = _ARRIVALS.validate_json(await request.body())
    return await run_in_threadpool(moves.record_arrivals, ctx, actor, listed)


@router.get("/discrepancies")
def list_discrepancies(
    ctx: Ctx, actor: ApiActor, limit: Annotated[int, Query(ge=1, le=1000)] = 500
) -> dict[str, Any]:
    return discrepancies.discrepancies(ctx, actor, limit)
