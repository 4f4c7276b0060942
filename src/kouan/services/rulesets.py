"""The active rule set of each agency, loaded from the database and cached while unchanged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import RuleSetRow
from kouan.domain.agency import Agency
from kouan.rules.base import RuleSet
from kouan.rules.registry import build_rule_set

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
