"""Port calls: file, amend, depart, record timeline events, read (scoped)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from kouan.adapters.person_lists import parse_person_list
from kouan.domain.filing import ArrivalNotice, DepartureNotice
from kouan.domain.portcall import CallStatus, TimelineEvent
from kouan.domain.values import PortTime
from kouan.services.platform.idempotency import request_hash
from kouan.services.ships import portcalls
from kouan.web.deps import ApiActor, Ctx, Id, IdempotencyKey, Offset

router = APIRouter(prefix="/api/v1/port-calls", tags=["port calls"])


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: TimelineEvent
    at: PortTime | None = None  # now when omitted


def _digest(request: Request, notice: BaseModel, key: str | None) -> str:
    """What an Idempotency-Key is bound to; only worth computing when a key was sent."""
    return request_hash("POST", request.url.path, notice.model_dump(mode="json")) if key else ""


def _answer(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


@router.post("", status_code=201)
def file_arrival(
    ctx: Ctx, actor: ApiActor, notice: ArrivalNotice, request: Request, key: IdempotencyKey = None
) -> JSONResponse:
    digest = _digest(request, notice, key)
    return _answer(*portcalls.file_arrival(ctx, actor, notice, key, digest))


@router.get("")
def list_port_calls(
    ctx: Ctx,
    actor: ApiActor,
    status: Annotated[list[CallStatus] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return portcalls.list_port_calls(ctx, actor, status, limit, offset)


@router.get("/{call_id}")
def get_port_call(ctx: Ctx, actor: ApiActor, call_id: Id) -> dict[str, Any]:
    return portcalls.get_port_call(ctx, actor, call_id)


@router.put("/{call_id}")
def amend_arrival(ctx: Ctx, actor: ApiActor, call_id: Id, notice: ArrivalNotice) -> dict[str, Any]:
    return portcalls.amend_arrival(ctx, actor, call_id, notice)


@router.post("/{call_id}/departure", status_code=201)
def file_departure(
    ctx: Ctx,
    actor: ApiActor,
    call_id: Id,
    notice: DepartureNotice,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    digest = _digest(request, notice, key)
    return _answer(*portcalls.file_departure(ctx, actor, call_id, notice, key, digest))


@router.post("/{call_id}/events")
def record_event(ctx: Ctx, actor: ApiActor, call_id: Id, event: EventIn) -> dict[str, Any]:
    at = event.at or ctx.clock()
    return portcalls.record_event(ctx, actor, call_id, event.type, at)


# The forms of a crew and passenger list the upload takes, told apart by their content.
_LIST_BODIES = {
    "application/edifact": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@router.post("/{call_id}/paxlst", openapi_extra={"requestBody": {"content": _LIST_BODIES}})
async def upload_paxlst(ctx: Ctx, actor: ApiActor, call_id: Id, request: Request) -> dict[str, Any]:
    """Replace the crew and passenger lists from a person list as the raw body: a UN/EDIFACT
    PAXLST (crew NAD+FM, passengers NAD+FL), or an XLSX or CSV of the bilingual template
    (GET /api/v1/person-lists/template; its role column says crew or passenger). The form is
    told by the content, whatever the Content-Type says."""
    data = await request.body()
    persons = await run_in_threadpool(parse_person_list, data)
    return await run_in_threadpool(portcalls.replace_persons, ctx, actor, call_id, persons.lists)
