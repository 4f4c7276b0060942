"""The watch list as a CSV file: the header `id,name,aliases,date_of_birth,nationality,
document_number,reason` exactly, aliases separated by `;`, the date of birth YYYY-MM-DD or YYYY.
Only id and name are required. A file with one bad row is refused whole, each error naming its
line and column; a file read returns its entries and the warnings of its import (a Japanese
name in kanji without a kana or Latin alias cannot be found from a passport)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.domain.identifiers import validate_country
from kouan.domain.names import reading_warnings
from kouan.domain.reasons import Reason
from kouan.services.screening.watchlist import Entry

COLUMNS = ("id", "name", "aliases", "date_of_birth", "nationality", "document_number", "reason")
_YEAR = re.compile(r"\d{4}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class WatchListFile:
    """What a file held: its entries and the import's warnings, each with its line."""

    entries: list[Entry]
    warnings: list[tuple[int, Reason]] = field(default_factory=list)


def read_path(path: Path, source: str | None = None) -> WatchListFile:
    """The watch list in the file at `path` (UTF-8, a byte-order mark allowed)."""
    return read_text(path.read_bytes().decode("utf-8-sig"), source or path.name)


def read_bytes(data: bytes, source: str = "") -> WatchListFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed.one("file", f"byte {error.start}", "UTF-8 text") from error
    return read_text(text, source)


def read_text(text: str, source: str = "") -> WatchListFile:
    """The watch list in `text`; ValidationFailed names every bad line and column."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise ValidationFailed.one("line 1", ",".join(header or []), ",".join(COLUMNS))
    errors = FieldErrors()
    entries: list[Entry] = []
    warnings: list[tuple[int, Reason]] = []
    seen: dict[str, int] = {}
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        entry = _entry(row, line, source, errors)
        if entry is None:
            continue
        if entry.id in seen:
            first = seen[entry.id]
            errors.add(f"line {line}: id", entry.id, f"an id not used before (line {first})")
        seen.setdefault(entry.id, line)
        entries.append(entry)
        warnings += [(line, w) for w in reading_warnings(entry.name, entry.aliases,
                                                           entry.nationality)]  # fmt: skip
    errors.raise_if_any("watch list")
    return WatchListFile(entries, warnings)


def _entry(row: list[str], line: int, source: str, errors: FieldErrors) -> Entry | None:
    if len(row) != len(COLUMNS):
        errors.add(f"line {line}", ",".join(row), f"{len(COLUMNS)} columns: {','.join(COLUMNS)}")
        return None
    cells = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
    before = len(errors.errors)
    for column, value in cells.items():
        if _CONTROL.search(value):
            errors.add(f"line {line}: {column}", value, "text without control characters")
    for column in ("id", "name"):
        if not cells[column]:
            errors.add(f"line {line}: {column}", "", f"a {column} (it is required)")
    born = _birth(cells["date_of_birth"], line, errors)
    nationality = _nationality(cells["nationality"], line, errors)
    if len(errors.errors) > before:
        return None
    return Entry(
        id=cells["id"],
        name=cells["name"],
        aliases=tuple(a.strip() for a in cells["aliases"].split(";") if a.strip()),
        date_of_birth=born,
        nationality=nationality,
        document_number=cells["document_number"] or None,
        reason=cells["reason"],
        source=source,
    )


def _birth(value: str, line: int, errors: FieldErrors) -> str | None:
    if not value:
        return None
    try:
        year = int(value) if _YEAR.fullmatch(value) else date.fromisoformat(value).year
        if len(value) not in (4, 10) or not 1900 <= year <= date.today().year:
            raise ValueError(value)
    except ValueError:
        errors.add(f"line {line}: date_of_birth", value, "a date YYYY-MM-DD or a year YYYY, "
                   "from 1900 to this year")  # fmt: skip
        return None
    return value


def _nationality(value: str, line: int, errors: FieldErrors) -> str | None:
    if not value:
        return None
    try:
        return validate_country(value)
    except ValueError as error:
        errors.add(f"line {line}: nationality", value, str(error))
        return None
