"""Goods under customs control on pages: the agent's manifests (list with a search box, one
manifest with its bills of lading and amendments, the upload with its templates), the terminal's
gate check (the answer in large type, the last refusals) and customs' write-off and
undeclared-goods views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kouan.domain.errors import DomainError
from kouan.domain.reasons import render as render_reason
from kouan.services.goods import gate, manifests, writeoff
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.web.api.manifests import read_document
from kouan.web.deps import Ctx, Id
from kouan.web.errors import http_status
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

LIST_PATH = "/manifests"
UPLOAD_PATH = "/manifests/upload"
GATE_PATH = "/gate"
WRITEOFF_PATH = "/write-off"
CHOOSE_FILE = N_("Choose a CUSCAR file or a spreadsheet made from the template.")
# The gate's reasons and the write-off's problems, by code, in the reader's language.
GATE_REASONS = {
    "released": N_("Released: let it through"),
    "not_on_manifest": N_("On no bill of lading of a manifest"),
    "not_declared": N_("Its bill of lading has no declaration yet"),
    "not_covered": N_("The declarations of its bill of lading name other containers"),
    "not_released": N_("Its declaration is not released yet"),
    "not_arrived": N_("No goods-arrival report for it yet"),
    "held": N_("Its declaration is held by customs"),
    "seized": N_("Its goods are seized"),
    "rejected": N_("Its declaration was rejected"),
}
DIRECTIONS = {"import": N_("Import"), "export": N_("Export")}


def _words(lang: str) -> dict[str, Any]:
    tr = translations(lang).gettext

    def problem(p: dict[str, Any]) -> str:
        why = writeoff.problem_reason(p).as_dict()
        return render_reason(why["key"], why["params"], tr, lang == "zh")

    return {
        "reason_of": lambda code: tr(GATE_REASONS[code]),
        "problem_of": problem,
        "direction_of": lambda code: tr(DIRECTIONS[code]) if code in DIRECTIONS else code,
    }


# --- manifests ----------------------------------------------------------------------------------


@router.get(LIST_PATH)
def list_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    q = request.query_params.get("q", "").strip()[:35]
    rows = manifests.list_manifests(ctx, actor, q, limit=100)
    context = {
        "rows": rows,
        "q": q,
        "may_file": allowed(actor, Action.MANIFEST_FILE),
        **_words(language(request)),
    }
    url = f"{LIST_PATH}?{urlencode({'q': q})}" if q else LIST_PATH
    return show(request, actor, Page("goods_manifests.html", context, url=url, current="manifests"))


def _upload_page(
    request: Request, actor: Actor, state: FormState, status: int = 200
) -> HTMLResponse:
    context = {"state": state, **_words(language(request))}
    page = Page("goods_upload.html", context, url=UPLOAD_PATH, current="manifests")
    return show(request, actor, page, {"upload": state}, status)


@router.get(UPLOAD_PATH)
def upload_form(request: Request, actor: PageActor) -> HTMLResponse:
    require(actor, Action.MANIFEST_FILE)
    return _upload_page(request, actor, FormState())


_HEAD = ("direction", "port_call_id", "imo", "voyage")


@router.post(UPLOAD_PATH)
def upload(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """File the uploaded manifest; refused, the page names each line or segment."""
    require(actor, Action.MANIFEST_FILE)
    values = {name: str(form.get(name) or "").strip() for name in _HEAD}
    file = form.get("manifest")
    lang = language(request)
    if not isinstance(file, UploadFile) or not file.filename:
        state = FormState(values=values)
        state.add("manifest", translations(lang).gettext(CHOOSE_FILE))
        return _upload_page(request, actor, state, status=422)
    data = file.file.read()
    head = {k: v for k, v in values.items() if v}
    try:
        document, source = read_document(data, "", file.filename, head)
        view = manifests.file_manifest(ctx, actor, document, source)
    except DomainError as exc:
        if http_status(exc) == 403:
            raise
        state = forms.from_domain(exc, values, _HEAD, lang, fallback="manifest")
        return _upload_page(request, actor, state, status=http_status(exc))
    return redirect(f"{LIST_PATH}/{view['id']}")


@router.get(LIST_PATH + "/{manifest_id}")
def detail_page(request: Request, ctx: Ctx, actor: PageActor, manifest_id: Id) -> HTMLResponse:
    view = manifests.get_manifest(ctx, actor, manifest_id)
    context = {"mf": view, **_words(language(request))}
    url = f"{LIST_PATH}/{manifest_id}"
    return show(request, actor, Page("goods_manifest.html", context, url=url, current="manifests"))


# --- the gate -----------------------------------------------------------------------------------


@router.get(GATE_PATH)
def gate_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    """A container number asked (?container=...) is answered in large type; the last refusals
    below."""
    require(actor, Action.GATE_CHECK)
    number = request.query_params.get("container", "").strip()[:20]
    state, answer, status = FormState(values={"container": number}), None, 200
    if number:
        try:
            answer = gate.check(ctx, actor, number)
        except DomainError as exc:
            if http_status(exc) == 403:
                raise
            state = forms.from_domain(
                exc,
                {"container": number},
                ("container",),
                language(request),
                aliases={"container_number": "container"},
                fallback="container",
            )
            status = http_status(exc)
    context = {
        "state": state,
        "answer": answer,
        "refusals": gate.refusals(ctx, actor, 20),
        **_words(language(request)),
    }
    url = f"{GATE_PATH}?{urlencode({'container': number})}" if number else GATE_PATH
    page = Page("goods_gate.html", context, url=url, current="gate")
    return show(request, actor, page, {"gate": state}, status)


# --- customs' views -----------------------------------------------------------------------------


@router.get(WRITEOFF_PATH)
def writeoff_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    context = {
        "flagged": writeoff.flagged(ctx, actor),
        "undeclared": writeoff.undeclared(ctx, actor),
        "days": ctx.settings.undeclared_days,
        "refusals": gate.refusals(ctx, actor, 50),
        **_words(language(request)),
    }
    page = Page("goods_writeoff.html", context, url=WRITEOFF_PATH, current="writeoff")
    return show(request, actor, page)
