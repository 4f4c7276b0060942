"""CIQ's legal-inspection list (法检目录): the HS chapters and headings whose goods get a CIQ review
beside customs'. CIQ edits it (each change a new version of its rule set); customs and the port
office read it."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kouan.domain.agency import Agency
from kouan.domain.errors import DomainError
from kouan.rules.registry import DECLARATION
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import rulesets
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms, words
from kouan.web.ui.forms import FormState
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)
PATH = "/legal-inspection"
FIELD = "legal_inspection"
# Entries may be typed one per line or separated by commas, spaces or Chinese commas.
_SEPARATORS = re.compile(r"[\s,;，、；]+")


def _kind(entry: str) -> str:
    """How wide an entry is, by its digits: a chapter, a heading or a subheading (a msgid)."""
    return words.LEGAL_ENTRY_KINDS.get(len(entry), words.SUBHEADING)


def _list_page(ctx: ServiceContext, actor: Actor) -> Page:
    require(actor, Action.INSPECTION_READ)
    ciq = next(
        r
        for r in rulesets.active_versions(ctx, actor)
        if (r["subject_kind"], r["agency"]) == (DECLARATION, Agency.CIQ)
    )
    entries = list(ciq["params"][FIELD])
    context = {
        "entries": [(entry, _kind(entry)) for entry in entries],
        "version": ciq["version"],
        "since": ciq["created_at"],
        "can_edit": actor.org_type.value == Agency.CIQ.value,
        "text": "\n".join(entries),
    }
    return Page("legal_inspection.html", context, url=PATH, current="legal")


@router.get(PATH)
def list_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, _list_page(ctx, actor))


@router.post(PATH)
def publish(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """CIQ publishes the list as typed; a bad entry is shown beside the field, nothing changes."""
    require(actor, Action.RULES_PUBLISH)
    values = forms.typed(form, (FIELD,))
    entries = [e for e in _SEPARATORS.split(values.get(FIELD, "")) if e]
    try:
        rulesets.publish(ctx, actor, Agency.CIQ, {FIELD: entries})
    except DomainError as exc:
        aliases = {f"params.{FIELD}": FIELD}  # the rule set's parameter is this one field
        state: FormState = forms.from_domain(exc, values, (FIELD,), language(request), aliases)
        page = _list_page(ctx, actor)
        return show(request, actor, page, {"legal": state}, http_status(exc))
    return redirect(PATH, "legal_published")
