"""The agency's review queue: open reviews oldest first, each with its age and a decide form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kouan.domain.agency import Decision
from kouan.domain.errors import DomainError
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.port_office import board
from kouan.services.port_office.board import CallSummary
from kouan.services.review import reviews
from kouan.web.deps import Ctx
from kouan.web.ui import callview, forms, words
from kouan.web.ui.display import age_minutes, paged
from kouan.web.ui.forms import FormState, whole_number
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import Page, show
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

FILTERS = ("open", "pending", "inspect", "hold", "approved", "rejected")
QUEUE_PAGE = 50


@dataclass(frozen=True)
class QueueRow:
    """A review in the queue with the ship it is about and how long it has waited."""

    review: dict[str, Any]
    call: CallSummary | None
    age_minutes: float
    decidable: bool


def queue_rows(
    ctx: ServiceContext,
    actor: Actor,
    status: str = "open",
    limit: int = QUEUE_PAGE,
    offset: int = 0,
) -> list[QueueRow]:
    """The reviews with the ship each is about and its age (an open review's only)."""
    found = reviews.list_reviews(ctx, actor, status, limit=limit, offset=offset)
    calls = board.call_summaries(
        ctx, actor, (r["subject_id"] for r in found if r["subject_type"] == "port_call")
    )
    now = ctx.clock()
    return [
        QueueRow(
            review=r,
            call=calls.get(r["subject_id"]),
            age_minutes=age_minutes(r["created_at"], now) if callview.is_open(r) else 0.0,
            decidable=callview.may_decide(actor, r),
        )
        for r in found
    ]


def queue_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """The queue as the address filters and pages it (a form posted to it shows the first page)."""
    params = request.query_params if request.method == "GET" else {}
    wanted = params.get("status", "open")
    shown = wanted if wanted in FILTERS else "open"
    offset = whole_number(params.get("offset"), 0)
    found = queue_rows(ctx, actor, shown, QUEUE_PAGE + 1, offset)
    context = {
        **paged(found, offset, QUEUE_PAGE),
        "shown": shown,
        "filters": FILTERS,
    }
    return Page("reviews.html", context, url="/reviews", current="reviews")


def decide_posted(
    ctx: ServiceContext, actor: Actor, review_id: int, values: dict[str, str], lang: str
) -> tuple[FormState, int] | None:
    """The decision a review's form posted (a port call's or a declaration's); when it is
    refused, the form again with the status to show it with."""
    if values.get("decision") not in set(Decision):
        message = translations(lang).gettext(words.CHOOSE_DECISION)
        return forms.with_error(values, "decision", message), 422
    version = int(values["version"]) if values.get("version", "").isdigit() else None
    try:
        reviews.decide(
            ctx, actor, review_id, Decision(values["decision"]), values.get("reason", ""), version
        )
    except DomainError as exc:
        return forms.from_domain(exc, values, ("decision", "reason"), lang), exc.status
    return None


@router.get("/reviews")
def queue(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, queue_page(request, ctx, actor))
