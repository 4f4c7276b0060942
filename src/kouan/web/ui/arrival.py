"""The shipping agent's arrival-notice form: the FAL data typed in, crew and passengers uploaded
as a PAXLST file, validated as the API validates it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from kouan.adapters.paxlst import parse_paxlst, split_roles
from kouan.domain.errors import DomainError, ValidationFailed
from kouan.domain.filing import ArrivalNotice, Person
from kouan.services.platform import reference
from kouan.services.platform.idempotency import request_hash
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.render import Page, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

PATH = "/port-calls/new"
DEFAULT_PORT = "CNTAO"
FIELDS = (
    "ship.imo", "ship.mmsi", "ship.name", "ship.call_sign", "ship.flag",
    "voyage", "port", "berth", "eta", "etd", "last_ports",
    "cargo.total_packages", "cargo.total_gross_tonnes", "cargo.total_teu",
    "health.ill_persons", "health.deaths", "health.suspected_infectious",
    "health.sanitation_certificate_expiry", "security_level",
    "paxlst", "paxlst_kept", "idempotency_key",
)  # fmt: skip
# The form's tables: their field prefix and columns (named as in the arrival notice).
TABLES = {
    "cargo.items": ("description", "packages", "gross_tonnes", "teu", "bill_of_lading"),
    "dangerous_goods": (
        "un_number", "imdg_class", "proper_shipping_name", "quantity_kg", "packing_group",
        "stowage",
    ),
}  # fmt: skip
BLANK_ROWS = 3
# Errors in the persons point at the upload they came from.
PERSON_ALIASES = {"crew": "paxlst", "passengers": "paxlst"}
_ROW = re.compile(r"^(?P<table>[a-z_.]+)\[(?P<index>\d+)\]\.(?P<column>[a-z_]+)$")


@dataclass
class Persons:
    """The crew (NAD+FM) and passengers (NAD+FL) of an uploaded PAXLST, and its text."""

    text: str = ""
    crew: list[Person] = field(default_factory=list)
    passengers: list[Person] = field(default_factory=list)


def rows(form: Mapping[str, Any], table: str) -> list[dict[str, str]]:
    """The rows of a form table in their order, rows left empty dropped."""
    columns = TABLES[table]
    found: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if match and match["table"] == table and match["column"] in columns:
            row = found.setdefault(int(match["index"]), dict.fromkeys(columns, ""))
            row[match["column"]] = str(value).strip()
    return [found[i] for i in sorted(found) if any(found[i].values())]


def row_values(table: str, table_rows: list[dict[str, str]]) -> dict[str, str]:
    """The rows as form fields again, numbered from 0 (so errors and fields agree)."""
    return {f"{table}[{i}].{c}": v for i, row in enumerate(table_rows) for c, v in row.items()}


def _total(declared: str, items: list[dict[str, str]], column: str) -> str | float:
    """The declared total, or when left blank the sum of the rows (if they are numbers)."""
    if declared:
        return declared
    try:
        return sum(float(row[column] or 0) for row in items)
    except ValueError:
        return ""


def _cargo(values: Mapping[str, str], items: list[dict[str, str]]) -> dict[str, Any]:
    totals = {
        f"total_{column}": _total(values.get(f"cargo.total_{column}", ""), items, column)
        for column in ("packages", "gross_tonnes", "teu")
    }
    return {"items": [forms.present(row) for row in items], **forms.present(totals)}


def document(
    values: Mapping[str, str],
    cargo_items: list[dict[str, str]],
    dangerous_goods: list[dict[str, str]],
    persons: Persons,
) -> dict[str, Any]:
    """The arrival notice as the API takes it, from the form's fields."""

    def get(name: str) -> str:
        return values.get(name, "")

    security = get("security_level")
    return forms.present(
        {
            "ship": forms.present(
                {k: get(f"ship.{k}") for k in ("imo", "mmsi", "name", "call_sign")}
            )
            | forms.present({"flag": get("ship.flag").upper()}),
            "voyage": get("voyage"),
            "port": get("port").upper(),
            "berth": get("berth"),
            "eta": forms.port_time(get("eta")) if get("eta") else "",
            "etd": forms.port_time(get("etd")) if get("etd") else "",
            "last_ports": [p.upper() for p in re.split(r"[,;\s]+", get("last_ports")) if p],
            "cargo": _cargo(values, cargo_items),
            "dangerous_goods": [forms.present(row) for row in dangerous_goods],
            "health": forms.present(
                {
                    "ill_persons": get("health.ill_persons"),
                    "deaths": get("health.deaths"),
                    "suspected_infectious": get("health.suspected_infectious") == "on",
                    "sanitation_certificate_expiry": get("health.sanitation_certificate_expiry"),
                }
            ),
            "security_level": int(security) if security.isdigit() else security,
            "crew": persons.crew,
            "passengers": persons.passengers,
        }
    )


def read_persons(text: str) -> Persons:
    """Crew and passengers of a PAXLST interchange (ValidationFailed names what is wrong)."""
    if not text.strip():
        return Persons(text=text)
    crew, passengers = split_roles(parse_paxlst(text))
    return Persons(text, crew, passengers)


def arrival_page(
    request: Request,
    ctx: ServiceContext,
    actor: Actor,
    state: FormState,
    persons: Persons,
    status: int = 200,
) -> HTMLResponse:
    values = state.values
    counts = {t: len(rows(values, t)) for t in TABLES}
    context = {
        "state": state,
        "berths": [(code, code) for code in reference.berths(ctx)],
        "row_counts": {t: max(BLANK_ROWS, n + 1) for t, n in counts.items()},
        "persons": persons,
    }
    page = Page("portcall_new.html", context, url=PATH, current="new")
    return show(request, actor, page, {"arrival": state}, status)


@router.get(PATH)
def new_form(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    require(actor, Action.PORT_CALL_FILE)
    values = {"port": DEFAULT_PORT, "security_level": "1"}
    return arrival_page(request, ctx, actor, FormState(values=values), Persons())


def _persons(form: FormData, values: dict[str, str], lang: str) -> tuple[Persons, FormState]:
    """The uploaded PAXLST, or the one kept from the last attempt, read into persons; kept in
    `values` for the next attempt when it is good, refused beside the upload when it is not."""
    try:
        persons = read_persons(forms.uploaded_text(form, "paxlst") or values.get("paxlst_kept", ""))
    except ValidationFailed as exc:
        values["paxlst_kept"] = ""
        return Persons(), forms.from_domain(exc, values, (), lang, fallback="paxlst")
    values["paxlst_kept"] = persons.text
    return persons, FormState(values=values)


@router.post(PATH)
def file_arrival(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    require(actor, Action.PORT_CALL_FILE)
    lang = language(request)
    tables = {t: rows(form, t) for t in TABLES}
    values = forms.typed(form, FIELDS)
    for table, table_rows in tables.items():
        values.update(row_values(table, table_rows))
    names = set(FIELDS) | set(values)
    persons, upload = _persons(form, values, lang)
    doc = document(values, tables["cargo.items"], tables["dangerous_goods"], persons)
    try:
        notice = ArrivalNotice.model_validate(doc)
    except ValidationError as exc:
        state = forms.from_validation(exc, values, names, lang, PERSON_ALIASES)
        return arrival_page(request, ctx, actor, state.merge(upload), persons, 422)
    if upload.errors:
        return arrival_page(request, ctx, actor, upload, persons, 422)
    digest = request_hash("POST", PATH, notice.model_dump(mode="json"))
    try:
        _, call = portcalls.file_arrival(
            ctx, actor, notice, values.get("idempotency_key") or None, digest
        )
    except DomainError as exc:
        state = forms.from_domain(exc, values, names, lang, PERSON_ALIASES)
        return arrival_page(request, ctx, actor, state, persons, http_status(exc))
    return redirect(f"/port-calls/{call['id']}", notice="filed")
