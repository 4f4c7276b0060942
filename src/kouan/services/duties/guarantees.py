"""Traders' guarantees: customs records the amount a bank or insurer secures for a trader; the
balance goes down as goods are released on it and back up as their duties are paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from kouan.adapters.db.duty_tables import Guarantee
from kouan.adapters.db.tables import DeclarationRow, Trader
from kouan.domain.errors import NotFound, ValidationFailed
from kouan.domain.tariff import to_fen
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

# A guarantee of at most 10^12 CNY: its fen fit a BIGINT with room for every sum.
_MOST = Decimal("1e12")


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def guarantee_view(row: Guarantee) -> dict[str, Any]:
    return {
        "trader": row.trader_code,
        "amount": _yuan(row.amount_fen),
        "balance": _yuan(row.balance_fen),
        "in_use": _yuan(row.amount_fen - row.balance_fen),
        "issuer": row.issuer,
        "updated_at": row.updated_at.isoformat(),
    }


def set_in(uow: UnitOfWork, trader_code: str, amount: Decimal, issuer: str) -> dict[str, Any]:
    """Set the trader's guarantee to `amount` inside `uow`: what is in use stays in use, and the
    balance is what is left (refused when less than what is in use)."""
    if not amount.is_finite() or not 0 <= amount <= _MOST:
        raise ValidationFailed.one("amount", str(amount), "an amount in CNY from 0 to 10^12")
    code = trader_code.upper()
    if uow.session.scalar(select(Trader.id).where(Trader.code == code)) is None:
        raise NotFound(f"trader {code} not found")
    row = uow.session.scalar(
        select(Guarantee).where(Guarantee.trader_code == code).with_for_update()
    )
    before = guarantee_view(row) if row else None
    fen = to_fen(amount)
    if row is None:
        row = Guarantee(trader_code=code, amount_fen=fen, balance_fen=fen, issuer=issuer)
        uow.session.add(row)
    else:
        in_use = row.amount_fen - row.balance_fen
        if fen < in_use:
            raise ValidationFailed.one(
                "amount", str(amount), f"at least what is in use ({_yuan(in_use)} CNY)"
            )
        row.amount_fen, row.balance_fen, row.issuer = fen, fen - in_use, issuer
    row.updated_at = uow.now
    uow.session.flush()
    view = guarantee_view(row)
    uow.audit("guarantee.set", "trader", code, before, view)
    return view


def set_guarantee(
    ctx: ServiceContext, actor: Actor, trader_code: str, amount: Decimal, issuer: str = ""
) -> dict[str, Any]:
    """Customs records a trader's guarantee (audited)."""
    require(actor, Action.GUARANTEE_EDIT)
    with ctx.uow(actor) as uow:
        view = set_in(uow, trader_code, amount, issuer)
        uow.commit()
    return view


def _visible(uow: UnitOfWork, actor: Actor) -> Any:
    """A broker sees the guarantees of traders it declared for; customs and the port office all."""
    query = select(Guarantee).order_by(Guarantee.trader_code)
    if actor.org_type.value == "CUSTOMS_BROKER":
        mine = select(DeclarationRow.trader_code).where(
            DeclarationRow.broker_org_id == actor.org_id
        )
        query = query.where(Guarantee.trader_code.in_(mine))
    return query


def list_guarantees(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Action.DUTIES_READ)
    with ctx.uow(actor, write=False) as uow:
        return [guarantee_view(g) for g in uow.session.scalars(_visible(uow, actor))]


def get_guarantee(ctx: ServiceContext, actor: Actor, trader_code: str) -> dict[str, Any]:
    require(actor, Action.DUTIES_READ)
    code = trader_code.upper()
    with ctx.uow(actor, write=False) as uow:
        row = uow.session.scalar(_visible(uow, actor).where(Guarantee.trader_code == code))
        if row is None:
            raise NotFound(f"guarantee of trader {code} not found")
        return guarantee_view(row)
