"""The agency's review queue (open reviews oldest first, each with its age and a decide form) and
an officer's decision on a review, posted from the queue, a call's page or the home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kouan.domain.agency import Decision
from kouan.domain.errors import DomainError
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms, words
from kouan.web.ui.display import paged
from kouan.web.ui.forms import FormState, whole_number
from kouan.web.ui.i18n import translations
from kouan.web.ui.port_calls import call_or_home, origin_url
from kouan.web.ui.render import Page, address_params, language, redirect, show
from kouan.web.ui.review_view import review_rows
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

FILTERS = ("open", "pending", "inspect", "hold", "approved", "rejected")
QUEUE_PAGE = 50


def queue_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """The queue as the address filters and pages it (a form posted to it shows the first page)."""
    params = address_params(request)
    wanted = params.get("status", "open")
    shown = wanted if wanted in FILTERS else "open"
    offset = whole_number(params.get("offset"), 0)
    found = review_rows(ctx, actor, shown, QUEUE_PAGE + 1, offset)
    context = {**paged(found, offset, QUEUE_PAGE), "shown": shown, "filters": FILTERS}
    return Page("reviews.html", context, url="/reviews", current="reviews")


@router.get("/reviews")
def queue(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, queue_page(request, ctx, actor))


def decide_posted(
    ctx: ServiceContext, actor: Actor, review_id: int, values: dict[str, str], lang: str
) -> tuple[FormState, int] | None:
    """The decision a review's form posted (a port call's or a declaration's); when it is
    refused, the form again with the status to show it with."""
    if values.get("decision") not in set(Decision):
        message = translations(lang).gettext(words.CHOOSE_DECISION)
        return forms.with_error(values, "decision", message), 422
    version = int(values["version"]) if values.get("version", "").isdigit() else None
    decision, reason = Decision(values["decision"]), values.get("reason", "")
    try:
        reviews.decide(ctx, actor, review_id, decision, reason, version)
    except DomainError as exc:
        return forms.from_domain(exc, values, ("decision", "reason"), lang), http_status(exc)
    return None


def _call_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@router.post("/reviews/{review_id:int}/decision")
def decide(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, review_id: int
) -> Response:
    """The decision goes back where it came from (its `origin`): the queue, a call or home."""
    values = forms.typed(form, ("decision", "reason", "version", "origin", "call_id"))
    origin, call_id = values.get("origin", "queue"), _call_id(values.get("call_id"))
    refused = decide_posted(ctx, actor, review_id, values, language(request))
    if refused is not None:
        state, status = refused
        if origin == "queue":
            page = queue_page(request, ctx, actor)
        else:
            page = call_or_home(ctx, actor, origin, call_id)
        return show(request, actor, page, {f"decide-{review_id}": state}, status)
    return redirect(f"{origin_url(origin, call_id)}#review-{review_id}", notice="decided")


@router.post("/reviews/{review_id:int}/targets/{target_id:int}/decision")
def decide_target(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, review_id: int, target_id: int
) -> Response:
    """One person of a list decided from the queue; a refused decision shows the queue again
    with the form and its errors."""
    values = forms.typed(form, ("decision", "reason", "version"))
    lang = language(request)
    key = f"target-{target_id}"
    if values.get("decision") not in set(Decision):
        state = forms.with_error(
            values, "decision", translations(lang).gettext(words.CHOOSE_DECISION)
        )
        return show(request, actor, queue_page(request, ctx, actor), {key: state}, 422)
    version = int(values["version"]) if values.get("version", "").isdigit() else None
    decision, reason = Decision(values["decision"]), values.get("reason", "")
    try:
        reviews.decide_target(ctx, actor, review_id, target_id, decision, reason, version)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("decision", "reason"), lang)
        return show(request, actor, queue_page(request, ctx, actor), {key: state}, http_status(exc))
    return redirect(f"/reviews#review-{review_id}", notice="decided")
