"""Duties: assessments of import declarations, payments as banks notify them, traders'
guarantees, the tariff's versions, and ships' tonnage dues."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.errors import ValidationFailed
from kouan.domain.identifiers import MAX_ID
from kouan.domain.values import Amount, Plain, PortDate, PortTime
from kouan.services.duties import assessments, guarantees, payments, tariffs, tonnage
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1", tags=["duties"])
TraderPath = Annotated[Plain, Path(pattern=r"^[0-9A-Za-z]{10}$")]


class PaymentIn(BaseModel):
    """A bank's notification that a declaration's duties were paid."""

    model_config = ConfigDict(extra="forbid")

    bank: Annotated[Plain, Field(pattern=r"^[A-Za-z0-9_.-]{2,40}$")]
    bank_reference: Annotated[Plain, Field(pattern=r"^[A-Za-z0-9_./:-]{1,64}$")]
    declaration_id: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
    amount: Annotated[Amount, Field(gt=0, le=Decimal("1e14"), decimal_places=2)]
    paid_at: PortTime | None = None


class GuaranteeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Amount, Field(ge=0, le=Decimal("1e12"), decimal_places=2)]
    issuer: Annotated[Plain, Field(max_length=200)] = ""


class TonnageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    net_tonnage: Annotated[Amount, Field(gt=0, le=Decimal("1e7"))]
    period_days: Literal[30, 90, 365]


@router.get("/duties/assessments")
def list_assessments(
    ctx: Ctx,
    actor: ApiActor,
    status: Annotated[list[Literal["due", "guaranteed", "paid"]] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    return assessments.list_assessments(ctx, actor, tuple(status or ()), limit)


@router.get("/declarations/{declaration_id}/duties")
def get_assessment(ctx: Ctx, actor: ApiActor, declaration_id: Id) -> dict[str, Any]:
    return assessments.get_assessment(ctx, actor, declaration_id)


@router.post("/payments", status_code=201)
def record_payment(ctx: Ctx, actor: ApiActor, body: PaymentIn) -> JSONResponse:
    """Idempotent by (bank, bank_reference): the same notification again answers 200."""
    status, view = payments.record_payment(
        ctx,
        actor,
        body.bank,
        body.bank_reference,
        body.declaration_id,
        body.amount,
        body.paid_at,
    )
    return JSONResponse(view, status_code=status)


@router.get("/guarantees")
def list_guarantees(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return guarantees.list_guarantees(ctx, actor)


@router.get("/guarantees/{code}")
def get_guarantee(ctx: Ctx, actor: ApiActor, code: TraderPath) -> dict[str, Any]:
    return guarantees.get_guarantee(ctx, actor, code)


@router.put("/guarantees/{code}")
def set_guarantee(ctx: Ctx, actor: ApiActor, code: TraderPath, body: GuaranteeIn) -> dict[str, Any]:
    return guarantees.set_guarantee(ctx, actor, code, body.amount, body.issuer)


@router.get("/tariff")
def tariff_in_force(ctx: Ctx, actor: ApiActor) -> dict[str, Any]:
    return tariffs.lines_in_force(ctx, actor)


@router.get("/tariff/versions")
def tariff_versions(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return tariffs.list_versions(ctx, actor)


@router.post(
    "/tariff/versions",
    status_code=201,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_tariff(
    ctx: Ctx,
    actor: ApiActor,
    request: Request,
    effective_from: PortDate,
    note: Annotated[str, Query(max_length=500)] = "",
) -> dict[str, Any]:
    """Customs imports a version of the tariff (CSV as reference/tariff.csv) in force from
    `effective_from`."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed.one("body", "(bytes)", "CSV text in UTF-8") from None
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(tariffs.import_csv, ctx, actor, text, effective_from, note)


@router.post("/port-calls/{call_id}/tonnage-dues", status_code=201)
def assess_tonnage_dues(ctx: Ctx, actor: ApiActor, call_id: Id, body: TonnageIn) -> dict[str, Any]:
    return tonnage.assess(ctx, actor, call_id, body.net_tonnage, body.period_days)


@router.get("/port-calls/{call_id}/tonnage-dues")
def tonnage_dues_of(ctx: Ctx, actor: ApiActor, call_id: Id) -> dict[str, Any]:
    return tonnage.of_call(ctx, actor, call_id)
