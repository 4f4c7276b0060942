"""The agency's review queue: open reviews oldest first, each with its age and a decide form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kouan.domain.agency import Decision
from kouan.domain.errors import DomainError
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.web.deps import Ctx
from kouan.web.ui import forms, words
from kouan.web.ui.display import paged
from kouan.web.ui.forms import FormState, whole_number
from kouan.web.ui.i18n import translations
from kouan.web.ui.render import Page, show
from kouan.web.ui.review_view import review_rows
from kouan.web.ui.session import PageActor

router = APIRouter(include_in_schema=False)

FILTERS = ("open", "pending", "inspect", "hold", "approved", "rejected")
QUEUE_PAGE = 50


def queue_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """The queue as the address filters and pages it (a form posted to it shows the first page)."""
    params = request.query_params if request.method == "GET" else {}
    wanted = params.get("status", "open")
    shown = wanted if wanted in FILTERS else "open"
    offset = whole_number(params.get("offset"), 0)
    found = review_rows(ctx, actor, shown, QUEUE_PAGE + 1, offset)
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
