"""The review engine, for every kind of subject: one review per agency opened at once (one subject
or a batch), decided by rules when they can, otherwise by an officer from the agency's queue;
re-opened after an amendment; read as queues and as audit trails.

It knows subjects only through their registered kinds (services/review/subjects.py); what a
decision changes for the subject is the kind's `settle`, run by the ReviewDecided handler that
kouan.bootstrap wires.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select

from kouan.adapters.db.tables import (
    Review,
    ReviewTarget,
    User,
)
from kouan.domain.agency import AGENCIES, OPEN_REVIEW, Agency, Decision, Phase, ReviewStatus
from kouan.domain.errors import Conflict, NotFound, ValidationFailed
from kouan.domain.identifiers import valid_id
from kouan.domain.reasons import Reason
from kouan.rules.base import ACTION_STATUS, Outcome, outcome_of
from kouan.rules.base import Action as RuleAction
from kouan.rules.registry import BOOKS
from kouan.services.platform import outbox
from kouan.services.platform.messagebus import (
    OrderedInspection,
    ReviewDecided,
    ReviewsOpened,
    TargetDecided,
)
from kouan.services.platform.permissions import Action, Actor, require, review_scope
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork, insert_plain
from kouan.services.review.rulesets import RuleSets
from kouan.services.review.subjects import SubjectKind, kind_of, lock, subject_id

RULES, OFFICER = "rules", "officer"
# A stored review, or a new one's row read as attributes (filing builds no ORM objects).
ReviewRecord = Review | SimpleNamespace


# What review_state keeps, in the audit log; a new review's from its row.
_STATE_KEYS = (
    "status",
    "decided_by",
    "reason",
    "reason_key",
    "reason_params",
    "rules_hit",
    "rule_set",
)


def review_state(review: Review) -> dict[str, Any]:
    """What the audit log keeps of a review before and after a change."""
    return {key: getattr(review, key) for key in _STATE_KEYS}


# --- opening ----------------------------------------------------------------------------------


def evaluate(
    rule_sets: RuleSets,
    kind: str,
    phase: Phase,
    facts: Any,
    agencies: Iterable[Agency] = AGENCIES,
) -> list[tuple[Agency, Outcome]]:
    """Each agency's verdict on the facts, for the agencies that review them: those whose rule
    set opens a review only on a hit are left out when nothing hit."""
    verdicts = []
    for agency in agencies:
        rule_set = rule_sets.get((kind, agency))
        if rule_set is None:
            continue  # the agency does not review this kind of subject
        outcome = rule_set.evaluate(facts, phase)
        rule_book = BOOKS.get((kind, agency))
        if rule_book is not None and rule_book.opens == "on_hit" and not outcome.hits:
            continue
        verdicts.append((agency, outcome))
    return verdicts


def review_row(
    uow: UnitOfWork, kind: SubjectKind, phase: Phase, agency: Agency, outcome: Outcome
) -> dict[str, Any]:
    """A new review's row as the rules decide it (its subject set once the subject has its id).
    Where the kind decides targets on their own, a review with open targets waits for them."""
    record = outcome.record
    hits = record["hits"]
    status = outcome.status
    if kind.targets_decided and any(hit["target"] for hit in hits):
        # The whole is decided by the hits on it; the targets, each on its own, keep it open.
        whole = outcome_of([h for h in outcome.hits if h.target is None], outcome.rule_set)
        still_open = any(s in OPEN_REVIEW for s, _ in _by_target(hits).values())
        status = ReviewStatus.PENDING if still_open else whole.status
    decided = status is not ReviewStatus.PENDING
    return {
        "subject_type": kind.name,
        "subject_id": None,
        "phase": phase.value,
        "agency": agency.value,
        "status": status.value,
        "decided_by": RULES if decided else None,
        "officer_id": None,
        **record,
        "rule_set": outcome.rule_set,
        "created_at": uow.now,
        "decided_at": uow.now if decided else None,
        "version": 1,
    }


def open_rows(
    uow: UnitOfWork,
    kind: str,
    phase: Phase,
    facts: Any,
    rule_sets: RuleSets,
    agencies: Iterable[Agency] = AGENCIES,
) -> list[dict[str, Any]]:
    """The rows of the reviews the facts open, decided by the rules where they can."""
    subject_kind = kind_of(uow, kind)
    return [
        review_row(uow, subject_kind, phase, agency, outcome)
        for agency, outcome in evaluate(rule_sets, kind, phase, facts, agencies)
    ]


def store(uow: UnitOfWork, kind: str, opened: Sequence[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Store new reviews, one subject's or a batch's, as plain rows in one statement: each
    subject (its row, with its id) with its reviews' rows. Their targets are stored beside them
    and ReviewsOpened is published (inspections the rules ordered are booked by its handler).
    Each row is given its new id."""
    subject_kind = kind_of(uow, kind)
    rows = []
    for subject, found in opened:
        for row in found:
            row["subject_id"] = subject_id(subject)
            rows.append(row)
    if not rows:
        return
    insert_plain(uow, Review, rows)
    for row in rows:
        uow.audit("review.opened", "review", row["id"], None, _opened_state(row))
    outbox.reviews_opened(uow, opened)
    if subject_kind.targets_decided:
        _store_targets(uow, subject_kind, opened)
    ordered = tuple(
        OrderedInspection(row["id"], kind, row["subject_id"], row["agency"])
        for row in rows
        if row["status"] == ReviewStatus.INSPECT
    )
    uow.publish(ReviewsOpened(tuple(row["id"] for row in rows), ordered))


def _opened_state(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in _STATE_KEYS}


# Strongest last, as rule actions: the strongest hit on a target decides it.
_STRENGTH = {
    ReviewStatus.APPROVED: 0,
    ReviewStatus.PENDING: 1,
    ReviewStatus.INSPECT: 2,
    ReviewStatus.HOLD: 3,
    ReviewStatus.REJECTED: 4,
}


def _store_targets(
    uow: UnitOfWork, kind: SubjectKind, opened: Sequence[tuple[Any, list[dict[str, Any]]]]
) -> None:
    targets = []
    for subject, found in opened:
        for review in found:
            targets.extend(_target_rows(uow, kind, subject, review))
    if targets:
        insert_plain(uow, ReviewTarget, targets)
        for target in targets:
            uow.audit(
                "review.target_opened", "review", target["review_id"], None, target_state(target)
            )


def _by_target(
    hits: list[dict[str, Any]],
) -> dict[str, tuple[ReviewStatus, list[dict[str, Any]]]]:
    """The stored hits grouped by the target they name, each target with the status its
    strongest hit asks for."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for hit in hits:
        if hit["target"] is not None:
            grouped.setdefault(hit["target"], []).append(hit)
    return {
        target: (
            max(
                (ACTION_STATUS[RuleAction[h["action"].upper()]] for h in found),
                key=_STRENGTH.__getitem__,
            ),
            found,
        )
        for target, found in grouped.items()
    }


def _target_rows(
    uow: UnitOfWork, kind: SubjectKind, subject: Any, review: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per target the review's hits name, decided by the rules unless referred."""
    rows = []
    for target, (status, hits) in _by_target(review["hits"]).items():
        why = Reason.joined([Reason(h["reason_key"], h["reason_params"]) for h in hits])
        decided = status not in OPEN_REVIEW
        rows.append(
            {
                "review_id": review["id"],
                "target": target,
                "label": kind.target_label(subject, target)[:200],
                "status": status.value,
                "decided_by": RULES if decided else None,
                "officer_id": None,
                "reason": why.text,
                "reason_key": why.key,
                "reason_params": why.as_dict()["params"],
                "rules_hit": list(dict.fromkeys(h["code"] for h in hits)),
                "decided_at": uow.now if decided else None,
                "version": 1,
            }
        )
    return rows


def target_state(target: dict[str, Any] | ReviewTarget) -> dict[str, Any]:
    get = target.get if isinstance(target, dict) else lambda key: getattr(target, key)
    return {key: get(key) for key in ("target", "label", "status", "decided_by", "reason")}


def reopen(uow: UnitOfWork, review: Review, outcome: Outcome) -> None:
    """An amendment sends a review back through the rules (and to the queue if they refer it)."""
    before = review_state(review)
    row = review_row(
        uow, kind_of(uow, review.subject_type), Phase(review.phase), Agency(review.agency), outcome
    )
    for key in ("status", "decided_by", "officer_id", "reason", "reason_key", "reason_params"):
        setattr(review, key, row[key])
    review.rules_hit, review.hits, review.rule_set = row["rules_hit"], row["hits"], row["rule_set"]
    review.decided_at = row["decided_at"]
    uow.audit("review.reopened", "review", review.id, before, review_state(review))


# --- deciding ---------------------------------------------------------------------------------


def apply_decision(
    uow: UnitOfWork,
    review: Review,
    status: ReviewStatus,
    why: Reason | None,
    officer_id: int | None,
) -> None:
    """The one state change of a decision, by an officer (`officer_id`) or by what an officer
    recorded (an inspection's result): audited, and announced so the subject settles."""
    before = review_state(review)
    review.status = status.value
    review.decided_by, review.officer_id = OFFICER, officer_id
    _give_reason(review, why)
    review.decided_at = uow.now
    uow.session.flush()
    uow.audit("review.decided", "review", review.id, before, review_state(review))
    uow.publish(ReviewDecided(review.id, review.subject_type, review.subject_id, review.phase))


def _give_reason(decided: Review | ReviewTarget, why: Reason | None) -> None:
    """Keep why a review or target was decided: as English text, and as key and parameters."""
    decided.reason = why.text if why else ""
    decided.reason_key = why.key if why else None
    decided.reason_params = why.as_dict()["params"] if why else None


def _checked_reason(decision: Decision, reason: str) -> Reason | None:
    reason = reason.strip()
    if decision is not Decision.APPROVE and not reason:
        raise ValidationFailed.one("reason", reason, f"a reason for '{decision.value}'")
    return Reason.typed(reason) if reason else None


def _open_review(uow: UnitOfWork, review_id: int, expected_version: int | None) -> Review:
    """The actor's agency's review, its subject locked, still open and as the officer saw it."""
    review = uow.session.get(Review, review_id) if valid_id(review_id) else None
    if review is None or review.agency != uow.actor.org_type.value:
        raise NotFound(f"review {review_id} not found")
    lock(uow, kind_of(uow, review.subject_type), review.subject_id)
    uow.session.refresh(review)
    if expected_version is not None and review.version != expected_version:
        raise Conflict(
            f"review {review_id} changed since you opened it (now {review.status}); reload it"
        )
    if ReviewStatus(review.status) not in OPEN_REVIEW:
        who = officer_names(uow, [review]).get(review.officer_id or 0, review.decided_by)
        raise Conflict(f"review {review_id} was already decided: {review.status} by {who}")
    return review


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
    why = _checked_reason(decision, reason)
    with ctx.uow(actor) as uow:
        review = _open_review(uow, review_id, expected_version)
        apply_decision(uow, review, decision.status, why, actor.user_id)
        view = review_view(review, {actor.user_id: actor.username}, targets_of(uow, [review]))
        uow.commit()
    return view


def decide_target(
    ctx: ServiceContext,
    actor: Actor,
    review_id: int,
    target_id: int,
    decision: Decision,
    reason: str,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """An officer decides one referred target of a review (clears or refuses a person, sends
    them to inspection); when no target is left open, the review is settled with the count."""
    require(actor, Action.REVIEW_DECIDE)
    why = _checked_reason(decision, reason)
    with ctx.uow(actor) as uow:
        review = _open_review(uow, review_id, None)
        target = uow.session.get(ReviewTarget, target_id) if valid_id(target_id) else None
        if target is None or target.review_id != review.id:
            raise NotFound(f"target {target_id} of review {review_id} not found")
        if expected_version is not None and target.version != expected_version:
            raise Conflict(f"target {target_id} changed since you opened it; reload it")
        if ReviewStatus(target.status) not in OPEN_REVIEW:
            raise Conflict(f"target {target_id} was already decided: {target.status}")
        apply_target_decision(uow, review, target, decision.status, why, actor.user_id)
        view = review_view(review, {actor.user_id: actor.username}, targets_of(uow, [review]))
        uow.commit()
    return view


def apply_target_decision(
    uow: UnitOfWork,
    review: Review,
    target: ReviewTarget,
    status: ReviewStatus,
    why: Reason | None,
    officer_id: int | None,
) -> None:
    """The one state change of a target's decision (by an officer, or by what an officer recorded
    of its inspection): audited and announced; the review settles when no target is left open."""
    before = target_state(target)
    target.status, target.decided_by = status.value, OFFICER
    target.officer_id, target.decided_at = officer_id, uow.now
    _give_reason(target, why)
    uow.session.flush()
    uow.audit("review.target_decided", "review", review.id, before, target_state(target))
    uow.publish(TargetDecided(review.id, target.id))
    _settle_targets(uow, review, officer_id)


def _settle_targets(uow: UnitOfWork, review: Review, officer_id: int | None) -> None:
    """The review is approved once none of its targets is open: the refused are refused on their
    own, the rest of the list goes on."""
    statuses = [ReviewStatus(t.status) for t in targets_of(uow, [review])[review.id]]
    if any(status in OPEN_REVIEW for status in statuses):
        return
    cleared = sum(status is ReviewStatus.APPROVED for status in statuses)
    why = Reason("targets.settled", {"cleared": cleared, "refused": len(statuses) - cleared})
    apply_decision(uow, review, ReviewStatus.APPROVED, why, officer_id)


def settle_subject(uow: UnitOfWork, event: ReviewDecided) -> None:
    """What a decided review changes for its subject, as its kind says (wired in bootstrap)."""
    kind = kind_of(uow, event.subject_type)
    subject = uow.session.get(kind.table, event.subject_id)
    assert subject is not None, "a review always belongs to an existing subject"
    kind.settle(uow, subject, reviews_of(uow, kind.name, [event.subject_id])[event.subject_id])


# --- reading ----------------------------------------------------------------------------------

# Subjects are looked up in chunks: one IN (...) list of a whole page stays within every database.
_CHUNK = 500


def reviews_of(uow: UnitOfWork, subject_type: str, ids: list[int]) -> dict[int, list[Review]]:
    """The reviews of each subject of the kind, oldest first."""
    out: dict[int, list[Review]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        query = select(Review).where(
            Review.subject_type == subject_type,
            Review.subject_id.in_(ids[start : start + _CHUNK]),
        )
        for review in uow.session.scalars(query.order_by(Review.id)):
            out[review.subject_id].append(review)
    return out


def targets_of(uow: UnitOfWork, found: Iterable[Review]) -> dict[int, list[ReviewTarget]]:
    """The targets of each review (open ones first, then in order)."""
    ids = [r.id for r in found]
    out: dict[int, list[ReviewTarget]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        query = select(ReviewTarget).where(ReviewTarget.review_id.in_(ids[start : start + _CHUNK]))
        for target in uow.session.scalars(query.order_by(ReviewTarget.id)):
            out[target.review_id].append(target)
    for targets in out.values():
        targets.sort(key=lambda t: ReviewStatus(t.status) not in OPEN_REVIEW)
    return out


def target_view(target: ReviewTarget) -> dict[str, Any]:
    return {
        "id": target.id,
        "target": target.target,
        "label": target.label,
        "status": target.status,
        "decided_by": target.decided_by,
        "reason": target.reason,
        "reason_key": target.reason_key,
        "reason_params": target.reason_params,
        "rules_hit": target.rules_hit,
        "version": target.version,
    }


def review_view(
    review: ReviewRecord,
    officers: dict[int, str],
    targets: dict[int, list[ReviewTarget]] | None = None,
) -> dict[str, Any]:
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
        "reason_key": review.reason_key,
        "reason_params": review.reason_params,
        "rules_hit": review.rules_hit,
        "hits": review.hits or [],
        "targets": [target_view(t) for t in (targets or {}).get(review.id, [])],
        "rule_set": review.rule_set,
        "created_at": review.created_at.isoformat(),
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "version": review.version,
    }


def officer_names(uow: UnitOfWork, reviews: Iterable[ReviewRecord]) -> dict[int, str]:
    ids = {r.officer_id for r in reviews if r.officer_id}
    if not ids:
        return {}
    rows = uow.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
    return {row.id: row.username for row in rows}


def views_of(uow: UnitOfWork, found: list[Review]) -> list[dict[str, Any]]:
    """The views of reviews for a queue: each with its officer, its targets and its subject's
    one-line summary, read a few queries for the whole page."""
    officers, targets = officer_names(uow, found), targets_of(uow, found)
    summaries = subject_summaries(uow, found)
    return [
        {
            **review_view(r, officers, targets),
            "subject_summary": summaries.get((r.subject_type, r.subject_id), ""),
        }
        for r in found
    ]


def subject_summaries(uow: UnitOfWork, found: Iterable[Review]) -> dict[tuple[str, int], str]:
    """Each reviewed subject's one-line summary, as its kind words it."""
    wanted: dict[str, set[int]] = {}
    for review in found:
        wanted.setdefault(review.subject_type, set()).add(review.subject_id)
    out: dict[tuple[str, int], str] = {}
    for name, ids in wanted.items():
        kind = kind_of(uow, name)
        id_column = kind.table.__table__.c.id
        ordered = sorted(ids)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            query = select(kind.table, id_column).where(id_column.in_(chunk))
            for row, row_id in uow.session.execute(query):
                out[(name, row_id)] = kind.summary(row)
    return out


def list_reviews(
    ctx: ServiceContext,
    actor: Actor,
    status: str | None = None,
    phase: Phase | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The agency's queue, oldest first (the port office sees every agency's); a review of a
    list shows the targets referred to the officer first."""
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
        return views_of(uow, list(uow.session.scalars(query).all()))


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
