"""Traders and their credit classes; customs' exchange rates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.declaration import CreditClass
from kouan.domain.filing import Text
from kouan.domain.values import Plain, Real
from kouan.services.cargo import exchange_rates, traders
from kouan.web.deps import ApiActor, Ctx, Offset

router = APIRouter(prefix="/api/v1", tags=["traders"])
TraderPath = Annotated[Plain, Path(pattern=r"^[0-9A-Za-z]{10}$")]


class TraderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    credit_class: CreditClass


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cny_per_unit: Annotated[Real, Field(gt=0, lt=1_000_000)]


@router.get("/traders")
def list_traders(
    ctx: Ctx,
    actor: ApiActor,
    credit_class: CreditClass | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    return traders.list_traders(ctx, actor, credit_class, limit, offset)


@router.get("/traders/{code}")
def get_trader(ctx: Ctx, actor: ApiActor, code: TraderPath) -> dict[str, Any]:
    return traders.get_trader(ctx, actor, code)


@router.put("/traders/{code}")
def register_trader(
    ctx: Ctx, actor: ApiActor, code: TraderPath, body: TraderBody
) -> dict[str, Any]:
    """Customs registers a trader or changes its credit class."""
    trader = traders.TraderIn(code=code.upper(), name=body.name, credit_class=body.credit_class)
    return traders.register(ctx, actor, trader)


@router.get("/exchange-rates")
def list_rates(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return exchange_rates.list_rates(ctx, actor)


@router.put("/exchange-rates/{currency}")
def set_rate(
    ctx: Ctx, actor: ApiActor, currency: Annotated[Plain, Path(max_length=3)], body: RateIn
) -> dict[str, Any]:
    exchange_rates.set_rate(ctx, actor, currency, body.cny_per_unit)
    return {"currency": currency.upper(), "cny_per_unit": body.cny_per_unit}
