"""Traders and their credit classes: the list (by class, paged, CSV) and customs' form that
registers a trader or changes one."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kouan.domain.declaration import CreditClass
from kouan.domain.errors import DomainError
from kouan.domain.identifiers import MAX_ID
from kouan.services.cargo import traders
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import csvexport, forms
from kouan.web.ui.display import paged
from kouan.web.ui.render import Page, address_params, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

PAGE = 50
FIELDS = ("code", "name", "credit_class")
CSV_HEAD = ("code", "name", "credit_class", "updated_at")


def _credit_class(params: Mapping[str, str]) -> CreditClass | None:
    """The credit class the address filters by, if it is one."""
    wanted = params.get("credit_class", "")
    return CreditClass(wanted) if wanted in set(CreditClass) else None


def traders_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """A page of traders, of one credit class when the address asks."""
    params = address_params(request)
    shown = _credit_class(params)
    offset = forms.whole_number(params.get("offset"), 0)
    found = traders.list_traders(ctx, actor, shown, PAGE + 1, min(offset, MAX_ID))
    context = {
        **paged(found, offset, PAGE, key="traders"),
        "shown": shown.value if shown else "",
        "classes": [c.value for c in CreditClass],
        "class_options": [(c.value, c.value) for c in CreditClass],
        "changed": params.get("changed", ""),
        "can_edit": allowed(actor, Action.TRADERS_EDIT),
    }
    return Page("traders.html", context, url="/traders", current="risk")


def _csv_row(trader: dict[str, Any]) -> list[Any]:
    return [trader[k] for k in CSV_HEAD]


@router.get("/traders", response_model=None)
def traders_view(request: Request, ctx: Ctx, actor: PageActor) -> Response:
    if request.query_params.get("format") == "csv":
        fetch = partial(traders.list_traders, ctx, actor, _credit_class(request.query_params))
        return csvexport.listing(CSV_HEAD, fetch, _csv_row, "traders.csv")
    return show(request, actor, traders_page(request, ctx, actor))


@router.post("/traders")
def register_trader(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    """Register a trader, or change a registered one's name or credit class (a row's form)."""
    require(actor, Action.TRADERS_EDIT)
    values = forms.typed(form, (*FIELDS, "row"))
    key = f"trader-{values['row']}" if values.get("row") else "trader"
    code, name, credit_class = (values.get(k, "") for k in FIELDS)
    try:
        trader = traders.register(ctx, actor, traders.checked(code, name, credit_class))
    except DomainError as exc:
        state = forms.refused(exc, values, FIELDS, language(request))
        page = traders_page(request, ctx, actor)
        return show(request, actor, page, {key: state}, http_status(exc))
    return redirect(f"/traders?changed={trader['code']}#trader-{trader['code']}")
