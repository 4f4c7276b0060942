"""The review engine: one review per agency opened at once, decided by rules when they can,
otherwise by an officer from the agency's queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from kouan.adapters.db.tables import MAX_ID, DeclarationRow, PortCall, Review, User
from kouan.domain.agency import AGENCIES, OPEN_REVIEW, Agency, Decision, Phase, ReviewStatus
from kouan.domain.errors import Conflict, NotFound, ValidationFailed
from kouan.rules.base import Outcome, Subject
from kouan.services.platform import messagebus
from kouan.services.platform.permissions import Action, Actor, require, review_scope
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_rows
from kouan.services.review.rulesets import RuleSets

# What reviews are of, by subject_type: the row locked while one of its reviews is decided.
_SUBJECTS: dict[str, type[PortCall] | type[DeclarationRow]] = {
    "port_call": PortCall,
    "declaration": DeclarationRow,
}


def review_state(review: Review) -> dict[str, Any]:
    """What the audit log keeps of a review before and after a change."""
    return {
        "status": review.status,
        "decided_by": review.decided_by,
        "reason": review.reason,
        "rules_hit": review.rules_hit,
        "rule_set": review.rule_set,
    }


def apply_outcome(uow: UnitOfWork, review: Review, outcome: Outcome) -> None:
    review.status = outcome.status.value
    review.decided_by = "rules" if outcome.decided else None
    review.officer_id = None
    review.reason = outcome.reason
    review.rules_hit = outcome.rules_hit
    review.rule_set = outcome.rule_set
    review.decided_at = uow.now if outcome.decided else None


def new_reviews(
    uow: UnitOfWork,
    subject: Subject,
    rule_sets: RuleSets,
    agencies: Iterable[Agency] = AGENCIES,
) -> list[Review]:
    """One review per agency, each already decided by its agency's rules where they can."""
    reviews = []
    for agency in agencies:
        review = Review(phase=subject.phase.value, agency=agency.value, created_at=uow.now)
        apply_outcome(uow, review, rule_sets[agency].evaluate(subject))
        reviews.append(review)
    return reviews


def save_reviews(
    uow: UnitOfWork, subject_type: str, subject_id: int, reviews: list[Review]
) -> None:
    """Store new reviews as plain rows in one statement (the objects stay outside the session)."""
    for review in reviews:
        review.subject_type, review.subject_id = subject_type, subject_id
    for review, review_id in zip(reviews, insert_rows(uow, reviews), strict=True):
        review.id = review_id
    for review in reviews:
        uow.audit("review.opened", "review", review.id, None, review_state(review))


def reopen(uow: UnitOfWork, review: Review, outcome: Outcome) -> None:
    """An amendment sends a review back through the rules (and to the queue if they refer it)."""
    before = review_state(review)
    apply_outcome(uow, review, outcome)
    uow.audit("review.reopened", "review", review.id, before, review_state(review))


# Subjects are looked up in chunks: one IN (...) list of a whole page stays within every database.
_CHUNK = 500


def reviews_of(uow: UnitOfWork, subject_type: str, ids: list[int]) -> dict[int, list[Review]]:
    """The reviews of each subject (port calls or declarations), oldest first."""
    out: dict[int, list[Review]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        query = select(Review).where(
            Review.subject_type == subject_type,
            Review.subject_id.in_(ids[start : start + _CHUNK]),
        )
        for review in uow.session.scalars(query.order_by(Review.id)):
            out[review.subject_id].append(review)
    return out


def review_view(review: Review, officers: dict[int, str]) -> dict[str, Any]:
    return {
        "id": review.id,
        "subject_type": review.subject_type,
        "subject_id": review.subject_id,
        "phase": review.phase,
        "agency": review.agency,
        "status": review.status,
        "decided_by": review.decided_by,
        "officer": officers.get(review.officer_id) if review.officer_id else None,
        "reason": review.reason,
        "rules_hit": review.rules_hit,
        "rule_set": review.rule_set,
        "created_at": review.created_at.isoformat(),
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "version": review.version,
    }


def officer_names(uow: UnitOfWork, reviews: Iterable[Review]) -> dict[int, str]:
    ids = {r.officer_id for r in reviews if r.officer_id}
    if not ids:
        return {}
    rows = uow.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {row.id: row.username for row in rows}


def decide(
    ctx: ServiceContext,
    actor: Actor,
    review_id: int,
    decision: Decision,
    reason: str,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """An officer's decision. Of two officers deciding the same review at once, the first wins
    and the second is told who decided (409); nothing the first did is lost."""
    require(actor, Action.REVIEW_DECIDE)
    reason = reason.strip()
    if decision is not Decision.APPROVE and not reason:
        raise ValidationFailed.one("reason", reason, f"a reason for '{decision.value}'")
    with ctx.uow(actor) as uow:
        review = uow.session.get(Review, review_id) if 0 < review_id <= MAX_ID else None
        if review is None or review.agency != actor.org_type.value:
            raise NotFound(f"review {review_id} not found")
        # Lock the subject so decisions on its reviews and its permits happen one at a time.
        subject = _SUBJECTS[review.subject_type]
        uow.session.execute(
            select(subject.id).where(subject.id == review.subject_id).with_for_update()
        )
        uow.session.refresh(review)
        if expected_version is not None and review.version != expected_version:
            raise Conflict(
                f"review {review_id} changed since you opened it (now {review.status}); reload it"
            )
        if ReviewStatus(review.status) not in OPEN_REVIEW:
            who = officer_names(uow, [review]).get(review.officer_id or 0, review.decided_by)
            raise Conflict(f"review {review_id} was already decided: {review.status} by {who}")
        before = review_state(review)
        review.status = decision.status.value
        review.decided_by = "officer"
        review.officer_id = actor.user_id
        review.reason = reason
        review.decided_at = uow.now
        uow.session.flush()
        uow.audit("review.decided", "review", review.id, before, review_state(review))
        messagebus.publish(
            uow,
            messagebus.ReviewDecided(
                review.id, review.subject_type, review.subject_id, review.phase
            ),
        )
        view = review_view(review, {actor.user_id: actor.username})
        uow.commit()
    return view


def list_reviews(
    ctx: ServiceContext,
    actor: Actor,
    status: str | None = None,
    phase: Phase | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The agency's queue, oldest first (the port office sees every agency's)."""
    scope = review_scope(actor)
    query = select(Review).where(scope)
    if status == "open":
        query = query.where(Review.status.in_([s.value for s in OPEN_REVIEW]))
    elif status:
        query = query.where(Review.status == ReviewStatus(status).value)
    if phase:
        query = query.where(Review.phase == phase.value)
    query = query.order_by(Review.created_at, Review.id).limit(limit).offset(offset)
    with ctx.uow(actor, write=False) as uow:
        reviews = uow.session.scalars(query).all()
        officers = officer_names(uow, reviews)
        return [review_view(r, officers) for r in reviews]


def queue_counts(ctx: ServiceContext, actor: Actor) -> dict[str, dict[str, Any]]:
    """Per agency: reviews waiting for an officer and when the oldest was opened."""
    scope = review_scope(actor)
    query = (
        select(Review.agency, func.count(), func.min(Review.created_at))
        .where(scope, Review.status.in_([s.value for s in OPEN_REVIEW]))
        .group_by(Review.agency)
    )
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.execute(query).all()
    return {agency: {"open": count, "oldest": oldest} for agency, count, oldest in rows}
