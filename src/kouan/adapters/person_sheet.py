"""Person lists from a spreadsheet (XLSX or CSV), as cruise lines and agents send them.

Each column is found by its header in Chinese or English ("姓", "Family name", "姓 / Family name",
"Surname"...), in any order; the header row is the first of the first rows that names columns.
A sheet without a required column is refused, naming the header line and the column; a cell that
does not fit (a bad date, an unknown country) concerns one person: they are kept with a warning
naming the line and the column, and left to the rules, as from a PAXLST.

An XLSX may carry the journey on a second sheet (航程 / Journey: one label and one value a row);
otherwise the caller gives it. `sheet_template` makes the bilingual template to download.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

import pycountry

from kouan.domain import values
from kouan.domain.identifiers import validate_country
from kouan.domain.person_list import (
    Issue,
    Leg,
    ListedPerson,
    ListKind,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
    clean_text,
    error,
    for_person,
    missing_details,
    warning,
)

Kind = Literal["text", "date", "country", "sex", "role", "yes_no", "tags"]


@dataclass(frozen=True)
class Column:
    """One column a sheet may have: the person's field, its names, what its cells hold."""

    field: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: Kind = "text"
    cruise: bool = False  # a cruise's column: in the passenger template, not the crew's
    crew: bool = False  # a crew column: in the crew template only

    @property
    def label(self) -> str:
        """The bilingual header, as the template writes it."""
        return f"{self.zh} / {self.en}"


COLUMNS: tuple[Column, ...] = (
    Column("family_name", "Family name", "姓", ("surname", "last name", "姓氏"), True),
    Column(
        "given_names", "Given names", "名", ("given name", "first name", "forename", "名字"), True
    ),
    Column("role", "Role", "身份", ("crew or passenger", "type", "人员类别", "类别"), kind="role"),
    Column("rank", "Rank", "职务", ("rank or rating", "position", "职位"), crew=True),
    Column("sex", "Sex", "性别", ("gender",), kind="sex"),
    Column(
        "date_of_birth", "Date of birth", "出生日期", ("birth date", "dob", "生日"), True, "date"
    ),
    Column("place_of_birth", "Place of birth", "出生地", ("birthplace",)),
    Column("nationality", "Nationality", "国籍", ("citizenship",), True, "country"),
    Column("document_type", "Document type", "证件类型", ("doc type", "type of document")),
    Column(
        "document_number",
        "Document number",
        "证件号码",
        ("passport number", "passport no", "document no", "证件号", "护照号码", "护照号"),
        True,
    ),
    Column(
        "issuing_state",
        "Issuing state",
        "签发国",
        ("issuing country", "country of issue", "发证国", "签发国家"),
        kind="country",
    ),
    Column(
        "expiry",
        "Expiry",
        "有效期至",
        ("expiry date", "date of expiry", "valid until", "有效期", "到期日"),
        kind="date",
    ),
    Column("residence", "Country of residence", "居住国", ("residence",), kind="country"),
    Column("embarkation", "Port of embarkation", "登船港", ("embarkation", "上船港", "登船地")),
    Column("disembarkation", "Port of disembarkation", "离船港", ("disembarkation", "下船港")),
    Column("transit", "Transit", "过境", ("in transit", "是否过境"), kind="yes_no"),
    Column("booking_reference", "Booking reference", "预订号", ("booking", "订单号"), cruise=True),
    Column("party", "Travelling party", "同行组", ("party", "同行人"), cruise=True),
    Column("deck", "Deck", "甲板", ("甲板层",), cruise=True),
    Column("cabin", "Cabin", "舱房号", ("cabin number", "cabin no", "舱位", "舱房"), cruise=True),
    Column("dining_group", "Dining group", "用餐批次", ("dining", "sitting"), cruise=True),
    Column("tour_group", "Tour group", "旅行团", ("tour", "团号", "旅游团"), cruise=True),
    Column("seat", "Seat", "座位号", ("seat number",), cruise=True),
    Column(
        "bag_tags", "Bag tags", "行李牌号", ("bag tag", "baggage tags"), kind="tags", cruise=True
    ),
)
_JOURNEY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("kind", "List kind", "名单类型"),
    ("carrier", "Carrier", "承运人"),
    ("transport_id", "Flight or voyage number", "航班或航次号"),
    ("departure_place", "Departure place", "出发地"),
    ("departure_at", "Departure time", "出发时间"),
    ("arrival_place", "Arrival place", "到达地"),
    ("arrival_at", "Arrival time", "到达时间"),
)
_HEADER_ROWS = 10  # the header is looked for in the first rows (a title may come first)
_LIST_SHEET, _JOURNEY_SHEET, _NOTES_SHEET = "名单 List", "航程 Journey", "说明 Notes"


def _normal(text: str) -> str:
    """A header as compared: case, spaces, punctuation, marks and notes in brackets ignored."""
    text = re.sub(r"[(（\[].*?[)）\]]", "", text)
    return "".join(c for c in text.casefold() if c.isalnum())


@cache
def _by_name() -> dict[str, Column]:
    names: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.en, column.zh, column.field, *column.aliases):
            names[_normal(name)] = column
    return names


_CJK = re.compile(r"[\u3400-\u9fff]+")


def find_column(header: str) -> Column | None:
    """The column a header names: whole, either half of "姓 / Family name", or its Chinese or
    its other words when both stand together ("姓氏 Family name")."""
    by_name = _by_name()
    halves = re.split(r"[/|\n\r]+", header)
    chinese, other = "".join(_CJK.findall(header)), _CJK.sub(" ", header)
    for part in (header, *halves, chinese, other):
        column = by_name.get(_normal(part))
        if column is not None:
            return column
    return None


# --- Reading -----------------------------------------------------------------------------------


def read_sheet(
    data: bytes,
    *,
    filename: str = "",
    kind: ListKind | None = None,
    journey: Leg | None = None,
    sender: str = "",
    reference: str = "",
) -> ListResult:
    """The person list of an XLSX or CSV file (told apart by content, not by name), or the
    errors that refuse it. `kind` and `journey` are the list's when the file does not say."""
    is_xlsx = data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))
    try:
        rows, journey_rows = _xlsx_rows(data) if is_xlsx else (_csv_rows(data), [])
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return ListResult(errors=[error("file", "", "sheet.unreadable", str(exc)[:120])])
    person_list = PersonList(
        kind=kind or ListKind.PASSENGERS,
        sender=sender,
        reference=reference,
        legs=[journey] if journey else [],
        transport_id=journey.transport_id if journey else None,
        source="XLSX" if is_xlsx else "CSV",
    )
    _read_journey(journey_rows, person_list, given_kind=kind)
    return _SheetReader(person_list).read(rows)


def _xlsx_rows(data: bytes) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = book.worksheets
        journey = next((s for s in sheets if _is_journey_sheet(s.title)), None)
        persons = next((s for s in sheets if s is not journey and s.title != _NOTES_SHEET), None)
        if persons is None:
            raise ValueError("the workbook has no sheet of persons")
        rows = [tuple(row) for row in persons.iter_rows(values_only=True)]
        journey_rows = (
            [tuple(row) for row in journey.iter_rows(values_only=True)] if journey else []
        )
        return rows, journey_rows
    finally:
        book.close()


def _is_journey_sheet(title: str) -> bool:
    return any(word in title.casefold() for word in ("航程", "journey", "voyage", "航次"))


def _csv_rows(data: bytes) -> list[tuple[Any, ...]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [tuple(row) for row in csv.reader(io.StringIO(text), dialect)]


def _decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's BOM), else GB 18030: what Chinese Excel saves CSV in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _read_journey(rows: list[tuple[Any, ...]], person_list: PersonList, given_kind: Any) -> None:
    """The 航程 / Journey sheet: one label and one value a row."""
    labels = {_normal(name): key for key, en, zh in _JOURNEY_ROWS for name in (key, en, zh)}
    found: dict[str, Any] = {}
    for row in rows:
        cells = [c for c in row if c not in (None, "")]
        if len(cells) >= 2:
            key = labels.get(_normal(str(cells[0]).split("/")[0])) or labels.get(
                _normal(str(cells[0]).split("/")[-1])
            )
            if key:
                found[key] = cells[1]
    if not found:
        return
    leg = Leg(
        transport_id=_text_of(found.get("transport_id")) or None,
        departure_place=_text_of(found.get("departure_place")) or None,
        departure_at=_moment(found.get("departure_at")),
        arrival_place=_text_of(found.get("arrival_place")) or None,
        arrival_at=_moment(found.get("arrival_at")),
    )
    person_list.legs = [leg]
    person_list.transport_id = leg.transport_id
    person_list.carrier = _text_of(found.get("carrier")) or None
    if given_kind is None:
        kind = _normal(_text_of(found.get("kind")))
        crew = any(word in kind for word in ("crew", "船员", "机组"))
        person_list.kind = ListKind.CREW if crew else ListKind.PASSENGERS


def _moment(cell: Any) -> datetime | None:
    if isinstance(cell, datetime):
        return cell
    try:
        return datetime.fromisoformat(_text_of(cell)) if cell else None
    except ValueError:
        return None


def _text_of(cell: Any) -> str:
    """A cell as text; Excel's whole numbers (a document number typed as a number) without .0."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class _SheetReader:
    def __init__(self, person_list: PersonList) -> None:
        self._list = person_list
        self._columns: dict[int, tuple[Column, str]] = {}  # position -> (column, header)

    def read(self, rows: list[tuple[Any, ...]]) -> ListResult:
        header_at = self._header(rows)
        if header_at is None:
            example = COLUMNS[0].label
            issue = error("line 1", "", "sheet.no_header", rows=_HEADER_ROWS, column=example)
            return ListResult(errors=[issue])
        missing = self._missing(header_at + 1)
        if missing:
            return ListResult(errors=missing)
        default = Role.CREW if self._list.kind is not ListKind.PASSENGERS else Role.PASSENGER
        for line, row in enumerate(rows[header_at + 1 :], header_at + 2):
            if any(_text_of(cell) for cell in row):
                self._list.persons.append(self._person(row, line, default))
        for number, person in enumerate(self._list.persons, 1):
            person.warnings = [for_person(w, number) for w in person.warnings]
        return ListResult([self._list])

    def _header(self, rows: list[tuple[Any, ...]]) -> int | None:
        """The index of the header row: the first naming two columns or more."""
        for index, row in enumerate(rows[:_HEADER_ROWS]):
            named = [(n, find_column(_text_of(c))) for n, c in enumerate(row)]
            if sum(1 for _, column in named if column) >= 2:
                self._keep_columns(row, index + 1)
                return index
        return None

    def _keep_columns(self, row: tuple[Any, ...], line: int) -> None:
        seen: set[str] = set()
        for position, cell in enumerate(row):
            header = " / ".join(part.strip() for part in _text_of(cell).splitlines() if part)
            column = find_column(header)
            if column is None:
                if header:
                    issue = warning(f"line {line}", header, "sheet.unknown_column", header)
                    self._list.warnings.append(issue)
                continue
            if column.field in seen:
                params = {"column": column.en, "column_zh": column.zh}
                issue = warning(f"line {line}", header, "sheet.duplicate_column", header, **params)
                self._list.warnings.append(issue)
                continue
            seen.add(column.field)
            self._columns[position] = (column, header)

    def _missing(self, line: int) -> list[Issue]:
        present = {column.field for column, _ in self._columns.values()}
        return [
            error(
                f"line {line}",
                column.label,
                "sheet.missing_column",
                column=column.en,
                column_zh=column.zh,
            )
            for column in COLUMNS
            if column.required and column.field not in present
        ]

    def _person(self, row: tuple[Any, ...], line: int, default: Role) -> ListedPerson:
        where = f"line {line}"
        person = ListedPerson(role=default, qualifier="", source=where)
        cells = _CellReader(person, where)
        document = TravelDocument()
        for position, (column, header) in self._columns.items():
            cell = row[position] if position < len(row) else None
            cells.fill(column, header, cell, document)
        if document.number or document.expiry or document.issuing_state:
            person.documents.append(document)
        person.warnings.extend(missing_details(person, where, 0, self._header_of))
        return person

    def _header_of(self, field: str) -> str:
        """The header of the column a person's field is read from, for a warning."""
        name = {f"document.{v}": k for k, v in _DOCUMENT_FIELDS.items()}.get(field, field)
        name = "document_number" if name == "documents" else name
        for column, header in self._columns.values():
            if column.field == name:
                return header
        return next((c.label for c in COLUMNS if c.field == name), field)


class _CellReader:
    """Puts one row's cells into a person; a cell that does not fit is warned about."""

    def __init__(self, person: ListedPerson, where: str) -> None:
        self._person = person
        self._where = where

    def _warn(self, header: str, key: str, cell: str, field: str) -> None:
        issue = warning(self._where, header, key, cell, field=field)
        self._person.warnings.append(issue)

    def fill(self, column: Column, header: str, cell: Any, document: TravelDocument) -> None:
        text = clean_text(
            _text_of(cell),
            lambda bad: self._warn(header, "list.unfit_text", bad, column.field),
        )
        if not text and not isinstance(cell, date):
            return
        value = self._value(column, header, cell, text)
        if value is None:
            return
        target = _DOCUMENT_FIELDS.get(column.field)
        if target is not None:
            setattr(document, target, value)
        elif column.field == "role":
            self._person.role, self._person.qualifier = value, text
        else:
            setattr(self._person, column.field, value)

    def _value(self, column: Column, header: str, cell: Any, text: str) -> Any:
        field = _DOCUMENT_FIELDS.get(column.field)
        name = f"document.{field}" if field else column.field
        reader = _KIND_READERS[column.kind]
        value, key = reader(cell, text, column.field)
        if key:
            self._warn(header, key, text, name)
        return value


_DOCUMENT_FIELDS = {
    "document_type": "type",
    "document_number": "number",
    "issuing_state": "issuing_state",
    "expiry": "expiry",
}
Converted = tuple[Any, str | None]  # the value (None: none), and the warning's key if any


def _as_text(cell: Any, text: str, field: str) -> Converted:
    return text, None


def _as_date(cell: Any, text: str, field: str) -> Converted:
    day = cell.date() if isinstance(cell, datetime) else cell if isinstance(cell, date) else None
    if day is None:
        day = _parse_day(text)
    if day is None:
        return None, "sheet.bad_date"
    if field == "date_of_birth" and not values.possible_birth_day(day):
        return None, "list.birth_out_of_range"
    if field != "date_of_birth" and not values.in_port_years(day):
        return None, "list.date_out_of_years"
    return day, None


_DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%d.%m.%Y", "%Y年%m月%d日")


def _parse_day(text: str) -> date | None:
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _as_country(cell: Any, text: str, field: str) -> Converted:
    code = country_code(text)
    return (code, None) if code else (None, "list.unknown_country")


_SEXES = {"m": "M", "male": "M", "男": "M", "f": "F", "female": "F", "女": "F", "u": "U", "x": "U"}


def _as_sex(cell: Any, text: str, field: str) -> Converted:
    sex = _SEXES.get(text.casefold())
    return (sex, None) if sex else (None, "list.unknown_sex")


_ROLE_WORDS = {
    Role.PASSENGER: {"passenger", "pax", "p", "旅客", "乘客", "游客"},
    Role.CREW: {"crew", "c", "crewmember", "船员", "机组", "乘务员"},
}


def _as_role(cell: Any, text: str, field: str) -> Converted:
    word = _normal(text)
    for role, words in _ROLE_WORDS.items():
        if word in words:
            return role, None
    return Role.OTHER, "sheet.unknown_role"


_YES = {"yes", "y", "true", "1", "x", "是", "√"}
_NO = {"no", "n", "false", "0", "否", ""}


def _as_yes_no(cell: Any, text: str, field: str) -> Converted:
    word = text.casefold()
    if word in _YES:
        return True, None
    if word in _NO:
        return False, None
    return None, "sheet.bad_yes_no"


def _as_tags(cell: Any, text: str, field: str) -> Converted:
    return [tag for tag in re.split(r"[,;，；\s]+", text) if tag], None


_KIND_READERS: dict[Kind, Callable[[Any, str, str], Converted]] = {
    "text": _as_text,
    "date": _as_date,
    "country": _as_country,
    "sex": _as_sex,
    "role": _as_role,
    "yes_no": _as_yes_no,
    "tags": _as_tags,
}

# Country names as Chinese sheets write them (pycountry has English names only).
_CHINESE_COUNTRIES = {
    "中国": "CN",
    "中华人民共和国": "CN",
    "韩国": "KR",
    "朝鲜": "KP",
    "日本": "JP",
    "美国": "US",
    "英国": "GB",
    "德国": "DE",
    "法国": "FR",
    "俄罗斯": "RU",
    "菲律宾": "PH",
    "印度": "IN",
    "印度尼西亚": "ID",
    "越南": "VN",
    "缅甸": "MM",
    "乌克兰": "UA",
    "新加坡": "SG",
    "马来西亚": "MY",
    "泰国": "TH",
    "澳大利亚": "AU",
    "加拿大": "CA",
    "意大利": "IT",
    "西班牙": "ES",
    "荷兰": "NL",
    "希腊": "GR",
    "土耳其": "TR",
    "巴西": "BR",
    "孟加拉国": "BD",
    "巴基斯坦": "PK",
    "斯里兰卡": "LK",
}


def country_code(text: str) -> str | None:
    """An ISO 3166 alpha-2 code from a code (CN, CHN), a Chinese or an English name."""
    try:
        return validate_country(text)
    except ValueError:
        pass
    return _CHINESE_COUNTRIES.get(text.strip()) or _english_country(text.strip().casefold())


@cache
def _english_country(name: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


# --- The template -------------------------------------------------------------------------------


def template_columns(kind: ListKind = ListKind.PASSENGERS) -> list[Column]:
    """The columns of the template of a kind of list: a crew list's have ranks, a passenger
    list's a cruise's booking, cabin and groups."""
    crew = kind is not ListKind.PASSENGERS
    return [c for c in COLUMNS if not (c.cruise and crew) and not (c.crew and not crew)]


def sheet_template(
    kind: ListKind = ListKind.PASSENGERS, fmt: Literal["xlsx", "csv"] = "xlsx"
) -> bytes:
    """The bilingual template to download: XLSX (the list, the journey, notes) or CSV (the
    header row, UTF-8 with the BOM Excel needs to read it as UTF-8)."""
    columns = template_columns(kind)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow([c.label for c in columns])
        return out.getvalue().encode("utf-8-sig")
    return _xlsx_template(columns, kind)


def _xlsx_template(columns: Sequence[Column], kind: ListKind) -> bytes:
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
    journey = book.create_sheet(_JOURNEY_SHEET)
    for row, (key, en, zh) in enumerate(_JOURNEY_ROWS, 1):
        journey.cell(row=row, column=1, value=f"{zh} / {en}").font = bold
        if key == "kind":
            journey.cell(row=row, column=2, value=_KIND_WORDS[kind])
    journey.column_dimensions["A"].width = 36
    journey.column_dimensions["B"].width = 24
    notes = book.create_sheet(_NOTES_SHEET)
    for row, line in enumerate(_NOTES, 1):
        notes.cell(row=row, column=1, value=line)
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_KIND_WORDS = {
    ListKind.PASSENGERS: "旅客 passengers",
    ListKind.CREW: "船员 crew",
    ListKind.MASTER_CREW: "船员 crew",
}
_NOTES = (
    "填写说明 / How to fill in",
    "黄色列为必填 / Yellow columns are required.",
    "日期格式 / Dates: YYYY-MM-DD (1980-05-17).",
    "国籍、签发国 / Nationality, issuing state: ISO 3166 代码 code (CN, CHN) 或国名 or name.",
    "性别 / Sex: 男 M, 女 F, 未知 U.",
    "身份 / Role: 旅客 passenger, 船员 crew (空白按名单类型 / blank: as the list's kind).",
    "过境 / Transit: 是 yes, 否 no.",
    "行李牌号 / Bag tags: 多个以逗号分隔 / several separated by commas.",
    "航程表填写航次与港口 / The journey sheet names the voyage and the ports.",
)
