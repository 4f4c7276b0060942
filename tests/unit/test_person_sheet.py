"""Person lists from spreadsheets: the bilingual template read back (XLSX and CSV), headers in
Chinese or English, a missing column refusing the sheet, a bad cell kept with a warning."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kouan.adapters.person_sheet import (
    COLUMNS,
    country_code,
    find_column,
    read_sheet,
    sheet_template,
    template_columns,
)
from kouan.domain.person_list import Leg, ListKind, ListResult, Role, TravelDocument

ZHANG = {
    "family_name": "ZHANG",
    "given_names": "WEI",
    "role": "旅客",
    "sex": "男",
    "date_of_birth": date(1980, 5, 17),
    "place_of_birth": "Qingdao",
    "nationality": "中国",
    "document_type": "P",
    "document_number": "E12345678",
    "issuing_state": "CHN",
    "expiry": date(2031, 1, 1),
    "residence": "CN",
    "embarkation": "CNTAO",
    "disembarkation": "KRPUS",
    "transit": "否",
    "booking_reference": "AB12CD",
    "party": "P7",
    "deck": "7",
    "cabin": "7123",
    "dining_group": "A",
    "tour_group": "T3",
    "seat": "",
    "bag_tags": "CA123456, CA123457",
}


def filled_template(rows: list[dict[str, Any]], kind: ListKind = ListKind.PASSENGERS) -> bytes:
    """The downloaded XLSX template with rows typed in under its header and a voyage given."""
    book = load_workbook(io.BytesIO(sheet_template(kind)))
    sheet = book["名单 List"]
    columns = template_columns(kind)
    for row in rows:
        sheet.append([row.get(column.field) for column in columns])
    journey = book["航程 Journey"]
    journey["B3"], journey["B4"], journey["B6"] = "ADORA-0521", "CNTAO", "KRPUS"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def accepted(result: ListResult) -> Any:
    assert result.status == "accepted", [e.message for e in result.errors]
    [person_list] = result.lists
    return person_list


def test_the_xlsx_template_filled_in_reads_back() -> None:
    person_list = accepted(read_sheet(filled_template([ZHANG])))
    assert (person_list.kind, person_list.transport_id, person_list.source) == (
        ListKind.PASSENGERS,
        "ADORA-0521",
        "XLSX",
    )
    assert [(leg.departure_place, leg.arrival_place) for leg in person_list.legs] == [
        ("CNTAO", "KRPUS")
    ]
    [person] = person_list.persons
    assert (person.role, person.sex, person.nationality, person.residence) == (
        Role.PASSENGER,
        "M",
        "CN",
        "CN",
    )
    assert person.documents == [TravelDocument("P", "E12345678", "CN", date(2031, 1, 1))]
    assert (person.deck, person.cabin, person.dining_group, person.tour_group) == (
        "7",
        "7123",
        "A",
        "T3",
    )
    assert (person.booking_reference, person.party, person.transit) == ("AB12CD", "P7", False)
    assert person.bag_tags == ["CA123456", "CA123457"]
    assert person.warnings == [] and person.to_person().family_name == "ZHANG"


def test_the_crew_template_has_ranks_and_no_cruise_columns() -> None:
    fields = [c.field for c in template_columns(ListKind.CREW)]
    assert "rank" in fields and "cabin" not in fields
    crew = {**ZHANG, "role": "", "rank": "Master"}
    person_list = accepted(read_sheet(filled_template([crew], ListKind.CREW)))
    [person] = person_list.persons
    assert (person_list.kind, person.role, person.rank) == (ListKind.CREW, Role.CREW, "Master")


def test_the_csv_template_is_the_bilingual_header_and_reads_back() -> None:
    template = sheet_template(ListKind.CREW, "csv")
    assert template.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    header = template.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("姓 / Family name,名 / Given names,")
    row = "WANG,Jianguo,船员,Master,M,1972-03-14,,CHN,P,E48203316,CN,2031-06-30,,,,否"
    data = template + row.encode() + b"\r\n"
    [person] = accepted(read_sheet(data, journey=Leg("0521-012W"))).persons
    assert (person.role, person.rank, person.date_of_birth) == (
        Role.CREW,
        "Master",
        date(1972, 3, 14),
    )


@pytest.mark.parametrize(
    "header",
    [
        "姓,名,出生日期,国籍,证件号码",
        "Family name,Given names,Date of birth,Nationality,Document number",
        "Surname;First name;DOB;Citizenship;Passport No.",
        "姓氏 Family name*,名 (Given names),出生日期（YYYY-MM-DD）,国籍,护照号码",
    ],
)
def test_headers_in_chinese_or_english_are_read(header: str) -> None:
    separator = ";" if ";" in header else ","
    row = separator.join(["LI", "Na", "1990-02-03", "CN", "E7654321"])
    [person] = accepted(read_sheet(f"{header}\n{row}\n".encode())).persons
    assert (person.family_name, person.nationality) == ("LI", "CN")
    assert person.documents[0].number == "E7654321"


def test_a_gb18030_csv_saved_by_chinese_excel_is_read() -> None:
    text = "姓,名,出生日期,国籍,证件号码,签发国\n王,伟,1972/3/14,中华人民共和国,E1,中国\n"
    [person] = accepted(read_sheet(text.encode("gb18030"))).persons
    assert (person.family_name, person.date_of_birth) == ("王", date(1972, 3, 14))
    assert person.documents[0].issuing_state == "CN"


def test_a_sheet_without_a_required_column_is_refused_naming_line_and_column() -> None:
    result = read_sheet("说明：船员名单\n姓,名,国籍\n王,伟,CN\n".encode())
    assert result.status == "rejected" and result.lists == []
    assert [(e.segment, e.element, e.code) for e in result.errors] == [
        ("line 2", "出生日期 / Date of birth", "sheet.missing_column"),
        ("line 2", "证件号码 / Document number", "sheet.missing_column"),
    ]
    assert result.errors[0].message == "the sheet has no column Date of birth"


def test_a_sheet_naming_no_columns_is_refused() -> None:
    [issue] = read_sheet(b"a,b,c\n1,2,3\n").errors
    assert (issue.segment, issue.code) == ("line 1", "sheet.no_header")


def test_a_file_that_is_no_spreadsheet_is_refused() -> None:
    [issue] = read_sheet(b"PK\x03\x04 broken zip").errors
    assert (issue.segment, issue.code) == ("file", "sheet.unreadable")


def test_a_bad_cell_concerns_one_person_who_is_kept_with_a_warning() -> None:
    text = (
        "姓,名,出生日期,国籍,证件号码,有效期至,性别,身份,过境\n"
        "KIM,Minji,1990-13-01,KOR,M35207841,,Q,pilot,maybe\n"
        "LEE,Jun,1985-01-02,Atlantis,M1,2030-01-01,F,crew,yes\n"
    )
    persons = accepted(read_sheet(text.encode())).persons
    assert [p.family_name for p in persons] == ["KIM", "LEE"]
    assert [(w.segment, w.element, w.code, w.person) for w in persons[0].warnings] == [
        ("line 2", "出生日期", "sheet.bad_date", 1),
        ("line 2", "性别", "list.unknown_sex", 1),
        ("line 2", "身份", "sheet.unknown_role", 1),
        ("line 2", "过境", "sheet.bad_yes_no", 1),
        ("line 2", "签发国 / Issuing state", "list.no_issuing_state", 1),
        ("line 2", "有效期至", "list.no_expiry", 1),
    ]
    assert (persons[0].role, persons[0].qualifier) == (Role.OTHER, "pilot")
    assert [(w.element, w.code) for w in persons[1].warnings][:1] == [
        ("国籍", "list.unknown_country")
    ]
    assert (persons[1].role, persons[1].transit) == (Role.CREW, True)


def test_unknown_and_repeated_columns_are_warned_about() -> None:
    text = "姓,名,出生日期,国籍,证件号码,Favourite colour,Surname\nLI,Na,1990-02-03,CN,E1,red,X\n"
    person_list = accepted(read_sheet(text.encode()))
    assert [(w.element, w.code) for w in person_list.warnings] == [
        ("Favourite colour", "sheet.unknown_column"),
        ("Surname", "sheet.duplicate_column"),
    ]
    assert person_list.persons[0].family_name == "LI"


def test_excel_cells_of_other_types_are_read() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Family name", "Given names", "Date of birth", "Nationality", "Document number"])
    sheet.append(["CHOI", "Min", datetime(1979, 8, 1), "Korea, Republic of", 12345678.0])
    out = io.BytesIO()
    book.save(out)
    [person] = accepted(read_sheet(out.getvalue(), filename="crew.xlsx")).persons
    assert (person.date_of_birth, person.nationality) == (date(1979, 8, 1), "KR")
    assert person.documents[0].number == "12345678"


def test_every_column_is_found_by_both_its_names() -> None:
    for column in COLUMNS:
        assert find_column(column.zh) is column
        assert find_column(column.en) is column
        assert find_column(column.label) is column
        assert find_column(f"{column.zh}\n{column.en}") is column


@pytest.mark.parametrize(
    ("text", "code"),
    [("CN", "CN"), ("chn", "CN"), ("中国", "CN"), ("Germany", "DE"), ("Narnia", None)],
)
def test_countries_by_code_or_name(text: str, code: str | None) -> None:
    assert country_code(text) == code
