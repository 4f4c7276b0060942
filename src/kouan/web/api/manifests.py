"""Cargo manifests (舱单): filed as JSON, a spreadsheet of the template (XLSX or CSV) or a
UN/EDIFACT CUSCAR; amended whole or one bill of lading at a time; read (scoped) and searched by
B/L or container number. Customs' write-off and undeclared-goods lists."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from kouan.adapters import cuscar, manifest_sheet
from kouan.domain.errors import ValidationFailed
from kouan.domain.manifest import Bill, ManifestDocument
from kouan.domain.values import Plain
from kouan.services.goods import manifests, writeoff
from kouan.web.deps import ApiActor, Ctx, Id, Offset
from kouan.web.errors import fields_from_pydantic

router = APIRouter(prefix="/api/v1", tags=["manifests"])
EDIFACT = "application/edifact"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BODIES = {
    "application/json": {"schema": {"type": "object"}},
    EDIFACT: {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}
BlNumber = Annotated[Plain, Path(min_length=1, max_length=35)]


def read_document(
    data: bytes, kind: str, filename: str = "", head: dict[str, str] | None = None
) -> tuple[ManifestDocument, str]:
    """The manifest of a request's body and where it came from (api, sheet, cuscar); every
    error names its JSON field, its sheet line or its segment and element."""
    if kind == "application/json":
        try:
            body = json.loads(data)
        except ValueError:
            raise ValidationFailed.one(
                "body", data[:40].decode("utf-8", "replace"), "JSON: a manifest"
            ) from None
        try:
            return ManifestDocument.model_validate(body), "api"
        except ValidationError as exc:
            errors = fields_from_pydantic(exc.errors())  # type: ignore[arg-type]
            raise ValidationFailed(f"manifest: {len(errors)} field(s) refused", errors) from None
    if kind in {XLSX, "text/csv"} or filename.lower().endswith((".xlsx", ".csv")):
        return manifest_sheet.read_sheet(data, filename=filename, head=head), "sheet"
    return cuscar.read_cuscar(cuscar.decode(data)), "cuscar"


def _kind(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


_HEAD = ("direction", "port_call_id", "imo", "voyage", "reference", "carrier", "loading_at")


def _head(request: Request) -> dict[str, str]:
    """A spreadsheet's voyage, from the query (?direction=import&port_call_id=12)."""
    return {k: v for k in _HEAD if (v := request.query_params.get(k, "").strip())}


@router.post(
    "/manifests",
    status_code=201,
    openapi_extra={"requestBody": {"required": True, "content": _BODIES}},
)
async def file_manifest(ctx: Ctx, actor: ApiActor, request: Request) -> JSONResponse:
    """An import or export manifest: JSON, a spreadsheet of the template, or a CUSCAR."""
    document, source = read_document(await request.body(), _kind(request), head=_head(request))
    view = await run_in_threadpool(manifests.file_manifest, ctx, actor, document, source)
    return JSONResponse(view, status_code=201)


@router.get("/manifests/template")
def template(fmt: Literal["xlsx", "csv"] = "xlsx") -> Response:
    """The bilingual spreadsheet template (中文/English headers), one row per container line."""
    media = XLSX if fmt == "xlsx" else "text/csv"
    disposition = f'attachment; filename="kouan-manifest.{fmt}"'
    return Response(
        manifest_sheet.sheet_template(fmt),
        media_type=media,
        headers={"Content-Disposition": disposition},
    )


@router.put("/manifests/{manifest_id}", openapi_extra={"requestBody": {"content": _BODIES}})
async def amend_manifest(
    ctx: Ctx, actor: ApiActor, manifest_id: Id, request: Request
) -> dict[str, Any]:
    """The whole manifest again; customs sees what changed."""
    document, _ = read_document(await request.body(), _kind(request), head=_head(request))
    return await run_in_threadpool(manifests.amend_manifest, ctx, actor, manifest_id, document)


@router.put("/manifests/{manifest_id}/bills/{number}")
def amend_bill(
    ctx: Ctx, actor: ApiActor, manifest_id: Id, number: BlNumber, bill: Bill
) -> dict[str, Any]:
    """One bill of lading replaced, or added."""
    return manifests.amend_bill(ctx, actor, manifest_id, number, bill)


@router.get("/manifests")
def list_manifests(
    ctx: Ctx,
    actor: ApiActor,
    q: Annotated[Plain, Query(max_length=35)] = "",
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """The manifests the actor may see; `q` a B/L or container number."""
    return manifests.list_manifests(ctx, actor, q, limit, offset)


@router.get("/manifests/{manifest_id}")
def get_manifest(ctx: Ctx, actor: ApiActor, manifest_id: Id) -> dict[str, Any]:
    return manifests.get_manifest(ctx, actor, manifest_id)


@router.get("/write-off/flagged")
def flagged(
    ctx: Ctx, actor: ApiActor, limit: int = Query(200, ge=1, le=1000)
) -> list[dict[str, Any]]:
    """Declarations writing off more than their B/L holds, or containers not on it."""
    return writeoff.flagged(ctx, actor, limit)


@router.get("/write-off/undeclared")
def undeclared(
    ctx: Ctx, actor: ApiActor, limit: int = Query(500, ge=1, le=5000)
) -> list[dict[str, Any]]:
    """B/Ls of import manifests still undeclared days after the ship's arrival."""
    return writeoff.undeclared(ctx, actor, limit)
