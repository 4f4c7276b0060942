"""The shipping agent's arrival-notice form: the FAL data typed in, crew and passengers uploaded
as a PAXLST file, read into the arrival notice the API takes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from kouan.adapters.paxlst import parse_paxlst, split_roles
from kouan.domain.errors import ValidationFailed
from kouan.domain.filing import Person
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState

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
DEFAULTS = {"port": "CNTAO", "security_level": "1"}
# Errors in the persons point at the upload they came from.
PERSON_ALIASES = {"crew": "paxlst", "passengers": "paxlst"}


@dataclass
class Persons:
    """The crew (NAD+FM) and passengers (NAD+FL) of an uploaded PAXLST, and its text."""

    text: str = ""
    crew: list[Person] = field(default_factory=list)
    passengers: list[Person] = field(default_factory=list)


@dataclass
class Filled:
    """The form as posted: its values (table rows renumbered from 0, so errors and fields
    agree), the persons of its PAXLST, the upload's refusal if any, and the notice they make."""

    values: dict[str, str]
    persons: Persons
    upload: FormState
    document: dict[str, Any]

    @property
    def names(self) -> set[str]:
        return set(FIELDS) | set(self.values)


def row_counts(values: Mapping[str, str]) -> dict[str, int]:
    """Rows each table offers: a few blank ones, or one more than were filled."""
    return {t: forms.rows_offered(values, t, columns, BLANK_ROWS) for t, columns in TABLES.items()}


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


def _health(get: Callable[[str], str]) -> dict[str, Any]:
    return forms.present(
        {
            "ill_persons": get("health.ill_persons"),
            "deaths": get("health.deaths"),
            "suspected_infectious": get("health.suspected_infectious") == "on",
            "sanitation_certificate_expiry": get("health.sanitation_certificate_expiry"),
        }
    )


def document(
    values: Mapping[str, str], tables: Mapping[str, list[dict[str, str]]], persons: Persons
) -> dict[str, Any]:
    """The arrival notice as the API takes it, from the form's fields."""

    def get(name: str) -> str:
        return values.get(name, "")

    security = get("security_level")
    ship = forms.present({k: get(f"ship.{k}") for k in ("imo", "mmsi", "name", "call_sign")})
    return forms.present(
        {
            "ship": ship | forms.present({"flag": get("ship.flag").upper()}),
            "voyage": get("voyage"),
            "port": get("port").upper(),
            "berth": get("berth"),
            "eta": forms.port_time(get("eta")) if get("eta") else "",
            "etd": forms.port_time(get("etd")) if get("etd") else "",
            "last_ports": [p.upper() for p in re.split(r"[,;\s]+", get("last_ports")) if p],
            "cargo": _cargo(values, tables["cargo.items"]),
            "dangerous_goods": [forms.present(row) for row in tables["dangerous_goods"]],
            "health": _health(get),
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


def read(form: FormData, lang: str) -> Filled:
    """The posted form's values, its PAXLST's persons and the notice they make."""
    tables = {t: forms.table_rows(form, t, columns) for t, columns in TABLES.items()}
    values = forms.typed(form, FIELDS)
    for table, rows in tables.items():
        values.update(forms.row_values(table, rows))
    persons, upload = _persons(form, values, lang)
    return Filled(values, persons, upload, document(values, tables, persons))
