"""A port call's crew and passengers from an uploaded person list, in any form the person-list
importer reads: a PAXLST interchange, or a spreadsheet made from the bilingual template (XLSX or
CSV, `kouan.adapters.person_sheet`).

The form is told by the content, not the name: UNA or UNB (or another EDIFACT segment) begins a
PAXLST, the ZIP signature an XLSX, and any other text is read as a CSV in the template's columns.
What is none of these (a binary, an image, an empty file) is refused as such, without repeating
its bytes.

The readers are as tolerant as for flights and cruises: what they warn about is kept in the lists'
warnings. The port call's `Person` is strict, so a person who cannot be one (no date of birth, no
nationality, a NUL in a name) refuses the upload, naming the segment and element of a PAXLST (as
`parse_paxlst` does) or the line and column of a sheet. In a sheet the role column says who is crew
and who is a passenger; a blank role is the list's kind (the XLSX journey sheet's), or crew when
the person has a rank (the crew template's column, FAL 5).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic

from kouan.adapters import person_sheet
from kouan.adapters.paxlst import PassengerList, decode, parse_paxlst, split_roles
from kouan.domain import values
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.filing import Person
from kouan.domain.person_list import Issue, ListedPerson, PersonList, Role

Form = Literal["PAXLST", "XLSX", "CSV"]

# What the port call takes, as an error's "expected" says it.
ACCEPTED = (
    "a PAXLST interchange (UN/EDIFACT, beginning with UNA or UNB), an Excel workbook (.xlsx) "
    "or a CSV file with the template's columns"
)
# What a file is when it is none of them (the value of the refusal: its bytes are not repeated).
EMPTY = "an empty file"
BINARY = "binary data"
OLD_EXCEL = "an Excel 97-2003 workbook (.xls)"
PDF = "a PDF document"
IMAGE = "an image"
OTHER_ZIP = "a ZIP archive that is not an Excel workbook"
BROKEN_XLSX = "an Excel workbook that cannot be opened"
TOO_LARGE_XLSX = "an Excel workbook too large once unpacked"
NO_COLUMNS = "a text whose first lines name none of the template's columns (e.g. 姓 / Family name)"

_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# An EDIFACT segment tag and its data element separator (a PAXLST without its UNB is refused by
# the PAXLST reader, naming what is missing, rather than read as a CSV).
_EDIFACT_START = re.compile(rb"[A-Z]{3}\+")
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLD_EXCEL),  # OLE2, as Excel 97-2003 saves
    (b"%PDF", PDF),
    (b"\x89PNG", IMAGE),
    (b"\xff\xd8\xff", IMAGE),
    (b"GIF8", IMAGE),
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# Unpacked, an XLSX of a ship's or even a cruise ship's list is a few megabytes at most.
MAX_UNPACKED = 64 * 1024 * 1024
# Control characters allowed in a CSV's text; more than one in a hundred others is no text.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


class UnreadableList(ValidationFailed):
    """A file that is no person list Kouan reads; `what` says what it is instead (one of the
    descriptions above, English; pages translate it)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"file: {what}, not {ACCEPTED}", [FieldError("file", what, ACCEPTED)])
        self.what = what


class ListRefused(ValidationFailed):
    """A list refused by its reader or because a person is no strict Person. `reasons` holds,
    for each field error in order, its message key and parameters when it has one (for pages to
    say it in the reader's language), else None."""

    def __init__(
        self,
        message: str,
        fields: list[FieldError],
        reasons: list[tuple[str, Mapping[str, Any]] | None],
    ) -> None:
        super().__init__(message, fields)
        self.reasons = reasons


@dataclass
class PortCallPersons:
    """The lists an upload holds as the port call takes them, and how it came."""

    form: Form
    lists: list[PassengerList] = field(default_factory=list)
    text: str | None = None  # the decoded text of a PAXLST or CSV; None for an XLSX

    @property
    def crew(self) -> list[Person]:
        return split_roles(self.lists)[0]

    @property
    def passengers(self) -> list[Person]:
        return split_roles(self.lists)[1]

    @property
    def warnings(self) -> list[Issue]:
        return [w for passenger_list in self.lists for w in passenger_list.warnings]


# --- Telling the forms apart -------------------------------------------------------------------


def recognise(data: bytes) -> Form:
    """The form of an upload by its content (its name is not trusted): PAXLST, XLSX or CSV.
    UnreadableList says what it is when it is none of them."""
    head = data.removeprefix(_BOM).lstrip()
    if not head:
        raise UnreadableList(EMPTY)
    if head[:3] in (b"UNA", b"UNB") or _EDIFACT_START.match(head):
        return "PAXLST"
    if data.startswith(_ZIP):
        _check_workbook(data)
        return "XLSX"
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise UnreadableList(what)
    if _text(data) is None:
        raise UnreadableList(BINARY)
    return "CSV"


def _check_workbook(data: bytes) -> None:
    """A ZIP archive that is an Excel workbook, and not one that unpacks into too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableList(BROKEN_XLSX) from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise UnreadableList(OTHER_ZIP)
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        raise UnreadableList(TOO_LARGE_XLSX)


def _text(data: bytes) -> str | None:
    """The text of a CSV (UTF-8 with or without Excel's BOM, UTF-16 with its BOM as Excel's
    "Unicode text" saves, else GB 18030), or None when the bytes are no text."""
    try:
        if data.startswith(_UTF16_BOMS):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    sample = text[:4096]
    controls = sum(1 for c in sample if (c < " " and c not in _TEXT_CONTROLS) or c == "\x7f")
    return None if controls > len(sample) // 100 else text


# --- Reading -----------------------------------------------------------------------------------


def parse_person_list(data: bytes, filename: str = "") -> PortCallPersons:
    """The crew and passengers of an uploaded person list, whatever its form, as strict Persons.

    ValidationFailed names each place that refuses it: UnreadableList when the file is no list
    Kouan reads, else the segment and element (PAXLST) or line and column (XLSX, CSV) at fault.
    What the port call tolerates stays in the lists' warnings.
    """
    form = recognise(data)
    if form == "PAXLST":
        text = decode(data)
        return PortCallPersons(form, parse_paxlst(text), text)
    if form == "XLSX":
        return PortCallPersons(form, [_read_sheet(form, data, filename)])
    text = _text(data) or ""
    return PortCallPersons(form, [_read_sheet(form, text.encode("utf-8"), "")], text)


def _read_sheet(form: Form, data: bytes, filename: str) -> PassengerList:
    try:
        result = person_sheet.read_sheet(data, filename=filename)
    except Exception as exc:  # a damaged workbook fails deep in openpyxl, in many ways
        if form == "XLSX":
            raise UnreadableList(BROKEN_XLSX) from exc
        raise
    if result.errors:
        keys = {e.key for e in result.errors}
        if "sheet.unreadable" in keys:
            raise UnreadableList(BROKEN_XLSX)
        if "sheet.no_header" in keys:
            raise UnreadableList(NO_COLUMNS)
        _refuse(form, [(_place(e), e.value, e.what_was_expected, e) for e in result.errors])
    [person_list] = result.lists
    return _strict_list(form, person_list)


def _place(issue: Issue) -> str:
    """Where an issue of a sheet is: its line and, when it names one, its column."""
    return f"{issue.segment}, column {issue.element}" if issue.element else issue.segment


def _refuse(form: Form, errors: Iterable[tuple[str, object, str, Issue | None]]) -> None:
    fields: list[FieldError] = []
    reasons: list[tuple[str, Mapping[str, Any]] | None] = []
    for where, value, expected, issue in errors:
        fields.append(FieldError(where, value, expected))
        reasons.append((issue.key, issue.params) if issue is not None else None)
    if fields:
        first = fields[0]
        more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
        message = f"{form}: {first.field} {first.value!r} is not {first.expected}{more}"
        raise ListRefused(message, fields, reasons)


# --- The port call's strict persons ------------------------------------------------------------

# The sheet's column each of a Person's fields is read from.
_COLUMN_OF = {
    "document.type": "document_type",
    "document.number": "document_number",
    "document.issuing_state": "issuing_state",
    "document.expiry": "expiry",
    "document": "document_number",
    "port_of_embarkation": "embarkation",
    "port_of_disembarkation": "disembarkation",
}
# What a missing value of a strict Person should have been.
MISSING = {
    "family_name": "a family name",
    "date_of_birth": "a date of birth (YYYY-MM-DD, e.g. 1980-05-17)",
    "nationality": "a nationality (a country code such as CN or CHN, or a country's name)",
}
# Warnings that say a value is missing, not what was wrong with one.
_MISSING_KEYS = frozenset({"list.no_family_name", "list.no_birth_date", "list.no_nationality"})


def _label(name: str) -> str:
    column = _COLUMN_OF.get(name, name)
    return next((c.label for c in person_sheet.COLUMNS if c.field == column), name)


def _strict_list(form: Form, person_list: PersonList) -> PassengerList:
    """The sheet's list as the port call takes it, or ListRefused naming each line and column
    of a person who is no strict Person."""
    first, last = person_list.departure, person_list.arrival
    strict = PassengerList(
        message_type=form,
        version="",
        sender=person_list.sender,
        transport_id=person_list.transport_id,
        departure_port=first.departure_place if first else None,
        arrival_port=last.arrival_place if last else None,
        departure_at=first.departure_at if first else None,
        arrival_at=last.arrival_at if last else None,
        warnings=list(person_list.all_warnings()),
    )
    errors: list[tuple[str, object, str, Issue | None]] = []
    for person in person_list.persons:
        converted = _strict_person(person, errors)
        if converted is not None:
            strict.persons.append(converted)
            strict.roles.append(_role(person))
    _refuse(form, errors)
    return strict


def _role(person: ListedPerson) -> str:
    """Crew or passenger: the role column; blank, the list's kind, or crew for one with a rank."""
    if person.role is Role.CREW or (not person.qualifier and person.rank):
        return "crew"
    return "passenger"


def _strict_person(
    person: ListedPerson, errors: list[tuple[str, object, str, Issue | None]]
) -> Person | None:
    unfit = [w for w in person.warnings if w.key == "list.unfit_text"]
    for issue in unfit:
        expected = values.NO_NUL if "\x00" in issue.value else values.NO_SURROGATE
        errors.append((_place(issue), issue.value, expected, None))
    if unfit:
        return None
    try:
        return person.to_person()
    except pydantic.ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem["loc"])
            errors.append(_why_not(person, where, problem))
        return None


def _why_not(
    person: ListedPerson, where: str, problem: Any
) -> tuple[str, object, str, Issue | None]:
    """(place, value, expected, issue) of one reason a person is no strict Person: the cell the
    reader warned about, else the person's line and the column of the field."""
    place = f"{person.source}, column {_label(where)}"
    for issue in person.warnings:
        if issue.params.get("field") != where:
            continue
        if issue.key in _MISSING_KEYS:
            return _place(issue), "", MISSING.get(where, f"a value for {where}"), None
        return _place(issue), issue.value, issue.what_was_expected, issue
    if problem["type"] == "missing":
        return place, "", MISSING.get(where, f"a value for {where}"), None
    if problem["type"] == "value_error":
        return place, problem["input"], str(problem["ctx"]["error"]), None
    return place, problem["input"], problem["msg"], None
