"""Payments of duties, as the banks notify them (once per bank reference): a payment restores
what the trader's guarantee secured, and releases goods that waited for it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from kouan.adapters.db.duty_tables import DutyPayment
from kouan.domain.declaration import DeclarationStatus
from kouan.domain.errors import Conflict, ValidationFailed
from kouan.domain.tariff import to_fen
from kouan.services.duties import assessments
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def payment_view(p: DutyPayment) -> dict[str, Any]:
    return {
        "id": p.id,
        "bank": p.bank,
        "bank_reference": p.bank_reference,
        "declaration_id": p.declaration_id,
        "amount": _yuan(p.amount_fen),
        "paid_at": p.paid_at.isoformat(),
        "received_at": p.received_at.isoformat(),
    }


def record_in(
    uow: UnitOfWork,
    bank: str,
    bank_reference: str,
    declaration_id: int,
    amount: Decimal,
    paid_at: datetime,
) -> tuple[int, dict[str, Any]]:
    """Record a payment inside `uow`: 201 and the payment, or 200 and the one recorded before
    under the same bank reference."""
    from kouan.services.cargo.queries import find_declaration, reviews_of
    from kouan.services.cargo.release import settle

    if not amount.is_finite() or not 0 < amount <= Decimal("1e14"):
        raise ValidationFailed.one("amount", str(amount), "an amount in CNY above 0")
    fen = to_fen(amount)
    known = uow.session.scalar(
        select(DutyPayment).where(
            DutyPayment.bank == bank, DutyPayment.bank_reference == bank_reference
        )
    )
    if known is not None:
        if known.declaration_id != declaration_id or known.amount_fen != fen:
            raise Conflict(
                f"bank_reference {bank_reference} of {bank} was already notified for "
                f"declaration {known.declaration_id}, {_yuan(known.amount_fen)} CNY"
            )
        return 200, payment_view(known)
    row = find_declaration(uow, declaration_id, for_update=True)  # NotFound names it
    duties = assessments.find(uow, row.id, for_update=True)
    if duties is None:
        raise ValidationFailed.one(
            "declaration_id", declaration_id, "a declaration with duties to pay (an import)"
        )
    payment = DutyPayment(
        bank=bank,
        bank_reference=bank_reference,
        declaration_id=row.id,
        amount_fen=fen,
        paid_at=paid_at,
        received_at=uow.now,
        recorded_by=uow.actor.user_id or None,
    )
    uow.session.add(payment)
    before = assessments.state_of(duties)
    duties.paid_fen += fen
    if duties.paid_fen >= duties.total_fen:
        if duties.guaranteed_fen:  # what the guarantee secured is free again
            guarantee = assessments.locked_guarantee(uow, duties.trader_code)
            if guarantee is not None:
                guarantee.balance_fen = min(
                    guarantee.amount_fen, guarantee.balance_fen + duties.guaranteed_fen
                )
                guarantee.updated_at = uow.now
            duties.guaranteed_fen = 0
        duties.status, duties.settled_at = assessments.PAID, uow.now
    uow.session.flush()
    uow.audit("duties.paid", "declaration", row.id, before, assessments.state_of(duties))
    if row.status == DeclarationStatus.PAYMENT_DUE and duties.status == assessments.PAID:
        settle(uow, row, reviews_of(uow, [row.id])[row.id])
    return 201, payment_view(payment)


def record_payment(
    ctx: ServiceContext,
    actor: Actor,
    bank: str,
    bank_reference: str,
    declaration_id: int,
    amount: Decimal,
    paid_at: datetime | None = None,
) -> tuple[int, dict[str, Any]]:
    """A bank's notification that a declaration's duties were paid."""
    require(actor, Action.PAYMENT_RECORD)
    with ctx.uow(actor) as uow:
        status, view = record_in(
            uow, bank, bank_reference, declaration_id, amount, paid_at or uow.now
        )
        uow.commit()
    return status, view
