"""Customs' exchange rates (CNY per unit of a currency): declared values compare in CNY."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import ExchangeRate
from kouan.domain.declaration import validate_currency
from kouan.domain.errors import ValidationFailed
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext

_ALL = select(ExchangeRate.currency, ExchangeRate.cny_per_unit)


def default_rates() -> dict[str, float]:
    """The rates a fresh port starts with (reference/exchange_rates.csv)."""
    text = resources.files("kouan.reference").joinpath("exchange_rates.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["currency"]: float(row["cny_per_unit"]) for row in rows}


def ensure_default(session: Session, now: Any) -> None:
    if session.scalar(select(ExchangeRate.currency).limit(1)) is None:
        for currency, rate in default_rates().items():
            session.add(ExchangeRate(currency=currency, cny_per_unit=rate, updated_at=now))


def cny_rates(session: Session) -> dict[str, float]:
    return {row.currency: row.cny_per_unit for row in session.execute(_ALL)}


def list_rates(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Action.TRADERS_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(select(ExchangeRate).order_by(ExchangeRate.currency))
        return [
            {"currency": r.currency, "cny_per_unit": r.cny_per_unit, "updated_at": r.updated_at}
            for r in rows
        ]


def set_rate(ctx: ServiceContext, actor: Actor, currency: str, cny_per_unit: float) -> None:
    """Customs publishes a rate (monthly, as customs does); audited like every change."""
    require(actor, Action.TRADERS_EDIT)
    try:
        code = validate_currency(currency)
    except ValueError as error:
        raise ValidationFailed.one("currency", currency, str(error)) from None
    if not 0 < cny_per_unit < 1_000_000:
        raise ValidationFailed.one("cny_per_unit", cny_per_unit, "a rate above 0 (CNY per unit)")
    with ctx.uow(actor) as uow:
        row = uow.session.get(ExchangeRate, code, with_for_update=True)
        before = {"cny_per_unit": row.cny_per_unit} if row else None
        if row is None:
            row = ExchangeRate(currency=code, cny_per_unit=cny_per_unit, updated_at=uow.now)
            uow.session.add(row)
        row.cny_per_unit, row.updated_at = cny_per_unit, uow.now
        uow.audit(
            "exchange_rate.set", "exchange_rate", code, before, {"cny_per_unit": cny_per_unit}
        )
        uow.commit()
