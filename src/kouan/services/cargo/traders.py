"""Traders registered with customs and their credit classes (企业信用等级), which risk rules use."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from kouan.adapters.db.tables import Trader
from kouan.domain.declaration import CreditClass, TraderCode
from kouan.domain.errors import FieldError, NotFound, ValidationFailed
from kouan.domain.filing import DOCUMENT, Text
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext


class TraderIn(BaseModel):
    model_config = DOCUMENT

    code: TraderCode
    name: Text
    credit_class: CreditClass


def trader_view(trader: Trader) -> dict[str, Any]:
    return {
        "code": trader.code,
        "name": trader.name,
        "credit_class": trader.credit_class,
        "updated_at": trader.updated_at.isoformat(),
    }


def register(ctx: ServiceContext, actor: Actor, trader: TraderIn) -> dict[str, Any]:
    """Customs registers a trader or changes its name or credit class (audited either way)."""
    require(actor, Action.TRADERS_EDIT)
    with ctx.uow(actor) as uow:
        row = uow.session.scalar(select(Trader).where(Trader.code == trader.code).with_for_update())
        before = trader_view(row) if row else None
        if row is None:
            row = Trader(code=trader.code)
            uow.session.add(row)
        row.name, row.credit_class, row.updated_at = trader.name, trader.credit_class, uow.now
        uow.session.flush()
        view = trader_view(row)
        uow.audit(
            "trader.registered" if before is None else "trader.changed",
            "trader",
            trader.code,
            before,
            view,
        )
        uow.commit()
    return view


def checked(code: str, name: str, credit_class: str) -> TraderIn:
    """A trader from a form's text fields, errors naming each field."""
    try:
        return TraderIn.model_validate(
            {"code": code.strip().upper(), "name": name.strip(), "credit_class": credit_class}
        )
    except ValidationError as error:
        fields = [
            FieldError(".".join(str(p) for p in e["loc"]), e.get("input"), e["msg"])
            for e in error.errors()
        ]
        raise ValidationFailed(f"trader: {fields[0].field} is not valid", fields) from None


def list_traders(
    ctx: ServiceContext,
    actor: Actor,
    credit_class: CreditClass | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    require(actor, Action.TRADERS_READ)
    query = select(Trader).order_by(Trader.code).limit(limit).offset(offset)
    if credit_class is not None:
        query = query.where(Trader.credit_class == credit_class.value)
    with ctx.uow(actor, write=False) as uow:
        return [trader_view(t) for t in uow.session.scalars(query)]


def get_trader(ctx: ServiceContext, actor: Actor, code: str) -> dict[str, Any]:
    require(actor, Action.TRADERS_READ)
    with ctx.uow(actor, write=False) as uow:
        row = uow.session.scalar(select(Trader).where(Trader.code == code.upper()))
        if row is None:
            raise NotFound(f"trader {code} not found")
        return trader_view(row)
