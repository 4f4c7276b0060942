"""Cargo declarations: a broker files (form, API or CUSDEC); the risk engine assesses each in the
same transaction, and the green lane is released at once. The rest is reviewed by customs (and by
CIQ for goods on the legal-inspection list), inspected, held or seized, released, and let out at
the terminal's gate.

A batch (a CUSDEC interchange) is filed in one transaction: each declaration is accepted or
refused on its own, and only the accepted ones are stored, whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kouan.adapters.db.tables import (
    MAX_ID,
    DeclarationRow,
    Inspection,
    InspectionSlot,
    Review,
    Trader,
)
from kouan.domain.agency import OPEN_REVIEW, Agency, Phase, ReviewStatus
from kouan.domain.declaration import (
    FINAL,
    AirTransport,
    CreditClass,
    Declaration,
    DeclarationStatus,
    InspectionKind,
    InspectionStatus,
    Lane,
    derive_status,
)
from kouan.domain.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from kouan.rules.ciq import legal_inspection_hits
from kouan.rules.risk import Assessment, RiskEngine, facts_of
from kouan.services import exchange_rates, inspections, messagebus, reviews, risk_rules
from kouan.services.idempotency import Answer, run_idempotent
from kouan.services.permissions import Action, Actor, declaration_scope, require
from kouan.services.rulesets import active_rule_sets
from kouan.services.unit_of_work import ServiceContext, UnitOfWork

SUBJECT = "declaration"
# The customs review's status for each lane, and whether the rules settled it themselves.
_LANE_REVIEW = {
    Lane.GREEN: ReviewStatus.APPROVED,
    Lane.DOCUMENT: ReviewStatus.PENDING,
    Lane.INSPECTION: ReviewStatus.INSPECT,
}
# Looked up in chunks: a large interchange's references would overflow one IN (...) list.
_CHUNK = 500


@dataclass
class Filed:
    """One declaration of a batch: stored (`stored`, its row's columns with the new id) or
    refused (errors), in the batch's order. A batch is stored with plain rows in a few statements;
    `row`, `reviews` and `inspections` make ORM objects of them (outside the session)."""

    stored: dict[str, Any] | None = None
    stored_reviews: list[dict[str, Any]] = field(default_factory=list)
    stored_inspections: list[dict[str, Any]] = field(default_factory=list)  # booked by the rules
    errors: list[FieldError] = field(default_factory=list)

    @cached_property
    def row(self) -> DeclarationRow | None:
        return None if self.stored is None else DeclarationRow(**self.stored)

    @cached_property
    def reviews(self) -> list[Review]:
        return [Review(**values) for values in self.stored_reviews]

    @cached_property
    def inspections(self) -> list[Inspection]:
        return [Inspection(**values) for values in self.stored_inspections]


@dataclass
class _Known:
    """What a batch is checked and assessed against, read once for the whole batch."""

    traders: dict[str, tuple[str, str]]  # code -> (code, credit class)
    rates: dict[str, float]
    taken: set[str]  # references this broker already used
    version: int
    engine: RiskEngine
    titles: dict[str, str]
    ciq_params: Any
    ciq_label: str


# Built once, run on the connection: a single filing's lookups are as cheap as they can be.
_TRADERS = select(Trader.code, Trader.credit_class).where(
    Trader.code.in_(bindparam("codes", expanding=True))
)
_TAKEN = select(DeclarationRow.reference).where(
    DeclarationRow.broker_org_id == bindparam("org_id"),
    DeclarationRow.reference.in_(bindparam("references", expanding=True)),
)


def _known(uow: UnitOfWork, ctx: ServiceContext, batch: Sequence[Declaration]) -> _Known:
    session = uow.session
    conn = session.connection()
    codes = sorted({d.trader for d in batch})
    traders: dict[str, tuple[str, str]] = {}
    for start in range(0, len(codes), _CHUNK):
        found = conn.execute(_TRADERS, {"codes": codes[start : start + _CHUNK]})
        traders.update({code: (code, credit) for code, credit in found})
    references = sorted({d.reference for d in batch if d.reference})
    taken: set[str] = set()
    for start in range(0, len(references), _CHUNK):
        chunk = references[start : start + _CHUNK]
        used = conn.execute(_TAKEN, {"org_id": uow.actor.org_id, "references": chunk})
        taken.update(reference for (reference,) in used if reference)
    version, engine = risk_rules.active_engine(session, ctx.cache)
    ciq = active_rule_sets(session, ctx.cache)[Agency.CIQ]
    return _Known(
        traders=traders,
        rates=exchange_rates.cny_rates(session),
        taken=taken,
        version=version,
        engine=engine,
        titles={rule.code: rule.title for rule in engine.rules},
        ciq_params=ciq.params,
        ciq_label=ciq.label,
    )


def _problems(declaration: Declaration, known: _Known, seen: set[str]) -> list[FieldError]:
    """What Kouan's records refuse in an otherwise well-formed declaration."""
    errors = []
    if declaration.trader not in known.traders:
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


def _review(
    uow: UnitOfWork,
    agency: Agency,
    status: ReviewStatus,
    reason: str,
    rules_hit: list[str],
    rule_set: str,
) -> dict[str, Any]:
    """A new review's row (its subject is set once the declaration has its id)."""
    decided = status is not ReviewStatus.PENDING
    return {
        "subject_type": SUBJECT,
        "subject_id": None,
        "phase": Phase.CARGO.value,
        "agency": agency.value,
        "status": status.value,
        "decided_by": "rules" if decided else None,
        "officer_id": None,
        "reason": reason,
        "rules_hit": rules_hit,
        "rule_set": rule_set,
        "created_at": uow.now,
        "decided_at": uow.now if decided else None,
        "version": 1,
    }


def _customs_review(uow: UnitOfWork, assessment: Assessment, known: _Known) -> dict[str, Any]:
    why = [known.titles[code] for code in assessment.rules_hit]
    if assessment.random_selected:
        why.append("random selection")
    reason = f"{assessment.lane.value} lane" + (f": {'; '.join(why)}" if why else "")
    status = _LANE_REVIEW[assessment.lane]
    rules_hit = list(assessment.rules_hit)
    return _review(uow, Agency.CUSTOMS, status, reason, rules_hit, assessment.version)


def _ciq_review(uow: UnitOfWork, hits: list[str], known: _Known) -> dict[str, Any]:
    reason = f"legal inspection: {', '.join(hits)}"
    return _review(
        uow,
        Agency.CIQ,
        ReviewStatus.PENDING,
        reason,
        ["CIQ-LEGAL-INSPECTION"],
        known.ciq_label,
    )


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
    code, credit_class = known.traders[declaration.trader]
    actor = uow.actor
    key = _selection_key(uow, declaration)
    credit = CreditClass(credit_class)
    facts = facts_of(key, declaration, credit, actor.org_name, known.rates)
    assessment = known.engine.assess(facts)
    found = [_customs_review(uow, assessment, known)]
    legal = legal_inspection_hits(facts.hs_codes, known.ciq_params)
    if legal:
        found.append(_ciq_review(uow, legal, known))
    status = derive_status(r["status"] for r in found)
    transport, transport_document = _transport(declaration)
    rates = known.rates
    row = {
        "broker_org_id": actor.org_id,
        "filed_by": actor.user_id,
        "reference": declaration.reference,
        "source": source,
        "trader_code": code,
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
        "needs_ciq": bool(legal),
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


# Built once: constructing statements costs more than running them on this hot path.
_MODELS: tuple[type[Any], ...] = (DeclarationRow, Review, Inspection)
_INSERTS = {model: insert(model) for model in _MODELS}
_INSERTS_RETURNING = {
    model: insert(model).returning(model.id, sort_by_parameter_order=True) for model in _MODELS
}
_LAST_IDS = {model: select(func.max(model.id)) for model in _MODELS}
_NEXT_IDS = {
    model: select(func.nextval(func.pg_get_serial_sequence(model.__tablename__, "id"))).select_from(
        func.generate_series(1, bindparam("count"))
    )
    for model in _MODELS
}


def _insert(uow: UnitOfWork, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows, as few round trips as the database allows, and give each its new id
    (ascending in the rows' order)."""
    conn = uow.session.connection()
    ids = _ids_ahead(uow, conn, model, len(rows))
    if ids is None:
        result = conn.execute(_INSERTS_RETURNING[model], rows)
        for row, row_id in zip(rows, result.scalars().all(), strict=True):
            row["id"] = int(row_id)
        return
    for row, row_id in zip(rows, ids, strict=True):
        row["id"] = row_id
    conn.execute(_INSERTS[model], rows)


def _ids_ahead(uow: UnitOfWork, conn: Connection, model: type[Any], count: int) -> list[int] | None:
    """The ids of `count` new rows, known before they are inserted; None for a single row (its
    INSERT ... RETURNING is as cheap) and where they cannot be known."""
    if count < 2:
        return None
    if conn.dialect.name == "postgresql":
        # Many rows' INSERT ... RETURNING is one huge statement a thousand rows, which the driver
        # rewrites in Python. Ids drawn from the sequence first (ours alone, as all it gives) let
        # the driver send the plain INSERT for every row in one pipeline.
        return sorted(int(i) for i in conn.execute(_NEXT_IDS[model], {"count": count}).scalars())
    if conn.dialect.name == "sqlite" and uow.write:
        # SQLite cannot say in which order many rows' RETURNING comes, so SQLAlchemy would insert
        # row by row. A writing unit holds SQLite's only write lock from BEGIN IMMEDIATE: no one
        # else inserts until it commits, so the next ids are ours to give.
        last = conn.execute(_LAST_IDS[model]).scalar() or 0
        return list(range(last + 1, last + 1 + count))
    return None


def _store(uow: UnitOfWork, accepted: list[Filed]) -> None:
    """The accepted declarations and their reviews in two statements, their audit entries, and
    the inspections the rules ordered, booked together."""
    if not accepted:
        return
    rows = [f.stored for f in accepted if f.stored is not None]
    _insert(uow, DeclarationRow, rows)
    all_reviews = []
    for row, filed in zip(rows, accepted, strict=True):
        for review in filed.stored_reviews:
            review["subject_id"] = row["id"]
            all_reviews.append(review)
    _insert(uow, Review, all_reviews)
    for row, filed in zip(rows, accepted, strict=True):
        state = _filed_state(row, filed.stored_reviews)
        uow.audit("declaration.filed", SUBJECT, row["id"], None, state)
    inspected = [
        (filed, review)
        for filed in accepted
        for review in filed.stored_reviews
        if review["status"] == ReviewStatus.INSPECT
    ]
    if inspected:
        _book_inspections(uow, inspected)


# --- inspections the rules order, booked for a whole batch -----------------------------------


@cache
def _ensure_slot(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: two bookings creating one day's slot both succeed."""
    statement = (sqlite_insert if dialect == "sqlite" else pg_insert)(InspectionSlot)
    return statement.on_conflict_do_nothing(index_elements=["site", "day"])


_SLOTS = (
    select(InspectionSlot.day, InspectionSlot.capacity, InspectionSlot.booked)
    .where(
        InspectionSlot.site == bindparam("site"),
        InspectionSlot.day.between(bindparam("first"), bindparam("last")),
    )
    .with_for_update()
)
_SET_BOOKED = (
    update(InspectionSlot)
    .where(InspectionSlot.site == bindparam("b_site"), InspectionSlot.day == bindparam("b_day"))
    .values(booked=bindparam("b_booked"))
)


def _book_inspections(uow: UnitOfWork, wanted: list[tuple[Filed, dict[str, Any]]]) -> None:
    """inspections.book for a batch, in a few statements a site rather than a few a booking: in
    the batch's order, each on the earliest day with room at its release port's site, from today
    (port time). Conflict, and nothing booked, when a site has no room left in the horizon."""
    rows = [filed.stored for filed, _review in wanted if filed.stored is not None]
    sites: dict[str, list[int]] = {}
    for n, row in enumerate(rows):
        sites.setdefault(row["release_port"], []).append(n)
    days: list[date | None] = [None] * len(wanted)
    for site, indexes in sites.items():
        for n, day in zip(indexes, _site_days(uow, site, len(indexes)), strict=False):
            days[n] = day
    if None in days:
        # As booking one by one would: refused at the first booking that finds no room.
        site = rows[days.index(None)]["release_port"]
        raise Conflict(
            f"no inspection capacity at {site} in the next "
            f"{uow.settings.inspection_horizon_days} days; raise a day's capacity"
        )
    booked = [
        {
            "declaration_id": row["id"],
            "review_id": review["id"],
            "agency": review["agency"],
            "kind": InspectionKind.XRAY.value,
            "site": row["release_port"],
            "day": day,
            "status": InspectionStatus.BOOKED.value,
            "finding": "",
            "booked_at": uow.now,
            "result_at": None,
            "officer_id": None,
            "version": 1,
        }
        for row, (_filed, review), day in zip(rows, wanted, days, strict=True)
    ]
    _insert(uow, Inspection, booked)
    for values, (filed, _review) in zip(booked, wanted, strict=True):
        filed.stored_inspections.append(values)
        view = inspections.inspection_view(Inspection(**values))
        uow.audit("inspection.booked", "inspection", values["id"], None, view)


def _site_days(uow: UnitOfWork, site: str, count: int) -> list[date]:
    """The days `count` bookings at the site take, in order (fewer when the horizon fills up).
    The slots are created as booking one by one creates them, locked, and their counts moved."""
    settings = uow.settings
    first = inspections.today(uow)
    horizon = [first + timedelta(days=n) for n in range(settings.inspection_horizon_days)]
    if not horizon:
        return []
    conn = uow.session.connection()
    default = (settings.inspection_daily_capacity, 0)
    while True:
        found = conn.execute(_SLOTS, {"site": site, "first": first, "last": horizon[-1]})
        slots = {day: (capacity, booked) for day, capacity, booked in found}
        days, booked_after, last_seen = _fill(horizon, slots, default, count)
        missing = [day for day in horizon[: last_seen + 1] if day not in slots]
        if missing:
            conn.execute(
                _ensure_slot(conn.dialect.name),
                [{"site": site, "day": d, "capacity": default[0], "booked": 0} for d in missing],
            )
            # Another writer may have created one of them meanwhile: count again if so.
            again = conn.execute(_SLOTS, {"site": site, "first": missing[0], "last": missing[-1]})
            if any((c, b) != default for d, c, b in again if d in missing):
                continue
        if booked_after:
            conn.execute(
                _SET_BOOKED,
                [{"b_site": site, "b_day": d, "b_booked": n} for d, n in booked_after.items()],
            )
        return days


def _fill(
    horizon: list[date],
    slots: dict[date, tuple[int, int]],
    default: tuple[int, int],
    count: int,
) -> tuple[list[date], dict[date, int], int]:
    """Book `count` one after the other, each on the earliest day with room: their days, the
    booked counts of the days booked on, and the index of the last day looked at."""
    days: list[date] = []
    booked_after: dict[date, int] = {}
    at = 0
    while len(days) < count and at < len(horizon):
        day = horizon[at]
        capacity, booked = slots.get(day, default)
        booked = booked_after.get(day, booked)
        if booked < capacity:
            booked_after[day] = booked + 1
            days.append(day)
        else:
            at += 1
    return days, booked_after, min(at, len(horizon) - 1)


def _filed_state(row: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, Any]:
    canonical = json.dumps(row["document"], sort_keys=True, separators=(",", ":"))
    return {
        "status": row["status"],
        "lane": row["lane"],
        "status_reason": row["status_reason"],
        "released_at": row["released_at"].isoformat() if row["released_at"] else None,
        "gated_out_at": None,
        "reference": row["reference"],
        "rules_hit": row["rules_hit"],
        "random_selected": row["random_selected"],
        "risk_version": row["risk_version"],
        "reviews": {r["agency"]: r["status"] for r in found},
        "document_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }


def _state(row: DeclarationRow) -> dict[str, Any]:
    """What the audit log keeps of a declaration before and after a change."""
    return {
        "status": row.status,
        "lane": row.lane,
        "status_reason": row.status_reason,
        "released_at": row.released_at.isoformat() if row.released_at else None,
        "gated_out_at": row.gated_out_at.isoformat() if row.gated_out_at else None,
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
        return 201, _view(filed.row, filed.reviews, filed.inspections)

    with ctx.uow(actor) as uow:
        return run_idempotent(ctx, uow, idempotency_key, digest, work)


# --- after filing: reviews decided, inspections, release, gate-out, seizure -------------------


def _reviews_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Review]]:
    out: dict[int, list[Review]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(Review).where(Review.subject_type == SUBJECT, Review.subject_id.in_(chunk))
        for review in uow.session.scalars(query.order_by(Review.id)):
            out[review.subject_id].append(review)
    return out


def _inspections_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Inspection]]:
    out: dict[int, list[Inspection]] = {i: [] for i in ids}
    if ids:
        query = select(Inspection).where(Inspection.declaration_id.in_(ids))
        for inspection in uow.session.scalars(query.order_by(Inspection.id)):
            out[inspection.declaration_id].append(inspection)
    return out


def settle(uow: UnitOfWork, row: DeclarationRow) -> None:
    """Bring the declaration's status up to date with its reviews: release when all approve."""
    if DeclarationStatus(row.status) in FINAL or row.status == DeclarationStatus.SEIZED:
        return
    if row.released_at is not None:
        return  # released stays released; only a seizure or the gate changes it now
    found = _reviews_of(uow, [row.id])[row.id]
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


def _on_review_decided(uow: UnitOfWork, event: messagebus.ReviewDecided) -> None:
    if event.subject_type != SUBJECT:
        return
    row = uow.session.get(DeclarationRow, event.subject_id)
    review = uow.session.get(Review, event.review_id)
    assert row is not None and review is not None, "a review always belongs to a declaration"
    if review.status == ReviewStatus.INSPECT:
        if not inspections.has_open(uow, review):
            inspections.book(uow, row, review)
    else:
        inspections.cancel_open(uow, review)
    settle(uow, row)


messagebus.subscribe(messagebus.ReviewDecided, _on_review_decided)


def find_declaration(
    uow: UnitOfWork, declaration_id: int, for_update: bool = False
) -> DeclarationRow:
    """The declaration if this unit's actor may see it; NotFound otherwise (as for none)."""
    if not 0 < declaration_id <= MAX_ID:
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
        if row.released_at and when < row.released_at:
            raise InvalidTransition(
                f"at: {when.isoformat()} is before the release at {row.released_at.isoformat()}"
            )
        before = _state(row)
        row.status, row.gated_out_at, row.changed_at = (
            DeclarationStatus.GATED_OUT.value,
            when,
            uow.now,
        )
        uow.audit("declaration.gated_out", SUBJECT, row.id, before, _state(row))
        view = _view_in(uow, row)
        uow.commit()
    return view


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
        for review in _reviews_of(uow, [row.id])[row.id]:
            if review.agency == Agency.CUSTOMS and ReviewStatus(review.status) in OPEN_REVIEW:
                review_before = reviews.review_state(review)
                review.status, review.reason = ReviewStatus.REJECTED.value, f"seized: {reason}"
                review.decided_by, review.officer_id, review.decided_at = (
                    "officer",
                    actor.user_id,
                    uow.now,
                )
                inspections.cancel_open(uow, review)
                uow.audit(
                    "review.decided",
                    "review",
                    review.id,
                    review_before,
                    reviews.review_state(review),
                )
        row.status, row.status_reason, row.changed_at = (
            DeclarationStatus.SEIZED.value,
            reason,
            uow.now,
        )
        uow.audit("declaration.seized", SUBJECT, row.id, before, _state(row))
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
        like = f"%{f.search.strip()}%"
        conditions.append(
            DeclarationRow.reference.ilike(like)
            | DeclarationRow.trader_code.ilike(like)
            | DeclarationRow.trader_name.ilike(like)
            | DeclarationRow.transport_document.ilike(like)
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
