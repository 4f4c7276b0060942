"""What the duties page shows at a glance: the assessments in the reader's scope (a broker its
own declarations') counted by status with what they owe, listed with their declarations'
references and traders' names (those awaiting payment oldest first, the paid ones most recently
paid first), and the names of the traders whose guarantees the reader sees."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from kouan.adapters.db.duty_tables import DutyAssessment
from kouan.adapters.db.tables import DeclarationRow, Trader
from kouan.domain.agency import OrgType
from kouan.services.duties.assessments import DUE, GUARANTEED, PAID, assessment_view
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext

STATUSES = (DUE, GUARANTEED, PAID)


def _scope(actor: Actor) -> list[ColumnElement[bool]]:
    """What narrows the assessments to the reader's: a broker's own declarations'."""
    if actor.org_type is OrgType.CUSTOMS_BROKER:
        return [DutyAssessment.broker_org_id == actor.org_id]
    return []


def counts(ctx: ServiceContext, actor: Actor) -> dict[str, dict[str, Any]]:
    """Each status's number of assessments and the CNY they stand for: still owed (due,
    guaranteed) or paid."""
    require(actor, Action.DUTIES_READ)
    query = (
        select(
            DutyAssessment.status,
            func.count(),
            func.coalesce(func.sum(DutyAssessment.total_fen - DutyAssessment.paid_fen), 0),
            func.coalesce(func.sum(DutyAssessment.total_fen), 0),
        )
        .where(*_scope(actor))
        .group_by(DutyAssessment.status)
    )
    with ctx.uow(actor, write=False) as uow:
        found = {row[0]: row[1:] for row in uow.session.execute(query)}
    out = {}
    for status in STATUSES:
        number, owed, total = found.get(status, (0, 0, 0))
        fen = total if status == PAID else owed
        out[status] = {"count": int(number), "amount": f"{Decimal(int(fen)) / 100:.2f}"}
    return out


def listed(ctx: ServiceContext, actor: Actor, status: str, limit: int) -> list[dict[str, Any]]:
    """Assessments of `status` with their declaration's reference and trader's name: awaiting
    payment oldest first, paid most recently paid first."""
    require(actor, Action.DUTIES_READ)
    order = (
        (DutyAssessment.settled_at.desc(), DutyAssessment.id.desc())
        if status == PAID
        else (DutyAssessment.assessed_at, DutyAssessment.id)
    )
    query = (
        select(DutyAssessment, DeclarationRow.reference, DeclarationRow.trader_name)
        .join(DeclarationRow, DeclarationRow.id == DutyAssessment.declaration_id)
        .where(DutyAssessment.status == status, *_scope(actor))
        .order_by(*order)
        .limit(limit)
    )
    with ctx.uow(actor, write=False) as uow:
        return [
            {**assessment_view(a, None), "reference": reference, "trader_name": name}
            for a, reference, name in uow.session.execute(query)
        ]


def trader_names(ctx: ServiceContext, actor: Actor, codes: Iterable[str]) -> dict[str, str]:
    """The registered names of the traders `codes` (those the reader's guarantees name)."""
    require(actor, Action.DUTIES_READ)
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(
            select(Trader.code, Trader.name).where(Trader.code.in_(wanted))
        ).all()
    return {code: name for code, name in rows}
