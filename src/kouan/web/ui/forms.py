"""Forms on the pages: what was typed, shown again with each error beside its field.

Form fields are named by their place in the document ("ship.imo", "cargo.items[0].teu"), the
same names pydantic and the services give errors, so an error finds its field by name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from kouan.domain.errors import DomainError, FieldError
from kouan.domain.values import in_port_years
from kouan.web.errors import fields_from_pydantic
from kouan.web.ui import strict_words, words
from kouan.web.ui.display import PORT_ZONE
from kouan.web.ui.i18n import translations

# A field of a form table: "cargo.items[0].teu" is column "teu" of row 0 of "cargo.items".
_ROW = re.compile(r"^(?P<table>[a-z_.]+)\[(?P<index>\d+)\]\.(?P<column>[a-z_]+)$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


@dataclass
class FormState:
    """A form as it is shown again: the values as typed, errors by field, messages above it.

    A message is a headline in the reader's language and the service's detail (English).
    """

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    messages: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def merge(self, other: FormState) -> FormState:
        """This state with `other`'s field errors added (two checks of one form)."""
        for name, messages in other.errors.items():
            for message in messages:
                self.add(name, message)
        return self


Forms = dict[str, FormState]


def typed(form: FormData, names: Collection[str]) -> dict[str, str]:
    """The text fields of `form` among `names`, stripped (files and unknown fields left out)."""
    out = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            out[name] = value.strip()
    return out


def uploaded_text(form: FormData, name: str) -> str:
    """The text of the EDIFACT file uploaded as `name` ("" when none was chosen)."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return ""
    data = upload.file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # UN/EDIFACT's UNOC character set


def with_error(values: dict[str, str], name: str, message: str) -> FormState:
    """The form again as typed, refused by the page's own check of one field."""
    state = FormState(values=values)
    state.add(name, message)
    return state


def table_rows(form: Mapping[str, Any], table: str, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a form table in their order, rows left empty dropped."""
    found: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _ROW.match(name)
        if not (match and match["table"] == table and match["column"] in columns):
            continue
        if isinstance(value, str):  # a file sent under a cell's name is no value of it
            row = found.setdefault(int(match["index"]), dict.fromkeys(columns, ""))
            row[match["column"]] = value.strip()
    return [found[i] for i in sorted(found) if any(found[i].values())]


def row_values(table: str, rows: list[dict[str, str]]) -> dict[str, str]:
    """The rows as form fields again, numbered from 0 (so errors and fields agree)."""
    return {f"{table}[{i}].{c}": v for i, row in enumerate(rows) for c, v in row.items()}


def rows_offered(values: Mapping[str, str], table: str, columns: Sequence[str], least: int) -> int:
    """Rows a form table offers: `least`, or one empty row more than were filled."""
    return max(least, len(table_rows(values, table, columns)) + 1)


def whole_number(text: str | None, default: int) -> int:
    """A page address's count or offset; anything but digits means the default."""
    return int(text) if text is not None and text.isdigit() else default


def page_of(params: Mapping[str, str], sizes: Sequence[int]) -> tuple[int, int]:
    """The page size (one of `sizes`, the middle one by default) and offset an address asks."""
    limit = whole_number(params.get("limit"), sizes[1])
    return (limit if limit in sizes else sizes[1]), max(whole_number(params.get("offset"), 0), 0)


def whole_in(text: str | None, low: int, high: int) -> int | None:
    """A whole number typed from `low` to `high`; None for anything else."""
    return int(text) if text and text.isdigit() and low <= int(text) <= high else None


def day(text: str | None) -> date | None:
    """A day typed or sent as 2026-11-27, within the years a port's records span."""
    try:
        found = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return found if found is not None and in_port_years(found) else None


def locode(text: str | None) -> str | None:
    """A UN/LOCODE typed in any case (CNTAO); None for anything else."""
    code = (text or "").strip().upper()
    return code if _LOCODE.match(code) else None


def _wall_clock(value: str) -> datetime | None:
    """A datetime-local value, which is the port's wall clock, as an aware datetime."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=PORT_ZONE)


def port_datetime(value: str) -> datetime | None:
    """A datetime-local value as an aware datetime; None for anything else, and for a time
    outside the years a port's records span (2000-2099)."""
    moment = _wall_clock(value)
    return moment if moment is not None and in_port_years(moment) else None


def port_time(value: str) -> str:
    """A datetime-local value as ISO 8601 with the port's offset; text that is not a date and
    time is passed on unchanged for the validation to name (a time out of range too)."""
    moment = _wall_clock(value)
    return moment.isoformat() if moment else value


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fields left blank are left out, so a document's defaults (or "required") apply."""
    return {k: v for k, v in values.items() if v not in ("", None)}


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def field_for(path: str, names: Collection[str], aliases: Mapping[str, str]) -> str | None:
    """The form field that shows an error at `path`: itself, the nearest enclosing field, or
    the field an enclosing part comes from (`aliases`, e.g. the crew from the PAXLST upload)."""
    while path:
        if path in names:
            return path
        if path in aliases:
            return aliases[path]
        path = _parent(path)
    return None


def _shown_value(fe: FieldError, values: Mapping[str, str], target: str | None) -> str | None:
    """The value to name with the error: as typed into its field, else as the check saw it
    (when that is a value, not a whole missing section)."""
    if target == fe.field and values.get(target):
        return values[target]
    if isinstance(fe.value, bool) or not isinstance(fe.value, str | int | float):
        return None
    return str(fe.value) if str(fe.value).strip() else None


def _place(
    state: FormState,
    fe: FieldError,
    message: str,
    targets: tuple[str | None, str | None],
    lang: str,
) -> None:
    """Beside its field with the value typed; else, named by its place, beside the fallback
    field (the second target) or above the form."""
    target, fallback = targets
    value = _shown_value(fe, state.values, target)
    if target is not None:
        if value is not None:
            message = translations(lang).gettext(words.VALUE_SAID) % {
                "value": value,
                "message": message,
            }
        state.add(target, message)
        return
    where = fe.field if value is None else f"{fe.field} {value!r}"
    if fallback is not None:
        state.add(fallback, f"{where}: {message}")
    elif fe.field == "body":  # a check of the whole document: its message says it all
        state.messages.append((message, ""))
    else:
        state.messages.append((message, f"{where}: {fe.expected}"))


def said(
    error: Mapping[str, Any],
    fe: FieldError,
    lang: str,
    types: Mapping[str, str] = words.TYPE_MESSAGES,
    known: str | None = None,
) -> str:
    """What pydantic expected, in the reader's language where the page knows the words: by the
    error's type (`types`), else the field's own words (`known`), else pydantic's English."""
    t = translations(lang).gettext
    kind = str(error.get("type"))
    msgid = types.get(kind) or strict_words.TYPE_MESSAGES.get(kind)
    if msgid is None:
        return t(known) if known else fe.expected
    context = {
        k: (", ".join(map(str, v)) if isinstance(v, list) else v)
        for k, v in dict(error.get("ctx") or {}).items()
    }
    try:
        return t(msgid) % context
    except (KeyError, TypeError, ValueError):
        return fe.expected


def _message(error: Mapping[str, Any], fe: FieldError, lang: str) -> str:
    """A port-call form field's own words apply where its check failed (a value error)."""
    own = words.FIELD_MESSAGES.get(fe.field) if error.get("type") == "value_error" else None
    return said(error, fe, lang, known=own)


def _headline(code: str, lang: str) -> str:
    kind = words.REFUSAL_HEADLINES.get(code) or words.REFUSAL_HEADLINES["validation_failed"]
    return translations(lang).gettext(kind)


def from_validation(
    exc: ValidationError,
    values: dict[str, str],
    names: Collection[str],
    lang: str,
    aliases: Mapping[str, str] | None = None,
) -> FormState:
    """The form again with pydantic's errors beside the fields they concern."""
    state = FormState(values=values, messages=[(_headline("validation_failed", lang), "")])
    errors = exc.errors()
    for error, fe in zip(errors, fields_from_pydantic([dict(e) for e in errors]), strict=True):
        target = field_for(fe.field, names, aliases or {})
        _place(state, fe, _message(error, fe, lang), (target, None), lang)
    return state


def from_domain(
    exc: DomainError,
    values: dict[str, str],
    names: Collection[str],
    lang: str,
    aliases: Mapping[str, str] | None = None,
    fallback: str | None = None,
) -> FormState:
    """The form again with a service's refusal: its headline above, its field errors beside."""
    t = translations(lang).gettext
    detail = "" if exc.fields else exc.message
    state = FormState(values=values, messages=[(_headline(exc.code, lang), detail)])
    for fe in exc.fields:
        target = field_for(fe.field, names, aliases or {})
        known = words.FIELD_MESSAGES.get(fe.field)
        _place(state, fe, t(known) if known else fe.expected, (target, fallback), lang)
    return state


def expectation(fe: FieldError) -> str | None:
    """What a field of the risk, inspection, trader and clearance forms expects (a msgid)."""
    return words.EXPECTATIONS.get(fe.field)


def _explained(
    exc: DomainError, explain: Callable[[FieldError], str | None], lang: str
) -> DomainError:
    """The refusal with each field's expectation in the reader's language where `explain` knows
    the words (the service's English otherwise)."""
    t = translations(lang).gettext
    explained = copy.copy(exc)
    explained.fields = []
    for fe in exc.fields:
        msgid = explain(fe)
        explained.fields.append(FieldError(fe.field, fe.value, t(msgid) if msgid else fe.expected))
    return explained


def refused(
    exc: DomainError,
    values: dict[str, str],
    names: Collection[str],
    lang: str,
    explain: Callable[[FieldError], str | None] = expectation,
    fallback: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> FormState:
    """The form again with a service's refusal, each field's expectation said by `explain`."""
    explained = _explained(exc, explain, lang)
    return from_domain(explained, values, names, lang, aliases, fallback)


def refused_by_checks(values: dict[str, str], errors: Mapping[str, str], lang: str) -> FormState:
    """The form again, refused by the page's own checks (`errors`: each field's msgid); each
    message names the value typed, as the services' refusals do."""
    t = translations(lang).gettext
    state = FormState(values=values, messages=[(_headline("validation_failed", lang), "")])
    for name, msgid in errors.items():
        typed = values.get(name)
        quoted = {"value": typed, "message": t(msgid)}
        state.add(name, t(words.VALUE_SAID) % quoted if typed else t(msgid))
    return state
