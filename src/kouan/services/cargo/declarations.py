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
from functools import cached_property
from typing import Any

from sqlalchemy import bindparam, func, select

from kouan.adapters.db.tables import DeclarationRow, Review, Trader
from kouan.domain.agency import Agency, Phase, ReviewStatus
from kouan.domain.canonical import digest
from kouan.domain.declaration import (
    AirTransport,
    CreditClass,
    Declaration,
    DeclarationStatus,
    derive_status,
)
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.rules.base import Evaluator, Hit
from kouan.rules.risk import RiskRuleSet, facts_of, lane_with
from kouan.services.cargo import exchange_rates, risk_rules
from kouan.services.cargo.queries import SUBJECT, inspections_of, view
from kouan.services.cargo.release import KIND, state_of
from kouan.services.duties import assessments as duties
from kouan.services.goods import writeoff
from kouan.services.platform import outbox
from kouan.services.platform.idempotency import Answer, run_idempotent
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain
from kouan.services.review import reviews
from kouan.services.review.rulesets import active_rule_sets
from kouan.services.stats import rollups

# Looked up in chunks: a large interchange's references would overflow one IN (...) list.
_CHUNK = 500


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
    duties: duties.AtFiling | None = None  # what imports are assessed against (None: no imports)
    writeoff: writeoff.AtFiling = field(default_factory=lambda: writeoff.AtFiling({}, {}))


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
    rates = exchange_rates.cny_rates(session)
    return _Known(
        credit_classes=credit_classes,
        rates=rates,
        taken=taken,
        version=version,
        risk=risk,
        ciq=active_rule_sets(session.connection(), ctx.cache)[(SUBJECT, Agency.CIQ)],
        duties=duties.at_filing(uow, ctx, list(batch), rates),
        writeoff=writeoff.at_filing(uow, batch),
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
    document = declaration.model_dump(mode="json", exclude_none=True)
    checks = _writeoff_checks(known.writeoff, document)
    found = [
        reviews.review_row(
            uow, KIND, Phase.CARGO, Agency.CUSTOMS, known.risk.outcome(assessment, checks)
        )
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
        "document": document,
        "lane": lane_with(assessment.lane, checks).value,
        "rules_hit": [*assessment.rules_hit, *(hit.code for hit in checks)],
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
    if known.duties is not None:  # an import's duties, and its release on a guarantee
        known.duties.assess(declaration, row)
    return row, found


def _writeoff_checks(at: writeoff.AtFiling, document: dict[str, Any]) -> tuple[Hit, ...]:
    """The hit of a sea declaration that does not fit its bill of lading on the manifest."""
    problems = at.problems(document)
    if not problems:
        return ()
    return (writeoff.hit_of(document["transport"]["bill_of_lading"], problems),)


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
    if known.duties is not None:
        known.duties.store(uow)
    return results


def _store(uow: UnitOfWork, accepted: list[Filed]) -> None:
    """The accepted declarations in one statement, their audit entries, and their reviews through
    the review engine (which books the inspections the rules ordered, together)."""
    if not accepted:
        return
    rows = [f.stored for f in accepted if f.stored is not None]
    insert_plain(uow, DeclarationRow, rows)
    writeoff.declarations_filed(uow, rows)  # against the manifests' bills of lading
    for row, filed in zip(rows, accepted, strict=True):
        state = _filed_state(row, filed.stored_reviews)
        uow.audit("declaration.filed", SUBJECT, row["id"], None, state)
        outbox.declaration_filed(uow, row)
    reviews.store(
        uow, SUBJECT, [(row, f.stored_reviews) for row, f in zip(rows, accepted, strict=True)]
    )
    for row in rows:
        if row["released_at"] is not None:  # the green lane, released as filed
            outbox.declaration_released(uow, row, row["released_at"])
    rollups.declarations_released(uow, [row for row in rows if row["released_at"] is not None])


def _filed_state(row: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, Any]:
    """The audit entry of a declaration just filed: its state, how the rules decided, and the
    document's digest (of its canonical JSON)."""
    return {
        **state_of(row["status"], row["lane"], row["status_reason"], row["released_at"], None),
        "reference": row["reference"],
        "rules_hit": row["rules_hit"],
        "random_selected": row["random_selected"],
        "risk_version": row["risk_version"],
        "reviews": {r["agency"]: r["status"] for r in found},
        "document_sha256": digest(row["document"]),
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
        # Only a review the rules sent to inspection has booked one as the declaration was filed.
        ordered = any(r.status == ReviewStatus.INSPECT for r in filed.reviews)
        booked = inspections_of(uow, [filed.row.id])[filed.row.id] if ordered else []
        return 201, view(filed.row, filed.reviews, booked)

    return run_idempotent(ctx, actor, idempotency_key, digest, work)
