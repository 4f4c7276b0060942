"""Person lists (passengers and crews of flights and cruises): sent as PAXLST, a spreadsheet or
JSON; read as the sender sent them, or with each person's screening by the agencies."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kouan.adapters import person_sheet
from kouan.domain.errors import ValidationFailed
from kouan.domain.person_list import ListKind
from kouan.services.passengers import figures, imports, lists, watchlist
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1", tags=["person lists"])
EDIFACT = "application/edifact"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BODIES = {
    "application/json": {"schema": {"type": "object"}},
    EDIFACT: {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}


def _answer(answer: dict[str, Any]) -> JSONResponse:
    # A refused list is answered 422 with the refusal kept (its id names it); an accepted 201.
    return JSONResponse(answer, status_code=201 if answer["status"] == "accepted" else 422)


@router.post(
    "/person-lists",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": _BODIES}},
    responses={422: {"description": "the list refused; its errors name segment and element"}},
)
async def send_list(ctx: Ctx, actor: ApiActor, request: Request) -> JSONResponse:
    """A passenger or crew list: PAXLST (application/edifact or text/plain), a spreadsheet of the
    template (XLSX, or text/csv), or JSON (with optional health_declarations)."""
    data = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = json.loads(data)
        except ValueError as exc:
            raise ValidationFailed.one(
                "body", data[:40].decode("utf-8", "replace"), "JSON"
            ) from exc
        if not isinstance(body, dict):
            raise ValidationFailed.one("body", str(body)[:40], "a JSON object: a person list")
        answer = await run_in_threadpool(imports.import_json, ctx, actor, body, data)
    elif kind in {XLSX, "text/csv"}:
        answer = await run_in_threadpool(imports.import_sheet, ctx, actor, data, kind)
    else:
        answer = await run_in_threadpool(imports.import_paxlst, ctx, actor, data)
    return _answer(answer)


@router.get("/person-lists/template")
def template(
    kind: ListKind = ListKind.PASSENGERS, fmt: Literal["xlsx", "csv"] = "xlsx"
) -> Response:
    """The bilingual spreadsheet template (中文/English headers) for cruise lines and agents."""
    media = XLSX if fmt == "xlsx" else "text/csv"
    content = person_sheet.sheet_template(kind, fmt)
    disposition = f'attachment; filename="kouan-{kind.value}-list.{fmt}"'
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/person-lists")
def list_lists(
    ctx: Ctx,
    actor: ApiActor,
    status: Literal["received", "screened", "settled", "rejected"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
) -> list[dict[str, Any]]:
    return lists.list_lists(ctx, actor, status, limit, offset)


@router.get("/person-lists/{list_id}")
def get_list(ctx: Ctx, actor: ApiActor, list_id: Id) -> dict[str, Any]:
    return lists.get_list(ctx, actor, list_id)


@router.get("/person-lists/{list_id}/screening")
def get_screening(ctx: Ctx, actor: ApiActor, list_id: Id) -> dict[str, Any]:
    """Each person's screening (the agencies'): cleared or referred, with the hits."""
    return lists.screening_result(ctx, actor, list_id)


@router.post(
    "/watchlist",
    status_code=201,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_watch_list(ctx: Ctx, actor: ApiActor, request: Request) -> dict[str, Any]:
    """Border inspection's watch list as CSV (id,name,aliases,date_of_birth,nationality,
    document_number,reason): it becomes the active version; a bad line refuses the whole file."""
    data = await request.body()
    return await run_in_threadpool(watchlist.import_file, ctx, actor, data, "api")


@router.get("/watchlist")
def active_watch_list(ctx: Ctx, actor: ApiActor) -> dict[str, Any]:
    return watchlist.active_version(ctx, actor)


@router.get("/passenger-figures")
def get_passenger_figures(
    ctx: Ctx,
    actor: ApiActor,
    start: date = Query(alias="from"),
    end: date = Query(alias="to"),
    by: figures.By = "day",
    crew: bool = False,
) -> dict[str, Any]:
    """Persons in and out by day, month, route, nationality or journey (passengers; crews too
    with crew=true), with the Japanese and Korean shares."""
    return figures.passenger_figures(ctx, actor, start, end, by, None if crew else "passenger")
