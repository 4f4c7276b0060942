"""Cargo declarations: a broker files (form, API or CUSDEC); the risk engine assesses each in the
same transaction, and the green lane is released at once. The rest is reviewed by customs (and by
CIQ for goods on the legal-inspection list), inspected, held or seized, released, and let out at
the terminal's gate.

A batch (a CUSDEC interchange) is filed in one transaction: each declaration is accepted or
refused on its own, and only the accepted ones are stored, whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select

from kouan.adapters.db.tables import DeclarationRow, Inspection, Review, Trader
from kouan.domain.agency import OPEN_REVIEW, Agency, Phase, ReviewStatus
from kouan.domain.canonical import digest
from kouan.domain.declaration import (
    FINAL,
    AirTransport,
    CreditClass,
    Declaration,
    DeclarationStatus,
    Lane,
    derive_status,
)
from kouan.domain.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import Reason
from kouan.rules.base import Evaluator
from kouan.rules.risk import RiskRuleSet, facts_of
from kouan.services.cargo import exchange_rates, risk_rules
from kouan.services.platform.idempotency import Answer, run_idempotent
from kouan.services.platform.permissions import Action, Actor, declaration_scope, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain
from kouan.services.review import inspections, reviews, rulesets
from kouan.services.review.rulesets import active_rule_sets
from kouan.services.review.subjects import SubjectKind

SUBJECT = "declaration"
# Looked up in chunks: a large interchange's references would overflow one IN (...) list.
_CHUNK = 500
# How far ahead of Kouan's clock a terminal's may be, as for a port call's timeline events.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Filed:
    """One declaration of a batch: stored (`stored`, its row's columns with the new id) or
    refused (errors), in the batch's order. A batch is stored with plain rows in a few statements;
    `row` and `reviews` make ORM objects of them (outside the session)."""

    stored: dict[str, Any] | None = None
    stored_reviews: list[dict[str, Any]] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    @cached_property
    def row(self) -> DeclarationRow | None:
        return None if self.stored is None else DeclarationRow(**self.stored)

    @cached_property
    def reviews(self) -> list[Review]:
        return [Review(**values) for values in self.stored_reviews]


@dataclass
class _Known:
    """What a batch is checked and assessed against, read once for the whole batch."""

    credit_classes: dict[str, str]  # registered traders' codes -> their credit classes
    rates: dict[str, float]
    taken: set[str]  # references this broker already used
    version: int
    risk: RiskRuleSet  # customs' rule set
    ciq: Evaluator  # CIQ's legal-inspection rule set


# Built once, run on the connection: a single filing's lookups are as cheap as they can be.
_TRADERS = select(Trader.code, Trader.credit_class).where(
    Trader.code.in_(bindparam("codes", expanding=True))
)
_TAKEN = select(DeclarationRow.reference).where(
    DeclarationRow.broker_org_id == bindparam("org_id"),
    DeclarationRow.reference.in_(bindparam("references", expanding=True)),
)


# Two filings of one broker at once would both find a reference unused, and the second would
# then break the unique constraint. On PostgreSQL the second waits here until the first commits,
# then finds the reference taken (SQLite's one write lock, held from BEGIN, does this already).
_REFERENCES_LOCKED = select(func.pg_advisory_xact_lock(0x4B4F55, bindparam("org_id")))


def _known(uow: UnitOfWork, ctx: ServiceContext, batch: Sequence[Declaration]) -> _Known:
    session = uow.session
    conn = session.connection()
    if conn.dialect.name == "postgresql" and any(d.reference for d in batch):
        conn.execute(_REFERENCES_LOCKED, {"org_id": uow.actor.org_id})
    codes = sorted({d.trader for d in batch})
    credit_classes: dict[str, str] = {}
    for start in range(0, len(codes), _CHUNK):
        found = conn.execute(_TRADERS, {"codes": codes[start : start + _CHUNK]})
        credit_classes.update({code: credit for code, credit in found})
    references = sorted({d.reference for d in batch if d.reference})
    taken: set[str] = set()
    for start in range(0, len(references), _CHUNK):
        chunk = references[start : start + _CHUNK]
        used = conn.execute(_TAKEN, {"org_id": uow.actor.org_id, "references": chunk})
        taken.update(reference for (reference,) in used if reference)
    version, risk = risk_rules.active_engine(session, ctx.cache)
    return _Known(
        credit_classes=credit_classes,
        rates=exchange_rates.cny_rates(session),
        taken=taken,
        version=version,
        risk=risk,
        ciq=active_rule_sets(session, ctx.cache)[(SUBJECT, Agency.CIQ)],
    )


def _problems(declaration: Declaration, known: _Known, seen: set[str]) -> list[FieldError]:
    """What Kouan's records refuse in an otherwise well-formed declaration."""
    errors = []
    if declaration.trader not in known.credit_classes:
        errors.append(
            FieldError(
                "trader", declaration.trader, "a trader registered with customs (海关注册企业)"
            )
        )
    for n, item in enumerate(declaration.items):
        if item.currency not in known.rates:
            errors.append(
                FieldError(
                    f"items[{n}].currency",
                    item.currency,
                    "a currency customs publishes an exchange rate for",
                )
            )
    reference = declaration.reference
    if reference and (reference in known.taken or reference in seen):
        errors.append(
            FieldError("reference", reference, "a reference this broker has not used before")
        )
    return errors


def _transport(declaration: Declaration) -> tuple[str, str]:
    transport = declaration.transport
    if isinstance(transport, AirTransport):
        return transport.flight, transport.air_waybill
    return f"{transport.vessel} / {transport.voyage}", transport.bill_of_lading


def _selection_key(uow: UnitOfWork, declaration: Declaration) -> str:
    """What the random draw is keyed by: the broker's reference, or (without one) the filing
    itself and its instant; stored, so a re-assessment draws the same."""
    if declaration.reference:
        return f"{uow.actor.org_id}:{declaration.reference}"
    filing = declaration.model_dump_json() + uow.now.isoformat()
    return f"{uow.actor.org_id}:#{hashlib.sha256(filing.encode()).hexdigest()[:24]}"


def _assess(
    uow: UnitOfWork, declaration: Declaration, known: _Known, source: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The declaration's row and its reviews' rows, as the rules decide them."""
    actor = uow.actor
    key = _selection_key(uow, declaration)
    credit = CreditClass(known.credit_classes[declaration.trader])
    facts = facts_of(key, declaration, credit, actor.org_name, known.rates)
    assessment = known.risk.engine.assess(facts)
    found = [
        reviews.review_row(uow, KIND, Phase.CARGO, Agency.CUSTOMS, known.risk.outcome(assessment))
    ]
    legal = known.ciq.evaluate(facts, Phase.CARGO)
    if legal.hits:  # CIQ reviews only goods on its legal-inspection list
        found.append(reviews.review_row(uow, KIND, Phase.CARGO, Agency.CIQ, legal))
    status = derive_status(r["status"] for r in found)
    transport, transport_document = _transport(declaration)
    rates = known.rates
    row = {
        "broker_org_id": actor.org_id,
        "filed_by": actor.user_id,
        "reference": declaration.reference,
        "source": source,
        "trader_code": declaration.trader,
        "trader_name": declaration.trader_name,
        "credit_class": credit.value,
        "direction": declaration.direction.value,
        "trade_mode": declaration.trade_mode,
        "transport": transport[:120],
        "transport_document": transport_document,
        "declaration_office": declaration.declaration_office,
        "release_port": declaration.release_port,
        "items": len(declaration.items),
        "value_cny": sum(float(i.value) * rates[i.currency] for i in declaration.items),
        "document": declaration.model_dump(mode="json", exclude_none=True),
        "lane": assessment.lane.value,
        "rules_hit": list(assessment.rules_hit),
        "random_selected": assessment.random_selected,
        "selection_key": key,
        "risk_version": known.version,
        "needs_ciq": bool(legal.hits),
        "status": status.value,
        "status_reason": "",
        "filed_at": uow.now,
        "released_at": uow.now if status is DeclarationStatus.RELEASED else None,
        "gated_out_at": None,
        "changed_at": uow.now,
        "version": 1,
    }
    return row, found


def file_batch(
    uow: UnitOfWork, ctx: ServiceContext, batch: Sequence[Declaration], source: str
) -> list[Filed]:
    """Check, assess and store a batch inside `uow`; one Filed per declaration, in order."""
    if not batch:
        return []
    known = _known(uow, ctx, batch)
    seen: set[str] = set()
    results = []
    for declaration in batch:
        problems = _problems(declaration, known, seen)
        if declaration.reference:
            seen.add(declaration.reference)
        if problems:
            results.append(Filed(errors=problems))
            continue
        row, found = _assess(uow, declaration, known, source)
        results.append(Filed(stored=row, stored_reviews=found))
    _store(uow, [r for r in results if r.stored is not None])
    return results


def _store(uow: UnitOfWork, accepted: list[Filed]) -> None:
    """The accepted declarations in one statement, their audit entries, and their reviews through
    the review engine (which books the inspections the rules ordered, together)."""
    if not accepted:
        return
    rows = [f.stored for f in accepted if f.stored is not None]
    insert_plain(uow, DeclarationRow, rows)
    for row, filed in zip(rows, accepted, strict=True):
        state = _filed_state(row, filed.stored_reviews)
        uow.audit("declaration.filed", SUBJECT, row["id"], None, state)
    reviews.store(
        uow, SUBJECT, [(row, f.stored_reviews) for row, f in zip(rows, accepted, strict=True)]
    )


def _filed_state(row: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit entry of a declaration just filed: its state, how the rules decided, and the
    document's digest (of its canonical JSON)."""
    return {
        **_state_of(row["status"], row["lane"], row["status_reason"], row["released_at"], None),
        "reference": row["reference"],
        "rules_hit": row["rules_hit"],
        "random_selected": row["random_selected"],
        "risk_version": row["risk_version"],
        "reviews": {r["agency"]: r["status"] for r in found},
        "document_sha256": digest(row["document"]),
    }


def _state(row: DeclarationRow) -> dict[str, Any]:
    """What the audit log keeps of a declaration before and after a change."""
    return _state_of(row.status, row.lane, row.status_reason, row.released_at, row.gated_out_at)


def _state_of(
    status: str,
    lane: str,
    status_reason: str,
    released_at: datetime | None,
    gated_out_at: datetime | None,
) -> dict[str, Any]:
    return {
        "status": status,
        "lane": lane,
        "status_reason": status_reason,
        "released_at": released_at.isoformat() if released_at else None,
        "gated_out_at": gated_out_at.isoformat() if gated_out_at else None,
    }


def file_declaration(
    ctx: ServiceContext,
    actor: Actor,
    declaration: Declaration,
    source: str = "api",
    idempotency_key: str | None = None,
    digest: str = "",
) -> Answer:
    """A broker files one declaration; the answer carries its lane (and release, when green)."""
    require(actor, Action.DECLARATION_FILE)

    def work(uow: UnitOfWork) -> Answer:
        [filed] = file_batch(uow, ctx, [declaration], source)
        if filed.errors:
            first = filed.errors[0]
            raise ValidationFailed(
                f"declaration: {first.field} {first.value!r} is not {first.expected}", filed.errors
            )
        assert filed.row is not None
        booked = _inspections_of(uow, [filed.row.id])[filed.row.id]
        return 201, _view(filed.row, filed.reviews, booked)

    with ctx.uow(actor) as uow:
        return run_idempotent(ctx, uow, idempotency_key, digest, work)


# --- after filing: reviews decided, inspections, release, gate-out, seizure -------------------


def _reviews_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Review]]:
    return reviews.reviews_of(uow, SUBJECT, ids)


def _inspections_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Inspection]]:
    out: dict[int, list[Inspection]] = {i: [] for i in ids}
    if ids:
        query = select(Inspection).where(
            Inspection.subject_type == SUBJECT, Inspection.subject_id.in_(ids)
        )
        for inspection in uow.session.scalars(query.order_by(Inspection.id)):
            out[inspection.subject_id].append(inspection)
    return out


def settle(uow: UnitOfWork, row: DeclarationRow, found: list[Review]) -> None:
    """Bring the declaration's status up to date with its reviews: release when all approve."""
    if DeclarationStatus(row.status) in FINAL or row.released_at is not None:
        return  # released stays released; only a seizure or the gate changes it now
    before = _state(row)
    status = derive_status(r.status for r in found)
    row.status = status.value
    row.status_reason = next(
        (r.reason for r in found if r.status in (ReviewStatus.REJECTED, ReviewStatus.HOLD)), ""
    )
    if status is DeclarationStatus.RELEASED:
        row.released_at = uow.now
    if _state(row) != before:
        row.changed_at = uow.now
        uow.audit("declaration.settled", SUBJECT, row.id, before, _state(row))


def _inspection_site(row: DeclarationRow) -> str | None:
    """Goods are inspected where they are released; goods refused, seized or gone are not."""
    return None if DeclarationStatus(row.status) in FINAL else row.release_port


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


def gate_out(
    ctx: ServiceContext, actor: Actor, declaration_id: int, at: datetime | None = None
) -> dict[str, Any]:
    """The terminal lets released goods out of the gate."""
    require(actor, Action.GATE_OUT)
    with ctx.uow(actor) as uow:
        row = find_declaration(uow, declaration_id, for_update=True)
        if row.status != DeclarationStatus.RELEASED:
            raise InvalidTransition(
                f"declaration {declaration_id} is {row.status}; goods leave the gate only "
                "once released"
            )
        when = at or uow.now
        if when > uow.now + _CLOCK_SKEW:
            raise InvalidTransition(f"at: {when.isoformat()} is in the future")
        if row.released_at and when < row.released_at:
            raise InvalidTransition(
                f"at: {when.isoformat()} is before the release at {row.released_at.isoformat()}"
            )
        before = _state(row)
        row.gated_out_at = when
        _moved(uow, row, DeclarationStatus.GATED_OUT, "", "declaration.gated_out", before)
        view = _view_in(uow, row)
        uow.commit()
    return view


def _moved(
    uow: UnitOfWork,
    row: DeclarationRow,
    status: DeclarationStatus,
    reason: str,
    action: str,
    before: dict[str, Any],
) -> None:
    """Put the declaration in `status` with `reason` and audit it as `action`."""
    row.status, row.status_reason, row.changed_at = status.value, reason, uow.now
    uow.audit(action, SUBJECT, row.id, before, _state(row))


def seize(ctx: ServiceContext, actor: Actor, declaration_id: int, reason: str) -> dict[str, Any]:
    """Customs seizes the goods (before they leave the gate); the reason is kept on record."""
    require(actor, Action.DECLARATION_SEIZE)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.one("reason", reason, "a reason for the seizure")
    with ctx.uow(actor) as uow:
        row = find_declaration(uow, declaration_id, for_update=True)
        if DeclarationStatus(row.status) in FINAL:
            raise InvalidTransition(
                f"declaration {declaration_id} is {row.status}; it cannot be seized"
            )
        before = _state(row)
        # Seized first, so that the decisions below leave the declaration as it is.
        _moved(uow, row, DeclarationStatus.SEIZED, reason, "declaration.seized", before)
        for review in _reviews_of(uow, [row.id])[row.id]:
            # Seized goods are inspected by no one: every agency's booking is freed.
            inspections.cancel_open(uow, review)
            if review.agency == Agency.CUSTOMS and ReviewStatus(review.status) in OPEN_REVIEW:
                why = Reason("seized", {"reason": reason})
                reviews.apply_decision(uow, review, ReviewStatus.REJECTED, why, actor.user_id)
        view = _view_in(uow, row)
        uow.commit()
    return view


# --- reading ----------------------------------------------------------------------------------


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


def _view(
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


def _view_in(uow: UnitOfWork, row: DeclarationRow) -> dict[str, Any]:
    found = _reviews_of(uow, [row.id])[row.id]
    return _view(
        row, found, _inspections_of(uow, [row.id])[row.id], reviews.officer_names(uow, found)
    )


def get_declaration(ctx: ServiceContext, actor: Actor, declaration_id: int) -> dict[str, Any]:
    with ctx.uow(actor, write=False) as uow:
        row = find_declaration(uow, declaration_id)
        return {**_view_in(uow, row), "document": row.document}


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
        by_id, booked = _reviews_of(uow, ids), _inspections_of(uow, ids)
        officers = reviews.officer_names(uow, [r for found in by_id.values() for r in found])
        return [_view(r, by_id[r.id], booked[r.id], officers) for r in rows]


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
    return {
        str(rule["code"]): (str(rule.get("title", "")), str(rule.get("title_zh", "")))
        for rule in from_version.get("rules", [])
        if rule.get("code") in hit
    }


KIND = SubjectKind(
    name=SUBJECT,
    table=DeclarationRow,
    phases=(Phase.CARGO,),
    find=lambda uow, declaration_id, for_update: find_declaration(uow, declaration_id, for_update),
    settle=settle,
    summary=lambda row: f"{row.reference or row.id} {row.trader_name}",
    inspection_site=_inspection_site,
)
