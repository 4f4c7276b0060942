"""Each import declaration's duties and taxes, assessed at filing, and whether its goods may be
released: the duties paid, or secured by the trader's guarantee (drawn down on release,
restored on payment). A declaration whose reviews would release it waits in `payment_due`
otherwise, and is released when paid.

A guarantee is never overdrawn by declarations released at once: on PostgreSQL the releasing
unit locks the guarantee's row (SELECT ... FOR UPDATE, traders in code order, so that two
batches never wait on each other); on SQLite the single writer serialises them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from kouan.adapters.db.duty_tables import DutyAssessment, DutyAssessmentLine, Guarantee
from kouan.adapters.db.tables import DeclarationRow
from kouan.domain import tariff
from kouan.domain.declaration import Declaration, DeclarationStatus, Direction
from kouan.domain.errors import NotFound
from kouan.services.cargo.queries import find_declaration
from kouan.services.duties import tariffs
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import (
    ServiceContext,
    UnitOfWork,
    insert_plain,
    new_row,
)

DUE, GUARANTEED, PAID = "due", "guaranteed", "paid"

_GUARANTEES = select(Guarantee.trader_code, Guarantee.id, Guarantee.balance_fen).where(
    Guarantee.trader_code.in_(bindparam("codes", expanding=True))
)
_SET_BALANCE = (
    update(Guarantee)
    .where(Guarantee.id == bindparam("gid"))
    .values(balance_fen=bindparam("balance"), updated_at=bindparam("at"))
)


def _balances(conn: Connection, codes: list[str]) -> dict[str, list[int]]:
    """Each trader's guarantee [id, balance], its row locked on PostgreSQL until commit."""
    query = _GUARANTEES.order_by(Guarantee.trader_code)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return {code: [gid, balance] for code, gid, balance in conn.execute(query, {"codes": codes})}


def assessed(
    table: tariff.Tariff, declaration: Declaration, rates: dict[str, float]
) -> tariff.Assessment:
    """The declaration's items assessed at the declaration's exchange rates."""
    return tariff.assess(
        table,
        [
            (i.hs_code, i.origin, i.value * Decimal(str(rates[i.currency])))
            for i in declaration.items
        ],
    )


@dataclass
class AtFiling:
    """What a batch's imports are assessed against (read once) and what they owe, to store
    after the declarations (which gives them their ids)."""

    version: int
    table: tariff.Tariff
    rates: dict[str, float]
    balances: dict[str, list[int]]  # trader -> [guarantee id, balance in fen], as drawn here
    drawn: set[str] = field(default_factory=set)
    pending: list[tuple[dict[str, Any], tariff.Assessment, int]] = field(default_factory=list)

    def assess(self, declaration: Declaration, row: dict[str, Any]) -> None:
        """Assess an import and, where the rules release it, release it on the guarantee or
        keep it waiting for payment (`row` is the declaration's, changed in place)."""
        if declaration.direction is not Direction.IMPORT:
            return
        assessment = assessed(self.table, declaration, self.rates)
        total = tariff.to_fen(assessment.total)
        drawn = 0
        if row["status"] == DeclarationStatus.RELEASED.value and total > 0:
            if self.draw(declaration.trader, total):
                drawn = total
            else:
                row["status"] = DeclarationStatus.PAYMENT_DUE.value
                row["released_at"] = None
        self.pending.append((row, assessment, drawn))

    def draw(self, trader: str, amount: int) -> bool:
        held = self.balances.get(trader)
        if held is None or held[1] < amount:
            return False
        held[1] -= amount
        self.drawn.add(trader)
        return True

    def store(self, uow: UnitOfWork) -> None:
        if not self.pending:
            return
        stored = [(row, a, drawn) for row, a, drawn in self.pending if "id" in row]
        rows = [_assessment_row(uow, row, a, drawn, self.version) for row, a, drawn in stored]
        if not rows:
            return
        insert_plain(uow, DutyAssessment, rows)
        lines = [
            _line_row(parent["id"], item)
            for parent, (_, a, _) in zip(rows, stored, strict=True)
            for item in a.items
        ]
        insert_plain(uow, DutyAssessmentLine, lines)
        conn = uow.connection()
        for trader in sorted(self.drawn):
            gid, balance = self.balances[trader]
            conn.execute(_SET_BALANCE, {"gid": gid, "balance": balance, "at": uow.now})
        for parent in rows:
            uow.audit(
                "duties.assessed", "declaration", parent["declaration_id"], None, state_of(parent)
            )


def at_filing(
    uow: UnitOfWork, ctx: ServiceContext, batch: list[Declaration], rates: dict[str, float]
) -> AtFiling | None:
    """What a batch's imports are assessed against; None for a batch without imports."""
    importers = sorted({d.trader for d in batch if d.direction is Direction.IMPORT})
    if not importers:
        return None
    conn = uow.connection()
    version, table = tariffs.in_force(conn, ctx.cache, tariffs.port_day(uow.now))
    return AtFiling(version, table, rates, _balances(conn, importers))


def _assessment_row(
    uow: UnitOfWork, row: dict[str, Any], a: tariff.Assessment, drawn: int, version: int
) -> dict[str, Any]:
    total = tariff.to_fen(a.total)
    status = GUARANTEED if drawn else (PAID if total == 0 else DUE)
    return new_row(
        DutyAssessment,
        declaration_id=row["id"],
        trader_code=row["trader_code"],
        broker_org_id=row["broker_org_id"],
        tariff_version=version,
        customs_value_fen=tariff.to_fen(a.customs_value),
        duty_fen=tariff.to_fen(a.duty),
        consumption_tax_fen=tariff.to_fen(a.consumption_tax),
        vat_fen=tariff.to_fen(a.vat),
        total_fen=total,
        status=status,
        guaranteed_fen=drawn,
        paid_fen=0,
        assessed_at=uow.now,
        settled_at=uow.now if status != DUE else None,
    )


def _rate(rate: Decimal | None) -> str | None:
    return None if rate is None else format(rate.normalize(), "f")


def _line_row(assessment_id: int, item: tariff.ItemDuty) -> dict[str, Any]:
    return new_row(
        DutyAssessmentLine,
        assessment_id=assessment_id,
        item=item.item,
        hs_code=item.hs_code,
        origin=item.origin,
        tariff_line=item.tariff_line,
        customs_value_fen=tariff.to_fen(item.customs_value),
        duty_rate=_rate(item.duty_rate),
        duty_basis=item.duty_basis,
        duty_fen=tariff.to_fen(item.duty),
        consumption_rate=_rate(item.consumption_rate),
        consumption_tax_fen=tariff.to_fen(item.consumption_tax),
        vat_rate=_rate(item.vat_rate),
        vat_fen=tariff.to_fen(item.vat),
    )


def state_of(row: dict[str, Any] | DutyAssessment) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    return {
        key: get(key)
        for key in ("total_fen", "status", "guaranteed_fen", "paid_fen", "tariff_version")
    }


# --- at release (kouan.services.cargo.release.settle) -----------------------------------------


def find(uow: UnitOfWork, declaration_id: int, for_update: bool = False) -> DutyAssessment | None:
    query = select(DutyAssessment).where(DutyAssessment.declaration_id == declaration_id)
    return uow.session.scalar(query.with_for_update() if for_update else query)


def locked_guarantee(uow: UnitOfWork, trader_code: str) -> Guarantee | None:
    query = select(Guarantee).where(Guarantee.trader_code == trader_code)
    return uow.session.scalar(query.with_for_update())


def may_release(uow: UnitOfWork, row: DeclarationRow) -> bool:
    """Whether the declaration's goods may go now that its reviews would release them: no duties
    (an export), paid, already secured, or secured now by drawing on the trader's guarantee."""
    if row.direction != Direction.IMPORT.value:
        return True
    duties = find(uow, row.id, for_update=True)
    if duties is None or duties.status != DUE:
        return True
    owed = duties.total_fen - duties.paid_fen
    guarantee = locked_guarantee(uow, row.trader_code)
    if guarantee is None or guarantee.balance_fen < owed:
        return False
    before = state_of(duties)
    guarantee.balance_fen -= owed
    guarantee.updated_at = uow.now
    duties.guaranteed_fen, duties.status, duties.settled_at = owed, GUARANTEED, uow.now
    uow.audit("duties.guaranteed", "declaration", row.id, before, state_of(duties))
    return True


# --- reading ------------------------------------------------------------------------------------


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def line_view(line: DutyAssessmentLine) -> dict[str, Any]:
    return {
        "item": line.item,
        "hs_code": line.hs_code,
        "origin": line.origin,
        "tariff_line": line.tariff_line,
        "customs_value": _yuan(line.customs_value_fen),
        "duty_rate": line.duty_rate,
        "duty_basis": line.duty_basis,
        "duty": _yuan(line.duty_fen),
        "consumption_rate": line.consumption_rate,
        "consumption_tax": _yuan(line.consumption_tax_fen),
        "vat_rate": line.vat_rate,
        "vat": _yuan(line.vat_fen),
    }


def assessment_view(a: DutyAssessment, lines: list[DutyAssessmentLine] | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "declaration_id": a.declaration_id,
        "trader": a.trader_code,
        "currency": "CNY",
        "tariff_version": a.tariff_version,
        "customs_value": _yuan(a.customs_value_fen),
        "duty": _yuan(a.duty_fen),
        "consumption_tax": _yuan(a.consumption_tax_fen),
        "vat": _yuan(a.vat_fen),
        "total": _yuan(a.total_fen),
        "status": a.status,
        "guaranteed": _yuan(a.guaranteed_fen),
        "paid": _yuan(a.paid_fen),
        "assessed_at": a.assessed_at.isoformat(),
        "settled_at": a.settled_at.isoformat() if a.settled_at else None,
    }
    if lines is not None:
        view["lines"] = [line_view(line) for line in lines]
    return view


def view_in(uow: UnitOfWork, declaration_id: int) -> dict[str, Any] | None:
    """The declaration's assessment with its lines (None for a declaration without duties)."""
    a = find(uow, declaration_id)
    if a is None:
        return None
    lines = uow.session.scalars(
        select(DutyAssessmentLine)
        .where(DutyAssessmentLine.assessment_id == a.id)
        .order_by(DutyAssessmentLine.item)
    ).all()
    return assessment_view(a, list(lines))


def listed(
    uow: UnitOfWork, actor: Actor, statuses: tuple[str, ...] = (), limit: int = 200
) -> list[dict[str, Any]]:
    """Assessments in the actor's scope (a broker its own), newest first, without lines."""
    query = select(DutyAssessment).order_by(DutyAssessment.id.desc()).limit(limit)
    if actor.org_type.value == "CUSTOMS_BROKER":
        query = query.where(DutyAssessment.broker_org_id == actor.org_id)
    if statuses:
        query = query.where(DutyAssessment.status.in_(statuses))
    return [assessment_view(a, None) for a in uow.session.scalars(query)]


def list_assessments(
    ctx: ServiceContext, actor: Actor, statuses: tuple[str, ...] = (), limit: int = 200
) -> list[dict[str, Any]]:
    require(actor, Action.DUTIES_READ)
    with ctx.uow(actor, write=False) as uow:
        return listed(uow, actor, statuses, limit)


def get_assessment(ctx: ServiceContext, actor: Actor, declaration_id: int) -> dict[str, Any]:
    """A declaration's duties, with its lines, for whoever may see the declaration."""
    require(actor, Action.DUTIES_READ)
    with ctx.uow(actor, write=False) as uow:
        row = find_declaration(uow, declaration_id)
        view = view_in(uow, row.id)
        if view is None:
            raise NotFound(f"declaration {declaration_id} has no duties assessed")
        return view
