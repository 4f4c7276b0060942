"""Customs' risk rules for declarations, kept in the one rule-set store: risk officers edit a
draft rule by rule, test it against recent declarations, activate it, and watch each rule's hit
rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import DeclarationRow, RuleSetRow
from kouan.domain.agency import Agency, Phase
from kouan.domain.declaration import Lane
from kouan.domain.errors import FieldErrors, InvalidTransition, NotFound, ValidationFailed
from kouan.rules.registry import DECLARATION
from kouan.rules.risk import (
    RiskRuleSet,
    document_of,
    engine_from_document,
    rule_from_dict,
    rule_to_dict,
)
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review import rulesets
from kouan.services.review.rulesets import DRAFT, active_rule_sets

KIND, AGENCY = DECLARATION, Agency.CUSTOMS
__all__ = ["DRAFT"]  # the pages ask whether a version is the draft


def active_engine(session: Session, cache: dict[str, Any]) -> tuple[int, RiskRuleSet]:
    """The active version and its rule set (from the one store's cache)."""
    rule_set = active_rule_sets(session.connection(), cache).get((KIND, AGENCY))
    if not isinstance(rule_set, RiskRuleSet):
        raise InvalidTransition("no risk rule set is active; run kouan db upgrade")
    return int(rule_set.label.rsplit("v", 1)[1]), rule_set


def _summary(row: RuleSetRow) -> dict[str, Any]:
    return {
        "version": row.version,
        "status": row.status,
        "note": row.note,
        "rules": len(row.document.get("rules", [])),
        "random_rates": row.document.get("random_rates", {}),
        "disabled": row.document.get("disabled", []),
        "created_at": row.created_at.isoformat(),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
    }


def list_versions(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Action.RISK_RULES_READ)
    with ctx.uow(actor, write=False) as uow:
        return [_summary(row) for row in rulesets.versions(uow, KIND, AGENCY)]


def get_version(ctx: ServiceContext, actor: Actor, version: int | None = None) -> dict[str, Any]:
    """One version whole (the active one when none is named), each rule with its hit rate."""
    require(actor, Action.RISK_RULES_READ)
    with ctx.uow(actor, write=False) as uow:
        row = rulesets.find_version(uow, KIND, AGENCY, version)
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
    with ctx.uow(actor) as uow:
        summary = _summary(rulesets.draft(uow, KIND, AGENCY, note))
        uow.commit()
    return summary


def save_draft(
    ctx: ServiceContext, actor: Actor, version: int, document: Mapping[str, Any]
) -> dict[str, Any]:
    """Replace the draft's rules, random rates, seed and switched-off rules; checked whole."""
    return _edit(ctx, actor, version, lambda stored: document)


def _change_rules(
    ctx: ServiceContext, actor: Actor, version: int, change: Callable[[list[Any]], list[Any]]
) -> dict[str, Any]:
    """Apply `change` to the draft's rules."""
    return _edit(
        ctx, actor, version, lambda stored: {**stored, "rules": change(list(stored["rules"]))}
    )


def _edit(
    ctx: ServiceContext,
    actor: Actor,
    version: int,
    change: Callable[[dict[str, Any]], Mapping[str, Any]],
) -> dict[str, Any]:
    """The draft's document as `change` makes it from the stored one, checked whole and stored in
    its normal form, in one unit of work."""
    require(actor, Action.RISK_RULES_EDIT)
    with ctx.uow(actor) as uow:
        row = rulesets.edit(uow, KIND, AGENCY, version)
        document = change(dict(row.document))
        rulesets.save(uow, row, document_of(engine_from_document(version, document)))
        summary = _summary(row)
        uow.commit()
    return summary


def add_rule(
    ctx: ServiceContext, actor: Actor, version: int, rule: Mapping[str, Any]
) -> dict[str, Any]:
    """Add a rule to the draft, or replace the draft's rule of the same code in its place."""
    require(actor, Action.RISK_RULES_EDIT)
    errors = FieldErrors()
    parsed = rule_from_dict(rule, "rule", errors)
    errors.raise_if_any("risk rule")
    assert parsed is not None
    stored = rule_to_dict(parsed)
    replaced = False

    def change(rules: list[Any]) -> list[Any]:
        nonlocal replaced
        codes = [r["code"] for r in rules]
        replaced = stored["code"] in codes
        if replaced:
            rules[codes.index(stored["code"])] = stored
        else:
            rules.append(stored)
        return rules

    summary = _change_rules(ctx, actor, version, change)
    return {**summary, "rule": stored, "replaced": replaced}


def remove_rule(ctx: ServiceContext, actor: Actor, version: int, code: str) -> dict[str, Any]:
    code = code.strip().upper()  # as add_rule stores it

    def change(rules: list[Any]) -> list[Any]:
        kept = [r for r in rules if r["code"] != code]
        if len(kept) == len(rules):
            raise NotFound(f"rule {code} is not in risk rule set version {version}")
        return kept

    return _change_rules(ctx, actor, version, change)


def activate(ctx: ServiceContext, actor: Actor, version: int) -> dict[str, Any]:
    """The draft decides from now on; the version it replaces is retired (kept for the record)."""
    with ctx.uow(actor) as uow:
        row = rulesets.edit(uow, KIND, AGENCY, version)
        rulesets.activate(uow, row)
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
        stored = rulesets.find_version(uow, KIND, AGENCY, version)
        candidate = engine_from_document(version, stored.document)
        active_version, active_set = active_engine(uow.session, ctx.cache)
        active = active_set.engine
        rows, facts = rulesets.recent_facts(uow, KIND, Phase.CARGO, last)
    lanes: Counter[str] = Counter()
    active_lanes: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    changed = []
    for row, fact in zip(rows, facts, strict=True):
        new, old = candidate.assess(fact), active.assess(fact)
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
