"""Cargo manifests from a spreadsheet (XLSX or CSV) of the bilingual template: one row per
container line, the bill of lading's columns repeated (or left blank) on its further rows.

Columns are found by their Chinese or English header in any order (as person lists'); the voyage
(direction, port call id or IMO and voyage, reference) comes from the workbook's 航次 Voyage
sheet or from the caller (the upload form, the API's query). Every error names its line and
column; a sheet with any error is refused whole.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pydantic

from kouan.adapters.person_sheet import _csv_rows, _normal
from kouan.domain import manifest as domain
from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.manifest import ManifestDocument


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    zh: str
    required: bool = False
    bill: bool = True  # a bill of lading's column (else the container line's)

    @property
    def label(self) -> str:
        return f"{self.zh} / {self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("number", "B/L number", "提单号", True),
    Column("shipper", "Shipper", "发货人", True),
    Column("consignee", "Consignee", "收货人", True),
    Column("notify_party", "Notify party", "通知人"),
    Column("goods_description", "Goods description", "货物描述", True),
    Column("hs_code", "HS code", "商品编码"),
    Column("packages", "Packages", "件数", True),
    Column("package_type", "Package type", "包装种类"),
    Column("gross_weight_kg", "B/L gross weight (kg)", "提单毛重(千克)", True),
    Column("dangerous_goods", "Dangerous goods", "危险品"),
    Column("un_number", "UN number", "联合国编号"),
    Column("container", "Container number", "集装箱号", bill=False),
    Column("seal", "Seal number", "封志号", bill=False),
    Column("container_weight_kg", "Container gross weight (kg)", "箱货毛重(千克)", bill=False),
)
_HEAD_ROWS: tuple[tuple[str, str, str], ...] = (
    ("direction", "Direction (import/export)", "进出口 (import/export)"),
    ("port_call_id", "Port call id", "船舶申报编号"),
    ("imo", "IMO number", "IMO 编号"),
    ("voyage", "Voyage", "航次"),
    ("reference", "Manifest reference", "舱单编号"),
    ("carrier", "Carrier", "承运人"),
    ("loading_at", "Loading begins (export)", "开始装船时间 (出口)"),
)
_LIST_SHEET, _VOYAGE_SHEET, _NOTES_SHEET = "舱单 Manifest", "航次 Voyage", "说明 Notes"
_YES = {"yes", "y", "true", "1", "是", "x"}
_NO = {"no", "n", "false", "0", "否", ""}
_HEADER_ROWS = 10


def _by_name() -> dict[str, Column]:
    names: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.en, column.zh, column.field, column.label):
            names[_normal(name)] = column
    return names


def _find(header: str) -> Column | None:
    by_name = _by_name()
    for part in (header, *header.replace("\n", "/").split("/")):
        column = by_name.get(_normal(part))
        if column is not None:
            return column
    return None


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def read_sheet(
    data: bytes, *, filename: str = "", head: dict[str, Any] | None = None
) -> ManifestDocument:
    """The manifest of an XLSX or CSV file (told apart by content); `head` gives or overrides
    the voyage's fields. ValidationFailed naming each line and column that is wrong."""
    is_xlsx = data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))
    try:
        rows, voyage = _xlsx_rows(data) if is_xlsx else (_csv_rows(data), {})
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error) as exc:
        raise ValidationFailed.one(
            "file", filename, f"a readable XLSX or CSV file ({exc})"
        ) from None
    given = {k: v for k, v in (head or {}).items() if v not in (None, "")}
    return _Reader().read(rows, {**voyage, **given})


def _xlsx_rows(data: bytes) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = book.worksheets
        voyage = next(
            (s for s in sheets if "voyage" in s.title.casefold() or "航次" in s.title), None
        )
        lines = next((s for s in sheets if s is not voyage and s.title != _NOTES_SHEET), None)
        if lines is None:
            raise ValueError("the workbook has no sheet of container lines")
        rows = [tuple(row) for row in lines.iter_rows(values_only=True)]
        found: dict[str, Any] = {}
        if voyage is not None:
            labels = {_normal(name): key for key, en, zh in _HEAD_ROWS for name in (key, en, zh)}
            for row in voyage.iter_rows(values_only=True):
                cells = [c for c in row if c not in (None, "")]
                if len(cells) >= 2:
                    label = str(cells[0])
                    key = next(
                        (
                            labels[_normal(p)]
                            for p in (label, *label.split("/"))
                            if _normal(p) in labels
                        ),
                        None,
                    )
                    if key:
                        value = cells[1]
                        found[key] = (
                            value.isoformat() if hasattr(value, "isoformat") else _text(value)
                        )
        return rows, found
    finally:
        book.close()


class _Reader:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.places: dict[str, str] = {}

    def refuse(self, line: int, column: Column | str, value: object, expected: str) -> None:
        label = column.label if isinstance(column, Column) else column
        self.errors.append(FieldError(f"line {line} {label}", value, expected))

    def read(self, rows: list[tuple[Any, ...]], head: dict[str, Any]) -> ManifestDocument:
        header_at, columns = self._header(rows)
        if header_at is None:
            raise ValidationFailed.one(
                "line 1",
                "",
                "a header row naming the columns of the template, e.g. 提单号 / B/L number",
            )
        missing = [c for c in COLUMNS if c.required and c not in columns.values()]
        if missing:
            fields = [
                FieldError(f"line {header_at + 1}", c.label, "a column of the template")
                for c in missing
            ]
            raise ValidationFailed(
                f"sheet: line {header_at + 1} has no column {missing[0].label}", fields
            )
        bills: dict[str, dict[str, Any]] = {}
        first_line: dict[str, int] = {}
        for index in range(header_at + 1, len(rows)):
            line = index + 1
            cells = {columns[i]: _text(c) for i, c in enumerate(rows[index]) if i in columns}
            if not any(cells.values()):
                continue
            self._row(line, cells, bills, first_line)
        if not bills and not self.errors:
            self.errors.append(
                FieldError(f"line {header_at + 2}", "", "at least one container line")
            )
        self._raise()
        body = {**head, "bills_of_lading": list(bills.values())}
        try:
            document = ManifestDocument.model_validate(body)
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                self.errors.append(self._located(error))
            self._raise()
            raise
        self.errors += domain.problems(document, self._place_of)
        self._raise()
        return document

    def _header(self, rows: list[tuple[Any, ...]]) -> tuple[int | None, dict[int, Column]]:
        for index, row in enumerate(rows[:_HEADER_ROWS]):
            columns = {i: c for i, cell in enumerate(row) if (c := _find(_text(cell))) is not None}
            if sum(1 for c in columns.values() if c.required) >= 2:
                return index, columns
        return None, {}

    def _row(
        self,
        line: int,
        cells: dict[Column, str],
        bills: dict[str, dict[str, Any]],
        first_line: dict[str, int],
    ) -> None:
        by_field = {c.field: (c, v) for c, v in cells.items()}
        number = by_field.get("number", (COLUMNS[0], ""))[1]
        if not number:
            self.refuse(line, COLUMNS[0], "", "a B/L number on every line")
            return
        b = list(bills).index(number) if number in bills else len(bills)
        bill = bills.setdefault(number, {"number": number, "containers": []})
        first_line.setdefault(number, line)
        self.places.setdefault(f"bills_of_lading[{b}].number", f"line {line} {COLUMNS[0].label}")
        for column, value in cells.items():
            if not column.bill or column.field == "number" or not value:
                continue
            parsed = self._parse(line, column, value)
            if parsed is None:
                continue
            if column.field in bill and bill[column.field] != parsed:
                self.refuse(
                    line,
                    column,
                    value,
                    f"{bill[column.field]}, as on line {first_line[number]} of the same B/L "
                    "(or blank)",
                )
                continue
            bill[column.field] = parsed
            self.places.setdefault(
                f"bills_of_lading[{b}].{column.field}", f"line {line} {column.label}"
            )
        container = by_field.get("container", (None, ""))[1]
        if container:
            c = len(bill["containers"])
            entry: dict[str, Any] = {"number": container}
            where = f"bills_of_lading[{b}].containers[{c}]"
            self.places[f"{where}.number"] = f"line {line} {_label('container')}"
            seal = by_field.get("seal", (None, ""))[1]
            if seal:
                entry["seal"] = seal
                self.places[f"{where}.seal"] = f"line {line} {_label('seal')}"
            weight = by_field.get("container_weight_kg", (None, ""))[1]
            column = _column("container_weight_kg")
            self.places[f"{where}.gross_weight_kg"] = f"line {line} {column.label}"
            if weight:
                parsed = self._parse(line, column, weight)
                if parsed is not None:
                    entry["gross_weight_kg"] = parsed
            bill["containers"].append(entry)

    def _parse(self, line: int, column: Column, value: str) -> Any:
        if column.field in ("gross_weight_kg", "container_weight_kg"):
            try:
                return str(Decimal(value.replace(",", "")))
            except InvalidOperation:
                self.refuse(line, column, value, "a weight in kilograms, e.g. 12500.5")
                return None
        if column.field == "packages":
            if not value.replace(",", "").isdigit():
                self.refuse(line, column, value, "a whole number of packages")
                return None
            return int(value.replace(",", ""))
        if column.field == "dangerous_goods":
            word = value.casefold()
            if word in _YES:
                return True
            if word in _NO:
                return False
            self.refuse(line, column, value, "是 yes or 否 no")
            return None
        return value

    def _place_of(self, b: int, name: str, c: int | None = None) -> str:
        path = (
            f"bills_of_lading[{b}].{name}"
            if c is None
            else f"bills_of_lading[{b}].containers[{c}].{name}"
        )
        return self.places.get(path, path)

    def _located(self, error: Any) -> FieldError:
        loc = [str(p) for p in error.get("loc", ())]
        path = ""
        for part in loc:
            path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
        value = error.get("input")
        shown = value if isinstance(value, str | int) else None
        if error.get("type") == "missing":
            owner = path.rsplit(".", 1)[0]
            at = self.places.get(f"{owner}.number", path)
            name = loc[-1] if loc else ""
            label = next((c.label for c in COLUMNS if c.field == name), name)
            return FieldError(f"{at}", None, f"a value in the column {label}")
        return FieldError(self.places.get(path, path), shown, error.get("msg", ""))

    def _raise(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise ValidationFailed(
                f"sheet: {first.field} {first.value!r} is not {first.expected}{more}", self.errors
            )


def _column(name: str) -> Column:
    return next(c for c in COLUMNS if c.field == name)


def _label(name: str) -> str:
    return _column(name).label


# --- the template --------------------------------------------------------------------------------


def sheet_template(fmt: Literal["xlsx", "csv"] = "xlsx") -> bytes:
    """The bilingual template: XLSX (the lines, the voyage, notes) or CSV (the header row, UTF-8
    with the BOM Excel needs)."""
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow([c.label for c in COLUMNS])
        return out.getvalue().encode("utf-8-sig")
    return _xlsx_template(COLUMNS)


def _xlsx_template(columns: Sequence[Column]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _LIST_SHEET
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    required = PatternFill("solid", fgColor="FFF2CC")
    for position, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=position, value=f"{column.zh}\n{column.en}")
        cell.font, cell.alignment = bold, wrap
        if column.required:
            cell.fill = required
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.en) + 4)
    sheet.freeze_panes = "A2"
    voyage = book.create_sheet(_VOYAGE_SHEET)
    for row, (_, en, zh) in enumerate(_HEAD_ROWS, 1):
        voyage.cell(row=row, column=1, value=f"{zh} / {en}").font = bold
    voyage.column_dimensions["A"].width = 40
    voyage.column_dimensions["B"].width = 28
    notes = book.create_sheet(_NOTES_SHEET)
    for row, line in enumerate(_NOTES, 1):
        notes.cell(row=row, column=1, value=line)
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NOTES = (
    "填写说明 / How to fill in",
    "每行一个集装箱；同一提单的多个集装箱各占一行 / One row per container; a B/L with several "
    "containers takes several rows.",
    "黄色列为必填；同一提单的提单栏可只填第一行 / Yellow columns are required; a B/L's "
    "columns may be left blank on its further rows.",
    "提单毛重须等于其集装箱毛重之和 / A B/L's gross weight must be the sum of its containers'.",
    "集装箱号 / Container numbers: ISO 6346 (CSQU3054383).",
    "危险品 / Dangerous goods: 是 yes, 否 no.",
    "航次表填写船舶申报编号或 IMO 编号与航次 / The voyage sheet names the port call (its id, "
    "or the IMO number and voyage) and the direction (import or export).",
)
