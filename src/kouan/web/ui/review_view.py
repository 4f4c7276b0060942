"""What the pages derive from reviews: whether one is open and the reader may decide it, and the
officers' queues as rows (reviews with the ship each is about; declarations waiting in a lane)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kouan.domain.agency import OPEN_REVIEW, Agency, ReviewStatus
from kouan.domain.declaration import Lane
from kouan.services.cargo import queries
from kouan.services.cargo.queries import Filter
from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.port_office import board
from kouan.services.port_office.board import CallSummary
from kouan.services.review import reviews
from kouan.web.ui.display import age_minutes

# The cargo queue's tabs, in the order an officer works them; green waits for nobody but CIQ.
QUEUE_LANES = (Lane.DOCUMENT, Lane.INSPECTION, Lane.GREEN)


def is_open(review: dict[str, Any]) -> bool:
    return ReviewStatus(review["status"]) in OPEN_REVIEW


def may_decide(actor: Actor, review: dict[str, Any]) -> bool:
    """The review is open and the actor's agency is the one to decide it."""
    return (
        allowed(actor, Action.REVIEW_DECIDE)
        and review["agency"] == actor.org_type.value
        and is_open(review)
    )


def _waited(review: dict[str, Any] | None, now: datetime) -> float:
    """Minutes an open review has waited for its officer (0 for a decided one or none)."""
    return age_minutes(review["created_at"], now) if review and is_open(review) else 0.0


@dataclass(frozen=True)
class ReviewRow:
    """A review in the queue with the ship it is about and how long it has waited."""

    review: dict[str, Any]
    call: CallSummary | None
    age_minutes: float
    decidable: bool


def review_rows(
    ctx: ServiceContext, actor: Actor, status: str, limit: int, offset: int = 0
) -> list[ReviewRow]:
    """The reviews of a status (or "open") with the ship each is about and its age."""
    found = reviews.list_reviews(ctx, actor, status, limit=limit, offset=offset)
    calls = board.call_summaries(
        ctx, actor, (r["subject_id"] for r in found if r["subject_type"] == "port_call")
    )
    now = ctx.clock()
    return [
        ReviewRow(r, calls.get(r["subject_id"]), _waited(r, now), may_decide(actor, r))
        for r in found
    ]


@dataclass(frozen=True)
class DeclarationRow:
    """A declaration waiting for the officer's agency: its open review and how long it waited."""

    declaration: dict[str, Any]
    review: dict[str, Any] | None
    age_minutes: float
    decidable: bool


def _open_review(view: dict[str, Any], agency: Agency) -> dict[str, Any] | None:
    return next(
        (r for r in view["reviews"] if r["agency"] == agency.value and is_open(r)),
        None,
    )


def declaration_rows(
    ctx: ServiceContext, actor: Actor, lane: Lane, limit: int, offset: int = 0
) -> list[DeclarationRow]:
    """The lane's declarations waiting for the actor's agency, oldest first."""
    agency = Agency(actor.org_type.value)
    where = Filter(lane=lane, awaiting=agency)
    found = queries.list_declarations(ctx, actor, where, limit, offset, oldest_first=True)
    now = ctx.clock()
    rows = []
    for view in found:
        review = _open_review(view, agency)
        decidable = review is not None and may_decide(actor, review)
        rows.append(DeclarationRow(view, review, _waited(review, now), decidable))
    return rows
