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
from kouan.web.ui import forms
from kouan.web.ui.forms import FormState
from kouan.web.ui.i18n import N_, translations

# The transport fields of each mode, named "transport.vessel" ... in the form (as errors name
# them: the union's tag is left out of their places).
TRANSPORT = {
    "sea": ("vessel", "imo", "voyage", "bill_of_lading"),
    "air": ("flight", "air_waybill"),
}
FIELDS = (
    "reference", "trader", "trader_name", "direction", "trade_mode", "transport.mode",
    *(f"transport.{name}" for names in TRANSPORT.values() for name in names),
    "declaration_office", "release_port", "containers", "idempotency_key",
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
_ROW = re.compile(r"^items\[(?P<index>\d+)\]\.(?P<column>[a-z_]+)$")
_INDEX = re.compile(r"\[\d+\]")
# Container numbers are often written with spaces ("CSQU 305438 3"): only lines, commas and
# semicolons separate them.
_LIST_SEPARATORS = re.compile(r"[\r\n,;，；]+")

# Pydantic's error types a broker meets in the form, in words the page can translate.
_TYPE_MESSAGES = {
    "missing": N_("Required."),
    "decimal_parsing": N_("A number, e.g. 12.5."),
    "decimal_type": N_("A number, e.g. 12.5."),
    "finite_number": N_("A number, e.g. 12.5."),
    "greater_than": N_("More than %(gt)s."),
    "greater_than_equal": N_("At least %(ge)s."),
    "string_too_long": N_("At most %(max_length)s characters."),
}
# What each field expects when its value does not fit (indexes dropped: "items.hs_code").
_FIELD_MESSAGES = {
    "trader": N_("A 10-character customs code of digits and capital letters, e.g. 3702960003."),
    "trade_mode": N_("A trade mode code of up to 10 digits or capital letters, e.g. 0110."),
    "direction": N_("Import or export."),
    "transport.mode": N_("Sea or air."),
    "transport": N_("Sea or air."),
    "transport.imo": N_("An IMO number: 7 digits with a valid check digit, e.g. 9783502."),
    "transport.flight": N_("A flight number: airline code and 1 to 4 digits, e.g. CA1234."),
    "declaration_office": N_("A UN/LOCODE in Kouan's reference data, e.g. CNJNA or CNTAO."),
    "release_port": N_("A UN/LOCODE in Kouan's reference data, e.g. CNJNA or CNTAO."),
    "containers": N_(
        "An ISO 6346 container number: 3 letters, U, J or Z, 6 digits and the check digit, "
        "e.g. CSQU3054383."
    ),
    "items": N_("At least one line of goods."),
    "items.hs_code": N_("An HS 2022 code: 6, 8 or 10 digits beginning with an HS subheading."),
    "items.unit": N_("A unit code of up to 3 capital letters or digits, e.g. PCE or KGM."),
    "items.currency": N_("An ISO 4217 currency code, e.g. USD or CNY."),
    "items.origin": N_("An ISO 3166 country code, e.g. CN or VNM."),
}
# What Kouan's records refuse in a well-formed declaration.
_RECORD_MESSAGES = {
    "trader": N_("A trader registered with customs: customs registers it before it declares."),
    "items.currency": N_("A currency customs publishes an exchange rate for."),
    "reference": N_("A reference your organisation has not used before."),
}


@dataclass
class Filled:
    """The form as posted: its values (rows of goods renumbered from 0, so errors and fields
    agree) and the declaration document built from them."""

    values: dict[str, str]
    document: dict[str, Any]

    @property
    def names(self) -> set[str]:
        return {*FIELDS, "items", *self.values}


def item_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows of goods in their order, rows left empty dropped."""
    found: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if match and match["column"] in ITEM_COLUMNS and isinstance(value, str):
            row = found.setdefault(int(match["index"]), dict.fromkeys(ITEM_COLUMNS, ""))
            row[match["column"]] = value.strip()
    return [found[i] for i in sorted(found) if any(found[i].values())]


def row_count(values: Mapping[str, str]) -> int:
    """Rows to offer: the fixed number, or one empty row more than were filled."""
    filled = {m["index"] for m in map(_ROW.match, values) if m}
    return max(ITEM_ROWS, len(filled) + 1)


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
            "items": [_item(row) for row in items],
        }
    )


def read(form: FormData) -> Filled:
    """The posted form's values and the document they make."""
    values = forms.typed(form, FIELDS)
    items = item_rows(form)
    values.update({f"items[{i}].{c}": v for i, row in enumerate(items) for c, v in row.items()})
    return Filled(values, document(values, items))


def _generic(path: str) -> str:
    return _INDEX.sub("", path)


def _said(error: Mapping[str, Any], fe: FieldError, lang: str) -> str:
    """What the field expects, in the reader's language where the page knows the words."""
    t = translations(lang).gettext
    kind = str(error.get("type"))
    if kind in _TYPE_MESSAGES:
        context = dict(error.get("ctx") or {})
        try:
            return t(_TYPE_MESSAGES[kind]) % context
        except (KeyError, TypeError, ValueError):
            return fe.expected
    known = _FIELD_MESSAGES.get(_generic(fe.field))
    return t(known) if known else fe.expected


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


def refused_by_records(exc: DomainError, filled: Filled, lang: str) -> FormState:
    """The form again with a service's refusal: the fields Kouan's records refuse named beside
    them in the reader's language, anything else above the form."""
    t = translations(lang).gettext

    def said(fe: FieldError) -> FieldError:
        known = _RECORD_MESSAGES.get(_generic(fe.field))
        return FieldError(fe.field, fe.value, t(known)) if known else fe

    translated = type(exc)(exc.message, [said(fe) for fe in exc.fields])
    return forms.from_domain(translated, filled.values, filled.names, lang, ALIASES)
