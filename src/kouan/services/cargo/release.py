"""A declaration's life after filing: it settles as its reviews are decided (released when all
approve), the terminal lets released goods out of the gate, customs seizes. The declaration kind
of subject, as the review engine knows it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kouan.adapters.db.tables import DeclarationRow, Review
from kouan.domain.agency import OPEN_REVIEW, Agency, Phase, ReviewStatus
from kouan.domain.declaration import (
    FINAL,
    DeclarationStatus,
    derive_status,
)
from kouan.domain.errors import InvalidTransition, ValidationFailed
from kouan.domain.reasons import Reason
from kouan.services.cargo.queries import (
    SUBJECT,
    facts_of_stored,
    find_declaration,
    reviews_of,
    view_in,
)
from kouan.services.duties import assessments as duties
from kouan.services.platform import outbox
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review import inspections, reviews
from kouan.services.review.subjects import SubjectKind
from kouan.services.stats import rollups

# How far ahead of Kouan's clock a terminal's may be, as for a port call's timeline events.
_CLOCK_SKEW = timedelta(minutes=5)


def _state(row: DeclarationRow) -> dict[str, Any]:
    """What the audit log keeps of a declaration before and after a change."""
    return state_of(row.status, row.lane, row.status_reason, row.released_at, row.gated_out_at)


def state_of(
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


def settle(uow: UnitOfWork, row: DeclarationRow, found: list[Review]) -> None:
    """Bring the declaration's status up to date with its reviews: release when all approve."""
    if DeclarationStatus(row.status) in FINAL or row.released_at is not None:
        return  # released stays released; only a seizure or the gate changes it now
    before = _state(row)
    status = derive_status(r.status for r in found)
    if status is DeclarationStatus.RELEASED and not duties.may_release(uow, row):
        status = DeclarationStatus.PAYMENT_DUE  # released when the duties are paid
    row.status = status.value
    row.status_reason = next(
        (r.reason for r in found if r.status in (ReviewStatus.REJECTED, ReviewStatus.HOLD)), ""
    )
    if status is DeclarationStatus.RELEASED:
        row.released_at = uow.now
        outbox.declaration_released(uow, row, uow.now)
        rollups.declarations_released(uow, [row])
    if _state(row) != before:
        row.changed_at = uow.now
        uow.audit("declaration.settled", SUBJECT, row.id, before, _state(row))


def _inspection_site(row: DeclarationRow) -> str | None:
    """Goods are inspected where they are released; goods refused, seized or gone are not."""
    return None if DeclarationStatus(row.status) in FINAL else row.release_port


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
        view = view_in(uow, row)
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
        for review in reviews_of(uow, [row.id])[row.id]:
            # Seized goods are inspected by no one: every agency's booking is freed.
            inspections.cancel_open(uow, review)
            if review.agency == Agency.CUSTOMS and ReviewStatus(review.status) in OPEN_REVIEW:
                why = Reason("seized", {"reason": reason})
                reviews.apply_decision(uow, review, ReviewStatus.REJECTED, why, actor.user_id)
        view = view_in(uow, row)
        uow.commit()
    return view


KIND = SubjectKind(
    name=SUBJECT,
    table=DeclarationRow,
    phases=(Phase.CARGO,),
    find=lambda uow, declaration_id, for_update: find_declaration(uow, declaration_id, for_update),
    settle=settle,
    summary=lambda row: f"{row.reference or row.id} {row.trader_name}",
    facts_of=lambda uow, rows, phase: facts_of_stored(uow, rows),
    inspection_site=_inspection_site,
)
