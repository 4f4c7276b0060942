"""Rendering pages: one Jinja2 environment per language, the common page frame, error pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kouan.services.platform.permissions import Action, Actor, allowed
from kouan.web.ui import display, port_call_view, session, words
from kouan.web.ui.forms import Forms, FormState
from kouan.web.ui.i18n import choose_language, remember_language, translations

TEMPLATES = Path(__file__).parent / "templates"
NOTICE_COOKIE = "kouan_notice"
# The navigation: key, address and the action a role needs to see the entry (labels: words).
NAVIGATION: tuple[tuple[str, str, Action | None], ...] = (
    ("home", "/", None),
    ("calls", "/port-calls", Action.PORT_CALL_READ),
    ("new", "/port-calls/new", Action.PORT_CALL_FILE),
    ("reviews", "/reviews", Action.REVIEW_READ),
    ("board", "/board", Action.BOARD_READ),
    ("declarations", "/declarations", Action.DECLARATION_READ),
    ("declare", "/declarations/new", Action.DECLARATION_FILE),
    ("cargo_queue", "/declarations/queue", Action.INSPECTION_RECORD),
    ("inspections", "/inspections", Action.INSPECTION_READ),
    ("risk", "/risk-rules", Action.RISK_RULES_READ),
    ("clearance", "/clearance", Action.CLEARANCE_READ),
    ("legal", "/legal-inspection", Action.INSPECTION_READ),
    ("lists", "/person-lists", Action.PERSON_LIST_READ),
    # Enterprises read the alerts addressed to them from their home pages; the console is for
    # the agencies and the port office, who raise and escalate them.
    ("alerts", "/alerts", Action.ALERTS_RAISE),
    ("transits", "/transits", Action.TRANSIT_DEPART),
    ("baggage", "/baggage-hall", Action.BAGGAGE_READ),
    # The port office's statistics (agencies, who may read them too, open them by address).
    ("stats", "/stats", Action.STATS_IMPORT),
    # Goods under customs control: manifests, the gate, customs' write-off.
    ("manifests", "/manifests", Action.MANIFEST_READ),
    ("gate", "/gate", Action.GATE_CHECK),
    ("writeoff", "/write-off", Action.WRITEOFF_READ),
    ("duties", "/duties", Action.DUTIES_READ),
    ("moves", "/terminal/moves", Action.TERMINAL_REPORT),
    ("discrepancies", "/terminal/discrepancies", Action.DISCREPANCY_READ),
)


def field_id(name: str) -> str:
    """An element id for a form field named like "cargo.items[0].teu"."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


@cache
def environment(lang: str) -> Environment:
    """The templates with `_()` and the formats of `lang`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        lang=lang,
        label=display.Labels.of(lang),
        rule_title=partial(display.rule_title, lang=lang),
        reason=partial(display.reason, lang=lang),
        words=words.DECLARATION_WORDS,
        next_event=port_call_view.next_event,
        waits_for_departure_permit=port_call_view.waits_for_departure_permit,
        blank_form=FormState(),
        new_key=lambda: uuid.uuid4().hex,
    )
    env.filters.update(
        when=partial(display.when, lang=lang),
        number=partial(display.number, lang=lang),
        big_number=partial(display.big_number, lang=lang),
        duration=partial(display.duration, lang=lang),
        local_input=display.local_input,
        field_id=field_id,
    )
    return env


def language(request: Request) -> str:
    return choose_language(request, request.app.state.ctx.settings.default_lang)


def address_params(request: Request) -> Mapping[str, str]:
    """The page address's parameters; none when a posted form shows the page again."""
    return request.query_params if request.method == "GET" else {}


def navigation(actor: Actor | None) -> list[tuple[str, str, str]]:
    if actor is None:
        return []
    return [
        (key, href, words.NAVIGATION[key])
        for key, href, action in NAVIGATION
        if action is None or allowed(actor, action)
    ]


def _language_links(request: Request, page_url: str | None) -> dict[str, str]:
    """This page in each language; a page shown after a POST links to its GET address."""
    if request.method == "GET":
        path, params = request.url.path, dict(request.query_params)
    else:
        path, params = page_url or "/", {}
    return {code: f"{path}?{urlencode({**params, 'lang': code})}" for code in ("zh", "en")}


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    actor: Actor | None,
    status: int = 200,
    forms: Forms | None = None,
    page_url: str | None = None,
    current: str = "",
) -> HTMLResponse:
    """A page in the reader's language inside the common frame (top bar, navigation)."""
    ctx = request.app.state.ctx
    lang = language(request)
    token, anonymous = session.form_token(request)
    notice = words.NOTICES.get(request.cookies.get(NOTICE_COOKIE, ""))
    body = (
        environment(lang)
        .get_template(template)
        .render(
            request=request,
            actor=actor,
            csrf=token,
            csrf_field=session.CSRF_FIELD,
            nav=navigation(actor),
            current=current,
            forms=forms or {},
            notice=notice,
            lang_links=_language_links(request, page_url),
            now=ctx.clock(),
            **context,
        )
    )
    response = HTMLResponse(body, status_code=status)
    if anonymous is not None:
        session.set_anonymous(request, response, anonymous)
    if NOTICE_COOKIE in request.cookies:
        response.delete_cookie(NOTICE_COOKIE)
    remember_language(request, response)
    return response


@dataclass(frozen=True)
class Page:
    """A page as built for its reader: template, context, its address and navigation entry."""

    template: str
    context: dict[str, Any]
    url: str
    current: str


def show(
    request: Request, actor: Actor, page: Page, forms: Forms | None = None, status: int = 200
) -> HTMLResponse:
    """The page in the common frame; `forms` holds a refused form shown again with `status`."""
    return render(
        request,
        page.template,
        page.context,
        actor=actor,
        status=status,
        forms=forms,
        page_url=page.url,
        current=page.current,
    )


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    """See Other after a form, with what the next page should confirm."""
    response = RedirectResponse(url, status_code=303)
    if notice is not None:
        response.set_cookie(NOTICE_COOKIE, notice, max_age=60, httponly=True, samesite="lax")
    return response


def error_page(request: Request, status: int, message: str, message_lang: str = "en") -> Response:
    """Any refusal on a page, in the frame and the reader's language (the HTML error renderer).
    `message` is the service's own (English) unless `message_lang` says it was translated."""
    headline = words.ERROR_HEADLINES.get(status, words.ERROR_HEADLINES[400])
    return render(
        request,
        "error.html",
        {"status": status, "headline": headline, "message": message, "message_lang": message_lang},
        actor=session.optional_actor(request),
        status=status,
    )
