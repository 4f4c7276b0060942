"""Person lists on pages: an airline's or cruise line's upload (PAXLST or the spreadsheet template)
answered person by person with errors and warnings; the lists one may see; one list, as sent, or
with each person's screening for the agencies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kouan.domain.errors import DomainError
from kouan.services.passengers import imports, lists
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations
from kouan.web.ui.render import Page, language, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

LIST_PATH = "/person-lists"
UPLOAD_PATH = "/person-lists/upload"
CHOOSE_FILE = N_("Choose a PAXLST file or a spreadsheet made from the template.")
# What tells a spreadsheet from a PAXLST: the file's first bytes (XLSX is a zip) or its name.
_SHEETS = (".xlsx", ".xlsm", ".csv")


@router.get(LIST_PATH)
def list_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    status = request.query_params.get("status") or None
    if status not in {None, "received", "screened", "settled", "rejected"}:
        status = None
    rows = lists.list_lists(ctx, actor, status, limit=100)
    context = {"rows": rows, "status": status, "may_send": allowed(actor, Action.PERSON_LIST_FILE)}
    return show(request, actor, Page("person_lists.html", context, url=LIST_PATH, current="lists"))


def _upload_page(
    request: Request,
    actor: Actor,
    state: FormState,
    answer: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"state": state, "answer": answer}
    page = Page("person_list_upload.html", context, url=UPLOAD_PATH, current="lists")
    return show(request, actor, page, {"upload": state}, status)


@router.get(UPLOAD_PATH)
def upload_form(request: Request, actor: PageActor) -> HTMLResponse:
    require(actor, Action.PERSON_LIST_FILE)
    return _upload_page(request, actor, FormState())


@router.post(UPLOAD_PATH)
def upload(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Send the uploaded list; the page answers it person by person."""
    require(actor, Action.PERSON_LIST_FILE)
    upload = form.get("list")
    if not isinstance(upload, UploadFile) or not upload.filename:
        state = FormState()
        state.add("list", translations(language(request)).gettext(CHOOSE_FILE))
        return _upload_page(request, actor, state, status=422)
    data = upload.file.read()
    try:
        if data[:2] == b"PK" or upload.filename.lower().endswith(_SHEETS):
            answer = imports.import_sheet(ctx, actor, data, upload.filename)
        else:
            answer = imports.import_paxlst(ctx, actor, data)
    except DomainError as exc:
        state = forms.from_domain(exc, {}, ("list",), language(request), fallback="list")
        return _upload_page(request, actor, state, status=http_status(exc))
    status = 201 if answer["status"] == "accepted" else 422
    return _upload_page(request, actor, FormState(), answer, status)


@router.get(LIST_PATH + "/{list_id}")
def list_detail(request: Request, ctx: Ctx, actor: PageActor, list_id: int) -> HTMLResponse:
    view = lists.get_list(ctx, actor, list_id)
    context = {"l": view, "screening": allowed(actor, Action.PERSON_READ)}
    url = f"{LIST_PATH}/{list_id}"
    return show(request, actor, Page("person_list.html", context, url=url, current="lists"))
