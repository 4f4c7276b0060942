"""The terminal's moves page (upload a COARRI or a BAPLIE, the last moves and their warnings) and
customs' discrepancies between the moves and the manifests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from kouan.domain.errors import DomainError, ValidationFailed
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.terminal import discrepancies, moves
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui.i18n import N_
from kouan.web.ui.render import Page, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

MOVES_PATH = "/terminal/moves"
DISCREPANCIES_PATH = "/terminal/discrepancies"
# The moves' warnings in the reader's language (the services say them in English).
WARNINGS = {
    moves.NO_CALL: N_("no port call of this voyage and ship is known at the terminal"),
    moves.NOT_ON_MANIFEST: N_("the container is on no manifest of the ship's call"),
    moves.UNKNOWN_LENGTH: N_("the size-type code gives no length: not counted in TEU"),
}
KINDS = {"discharged": N_("Discharged from the ship"), "loaded": N_("Loaded onto the ship")}
CHOOSE_FILE = N_("Choose a COARRI or BAPLIE file.")


def _moves_page(
    request: Request,
    ctx: Ctx,
    actor: Actor,
    answer: dict[str, Any] | None = None,
    refused: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "rows": moves.list_moves(ctx, actor, limit=100),
        "warned": moves.list_moves(ctx, actor, limit=50, warned=True),
        "plans": moves.list_bay_plans(ctx, actor),
        "may_send": allowed(actor, Action.TERMINAL_REPORT),
        "answer": answer,
        "refused": refused,
        "warning_text": WARNINGS,
        "kinds": KINDS,
    }
    page = Page("terminal_moves.html", context, url=MOVES_PATH, current="moves")
    return show(request, actor, page, status=status)


@router.get(MOVES_PATH)
def moves_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    require(actor, Action.TERMINAL_READ)
    return _moves_page(request, ctx, actor)


@router.post(MOVES_PATH)
def upload(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Send an uploaded COARRI or BAPLIE (told apart by its UNH); the page answers it."""
    require(actor, Action.TERMINAL_REPORT)
    upload = form.get("report")
    if not isinstance(upload, UploadFile) or not upload.filename:
        refused = [{"field": "report", "value": "", "expected": CHOOSE_FILE, "translate": True}]
        return _moves_page(request, ctx, actor, refused=refused, status=422)
    data = upload.file.read()
    text = data.decode("utf-8", errors="replace")
    try:
        if "BAPLIE" in text[:400]:
            answer = moves.record_bay_plan(ctx, actor, text)
        else:
            answer = moves.record_coarri(ctx, actor, text)
    except ValidationFailed as exc:
        refused = [{**e.as_dict(), "translate": False} for e in exc.fields[:200]]
        return _moves_page(request, ctx, actor, refused=refused, status=422)
    except DomainError as exc:
        refused = [{"field": "report", "value": "", "expected": exc.message, "translate": False}]
        return _moves_page(request, ctx, actor, refused=refused, status=http_status(exc))
    return _moves_page(request, ctx, actor, answer=answer, status=201)


@router.get(DISCREPANCIES_PATH)
def discrepancies_page(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    found = discrepancies.discrepancies(ctx, actor, limit=300)
    context = {"found": found}
    page = Page(
        "terminal_discrepancies.html", context, url=DISCREPANCIES_PATH, current="discrepancies"
    )
    return show(request, actor, page)
