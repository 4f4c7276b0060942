"""Customs' risk rule sets: the active version decides every declaration; risk officers edit a
draft, test it against recent declarations, activate it, and watch each rule's hit rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import DeclarationRow, Organisation, RiskRuleSet
from kouan.domain.declaration import CreditClass, Declaration, Lane
from kouan.domain.errors import FieldErrors, InvalidTransition, NotFound, ValidationFailed
from kouan.rules.risk import (
    RiskEngine,
    document_of,
    engine_from_document,
    facts_of,
    rule_from_dict,
    rule_to_dict,
)
from kouan.rules.risk_defaults import DEFAULT_DOCUMENT
from kouan.services.cargo import exchange_rates
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"
_ACTIVE = select(RiskRuleSet.id, RiskRuleSet.version).where(RiskRuleSet.status == ACTIVE)


def ensure_default(session: Session, now: Any) -> None:
    """Version 1, active, on a fresh database (kouan db upgrade)."""
    if session.scalar(select(RiskRuleSet.id).limit(1)) is None:
        engine_from_document(1, DEFAULT_DOCUMENT)  # the shipped rules must themselves be valid
        session.add(
            RiskRuleSet(
                version=1,
                document=DEFAULT_DOCUMENT,
                status=ACTIVE,
                created_at=now,
                activated_at=now,
            )
        )


def active_engine(session: Session, cache: dict[str, Any]) -> tuple[int, RiskEngine]:
    """The active version and its compiled engine; compiled again only when another is active."""
    row = session.execute(_ACTIVE).one_or_none()
    if row is None:
        raise InvalidTransition("no risk rule set is active; run kouan db upgrade")
    cached = cache.get("risk_engine")
    if cached is not None and cached[0] == row.id:
        return cached[1], cached[2]
    document = session.scalar(select(RiskRuleSet.document).where(RiskRuleSet.id == row.id))
    engine = engine_from_document(row.version, document or {})
    cache["risk_engine"] = (row.id, row.version, engine)
    return row.version, engine


def _summary(row: RiskRuleSet) -> dict[str, Any]:
    return {
        "version": row.version,
        "status": row.status,
        "note": row.note,
        "rules": len(row.document.get("rules", [])),
        "random_rates": row.document.get("random_rates", {}),
        "created_at": row.created_at.isoformat(),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
    }


def list_versions(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Action.RISK_RULES_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(select(RiskRuleSet).order_by(RiskRuleSet.version.desc()))
        return [_summary(row) for row in rows]


def _row(uow: UnitOfWork, version: int, for_update: bool = False) -> RiskRuleSet:
    query = select(RiskRuleSet).where(RiskRuleSet.version == version)
    row = uow.session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise NotFound(f"risk rule set version {version} not found")
    return row


def get_version(ctx: ServiceContext, actor: Actor, version: int | None = None) -> dict[str, Any]:
    """One version whole (the active one when none is named), each rule with its hit rate."""
    require(actor, Action.RISK_RULES_READ)
    with ctx.uow(actor, write=False) as uow:
        if version is None:
            version = active_engine(uow.session, ctx.cache)[0]
        row = _row(uow, version)
        rates = _hit_rates(uow, row.version)
        rules = [
            {**rule, "hits": rates["hits"].get(rule["code"], 0)} for rule in row.document["rules"]
        ]
        return {**_summary(row), **row.document, "rules": rules, "assessed": rates["assessed"]}


def _hit_rates(uow: UnitOfWork, version: int) -> dict[str, Any]:
    """How many declarations this version assessed and how often each rule hit them."""
    query = select(DeclarationRow.rules_hit).where(DeclarationRow.risk_version == version)
    hits: Counter[str] = Counter()
    assessed = 0
    for (codes,) in uow.session.execute(query):
        assessed += 1
        hits.update(codes)
    return {"assessed": assessed, "hits": dict(hits)}


def create_draft(ctx: ServiceContext, actor: Actor, note: str = "") -> dict[str, Any]:
    """A draft copied from the active version; the open draft if there is one already."""
    require(actor, Action.RISK_RULES_EDIT)
    with ctx.uow(actor) as uow:
        # Drafts asked for at once: the active row's lock makes the second find the first's.
        uow.session.execute(
            select(RiskRuleSet.id).where(RiskRuleSet.status == ACTIVE).with_for_update()
        )
        existing = uow.session.scalar(select(RiskRuleSet).where(RiskRuleSet.status == DRAFT))
        if existing is not None:
            return _summary(existing)
        active = _row(uow, active_engine(uow.session, ctx.cache)[0])
        latest = uow.session.scalar(select(func.max(RiskRuleSet.version))) or 0
        row = RiskRuleSet(
            version=latest + 1,
            document=dict(active.document),
            status=DRAFT,
            note=note.strip()[:500],
            created_by=actor.user_id or None,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit("risk_rules.draft", "risk_rule_set", row.version, None, _summary(row))
        summary = _summary(row)
        uow.commit()
    return summary


def _draft(uow: UnitOfWork, version: int) -> RiskRuleSet:
    row = _row(uow, version, for_update=True)
    if row.status != DRAFT:
        raise InvalidTransition(
            f"risk rule set version {version} is {row.status}; only a draft can be changed"
        )
    return row


def save_draft(
    ctx: ServiceContext, actor: Actor, version: int, document: Mapping[str, Any]
) -> dict[str, Any]:
    """Replace the draft's rules, random rates and seed; checked whole before it is stored."""
    require(actor, Action.RISK_RULES_EDIT)
    engine = engine_from_document(version, document)
    with ctx.uow(actor) as uow:
        row = _draft(uow, version)
        before = _summary(row)
        row.document = document_of(engine)
        uow.audit("risk_rules.edited", "risk_rule_set", version, before, row.document)
        summary = _summary(row)
        uow.commit()
    return summary


def add_rule(
    ctx: ServiceContext, actor: Actor, version: int, rule: Mapping[str, Any]
) -> dict[str, Any]:
    """Add a rule to the draft, or replace the draft's rule of the same code."""
    require(actor, Action.RISK_RULES_EDIT)
    errors = FieldErrors()
    parsed = rule_from_dict(rule, "rule", errors)
    errors.raise_if_any("risk rule")
    assert parsed is not None
    with ctx.uow(actor, write=False) as uow:
        document = dict(_row(uow, version).document)
    stored = rule_to_dict(parsed)
    rules = [r for r in document["rules"] if r["code"] != stored["code"]]
    replaced = len(rules) < len(document["rules"])
    position = next(
        (n for n, r in enumerate(document["rules"]) if r["code"] == stored["code"]), len(rules)
    )
    rules.insert(position, stored)
    summary = save_draft(ctx, actor, version, {**document, "rules": rules})
    return {**summary, "rule": stored, "replaced": replaced}


def remove_rule(ctx: ServiceContext, actor: Actor, version: int, code: str) -> dict[str, Any]:
    require(actor, Action.RISK_RULES_EDIT)
    with ctx.uow(actor, write=False) as uow:
        document = dict(_row(uow, version).document)
    code = code.strip().upper()  # as add_rule stores it
    rules = [r for r in document["rules"] if r["code"] != code]
    if len(rules) == len(document["rules"]):
        raise NotFound(f"rule {code} is not in risk rule set version {version}")
    return save_draft(ctx, actor, version, {**document, "rules": rules})


def activate(ctx: ServiceContext, actor: Actor, version: int) -> dict[str, Any]:
    """The draft decides from now on; the version it replaces is retired (kept for the record)."""
    require(actor, Action.RISK_RULES_EDIT)
    with ctx.uow(actor) as uow:
        row = _draft(uow, version)
        engine_from_document(version, row.document)
        current = uow.session.scalar(
            select(RiskRuleSet).where(RiskRuleSet.status == ACTIVE).with_for_update()
        )
        if current is not None:
            current.status = RETIRED
            uow.session.flush()  # one active version at every moment
        row.status, row.activated_at = ACTIVE, uow.now
        uow.audit(
            "risk_rules.activated",
            "risk_rule_set",
            version,
            {"active": current.version if current else None},
            {"active": version},
        )
        summary = _summary(row)
        uow.commit()
    return summary


def test_version(
    ctx: ServiceContext, actor: Actor, version: int, last: int = 1000
) -> dict[str, Any]:
    """Re-assess the last N declarations with this version beside the active one: the lanes each
    would give, how many change, and how often each rule hits. Nothing is stored."""
    require(actor, Action.RISK_RULES_READ)
    if not 1 <= last <= 100_000:
        raise ValidationFailed.one("last", last, "a number of declarations from 1 to 100000")
    with ctx.uow(actor, write=False) as uow:
        candidate = engine_from_document(version, _row(uow, version).document)
        active_version, active = active_engine(uow.session, ctx.cache)
        rates = exchange_rates.cny_rates(uow.session)
        rows = uow.session.execute(
            select(
                DeclarationRow.id,
                DeclarationRow.document,
                DeclarationRow.credit_class,
                DeclarationRow.selection_key,
                Organisation.name,
            )
            .join(Organisation, Organisation.id == DeclarationRow.broker_org_id)
            .order_by(DeclarationRow.id.desc())
            .limit(last)
        ).all()
    lanes: Counter[str] = Counter()
    active_lanes: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    changed = []
    for row in rows:
        declaration = Declaration.model_validate(row.document)
        facts = facts_of(
            row.selection_key, declaration, CreditClass(row.credit_class), row.name, rates
        )
        new, old = candidate.assess(facts), active.assess(facts)
        lanes[new.lane.value] += 1
        active_lanes[old.lane.value] += 1
        hits.update(new.rules_hit)
        if new.lane is not old.lane:
            changed.append(
                {"id": row.id, "from": old.lane.value, "to": new.lane.value, "rules": new.rules_hit}
            )
    return {
        "version": version,
        "against": active_version,
        "declarations": len(rows),
        "lanes": {lane.value: lanes[lane.value] for lane in Lane},
        "active_lanes": {lane.value: active_lanes[lane.value] for lane in Lane},
        "changed": len(changed),
        "examples": changed[:20],
        "hits": {rule.code: hits[rule.code] for rule in candidate.rules},
    }
