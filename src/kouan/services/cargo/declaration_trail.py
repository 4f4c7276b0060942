"""What a declaration's page reads beside the declaration itself: its audit trail (the
declaration's own entries and those of its reviews and inspections) and the titles of the risk
rules that sent it to its lane, in the version that assessed it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from kouan.adapters.db.tables import AuditEntry, Inspection, Review, RiskRuleSet
from kouan.services.cargo.declarations import SUBJECT, find_declaration

# One shape for every trail's entries: the port call's and the declaration's pages read alike.
from kouan.services.platform.audit_trail import entry_view
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext


def declaration_trail(
    ctx: ServiceContext, actor: Actor, declaration_id: int
) -> list[dict[str, Any]]:
    """The entries of the declaration, its reviews and its inspections, oldest first, for
    whoever may see the declaration (NotFound for anyone else, as for none)."""
    with ctx.uow(actor, write=False) as uow:
        find_declaration(uow, declaration_id)
        review_ids = select(Review.id).where(
            Review.subject_type == SUBJECT, Review.subject_id == declaration_id
        )
        inspection_ids = select(Inspection.id).where(Inspection.declaration_id == declaration_id)
        reviews = [str(i) for i in uow.session.scalars(review_ids)]
        inspections = [str(i) for i in uow.session.scalars(inspection_ids)]
        query = (
            select(AuditEntry)
            .where(
                or_(
                    and_(
                        AuditEntry.entity_type == SUBJECT,
                        AuditEntry.entity_id == str(declaration_id),
                    ),
                    and_(AuditEntry.entity_type == "review", AuditEntry.entity_id.in_(reviews)),
                    and_(
                        AuditEntry.entity_type == "inspection",
                        AuditEntry.entity_id.in_(inspections),
                    ),
                )
            )
            .order_by(AuditEntry.seq)
        )
        return [entry_view(e) for e in uow.session.scalars(query)]


def rule_titles(
    ctx: ServiceContext, actor: Actor, declaration_id: int
) -> dict[str, tuple[str, str]]:
    """The English and Chinese titles of the risk rules that hit the declaration, as the rule
    set version that assessed it words them (whoever sees the declaration may read why)."""
    with ctx.uow(actor, write=False) as uow:
        row = find_declaration(uow, declaration_id)
        if not row.rules_hit:
            return {}
        document = uow.session.scalar(
            select(RiskRuleSet.document).where(RiskRuleSet.version == row.risk_version)
        )
        hit = set(row.rules_hit)
    rules = (document or {}).get("rules", [])
    return {
        str(rule["code"]): (str(rule.get("title", "")), str(rule.get("title_zh", "")))
        for rule in rules
        if rule.get("code") in hit
    }
