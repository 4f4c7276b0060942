"""Reading declarations: one in the actor's scope, lists and counts by filter (the officers'
queues, brokers' polling), the API's view of a declaration, and why its rules hit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from kouan.adapters.db.tables import DeclarationRow, Inspection, Organisation, Review
from kouan.domain.agency import OPEN_REVIEW, Agency
from kouan.domain.declaration import (
    CreditClass,
    Declaration,
    DeclarationStatus,
    Lane,
)
from kouan.domain.errors import NotFound
from kouan.domain.identifiers import valid_id
from kouan.rules.risk import DeclarationFacts, facts_of
from kouan.services.cargo import exchange_rates
from kouan.services.goods import writeoff
from kouan.services.platform.permissions import Actor, declaration_scope
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review import inspections, reviews, rulesets

SUBJECT = "declaration"


def reviews_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Review]]:
    return reviews.reviews_of(uow, SUBJECT, ids)


def inspections_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Inspection]]:
    out: dict[int, list[Inspection]] = {i: [] for i in ids}
    if ids:
        query = select(Inspection).where(
            Inspection.subject_type == SUBJECT, Inspection.subject_id.in_(ids)
        )
        for inspection in uow.session.scalars(query.order_by(Inspection.id)):
            out[inspection.subject_id].append(inspection)
    return out


def find_declaration(
    uow: UnitOfWork, declaration_id: int, for_update: bool = False
) -> DeclarationRow:
    """The declaration if this unit's actor may see it; NotFound otherwise (as for none)."""
    if not valid_id(declaration_id):
        raise NotFound(f"declaration {declaration_id} not found")
    query = select(DeclarationRow).where(
        DeclarationRow.id == declaration_id, declaration_scope(uow.actor)
    )
    row = uow.session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise NotFound(f"declaration {declaration_id} not found")
    return row


def _release_notice(row: DeclarationRow) -> dict[str, Any] | None:
    if row.released_at is None:
        return None
    return {
        "number": f"RN-{row.release_port}-{row.id:08d}",
        "issued_at": row.released_at.isoformat(),
    }


def clearance_seconds(row: DeclarationRow) -> float | None:
    if row.released_at is None:
        return None
    return (row.released_at - row.filed_at).total_seconds()


def view(
    row: DeclarationRow,
    found: list[Review],
    booked: list[Inspection],
    officers: dict[int, str] | None = None,
) -> dict[str, Any]:
    """The declaration as the API answers it."""
    return {
        "id": row.id,
        "reference": row.reference,
        "source": row.source,
        "status": row.status,
        "status_reason": row.status_reason,
        "lane": row.lane,
        "rules_hit": row.rules_hit,
        "random_selected": row.random_selected,
        "risk_version": row.risk_version,
        "trader": {
            "code": row.trader_code,
            "name": row.trader_name,
            "credit_class": row.credit_class,
        },
        "broker_org_id": row.broker_org_id,
        "direction": row.direction,
        "trade_mode": row.trade_mode,
        "transport": row.transport,
        "transport_document": row.transport_document,
        "declaration_office": row.declaration_office,
        "release_port": row.release_port,
        "items": row.items,
        "value_cny": round(row.value_cny, 2),
        "filed_at": row.filed_at.isoformat(),
        "released_at": row.released_at.isoformat() if row.released_at else None,
        "gated_out_at": row.gated_out_at.isoformat() if row.gated_out_at else None,
        "release_notice": _release_notice(row),
        "clearance_seconds": clearance_seconds(row),
        "reviews": [reviews.review_view(r, officers or {}) for r in found],
        "inspections": [inspections.inspection_view(i) for i in booked],
        "version": row.version,
    }


def view_in(uow: UnitOfWork, row: DeclarationRow) -> dict[str, Any]:
    found = reviews_of(uow, [row.id])[row.id]
    return view(
        row, found, inspections_of(uow, [row.id])[row.id], reviews.officer_names(uow, found)
    )


def get_declaration(ctx: ServiceContext, actor: Actor, declaration_id: int) -> dict[str, Any]:
    with ctx.uow(actor, write=False) as uow:
        row = find_declaration(uow, declaration_id)
        from kouan.services.duties.assessments import view_in as duties_of

        duties = duties_of(uow, row.id)  # an import's duties and taxes
        return {**view_in(uow, row), "document": row.document} | (
            {"duties": duties} if duties else {}
        )


@dataclass(frozen=True)
class Filter:
    """What a declaration list is narrowed to; every field optional."""

    status: tuple[DeclarationStatus, ...] = ()
    lane: Lane | None = None
    office: str | None = None
    awaiting: Agency | None = None  # open reviews of this agency (the officer's queue)
    search: str | None = None  # reference, trader code or name, transport document
    since: datetime | None = None  # changed since (brokers polling for answers)


def _filtered(actor: Actor, f: Filter) -> Select[Any]:
    query = select(DeclarationRow).where(declaration_scope(actor))
    conditions: list[ColumnElement[bool]] = []
    if f.status:
        conditions.append(DeclarationRow.status.in_([s.value for s in f.status]))
    if f.lane:
        conditions.append(DeclarationRow.lane == f.lane.value)
    if f.office:
        conditions.append(DeclarationRow.declaration_office == f.office.upper())
    if f.since:
        conditions.append(DeclarationRow.changed_at > f.since)
    if f.awaiting:
        open_reviews = select(Review.subject_id).where(
            Review.subject_type == SUBJECT,
            Review.agency == f.awaiting.value,
            Review.status.in_([s.value for s in OPEN_REVIEW]),
        )
        conditions.append(DeclarationRow.id.in_(open_reviews))
    if f.search:
        # What is typed is searched for as typed: % and _ are no wildcards here.
        typed = f.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{typed}%"
        conditions.append(
            DeclarationRow.reference.ilike(like, escape="\\")
            | DeclarationRow.trader_code.ilike(like, escape="\\")
            | DeclarationRow.trader_name.ilike(like, escape="\\")
            | DeclarationRow.transport_document.ilike(like, escape="\\")
        )
    return query.where(*conditions)


def list_declarations(
    ctx: ServiceContext,
    actor: Actor,
    where: Filter = Filter(),
    limit: int = 50,
    offset: int = 0,
    oldest_first: bool = False,
) -> list[dict[str, Any]]:
    """Newest first (a queue: oldest first), with each declaration's reviews and inspections."""
    order = (
        (DeclarationRow.filed_at, DeclarationRow.id)
        if oldest_first
        else (DeclarationRow.filed_at.desc(), DeclarationRow.id.desc())
    )
    query = _filtered(actor, where).order_by(*order).limit(limit).offset(offset)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(query).all()
        ids = [r.id for r in rows]
        by_id, booked = reviews_of(uow, ids), inspections_of(uow, ids)
        officers = reviews.officer_names(uow, [r for found in by_id.values() for r in found])
        return [view(r, by_id[r.id], booked[r.id], officers) for r in rows]


def count_declarations(ctx: ServiceContext, actor: Actor, where: Filter = Filter()) -> int:
    query = select(func.count()).select_from(_filtered(actor, where).subquery())
    with ctx.uow(actor, write=False) as uow:
        return int(uow.session.scalar(query) or 0)


def queue_counts(ctx: ServiceContext, actor: Actor, agency: Agency) -> dict[str, int]:
    """Per lane, the declarations waiting for this agency (the tabs of the officer's queue)."""
    waiting = _filtered(actor, Filter(awaiting=agency)).subquery()
    query = select(waiting.c.lane, func.count()).group_by(waiting.c.lane)
    with ctx.uow(actor, write=False) as uow:
        counts: dict[str, int] = {lane: n for lane, n in uow.session.execute(query).all()}
    return {lane.value: int(counts.get(lane.value, 0)) for lane in Lane}


def rule_titles(
    ctx: ServiceContext, actor: Actor, declaration_id: int
) -> dict[str, tuple[str, str]]:
    """The English and Chinese titles of the risk rules that hit the declaration, as the rule
    set version that assessed it words them (whoever sees the declaration may read why)."""
    from_version: dict[str, Any] = {}
    with ctx.uow(actor, write=False) as uow:
        row = find_declaration(uow, declaration_id)
        if not row.rules_hit:
            return {}
        hit = set(row.rules_hit)
        from_version = rulesets.find_version(
            uow, SUBJECT, Agency.CUSTOMS, row.risk_version
        ).document
    titles = {
        str(rule["code"]): (str(rule.get("title", "")), str(rule.get("title_zh", "")))
        for rule in from_version.get("rules", [])
        if rule.get("code") in hit
    }
    if writeoff.WRITEOFF_RULE in hit:
        titles[writeoff.WRITEOFF_RULE] = writeoff.WRITEOFF_TITLES
    return titles


def facts_of_stored(uow: UnitOfWork, rows: list[DeclarationRow]) -> list[DeclarationFacts]:
    """What the rules look at for declarations already filed, as at their filing: the credit
    class and random-selection key they were filed with, today's exchange rates."""
    rates = exchange_rates.cny_rates(uow.session)
    brokers = dict(
        uow.session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({row.broker_org_id for row in rows})
            )
        ).all()
    )
    return [
        facts_of(
            row.selection_key,
            Declaration.model_validate(row.document),
            CreditClass(row.credit_class),
            brokers.get(row.broker_org_id, ""),
            rates,
        )
        for row in rows
    ]
