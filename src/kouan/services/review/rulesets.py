"""The active rule set of each agency, loaded from the database and cached while unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import RuleSetRow
from kouan.domain.agency import Agency
from kouan.domain.errors import Forbidden
from kouan.rules.base import RuleSet
from kouan.rules.registry import DEFAULT_PARAMS, build_rule_set, describe
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext

RuleSets = dict[Agency, RuleSet]
_ACTIVE_VERSIONS = (
    select(RuleSetRow.__table__.c.id, RuleSetRow.__table__.c.agency)
    .where(RuleSetRow.__table__.c.active)
    .order_by(RuleSetRow.__table__.c.agency)
)


def active_rule_sets(session: Session, cache: dict[str, object]) -> RuleSets:
    """One cheap query for the active versions; rebuilt only when a version changed."""
    versions = tuple(session.connection().execute(_ACTIVE_VERSIONS).all())
    cached = cache.get("rule_sets")
    if isinstance(cached, tuple) and cached[0] == versions:
        rule_sets: RuleSets = cached[1]
        return rule_sets
    rows = session.scalars(select(RuleSetRow).where(RuleSetRow.active)).all()
    rule_sets = {
        Agency(row.agency): build_rule_set(
            Agency(row.agency), row.version, row.params, disabled=row.disabled
        )
        for row in rows
    }
    cache["rule_sets"] = (versions, rule_sets)
    return rule_sets


def publish(
    ctx: ServiceContext,
    actor: Actor,
    agency: Agency,
    params: Mapping[str, Any],
    disabled: list[str] | None = None,
) -> int:
    """An agency publishes a new version of its rule set (it decides from then on); returns the
    version. Parameters are checked whole before anything is stored."""
    require(actor, Action.RULES_PUBLISH)
    if actor.org_type.value != agency.value:
        raise Forbidden(f"{actor.org_type.value} may publish only its own rule set, not {agency}")
    with ctx.uow(actor) as uow:
        current = uow.session.scalar(
            select(RuleSetRow)
            .where(RuleSetRow.agency == agency.value, RuleSetRow.active)
            .with_for_update()
        )
        version = current.version + 1 if current else 1
        kept = list(disabled if disabled is not None else (current.disabled if current else []))
        merged = {**(current.params if current else {}), **params}
        build_rule_set(agency, version, merged, disabled=kept)  # refuses bad parameters
        if current is not None:
            current.active = False
            uow.session.flush()  # one active row per agency at every moment
        row = RuleSetRow(
            agency=agency.value,
            version=version,
            params=merged,
            disabled=kept,
            active=True,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "rule_set.published",
            "rule_set",
            row.id,
            {"version": current.version, "params": current.params} if current else None,
            {"agency": agency.value, "version": version, "params": merged, "disabled": kept},
        )
        uow.commit()
    return version


def active_versions(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """Each agency's active rule set: version, parameters, disabled rules and what the rules
    are, for agencies and the port office to read."""
    require(actor, Action.REVIEW_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(
            select(RuleSetRow).where(RuleSetRow.active).order_by(RuleSetRow.agency)
        ).all()
        return [
            {
                "agency": row.agency,
                "version": row.version,
                "params": {**DEFAULT_PARAMS[Agency(row.agency)], **row.params},
                "disabled": row.disabled,
                "created_at": row.created_at.isoformat(),
                "rules": describe(Agency(row.agency)),
            }
            for row in rows
        ]
