"""Importing the port's statistical returns: a CSV of `period,port,indicator,value,unit` (the
header required, in any order; UTF-8 with or without a BOM, as Excel saves it; commas, or
semicolons where the header has them), one figure per month, port and indicator.

Every row is checked before anything is stored; a file with a bad row is refused whole, each
error naming its line and column (`line 7: unit`), the value and what was expected. An accepted
file upserts its figures: the same file imported again changes nothing. Only the port office
imports, and every import is audited with the file's digest and counts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, tuple_

from kouan.adapters.db.stats_tables import StatImported
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.domain.identifiers import airport_country, is_known_locode
from kouan.domain.stats.indicators import INDICATORS, canonical_unit
from kouan.domain.stats.periods import Month
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork

COLUMNS = ("period", "port", "indicator", "value", "unit")
# The most rows one file may hold, and the most errors a refusal lists.
MAX_ROWS = 100_000
MAX_ERRORS = 500
# A number as a spreadsheet writes it: digits, thousands grouped by commas or not, a decimal point.
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[+-]?\.[0-9]+")
_EXPECTED_PORT = {
    "seaport": "a seaport's UN/LOCODE (CNTAO)",
    "airport": "an airport's IATA code (TAO)",
    "port": "a UN/LOCODE (CNTAO) or an airport's IATA code (TAO)",
}


@dataclass(frozen=True)
class Row:
    line: int
    period: str
    port: str
    indicator: str
    value: float
    unit: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.period, self.port, self.indicator)


def _known_port(code: str, place: str) -> bool:
    seaport = len(code) == 5 and is_known_locode(code)
    airport = len(code) == 3 and airport_country(code) is not None
    return {"seaport": seaport, "airport": airport}.get(place, seaport or airport)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed.one(
            "file", f"byte {exc.start}: {data[exc.start : exc.start + 4]!r}", "UTF-8 text"
        ) from None


def _value(raw: str) -> float | None:
    cleaned = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.fullmatch(cleaned):
        return None
    return float(cleaned.replace(",", ""))


def read(data: bytes) -> list[Row]:
    """The file's rows, every one checked; ValidationFailed listing each bad row otherwise."""
    content = _text(data)
    if "\x00" in content:
        raise ValidationFailed.one("file", "NUL", "text without NUL characters")
    lines = content.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    delimiter = ";" if ";" in header_line and "," not in header_line else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    errors = FieldErrors()
    header: list[str] | None = None
    rows: list[Row] = []
    seen: dict[tuple[str, str, str], Row] = {}
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                _check_header(header, start)
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed.one("file", f"{MAX_ROWS}+ rows", f"at most {MAX_ROWS} rows")
            row = _row(
                dict(zip(header, record, strict=False)), len(record), len(header), start, errors
            )
            if row is None:
                continue
            before = seen.get(row.key)
            if before is None:
                seen[row.key] = row
                rows.append(row)
            elif before.value != row.value or before.unit != row.unit:
                errors.add(
                    f"line {start}: value",
                    row.value,
                    f"the same figure as line {before.line} ({before.value:g} {before.unit}) "
                    f"for {row.period} {row.port} {row.indicator}",
                )
            if len(errors.errors) >= MAX_ERRORS:
                break
    except csv.Error as exc:
        errors.add(f"line {line}", str(exc), "a CSV record")
    if header is None:
        raise ValidationFailed.one(
            "file", "", "a CSV file whose first line is " + ",".join(COLUMNS)
        )
    if not rows and not errors.errors:
        errors.add("file", "no rows", "at least one figure under the header")
    errors.raise_if_any("statistics file")
    return rows


def _check_header(header: list[str], line: int) -> None:
    errors = FieldErrors()
    for name in header:
        if name not in COLUMNS:
            errors.add(f"line {line}: header", name, "one of the columns " + ",".join(COLUMNS))
    for name in COLUMNS:
        if header.count(name) != 1:
            errors.add(f"line {line}: header", ",".join(header), f"a header with one {name} column")
    errors.raise_if_any("statistics file")


def _row(
    cells: dict[str, str], width: int, columns: int, line: int, errors: FieldErrors
) -> Row | None:
    """One row checked, its errors added to `errors`; None when it has any."""
    before = len(errors.errors)
    where = f"line {line}"
    if width != columns:
        errors.add(where, f"{width} fields", f"{columns} fields, as in the header")
        return None
    cells = {name: cell.strip() for name, cell in cells.items()}
    period = cells["period"]
    try:
        period = str(Month.parse(period))
    except ValueError:
        errors.add(f"{where}: period", period, "a month written YYYY-MM")
    code = cells["indicator"]
    item = INDICATORS.get(code)
    if item is None:
        errors.add(f"{where}: indicator", code, "one of " + ", ".join(INDICATORS))
    port = cells["port"].upper()
    if item is not None and not _known_port(port, item.place):
        errors.add(f"{where}: port", cells["port"], _EXPECTED_PORT[item.place] + " Kouan knows")
    elif item is None and not _known_port(port, "port"):
        errors.add(f"{where}: port", cells["port"], _EXPECTED_PORT["port"] + " Kouan knows")
    unit = cells["unit"]
    if item is not None:
        try:
            unit = canonical_unit(code, unit)
        except ValueError:
            errors.add(f"{where}: unit", cells["unit"], f"{item.unit}, the unit of {code}")
    value = _value(cells["value"])
    if value is None or math.isnan(value) or math.isinf(value):
        errors.add(f"{where}: value", cells["value"], "a number such as 1234 or 1,234.5")
    elif value < 0:
        errors.add(f"{where}: value", cells["value"], "a figure of 0 or more")
    elif item is not None and item.unit == "%" and value > 100:
        errors.add(f"{where}: value", cells["value"], "a percentage from 0 to 100")
    elif item is not None and item.unit in {"calls", "flights", "persons"} and value != int(value):
        errors.add(f"{where}: value", cells["value"], f"a whole number of {item.unit}")
    if len(errors.errors) > before:
        return None
    assert value is not None
    return Row(line, period, port, code, value, unit)


def _lock(uow: UnitOfWork) -> None:
    """On PostgreSQL one import at a time: two files adding the same figure must not collide."""
    conn = uow.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x5354415453})  # "STATS"


def import_file(
    ctx: ServiceContext, actor: Actor, data: bytes, filename: str = ""
) -> dict[str, Any]:
    """Check the file and upsert its figures, or refuse it whole (ValidationFailed naming each
    bad row's line and column). Answers the counts: unchanged, added, changed."""
    require(actor, Action.STATS_IMPORT)
    sha256 = hashlib.sha256(data).hexdigest()
    rows = read(data)
    with ctx.uow(actor) as uow:
        _lock(uow)
        session = uow.session
        stored: dict[tuple[str, str, str], StatImported] = {}
        keys = [row.key for row in rows]
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            query = select(StatImported).where(
                tuple_(StatImported.period, StatImported.port, StatImported.indicator).in_(part)
            )
            for found in session.scalars(query):
                stored[(found.period, found.port, found.indicator)] = found
        counts = {"unchanged": 0, "added": 0, "changed": 0}
        for row in rows:
            held = stored.get(row.key)
            if held is None:
                session.add(
                    StatImported(
                        period=row.period,
                        port=row.port,
                        indicator=row.indicator,
                        value=row.value,
                        unit=row.unit,
                        imported_at=uow.now,
                        file_sha256=sha256,
                    )
                )
                counts["added"] += 1
            elif held.value == row.value and held.unit == row.unit:
                counts["unchanged"] += 1
            else:
                held.value, held.unit = row.value, row.unit
                held.imported_at, held.file_sha256 = uow.now, sha256
                counts["changed"] += 1
        answer = {"sha256": sha256, "filename": filename, "rows": len(rows), **counts}
        uow.audit("stats.imported", "stat_import", sha256[:40], None, answer)
        uow.commit()
    return answer


def summary(answer: dict[str, Any]) -> str:
    return f"unchanged {answer['unchanged']}, added {answer['added']}, changed {answer['changed']}"
