"""Reading the audit log: a port call's trail for whoever sees the call; all for the port office."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from kouan.adapters.db.tables import AuditEntry, Review
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships.portcalls import find_port_call


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


def port_call_trail(ctx: ServiceContext, actor: Actor, call_id: int) -> list[dict[str, Any]]:
    """The call's own entries and those of its reviews, oldest first."""
    with ctx.uow(actor, write=False) as uow:
        find_port_call(uow, call_id)
        review_ids = select(Review.id).where(
            Review.subject_type == "port_call", Review.subject_id == call_id
        )
        review_keys = [str(i) for i in uow.session.scalars(review_ids).all()]
        query = (
            select(AuditEntry)
            .where(
                or_(
                    and_(
                        AuditEntry.entity_type == "port_call", AuditEntry.entity_id == str(call_id)
                    ),
                    and_(AuditEntry.entity_type == "review", AuditEntry.entity_id.in_(review_keys)),
                )
            )
            .order_by(AuditEntry.seq)
        )
        return [entry_view(e) for e in uow.session.scalars(query).all()]


def entries(
    ctx: ServiceContext, actor: Actor, entity_type: str, entity_id: str
) -> list[dict[str, Any]]:
    if entity_type == "port_call" and entity_id.isdigit():
        return port_call_trail(ctx, actor, int(entity_id))
    require(actor, Action.AUDIT_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
            .order_by(AuditEntry.seq)
        ).all()
        return [entry_view(e) for e in rows]
