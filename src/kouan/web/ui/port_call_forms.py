"""The shipping agent's arrival-notice form: the FAL data typed in, crew and passengers uploaded
as a person list (a PAXLST file, or an XLSX or CSV of the bilingual template), read into the
arrival notice the API takes."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData, UploadFile

from kouan.adapters import person_lists
from kouan.adapters.person_lists import ListRefused, UnreadableList, parse_person_list
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.filing import Person
from kouan.domain.reasons import render
from kouan.web.ui import forms, strict_words
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations

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
# The upload that is no list Kouan reads, said beside the file field ("what" translated).
UNREADABLE = N_(
    "%(what)s: not a crew or passenger list Kouan reads. Choose a PAXLST interchange "
    "(UN/EDIFACT, beginning with UNA or UNB), an Excel workbook (.xlsx) or a CSV file with the "
    "template's columns."
)
# What an upload that is no list is instead, by the adapter's English words.
WHAT = {
    person_lists.EMPTY: N_("an empty file"),
    person_lists.BINARY: N_("binary data"),
    person_lists.OLD_EXCEL: N_("an Excel 97-2003 workbook (.xls)"),
    person_lists.PDF: N_("a PDF document"),
    person_lists.IMAGE: N_("an image"),
    person_lists.OTHER_ZIP: N_("a ZIP archive that is not an Excel workbook"),
    person_lists.BROKEN_XLSX: N_("an Excel workbook that cannot be opened"),
    person_lists.TOO_LARGE_XLSX: N_("an Excel workbook too large once unpacked"),
    person_lists.NO_COLUMNS: N_(
        "a text whose first lines name none of the template's columns (e.g. 姓 / Family name)"
    ),
}
# What a person of the list lacks to be filed, by the adapter's English words.
EXPECTED = {
    person_lists.MISSING["family_name"]: N_("a family name"),
    person_lists.MISSING["date_of_birth"]: N_("a date of birth (YYYY-MM-DD, e.g. 1980-05-17)"),
    person_lists.MISSING["nationality"]: N_(
        "a nationality (a country code such as CN or CHN, or a country's name)"
    ),
    **strict_words.GUARD_MESSAGES,
}
# An XLSX kept for the next attempt, in the form's hidden field (PAXLST and CSV stay text).
KEPT_XLSX = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"


@dataclass
class Persons:
    """The crew and passengers of an uploaded person list (PAXLST NAD+FM and NAD+FL, a sheet's
    role column), and the list as kept for the next attempt (its text, or an XLSX's data URL)."""

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


def read_persons(data: bytes, filename: str = "") -> Persons:
    """Crew and passengers of a person list in any of its forms (ValidationFailed names what is
    wrong); nothing when `data` is empty."""
    if not data.strip():
        return Persons()
    read = parse_person_list(data, filename)
    kept = read.text if read.text is not None else KEPT_XLSX + base64.b64encode(data).decode()
    return Persons(kept, read.crew, read.passengers)


def _uploaded(form: FormData, name: str) -> tuple[bytes, str]:
    """The bytes and name of the file uploaded as `name` (nothing when none was chosen)."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return b"", ""
    return upload.file.read(), upload.filename


def _kept(text: str) -> bytes:
    """The list kept from the last attempt, as the bytes it was uploaded as."""
    if text.startswith(KEPT_XLSX):
        try:
            return base64.b64decode(text.removeprefix(KEPT_XLSX), validate=True)
        except binascii.Error:
            pass  # altered on the way: read as what it is, and refused
    return text.encode("utf-8", errors="replace")


def _refusal(exc: ValidationFailed, lang: str) -> ValidationFailed:
    """The upload's refusal in the reader's language where the words are known: a file that is
    no list, each issue a reader named by its key, the port call's own expectations."""
    t = translations(lang).gettext
    if isinstance(exc, UnreadableList):
        message = t(UNREADABLE) % {"what": t(WHAT.get(exc.what, exc.what))}
        return ValidationFailed(message, [FieldError("paxlst", "", message)])
    reasons = exc.reasons if isinstance(exc, ListRefused) else [None] * len(exc.fields)
    said = [
        FieldError(
            fe.field,
            fe.value,
            render(*reason, t, lang == "zh")
            if reason
            else t(EXPECTED.get(fe.expected, fe.expected)),
        )
        for fe, reason in zip(exc.fields, reasons, strict=True)
    ]
    return ValidationFailed(exc.message, said)


def _persons(form: FormData, values: dict[str, str], lang: str) -> tuple[Persons, FormState]:
    """The uploaded list, or the one kept from the last attempt, read into persons; kept in
    `values` for the next attempt when it is good, refused beside the upload when it is not."""
    data, filename = _uploaded(form, "paxlst")
    if not data.strip():
        data, filename = _kept(values.get("paxlst_kept", "")), ""
    try:
        persons = read_persons(data, filename)
    except ValidationFailed as exc:
        values["paxlst_kept"] = ""
        refusal = _refusal(exc, lang)
        return Persons(), forms.from_domain(refusal, values, ("paxlst",), lang, fallback="paxlst")
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
