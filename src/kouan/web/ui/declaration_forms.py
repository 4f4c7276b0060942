"""The declaration form: its fields named by their place in the declaration ("trader",
"transport.vessel", "items[0].hs_code"), read into the document the API takes, and each error
said beside its field in the reader's language (pydantic and the services say them in English)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from kouan.domain.errors import DomainError, FieldError, ValidationFailed
from kouan.web.errors import fields_from_pydantic
from kouan.web.ui import forms, words
from kouan.web.ui.forms import FormState

# The transport fields of each mode, named "transport.vessel" ... in the form (as errors name
# them: the union's tag is left out of their places).
TRANSPORT = {
    "sea": ("vessel", "imo", "voyage", "bill_of_lading"),
    "air": ("flight", "air_waybill"),
}
FIELDS = (
    "reference", "trader", "trader_name", "direction", "trade_mode", "transport.mode",
    *(f"transport.{name}" for names in TRANSPORT.values() for name in names),
    "declaration_office", "release_port", "containers", "packages", "gross_weight_kg",
    "idempotency_key",
)  # fmt: skip
ITEM_COLUMNS = ("hs_code", "description", "quantity", "unit", "value", "currency", "origin")
# Rows of goods the form offers; rows left empty are ignored, more come after an error.
ITEM_ROWS = 5
# Declare anywhere, release at the port: Jinan's inland office and Qingdao by default.
DEFAULTS = {
    "direction": "import",
    "trade_mode": "0110",
    "transport.mode": "sea",
    "declaration_office": "CNJNA",
    "release_port": "CNTAO",
}
# Errors of parts the form has no field for are shown beside the field they come from.
ALIASES = {"transport": "transport.mode"}
_INDEX = re.compile(r"\[\d+\]")
# Container numbers are often written with spaces ("CSQU 305438 3"): only lines, commas and
# semicolons separate them.
_LIST_SEPARATORS = re.compile(r"[\r\n,;，；]+")


@dataclass
class Filled:
    """The form as posted: its values (rows of goods renumbered from 0, so errors and fields
    agree) and the declaration document built from them."""

    values: dict[str, str]
    document: dict[str, Any]

    @property
    def names(self) -> set[str]:
        return {*FIELDS, "items", *self.values}


def row_count(values: Mapping[str, str]) -> int:
    """Rows of goods to offer: the fixed number, or one empty row more than were filled."""
    return forms.rows_offered(values, "items", ITEM_COLUMNS, ITEM_ROWS)


def containers(text: str) -> list[str]:
    """Container numbers typed one per line (or separated by commas)."""
    return [c.strip().upper() for c in _LIST_SEPARATORS.split(text) if c.strip()]


def _item(row: Mapping[str, str]) -> dict[str, str]:
    upper = {"unit", "currency", "origin"}
    return forms.present({k: v.upper() if k in upper else v for k, v in row.items()})


def _transport(values: Mapping[str, str]) -> dict[str, str]:
    mode = values.get("transport.mode", "")
    fields = {name: values.get(f"transport.{name}", "") for name in TRANSPORT.get(mode, ())}
    if mode == "air":
        fields["flight"] = fields["flight"].upper().replace(" ", "")
    return forms.present({"mode": mode, **fields})


def document(values: Mapping[str, str], items: list[dict[str, str]]) -> dict[str, Any]:
    """The declaration as the API takes it, from the form's fields."""

    def get(name: str) -> str:
        return values.get(name, "")

    return forms.present(
        {
            "reference": get("reference"),
            "trader": get("trader").upper(),
            "trader_name": get("trader_name"),
            "direction": get("direction"),
            "trade_mode": get("trade_mode").upper(),
            "transport": _transport(values),
            "declaration_office": get("declaration_office"),
            "release_port": get("release_port"),
            "containers": containers(get("containers")),
            "packages": get("packages").replace(",", ""),
            "gross_weight_kg": get("gross_weight_kg").replace(",", ""),
            "items": [_item(row) for row in items],
        }
    )


def read(form: FormData) -> Filled:
    """The posted form's values and the document they make."""
    values = forms.typed(form, FIELDS)
    items = forms.table_rows(form, "items", ITEM_COLUMNS)
    values.update(forms.row_values("items", items))
    return Filled(values, document(values, items))


def _generic(path: str) -> str:
    return _INDEX.sub("", path)


def _said(error: Mapping[str, Any], fe: FieldError, lang: str) -> str:
    """What the field expects, in the reader's language where the page knows the words."""
    known = words.DECLARATION_FIELD_MESSAGES.get(_generic(fe.field))
    return forms.said(error, fe, lang, words.DECLARATION_TYPE_MESSAGES, known)


def refused(exc: ValidationError, filled: Filled, lang: str) -> FormState:
    """The form again with the declaration's checks beside the fields they concern."""
    errors = exc.errors()
    fields = [
        FieldError(fe.field, fe.value, _said(error, fe, lang))
        for error, fe in zip(errors, fields_from_pydantic([dict(e) for e in errors]), strict=True)
    ]
    first = fields[0]
    said = ValidationFailed(f"declaration: {first.field}: {first.expected}", fields)
    return forms.from_domain(said, filled.values, filled.names, lang, ALIASES)


def _on_record(fe: FieldError) -> str | None:
    return words.DECLARATION_RECORD_MESSAGES.get(_generic(fe.field))


def refused_by_records(exc: DomainError, filled: Filled, lang: str) -> FormState:
    """The form again with a service's refusal: the fields Kouan's records refuse named beside
    them in the reader's language, anything else above the form."""
    return forms.refused(exc, filled.values, filled.names, lang, _on_record, aliases=ALIASES)
