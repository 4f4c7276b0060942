"""Cargo declarations: file (JSON or a CUSDEC interchange), read (scoped), gate-out, seizure, and
clearance times."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from kouan.domain.agency import Agency
from kouan.domain.declaration import Declaration, DeclarationStatus, Lane
from kouan.domain.errors import Forbidden
from kouan.domain.identifiers import MAX_ID
from kouan.domain.values import Plain, PortDate, PortTime
from kouan.services.cargo import clearance, cusdec_import, declarations, queries, release
from kouan.services.cargo.queries import Filter
from kouan.services.platform.idempotency import request_hash
from kouan.web.deps import ApiActor, Ctx, Id, IdempotencyKey, Offset

router = APIRouter(prefix="/api/v1", tags=["declarations"])
EDIFACT = "application/edifact"


class GateOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: PortTime | None = None  # now when omitted


class SeizureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Plain, Field(min_length=1, max_length=2000)]


@router.post("/declarations", status_code=201)
def file_declaration(
    ctx: Ctx,
    actor: ApiActor,
    declaration: Declaration,
    request: Request,
    key: IdempotencyKey = None,
) -> JSONResponse:
    digest = (
        request_hash("POST", request.url.path, declaration.model_dump(mode="json")) if key else ""
    )
    status, body = declarations.file_declaration(ctx, actor, declaration, "api", key, digest)
    return JSONResponse(body, status_code=status)


@router.post(
    "/declarations/cusdec",
    openapi_extra={"requestBody": {"content": {EDIFACT: {"schema": {"type": "string"}}}}},
    responses={200: {"content": {EDIFACT: {}, "application/json": {}}}},
)
async def import_cusdec(ctx: Ctx, actor: ApiActor, request: Request) -> Response:
    """A CUSDEC interchange of many declarations; answered with a CUSRES for each (as EDIFACT,
    or as JSON with the CUSRES inside when the client accepts application/json)."""
    text = (await request.body()).decode("utf-8", errors="replace")
    result = await run_in_threadpool(cusdec_import.import_interchange, ctx, actor, text)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({**result.summary, "cusres": result.cusres})
    return PlainTextResponse(result.cusres, media_type=EDIFACT)


@router.get("/declarations")
def list_declarations(
    ctx: Ctx,
    actor: ApiActor,
    status: Annotated[list[DeclarationStatus] | None, Query()] = None,
    lane: Lane | None = None,
    office: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}[A-Za-z2-9]{3}$")] = None,
    awaiting: Agency | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    since: PortTime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    where = Filter(tuple(status or ()), lane, office, awaiting, q, since)
    return queries.list_declarations(
        ctx, actor, where, limit, offset, oldest_first=awaiting is not None
    )


@router.get("/declarations/{declaration_id}")
def get_declaration(ctx: Ctx, actor: ApiActor, declaration_id: Id) -> dict[str, Any]:
    return queries.get_declaration(ctx, actor, declaration_id)


@router.get("/declarations/{declaration_id}/cusres", response_class=PlainTextResponse)
def get_cusres(ctx: Ctx, actor: ApiActor, declaration_id: Id) -> PlainTextResponse:
    """The declaration's CUSRES as it stands now: its lane, and later its release."""
    text = cusdec_import.cusres_for(ctx, actor, declaration_id)
    return PlainTextResponse(text, media_type=EDIFACT)


@router.get("/cusres", response_class=PlainTextResponse)
def poll_cusres(
    ctx: Ctx,
    actor: ApiActor,
    since: PortTime,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> PlainTextResponse:
    """A CUSRES for every declaration that changed after `since` (and `after_id` at that very
    instant), at most 1,000; the next poll's `since` and `after_id` come in the headers."""
    poll = cusdec_import.cusres_since(ctx, actor, since, after_id)
    headers = {"X-Kouan-Count": str(poll.count)}
    if poll.next_since is not None:
        headers["X-Kouan-Next-Since"] = poll.next_since.isoformat()
        headers["X-Kouan-Next-After-Id"] = str(poll.next_after_id)
    return PlainTextResponse(poll.cusres, media_type=EDIFACT, headers=headers)


@router.post("/declarations/{declaration_id}/gate-out")
def gate_out(
    ctx: Ctx, actor: ApiActor, declaration_id: Id, body: GateOutIn | None = None
) -> dict[str, Any]:
    return release.gate_out(ctx, actor, declaration_id, body.at if body else None)


@router.post("/declarations/{declaration_id}/seizure")
def seize(ctx: Ctx, actor: ApiActor, declaration_id: Id, body: SeizureIn) -> dict[str, Any]:
    return release.seize(ctx, actor, declaration_id, body.reason)


@router.get("/declaration-queue")
def queue_counts(ctx: Ctx, actor: ApiActor) -> dict[str, int]:
    """Per lane, the declarations waiting for the officer's agency."""
    if not actor.is_agency:
        raise Forbidden(f"{actor.org_type.value} users have no declaration queue")
    return queries.queue_counts(ctx, actor, Agency(actor.org_type.value))


@router.get("/clearance-times")
def clearance_times(
    ctx: Ctx, actor: ApiActor, first: PortDate | None = None, last: PortDate | None = None
) -> dict[str, Any]:
    """Filing to release, by lane, declaration office and day, with percentiles."""
    return clearance.clearance_times(ctx, actor, first, last)
