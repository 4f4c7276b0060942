"""Reading the audit log: the trail of one subject of any kind (its own entries, its reviews',
their targets' and its inspections'), for whoever may see the subject; any entity's entries for
the port office."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from kouan.adapters.db.tables import AuditEntry, Inspection, Review
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review.subjects import kind_of


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
    }


def trail(ctx: ServiceContext, actor: Actor, kind: str, subject_id: int) -> list[dict[str, Any]]:
    """The audit trail of one subject of any kind: its own entries and those of its reviews (and
    their targets) and inspections, oldest first, for whoever may see the subject (NotFound for
    anyone else, as for none)."""
    with ctx.uow(actor, write=False) as uow:
        subject_kind = kind_of(uow, kind)
        subject_kind.find(uow, subject_id, False)
        review_ids = select(Review.id).where(
            Review.subject_type == kind, Review.subject_id == subject_id
        )
        inspection_ids = select(Inspection.id).where(
            Inspection.subject_type == kind, Inspection.subject_id == subject_id
        )
        reviews = [str(i) for i in uow.session.scalars(review_ids)]
        inspections = [str(i) for i in uow.session.scalars(inspection_ids)]
        query = (
            select(AuditEntry)
            .where(
                or_(
                    and_(AuditEntry.entity_type == kind, AuditEntry.entity_id == str(subject_id)),
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


def entries(
    ctx: ServiceContext, actor: Actor, entity_type: str, entity_id: str
) -> list[dict[str, Any]]:
    """An entity's entries: a subject's whole trail for whoever sees it, anything else for the
    port office (audit readers)."""
    if entity_type in ctx.wiring.subjects and entity_id.isdigit():
        return trail(ctx, actor, entity_type, int(entity_id))
    require(actor, Action.AUDIT_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.seq)
        ).all()
        return [entry_view(e) for e in rows]
