"""Forms posted from several pages: an officer's decision, a terminal's event, the departure.

Each goes back where it came from (its `origin`): on success by a redirect, on a refusal by
showing that page again with the form as typed and the error beside it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kouan.domain.errors import DomainError
from kouan.domain.filing import DepartureNotice
from kouan.domain.portcall import TimelineEvent
from kouan.services.platform.idempotency import request_hash
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from kouan.web.deps import Ctx
from kouan.web.ui import forms, words
from kouan.web.ui.forms import Forms
from kouan.web.ui.home import home_page
from kouan.web.ui.i18n import translations
from kouan.web.ui.portcalls import call_page
from kouan.web.ui.render import language, redirect, show
from kouan.web.ui.reviews import decide_posted, queue_page
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)


def _call_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _origin_url(origin: str, call_id: int | None) -> str:
    if origin == "call" and call_id is not None:
        return f"/port-calls/{call_id}"
    return "/reviews" if origin == "queue" else "/"


def _again(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    origin: str,
    call_id: int | None,
    shown: Forms,
    status: int,
) -> HTMLResponse:
    """The page the form came from, with the refused form shown again."""
    if origin == "call" and call_id is not None:
        page = call_page(ctx, actor, call_id)
    elif origin == "queue":
        page = queue_page(request, ctx, actor)
    else:
        page = home_page(ctx, actor)
    return show(request, actor, page, shown, status)


@router.post("/reviews/{review_id:int}/decision")
def decide(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, review_id: int
) -> Response:
    values = forms.typed(form, ("decision", "reason", "version", "origin", "call_id"))
    origin, call_id = values.get("origin", "queue"), _call_id(values.get("call_id"))
    refused = decide_posted(ctx, actor, review_id, values, language(request))
    if refused is not None:
        state, status = refused
        return _again(request, ctx, actor, origin, call_id, {f"decide-{review_id}": state}, status)
    return redirect(f"{_origin_url(origin, call_id)}#review-{review_id}", notice="decided")


@router.post("/port-calls/{call_id:int}/events")
def record_event(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, call_id: int
) -> Response:
    values = forms.typed(form, ("type", "at", "origin"))
    origin, key, lang = values.get("origin", "call"), f"event-{call_id}", language(request)
    t = translations(lang).gettext
    at = forms.port_datetime(values["at"]) if values.get("at") else ctx.clock()
    if at is None:
        state = forms.with_error(values, "at", t(words.DATE_TIME))
        return _again(request, ctx, actor, origin, call_id, {key: state}, 422)
    if values.get("type") not in set(TimelineEvent):
        state = forms.with_error(values, "type", t(words.CHOOSE_EVENT))
        return _again(request, ctx, actor, origin, call_id, {key: state}, 422)
    try:
        portcalls.record_event(ctx, actor, call_id, TimelineEvent(values["type"]), at)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("type", "at"), lang)
        return _again(request, ctx, actor, origin, call_id, {key: state}, exc.status)
    return redirect(_origin_url(origin, call_id), notice="event")


@router.post("/port-calls/{call_id:int}/departure")
def file_departure(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, call_id: int
) -> Response:
    values = forms.typed(form, ("next_port", "etd", "idempotency_key"))
    key, lang = "departure", language(request)
    etd = values.get("etd", "")
    document = forms.present(
        {"next_port": values.get("next_port", "").upper(), "etd": forms.port_time(etd)}
    )
    try:
        notice = DepartureNotice.model_validate(document)
        digest = request_hash("POST", request.url.path, notice.model_dump(mode="json"))
        portcalls.file_departure(
            ctx, actor, call_id, notice, values.get("idempotency_key") or None, digest
        )
    except ValidationError as exc:
        state = forms.from_validation(exc, values, ("next_port", "etd"), lang)
        return show(request, actor, call_page(ctx, actor, call_id), {key: state}, 422)
    except DomainError as exc:
        state = forms.from_domain(exc, values, ("next_port", "etd"), lang)
        return show(request, actor, call_page(ctx, actor, call_id), {key: state}, exc.status)
    return redirect(f"/port-calls/{call_id}", notice="departure")
