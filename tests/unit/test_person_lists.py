"""A port call's crew and passengers from a person list in any of its forms: the form told by the
content (PAXLST, XLSX, CSV), the role column deciding crew or passenger, a person who is no strict
Person refused naming the line and column, and a file that is no list refused as what it is."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from kouan.adapters.person_lists import (
    ACCEPTED,
    BINARY,
    BROKEN_XLSX,
    EMPTY,
    IMAGE,
    NO_COLUMNS,
    OLD_EXCEL,
    OTHER_ZIP,
    ListRefused,
    UnreadableList,
    parse_person_list,
    recognise,
)
from kouan.adapters.person_sheet import sheet_template, template_columns
from kouan.domain import values
from kouan.domain.errors import ValidationFailed
from kouan.domain.person_list import ListKind
from tests.conftest import shared_data

SMOOKS = shared_data("edifact", "smooks_paxlst_d03b.edi").read_bytes()

WANG: dict[str, Any] = {
    "family_name": "WANG",
    "given_names": "Jianguo",
    "role": "船员",
    "rank": "Master",
    "sex": "男",
    "date_of_birth": "1971-08-02",
    "nationality": "CN",
    "document_type": "P",
    "document_number": "E12345678",
    "issuing_state": "CHN",
    "expiry": "2031-01-01",
}
SANTOS = WANG | {
    "family_name": "SANTOS",
    "given_names": "Rey",
    "role": "crew",
    "rank": "Chief Officer",
    "nationality": "菲律宾",
    "document_number": "P7654321A",
    "issuing_state": "PH",
}
LI = WANG | {"family_name": "LI", "given_names": "Na", "role": "", "rank": "Cook"}
KIM = WANG | {
    "family_name": "KIM",
    "given_names": "Minji",
    "role": "旅客",
    "rank": "",
    "sex": "F",
    "nationality": "KR",
    "document_number": "M35207841",
    "issuing_state": "KR",
}


def template_csv(rows: list[dict[str, Any]], drop: str | None = None) -> bytes:
    """The crew template's CSV (downloaded header) with rows typed in; `drop` leaves a column
    out, header and cells."""
    header = next(csv.reader(io.StringIO(sheet_template(ListKind.CREW, "csv").decode("utf-8-sig"))))
    columns = template_columns(ListKind.CREW)
    keep = [n for n, column in enumerate(columns) if column.field != drop]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header[n] for n in keep])
    for row in rows:
        writer.writerow([row.get(columns[n].field, "") for n in keep])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(rows: list[dict[str, Any]], kind: ListKind = ListKind.CREW) -> bytes:
    """The downloaded XLSX template of `kind` with rows typed in under its header."""
    book = load_workbook(io.BytesIO(sheet_template(kind)))
    sheet = book["名单 List"]
    for row in rows:
        sheet.append([row.get(column.field) for column in template_columns(kind)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def names(persons: list[Any]) -> list[str]:
    return [p.family_name for p in persons]


# --- Telling the forms apart -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "form"),
    [
        (SMOOKS, "PAXLST"),
        (b"\xef\xbb\xbf\r\n" + SMOOKS, "PAXLST"),
        (b"UNA:+.? '" + SMOOKS, "PAXLST"),
        (b"UNH+1+PAXLST:D:05B:UN:IATA'BGM+250'", "PAXLST"),  # its reader says UNB is missing
        (template_xlsx([WANG]), "XLSX"),
        (template_csv([WANG]), "CSV"),
        (template_csv([WANG]).decode("utf-8-sig").encode("utf-16"), "CSV"),  # Unicode text
        (template_csv([WANG]).decode("utf-8-sig").encode("gb18030"), "CSV"),
    ],
    ids=["paxlst", "bom-paxlst", "una", "no-unb", "xlsx", "csv", "utf16-csv", "gb18030-csv"],
)
def test_the_form_is_told_by_the_content(data: bytes, form: str) -> None:
    assert recognise(data) == form


def _zip(*members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return out.getvalue()


JUNK = random.Random(7).randbytes(2048)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"", EMPTY),
        (b" \r\n\t", EMPTY),
        (JUNK, BINARY),
        (b"\x89PNG\r\n\x1a\n" + JUNK, IMAGE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + JUNK, OLD_EXCEL),
        (_zip("word/document.xml", "[Content_Types].xml"), OTHER_ZIP),
        (b"PK\x03\x04" + JUNK, BROKEN_XLSX),
        (_zip("xl/workbook.xml", "[Content_Types].xml"), BROKEN_XLSX),
        (b"hello, world\nthis is no list\n", NO_COLUMNS),
        (b'{"persons": []}', NO_COLUMNS),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "png",
        "xls",
        "docx",
        "bad-zip",
        "bad-workbook",
        "text",
        "json",
    ],
)
def test_a_file_that_is_no_list_is_refused_as_what_it_is_without_its_bytes(
    data: bytes, what: str
) -> None:
    with pytest.raises(UnreadableList) as caught:
        parse_person_list(data, "crew.xlsx")
    [field] = caught.value.fields
    assert (field.field, field.value, field.expected) == ("file", what, ACCEPTED)
    assert caught.value.what == what
    message = caught.value.message
    assert "PAXLST" in message and "XLSX" in message.upper() and "CSV" in message
    assert repr(JUNK[:8])[2:-1] not in message and "\\x" not in message


# --- PAXLST ------------------------------------------------------------------------------------


def test_a_paxlst_reads_as_parse_paxlst_reads_it_its_odd_person_a_passenger_with_warnings() -> None:
    read = parse_person_list(SMOOKS, "smooks.edi")
    assert (read.form, read.crew, names(read.passengers)) == ("PAXLST", [], ["AOMAD"])
    assert read.text is not None and read.text.startswith("UNB+UNOA:4")
    assert {w.key for w in read.warnings} >= {"list.unknown_role", "list.no_expiry"}


def test_a_paxlst_with_a_bad_date_names_its_segment() -> None:
    text = SMOOKS.replace(b"DTM+329:19350919:102", b"DTM+329:19351319:102")
    with pytest.raises(ValidationFailed) as caught:
        parse_person_list(text)
    [field] = caught.value.fields
    assert field.field.startswith("segment ") and "DTM+329" in field.field
    assert field.value == "19351319"


# --- Spreadsheets ------------------------------------------------------------------------------


def test_a_csv_of_the_template_gives_crew_with_ranks_and_passengers_by_the_role_column() -> None:
    read = parse_person_list(template_csv([WANG, KIM, SANTOS, LI]), "crew.csv")
    assert read.form == "CSV"
    # LI's role is blank: a rank makes her crew (FAL 5).
    assert [(p.family_name, p.rank) for p in read.crew] == [
        ("WANG", "Master"),
        ("SANTOS", "Chief Officer"),
        ("LI", "Cook"),
    ]
    assert names(read.passengers) == ["KIM"]
    wang = read.crew[0]
    assert (wang.nationality, wang.sex, wang.date_of_birth) == ("CN", "M", date(1971, 8, 2))
    assert wang.document is not None and wang.document.issuing_state == "CN"
    assert read.crew[1].nationality == "PH"  # 菲律宾
    assert read.warnings == []


def test_a_blank_role_without_a_rank_in_a_csv_is_a_passenger() -> None:
    read = parse_person_list(template_csv([LI | {"rank": ""}]))
    assert (read.crew, names(read.passengers)) == ([], ["LI"])


def test_an_xlsx_of_the_crew_template_is_a_crew_list_where_roles_are_blank() -> None:
    blank: list[dict[str, Any]] = [WANG | {"role": None}, LI | {"role": None, "rank": None}, KIM]
    read = parse_person_list(template_xlsx(blank), "crew.xlsx")
    assert read.form == "XLSX" and read.text is None
    assert names(read.crew) == ["WANG", "LI"] and names(read.passengers) == ["KIM"]
    assert read.crew[0].rank == "Master"


def test_an_xlsx_of_the_passenger_template_reads_its_persons_as_passengers() -> None:
    passenger = {k: v for k, v in KIM.items() if k != "rank"} | {"role": None, "cabin": "7123"}
    read = parse_person_list(template_xlsx([passenger], ListKind.PASSENGERS))
    assert (read.crew, names(read.passengers)) == ([], ["KIM"])


def test_a_csv_without_a_required_column_is_refused_naming_the_column() -> None:
    with pytest.raises(ListRefused) as caught:
        parse_person_list(template_csv([WANG], drop="nationality"))
    [field] = caught.value.fields
    assert field.field == "line 1, column 国籍 / Nationality"
    assert field.expected == "the sheet has no column Nationality"
    [(key, params)] = [r for r in caught.value.reasons if r]
    assert key == "sheet.missing_column" and params["column_zh"] == "国籍"
    assert caught.value.message.startswith("CSV: line 1, column 国籍 / Nationality")


def test_a_person_who_is_no_strict_person_is_refused_naming_line_and_column() -> None:
    bad_birth = SANTOS | {"date_of_birth": "1985-13-01"}
    no_nationality = LI | {"nationality": ""}
    with pytest.raises(ListRefused) as caught:
        parse_person_list(template_csv([WANG, bad_birth, no_nationality]))
    found = {(f.field, f.value, f.expected) for f in caught.value.fields}
    assert found == {
        (
            "line 3, column 出生日期 / Date of birth",
            "1985-13-01",
            "1985-13-01 is not a date (e.g. 1980-05-17)",
        ),
        (
            "line 4, column 国籍 / Nationality",
            "",
            "a nationality (a country code such as CN or CHN, or a country's name)",
        ),
    }


def test_a_nul_in_a_name_is_refused_naming_line_and_column() -> None:
    with pytest.raises(ListRefused) as caught:
        parse_person_list(template_csv([WANG | {"given_names": "Jian\x00guo"}]))
    [field] = caught.value.fields
    assert field.field == "line 2, column 名 / Given names"
    assert field.expected == values.NO_NUL


def test_a_damaged_workbook_is_refused_not_crashed_on() -> None:
    data = bytearray(template_xlsx([WANG]))
    middle = len(data) // 2
    data[middle : middle + 64] = b"\x00" * 64
    with pytest.raises(UnreadableList) as caught:
        parse_person_list(bytes(data), "crew.xlsx")
    assert caught.value.what == BROKEN_XLSX
