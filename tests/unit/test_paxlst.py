"""PAXLST in and out: the real smooks interchange, the tolerant reader (imperfect persons kept with
a warning, untrustworthy lists refused naming segment and element), UNA separators, multi-part
and multi-leg lists, BGM kinds and functions, the CONTRL answer, round trips."""

from __future__ import annotations

import string
import warnings
from datetime import date, datetime

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kouan.adapters.edifact_envelope import Separators, tokenise
from kouan.adapters.paxlst import (
    PassengerList,
    decode,
    parse_paxlst,
    read_paxlst,
    split_roles,
    write_contrl,
    write_paxlst,
    write_person_list,
)
from kouan.domain import values
from kouan.domain.errors import ValidationFailed
from kouan.domain.filing import Document, Person
from kouan.domain.person_list import (
    Direction,
    Issue,
    Leg,
    ListedPerson,
    ListFunction,
    ListKind,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
)
from tests.conftest import shared_data

SMOOKS = shared_data("edifact", "smooks_paxlst_d03b.edi").read_text(encoding="latin-1")


def replace(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence, so that a test cannot pass on a change that did nothing."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, start: str) -> int:
    """The line a segment starts on: with one segment a line, the number errors give."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def smooks_accepted() -> str:
    """The smooks file made strict enough for the port call: NAD+FM (crew) for its NAD+VW, an
    expiry after the first DOC's LOC+91, UNT counting it."""
    text = replace(SMOOKS, "NAD+VW+", "NAD+FM+")
    text = replace(text, "US:162'\nDOC+39", "US:162'\nDTM+36:20091231:102'\nDOC+39")
    return replace(text, "UNT+16+PAXLST16'", "UNT+17+PAXLST16'")


def refused(text: str) -> list[tuple[str, object, str]]:
    """What the port call's parse_paxlst refuses: (field, value, expected) of each error."""
    with pytest.raises(ValidationFailed) as caught:
        parse_paxlst(text)
    return [(f.field, f.value, f.expected) for f in caught.value.fields]


def errors_of(text: str) -> list[tuple[str, str, str]]:
    """(segment, element, code) of each error that refuses the text; nothing else is kept."""
    result = read_paxlst(text)
    assert result.status == "rejected" and result.lists == []
    return [(e.segment, e.element, e.code) for e in result.errors]


def read_one(text: str) -> PersonList:
    result = read_paxlst(text)
    assert result.status == "accepted", [e.message for e in result.errors]
    [person_list] = result.lists
    return person_list


def codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]


# --- The real file -------------------------------------------------------------------------------


def test_real_smooks_file_is_kept_with_warnings_for_its_role_code_and_missing_expiry() -> None:
    result = read_paxlst(SMOOKS)
    assert result.status == "accepted"
    [person_list] = result.lists
    [person] = person_list.persons
    assert (person.role, person.qualifier) == (Role.OTHER, "VW")
    assert (person.family_name, person.given_names, person.nationality) == ("AOMAD", "CHRIS", "US")
    assert [d.number for d in person.documents] == ["P100971204141", "15504141"]
    assert person.documents[0].expiry is None
    [role, expiry] = person.warnings
    assert (role.segment, role.element, role.code, role.person) == (
        "segment 8 (NAD+VW)",
        "3035",
        "list.unknown_role",
        1,
    )
    assert (expiry.code, expiry.element) == ("list.no_expiry", "DTM+36")
    # The list's own: an ACE document code and a TDT without a flight number.
    assert codes(person_list.warnings) == ["list.unknown_document_code", "list.no_transport_id"]
    assert result.as_dict()["warnings"][2]["segment"] == "segment 8 (NAD+VW)"


def test_real_smooks_file_reaches_the_port_call_as_a_passenger_without_expiry() -> None:
    [message] = parse_paxlst(SMOOKS)
    crew, passengers = split_roles([message])
    assert crew == [] and [p.family_name for p in passengers] == ["AOMAD"]
    assert passengers[0].document == Document(
        type="5", number="P100971204141", issuing_state="US", expiry=None
    )
    assert [w.code for w in message.warnings][-2:] == ["list.unknown_role", "list.no_expiry"]


def test_smooks_file_with_role_and_expiry_parses() -> None:
    [message] = parse_paxlst(smooks_accepted())
    assert (message.message_type, message.version) == ("PAXLST", "D:03B")
    assert message.sender == "LOCK"  # no NAD+MS: the interchange sender
    assert message.transport_id is None
    assert (message.departure_port, message.arrival_port) == (None, None)
    assert message.departure_at is None
    assert message.arrival_at == datetime(2004, 12, 30)  # DTM+132, estimated arrival
    assert message.roles == ["crew"]
    assert message.declared_count is None
    [person] = message.persons
    assert (person.family_name, person.given_names) == ("AOMAD", "CHRIS")
    assert (person.nationality, person.sex) == ("US", "M")  # ATT "M*M*M*M*M": repetitions
    assert person.date_of_birth == date(1935, 9, 19)
    # The first DOC; its LOC+91 VA:163 is the state of Virginia, not the Holy See.
    assert person.document == Document(
        type="5", number="P100971204141", issuing_state="US", expiry=date(2009, 12, 31)
    )


# --- Refusals: the envelope ----------------------------------------------------------------------


def test_wrong_unt_count_names_the_unt_and_its_element() -> None:
    text = replace(smooks_accepted(), "UNT+17+", "UNT+16+")
    at = f"segment {line_of(text, 'UNT')} (UNT)"
    assert errors_of(text) == [(at, "0074", "edifact.segment_count")]
    [error] = read_paxlst(text).errors
    assert error.message == "UNT counts 16 segments but the message has 17 from UNH to UNT"
    assert refused(text)[0][:2] == (at, "16")


def test_unt_reference_must_be_the_unh_reference() -> None:
    text = replace(smooks_accepted(), "UNT+17+PAXLST16", "UNT+17+PAXLST61")
    [error] = read_paxlst(text).errors
    assert (error.segment, error.element, error.value) == (
        f"segment {line_of(text, 'UNT')} (UNT)",
        "0062",
        "PAXLST61",
    )
    assert error.message.endswith("not PAXLST16, the reference of UNH at segment 3")


def test_file_cut_after_a_segment_lacks_its_unt_and_unz() -> None:
    text = smooks_accepted()
    cut = text[: text.index("DOC+39")]
    assert [(s, c) for s, _, c in errors_of(cut)] == [
        ("UNT", "edifact.no_unt"),
        ("UNE", "edifact.no_une"),
        ("UNZ", "edifact.no_unz"),
    ]
    assert "opened at segment 3" in read_paxlst(cut).errors[0].message
    assert refused(cut)[0][:2] == ("UNT", "end of text")


def test_file_cut_inside_a_segment_is_refused_once() -> None:
    text = smooks_accepted()
    cut = text[: text.index("DTM+329") + 10]
    [error] = read_paxlst(cut).errors
    assert (error.segment, error.code) == ("end of interchange", "edifact.cut_off")
    assert error.value.endswith("DTM+329:19")


def test_file_without_unz_is_refused() -> None:
    text = smooks_accepted()
    assert [s for s, _, _ in errors_of(text[: text.index("UNZ")])] == ["UNZ"]


def test_missing_une_names_what_came_instead() -> None:
    text = replace(smooks_accepted(), "UNE+1+16'\n", "")
    [error] = read_paxlst(text).errors
    assert (error.segment, error.code) == ("UNE", "edifact.no_une")
    assert error.value == f"segment {line_of(text, 'UNZ')} (UNZ)"


@pytest.mark.parametrize(
    ("old", "new", "element", "code"),
    [
        ("UNZ+1+16", "UNZ+2+16", "0036", "edifact.group_count"),
        ("UNZ+1+16", "UNZ+1+61", "0020", "edifact.reference"),
        ("UNE+1+16", "UNE+0+16", "0060", "edifact.message_count"),
        ("UNE+1+16", "UNE+1+61", "0048", "edifact.reference"),
    ],
)
def test_wrong_group_and_interchange_trailers(old: str, new: str, element: str, code: str) -> None:
    text = replace(smooks_accepted(), old, new)
    assert errors_of(text) == [(f"segment {line_of(text, new[:3])} ({new[:3]})", element, code)]


def test_other_message_type_is_refused() -> None:
    text = replace(smooks_accepted(), "PAXLST:D:03B:UN", "CUSRES:D:03B:UN")
    assert errors_of(text) == [("segment 3 (UNH)", "S009/0065", "list.not_paxlst")]


def test_interchange_must_start_with_unb() -> None:
    text = smooks_accepted()
    assert errors_of(text[text.index("UNG") :]) == [("UNB", "", "edifact.no_unb")]
    assert errors_of("not EDIFACT at all") == [("UNB", "", "edifact.not_edifact")]


def test_nothing_may_follow_unz() -> None:
    text = smooks_accepted() + "\nUNH+2+PAXLST:D:03B:UN'"
    assert errors_of(text) == [
        (f"segment {line_of(text, 'UNZ') + 1} (UNH)", "", "edifact.after_unz")
    ]
    garbage = smooks_accepted() + "\n%%EOF garbage"
    [error] = read_paxlst(garbage).errors
    assert (error.segment, error.code, error.value) == (
        "end of interchange",
        "edifact.after_unz",
        "%%EOF garbage",
    )


def test_a_segment_outside_any_message_is_refused() -> None:
    text = replace(smooks_accepted(), "UNE+1+16'", "UNE+1+16'\nBGM+745'")
    assert errors_of(text) == [
        (f"segment {line_of(text, 'BGM+745')} (BGM+745)", "", "edifact.outside_message")
    ]


def test_a_message_without_bgm_or_tdt_is_refused_naming_its_unt() -> None:
    text = replace(smooks_accepted(), "BGM+10+LOCKKH04103101+4'\n", "")
    text = replace(text, "TDT+11++++LOCK:172'\n", "")
    text = replace(text, "UNT+17+", "UNT+15+")
    unt = f"segment {line_of(text, 'UNT')} (UNT)"
    assert errors_of(text) == [(unt, "BGM", "list.no_bgm"), (unt, "TDT", "list.no_transport")]


def test_all_errors_are_reported_together() -> None:
    text = replace(smooks_accepted(), "UNT+17+PAXLST16", "UNT+18+PAXLST61")
    text = replace(text, "UNZ+1+16", "UNZ+3+16")
    assert [code for _, _, code in errors_of(text)] == [
        "edifact.segment_count",
        "edifact.reference",
        "edifact.group_count",
    ]


# --- Refusals: the content -----------------------------------------------------------------------


def insert(text: str, before: str, segments: list[str]) -> str:
    """Segments (one a line) inserted before a segment of a message, its UNT counting them."""
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith(before))
    lines[at:at] = segments
    unt = next(n for n, line in enumerate(lines) if line.startswith("UNT+"))
    _, count, reference = lines[unt].split("+")
    lines[unt] = f"UNT+{int(count) + len(segments)}+{reference}"
    return "\n".join(lines)


def with_count(text: str, count: str) -> str:
    return insert(text, "UNT", [f"CNT+42:{count}'"])


def test_declared_count_is_read_when_it_matches() -> None:
    [message] = parse_paxlst(with_count(smooks_accepted(), "1"))
    assert message.declared_count == 1


def test_declared_count_must_match_the_persons() -> None:
    text = with_count(smooks_accepted(), "2")
    assert errors_of(text) == [
        (f"segment {line_of(text, 'CNT')} (CNT+42)", "C270/6066", "list.person_count")
    ]
    [error] = read_paxlst(text).errors
    assert error.message == "CNT+42 counts 2 persons but the list has 1"


def test_a_journey_date_that_is_no_date_refuses_the_list() -> None:
    text = replace(smooks_accepted(), "DTM+132:20041230:102", "DTM+132:20041230:718")
    assert errors_of(text) == [("segment 7 (DTM+132)", "C507/2380", "list.date_format")]
    [(field, value, expected)] = refused(text)
    assert (field, value) == ("segment 7 (DTM+132)", "20041230")
    assert "201 (YYMMDDHHMM)" in expected


def test_a_journey_in_year_1_is_refused_with_the_strict_bounds() -> None:
    text = replace(smooks_accepted(), "DTM+132:20041230:102", "DTM+132:00010101:102")
    assert refused(text) == [("segment 7 (DTM+132)", "00010101", values.IN_PORT_YEARS)]


# --- Tolerated: each imperfection is a warning, the person kept ----------------------------------


def person(family: str = "ZHANG") -> Person:
    return Person(
        family_name=family,
        given_names="WEI",
        nationality="CN",
        date_of_birth=date(1980, 5, 17),
        sex="M",
        document=Document(number="E12345678", issuing_state="CN", expiry=date(2030, 1, 1)),
    )


def one_message(people: list[Person], roles: list[str]) -> list[str]:
    """The lines of a written interchange holding one message from CA to KOUAN."""
    passenger_list = PassengerList(sender="CA", transport_id="CA931", persons=people, roles=roles)
    return write_paxlst(passenger_list, sender="CA", recipient="KOUAN", reference="7").splitlines()


def one_passenger(*changes: tuple[str, str]) -> str:
    """One passenger's interchange with lines changed (old line -> new lines, "\\n" between)."""
    lines = one_message([person()], ["passenger"])
    for old, new in changes:
        at = lines.index(old)
        lines[at : at + 1] = [line for line in new.split("\n") if line]
    unt = next(n for n, line in enumerate(lines) if line.startswith("UNT+"))
    unh = next(n for n, line in enumerate(lines) if line.startswith("UNH+"))
    lines[unt] = f"UNT+{unt - unh + 1}+1'"
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("old", "new", "code", "element"),
    [
        ("DTM+329:19800517:102'", "DTM+329:19801317:102'", "list.date_invalid", "C507/2380"),
        ("DTM+329:19800517:102'", "DTM+329:99990517:102'", "list.birth_out_of_range", "C507/2380"),
        ("DTM+329:19800517:102'", "", "list.no_birth_date", "DTM+329"),
        ("NAT+2+CHN'", "NAT+2+XXA'", "list.unknown_country", "C042/3293"),
        ("NAT+2+CHN'", "", "list.no_nationality", "NAT+2"),
        ("DTM+36:20300101:102'", "", "list.no_expiry", "DTM+36"),
        ("DTM+36:20300101:102'", "DTM+36:99991231:102'", "list.date_out_of_years", "C507/2380"),
        ("LOC+91+CHN'", "", "list.no_issuing_state", "LOC+91"),
        ("LOC+91+CHN'", "LOC+91+VA:163'", "list.no_issuing_state", "LOC+91"),
        ("DOC+P:110:111+E12345678'", "DOC+P:110:111'", "list.no_document_number", "DOC C503/1004"),
        ("NAD+FL+++ZHANG:WEI'", "NAD+VW+++ZHANG:WEI'", "list.unknown_role", "3035"),
        ("NAD+FL+++ZHANG:WEI'", "NAD+FL+++ZH?:ANG:WEI'", None, None),
        ("ATT+2++M'", "ATT+2++Q'", "list.unknown_sex", "C956/9019"),
        ("ATT+2++M'", "ATT+9++BLUE'", "list.unknown_qualifier", "9017"),
        ("NAT+2+CHN'", "NAT+2+CHN'\nLOC+999+XYZ'", "list.unknown_qualifier", "3227"),
        ("NAT+2+CHN'", "NAT+2+CHN'\nRFF+XYZ:1'", "list.unknown_qualifier", "C506/1153"),
        ("NAT+2+CHN'", "NAT+2+CHN'\nDTM+999:20200101:102'", "list.unknown_qualifier", "C507/2005"),
        ("NAT+2+CHN'", "NAT+2+CHN'\nXYZ+1'", "list.unknown_segment", "XYZ"),
    ],
)
def test_an_imperfect_person_is_kept_with_a_warning_naming_segment_and_element(
    old: str, new: str, code: str | None, element: str | None
) -> None:
    person_list = read_one(one_passenger((old, new)))
    [kept] = person_list.persons
    assert kept.family_name.startswith("ZH")
    found = [(w.code, w.element) for w in [*person_list.warnings, *kept.warnings]]
    assert found == ([] if code is None else [(code, element)])
    for issue in kept.warnings:
        assert issue.person == 1 and issue.segment.startswith("segment ")


def test_a_person_without_a_document_is_kept_and_reaches_the_port_call() -> None:
    text = one_passenger(
        ("DOC+P:110:111+E12345678'", ""), ("DTM+36:20300101:102'", ""), ("LOC+91+CHN'", "")
    )
    [kept] = read_one(text).persons
    assert kept.documents == [] and codes(kept.warnings) == ["list.no_document"]
    [message] = parse_paxlst(text)
    assert message.persons[0].document is None


def test_a_document_number_in_the_wrong_element_is_taken_with_a_warning() -> None:
    text = one_passenger(("DOC+P:110:111+E12345678'", "DOC+P:110:111:E12345678'"))
    [kept] = read_one(text).persons
    assert kept.documents[0].number == "E12345678"
    [moved] = kept.warnings
    assert (moved.code, moved.element, moved.value) == (
        "list.document_number_moved",
        "C002/1000",
        "E12345678",
    )


def test_a_bad_birth_date_keeps_the_person_but_not_for_the_port_call() -> None:
    text = one_passenger(("DTM+329:19800517:102'", "DTM+329:19801317:102'"))
    [kept] = read_one(text).persons
    assert kept.date_of_birth is None
    segment = f"segment {line_of(text, 'DTM+329')} (DTM+329)"
    assert refused(text) == [(segment, "19801317", "a real date in format 102 (CCYYMMDD)")]


def test_a_birth_in_the_future_is_refused_for_the_port_call_with_the_strict_bounds() -> None:
    text = one_passenger(("DTM+329:19800517:102'", "DTM+329:99990517:102'"))
    assert refused(text)[0][1:] == ("99990517", values.BIRTH_DAY)


def test_a_nul_in_a_name_is_replaced_in_the_list_and_refused_for_the_port_call() -> None:
    text = one_passenger(("NAD+FL+++ZHANG:WEI'", "NAD+FL+++ZH\x00ANG:WEI'"))
    [kept] = read_one(text).persons
    assert kept.family_name == "ZH\ufffdANG"
    assert codes(kept.warnings) == ["list.unfit_text"]
    assert refused(text) == [("person 1 family_name", "ZH\x00ANG", values.NO_NUL)]


def test_health_tracing_details_are_kept() -> None:
    details = "\n".join(
        [
            "NAT+2+CHN'",
            "LOC+180+:::QINGDAO'",
            "LOC+174+KOR'",
            "LOC+178+FRA'",
            "LOC+179+TAO'",
            "RFF+AVF:ABC123'",
            "RFF+SEA:023A'",
            "FTX+BAG+++CA123456:3'",
        ]
    )
    text = one_passenger(("NAD+FL+++ZHANG:WEI'", "NAD+DDU+++ZHANG:WEI'"), ("NAT+2+CHN'", details))
    [kept] = read_one(text).persons
    assert (kept.place_of_birth, kept.residence) == ("QINGDAO", "KR")
    assert (kept.embarkation, kept.disembarkation) == ("FRA", "TAO")
    assert (kept.booking_reference, kept.seat, kept.transit) == ("ABC123", "23A", True)
    assert kept.bag_tags == ["CA123456", "CA123457", "CA123458"]
    assert kept.warnings == []
    # The port call keeps only UN/LOCODEs of its reference data: no IATA codes.
    [message] = parse_paxlst(text)
    assert message.persons[0].port_of_embarkation is None


def test_interchange_of_two_messages_is_two_lists() -> None:
    first = one_message([person()], ["passenger"])
    second = [
        line.replace("UNH+1+", "UNH+2+").replace("+1'", "+2'")
        if line[:3] in ("UNH", "UNT")
        else line.replace("NAT+2+CHN", "NAT+2+XXA")
        for line in one_message([person("LI")], ["crew"])[2:-1]
    ]
    text = "\n".join([*first[:-1], *second, "UNZ+2+7'"])
    result = read_paxlst(text)
    assert [(p.kind, p.persons[0].family_name) for p in result.lists] == [
        (ListKind.PASSENGERS, "ZHANG"),
        (ListKind.CREW, "LI"),
    ]
    assert codes(result.lists[1].persons[0].warnings) == ["list.unknown_country"]
    nat = f"segment {line_of(text, 'NAT+2+XXA')} (NAT+2)"
    assert refused(text) == [(nat, "XXA", "XXA is not an ISO 3166 country code")]


def test_writer_refuses_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="role 'pilot'"):
        one_message([person()], ["pilot"])


def test_crew_list_is_written_as_such() -> None:
    lines = one_message([person(), person("LI")], ["crew", "crew"])
    assert "BGM+250'" in lines
    assert "CNT+41:2'" in lines
    [message] = parse_paxlst("\n".join(lines))
    assert (message.roles, message.declared_count) == (["crew", "crew"], 2)


def test_two_digit_birth_year_after_this_year_is_last_century() -> None:
    this_year = date.today().year % 100
    for year, century in ((this_year + 1, 1900), (this_year, 2000)):
        text = replace(smooks_accepted(), "DTM+329:19350919:102", f"DTM+329:{year:02}0919:101")
        [message] = parse_paxlst(text)
        assert message.persons[0].date_of_birth == date(century + year, 9, 19)


def test_two_digit_expiry_year_is_this_century() -> None:
    year = date.today().year % 100 + 5
    text = replace(smooks_accepted(), "DTM+36:20091231:102", f"DTM+36:{year:02}12310000:201")
    [message] = parse_paxlst(text)
    assert message.persons[0].document.expiry == date(2000 + year, 12, 31)  # type: ignore[union-attr]


# --- Separators the UNA declares -----------------------------------------------------------------


def reseparated(text: str, separators: Separators) -> str:
    """The interchange written again with other service characters (tokenised, released anew)."""
    tokens = tokenise(text)
    chars = separators
    out = [chars.una]
    for piece in tokens.pieces[1:]:
        elements = [
            chars.escape(e) if isinstance(e, str) else chars.component.join(map(chars.escape, e))
            for e in piece.elements
        ]
        out.append(chars.data.join([piece.tag, *elements]) + chars.terminator)
    return "\r\n".join(out)


@pytest.mark.parametrize("chars", ["|^.! ~", ":+,? '", "#@.\\*\n"])
def test_separators_declared_by_una_are_used(chars: str) -> None:
    lines = one_message([person("O'NEIL+SON")], ["passenger"])
    separators = Separators(*chars)
    text = reseparated("\n".join(lines), separators)
    assert text.startswith("UNA" + chars)
    assert read_one(text).persons[0].family_name == "O'NEIL+SON"


def test_a_una_that_declares_no_usable_separators_is_refused() -> None:
    text = "UNA::.? '" + "\n".join(one_message([person()], ["passenger"])[1:])
    assert ("segment 1 (UNA)", "UNA", "edifact.bad_una") in errors_of(text)


texts = st.text(alphabet=string.ascii_uppercase + string.digits + " ?:+'*.", max_size=8)


@settings(max_examples=200)
@given(st.lists(st.lists(st.lists(texts, min_size=1, max_size=3), max_size=4), min_size=1))
def test_tokeniser_reads_what_pydifact_reads(segments: list[list[list[str]]]) -> None:
    """The fast tokeniser and pydifact agree on every segment (trailing empty components aside,
    which pydifact drops)."""
    from pydifact.parser import Parser

    from kouan.adapters.edifact_envelope import PlainSegments

    chars = Separators(":", "+", ".", "?", "*", "'")
    lines = [
        "+".join(["ABC", *(":".join(map(chars.escape, element)) for element in segment)]) + "'"
        for segment in segments
    ]
    text = "\n".join(lines)
    ours = [[_plain(e) for e in p.elements] for p in tokenise(text).pieces]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [[_plain(e) for e in s.elements] for s in Parser(PlainSegments()).parse(text)]
    assert ours == theirs


def _plain(element: str | list[str]) -> list[str]:
    parts = [element] if isinstance(element, str) else list(element)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def test_decode_falls_back_to_latin_1() -> None:
    assert decode("UNB+UNOC:4+Ä'".encode("latin-1")) == "UNB+UNOC:4+Ä'"
    assert decode("UNB+UNOY:4+王'".encode()) == "UNB+UNOY:4+王'"


# --- Multi-part lists ----------------------------------------------------------------------------


def big_list(count: int, **changes: object) -> PersonList:
    persons = [
        ListedPerson(
            family_name=f"PERSON{n}",
            given_names="A",
            date_of_birth=date(1980, 1, 1 + n % 28),
            sex="F",
            nationality="KR",
            documents=[TravelDocument("P", f"M{n:08d}", "KR", date(2031, 1, 1))],
        )
        for n in range(count)
    ]
    fields: dict[str, object] = {
        "kind": ListKind.PASSENGERS,
        "sender": "KOREAN AIR",
        "transport_id": "KE831",
        "carrier": "KE",
        "legs": [Leg("KE831", "ICN", datetime(2026, 12, 1, 9), "TAO", datetime(2026, 12, 1, 10))],
        "persons": persons,
    }
    return PersonList(**{**fields, **changes})  # type: ignore[arg-type]


def written(person_list: PersonList, part_size: int | None = None) -> str:
    return write_person_list(
        person_list,
        sender="KE",
        recipient="KOUAN",
        reference="KE8311201",
        part_size=part_size,
        when=datetime(2026, 12, 1, 8),
    )


def messages(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """(lines before the first UNH, each message's lines, lines after the last UNT)."""
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("UNH")]
    ends = [n for n, line in enumerate(lines) if line.startswith("UNT")]
    return (
        lines[: starts[0]],
        [lines[a : b + 1] for a, b in zip(starts, ends, strict=True)],
        lines[ends[-1] + 1 :],
    )


def test_a_long_list_is_written_in_parts_and_read_back_as_one() -> None:
    text = written(big_list(25), part_size=10)
    _, parts, tail = messages(text)
    assert [part[0].rsplit("+", 1)[1] for part in parts] == ["01:C'", "02'", "03:F'"]
    assert tail == ["UNZ+3+KE8311201'"]
    person_list = read_one(text)
    assert [p.family_name for p in person_list.persons] == [f"PERSON{n}" for n in range(25)]
    assert person_list.reference == "KE8311201"


def test_parts_out_of_order_are_assembled_in_order() -> None:
    head, parts, tail = messages(written(big_list(25), part_size=10))
    text = "\n".join([*head, *parts[2], *parts[0], *parts[1], *tail])
    names = [p.family_name for p in read_one(text).persons]
    assert names == [f"PERSON{n}" for n in range(25)]


def test_a_missing_part_refuses_the_list_naming_the_unh() -> None:
    head, parts, tail = messages(written(big_list(25), part_size=10))
    text = "\n".join([*head, *parts[0], *parts[2], *tail]).replace("UNZ+3+", "UNZ+2+")
    last_unh = f"segment {line_of(text, 'UNH+3')} (UNH)"
    assert errors_of(text) == [(last_unh, "S010/0070", "list.part_missing")]
    [error] = read_paxlst(text).errors
    assert error.message == "part 2 of list KE8311201 is missing (parts received: 1, 3)"


def test_a_list_whose_last_part_never_came_is_refused() -> None:
    head, parts, tail = messages(written(big_list(25), part_size=10))
    text = "\n".join([*head, *parts[0], *parts[1], *tail]).replace("UNZ+3+", "UNZ+2+")
    assert errors_of(text) == [
        (f"segment {line_of(text, 'UNH+2')} (UNH)", "S010/0073", "list.last_part_missing")
    ]


def test_a_part_sent_twice_or_for_another_flight_is_refused() -> None:
    head, parts, tail = messages(written(big_list(25), part_size=10))
    twice = "\n".join([*head, *parts[0], *parts[1], *parts[1], *parts[2], "UNZ+4+KE8311201'"])
    assert [code for _, _, code in errors_of(twice)] == ["list.part_repeated"]
    other = [line.replace("TDT+20+KE831", "TDT+20+KE999") for line in parts[1]]
    text = "\n".join([*head, *parts[0], *other, *parts[2], *tail])
    assert [code for _, _, code in errors_of(text)] == ["list.parts_disagree"]


def flat(parts: list[list[str]]) -> list[str]:
    return [line for part in parts for line in part]


def test_each_part_may_count_its_own_persons_or_the_whole_list() -> None:
    head, parts, tail = messages(written(big_list(25), part_size=10))
    assert parts[0][-2] == "CNT+42:10'"
    total = [[line.replace("CNT+42:10'", "CNT+42:25'") for line in part] for part in parts]
    assert len(read_one("\n".join([*head, *flat(total), *tail])).persons) == 25
    wrong = [[line.replace("CNT+42:5'", "CNT+42:6'") for line in part] for part in parts]
    text = "\n".join([*head, *flat(wrong), *tail])
    [error] = read_paxlst(text).errors
    assert (error.code, error.element) == ("list.part_person_count", "C270/6066")
    assert error.message == "CNT+42 counts 6 persons but its part has 5 and the list 25"


def test_more_parts_than_s010_can_number_are_not_written() -> None:
    with pytest.raises(ValueError, match="at most 99"):
        written(big_list(100), part_size=1)


# --- Journeys of several legs -------------------------------------------------------------------


def test_a_multi_leg_journey_keeps_each_leg() -> None:
    legs = [
        Leg("KE831", "ICN", datetime(2026, 12, 1, 9), "TAO", datetime(2026, 12, 1, 10)),
        Leg("KE832", "TAO", datetime(2026, 12, 1, 12), "PVG", datetime(2026, 12, 1, 14)),
    ]
    person_list = read_one(written(big_list(2, legs=legs)))
    assert person_list.legs == legs
    assert person_list.transport_id == "KE831"


def test_a_progressive_flight_under_one_tdt_is_several_legs() -> None:
    journey = "\n".join(
        [
            "TDT+20+CA931+++CA'",
            "LOC+125+FRA'",
            "DTM+189:202612011200:203'",
            "LOC+92+PEK'",
            "DTM+232:202612020500:203'",
            "LOC+125+PEK'",
            "DTM+189:202612020700:203'",
            "LOC+87+TAO'",
            "DTM+232:202612020830:203'",
        ]
    )
    text = one_passenger(("TDT+20+CA931'", journey))
    legs = read_one(text).legs
    assert [(leg.departure_place, leg.arrival_place) for leg in legs] == [
        ("FRA", "PEK"),
        ("PEK", "TAO"),
    ]
    assert legs[1].arrival_at == datetime(2026, 12, 2, 8, 30)
    assert read_paxlst(text, here=("CNTAO", "TAO")).lists[0].direction is Direction.ARRIVING
    assert read_paxlst(text, here=("DEFRA", "FRA")).lists[0].direction is Direction.DEPARTING


# --- BGM: kinds and functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bgm", "kind", "function"),
    [
        ("BGM+745'", ListKind.PASSENGERS, ListFunction.ORIGINAL),
        ("BGM+745+CP'", ListKind.PASSENGERS, ListFunction.CHANGE),
        ("BGM+745+XR'", ListKind.PASSENGERS, ListFunction.DELETE),
        ("BGM+745++2'", ListKind.PASSENGERS, ListFunction.ADD),
        ("BGM+250'", ListKind.CREW, ListFunction.ORIGINAL),
        ("BGM+250+CC'", ListKind.CREW, ListFunction.CHANGE),
        ("BGM+250+C'", ListKind.CREW, ListFunction.ORIGINAL),
        ("BGM+336+G'", ListKind.MASTER_CREW, ListFunction.ADD),
        ("BGM+336+H'", ListKind.MASTER_CREW, ListFunction.DELETE),
        ("BGM+336+I'", ListKind.MASTER_CREW, ListFunction.CHANGE),
        ("BGM+336++5'", ListKind.MASTER_CREW, ListFunction.CHANGE),
    ],
)
def test_bgm_says_the_kind_and_the_function(bgm: str, kind: ListKind, function: str) -> None:
    person_list = read_one(one_passenger(("BGM+745'", bgm)))
    assert (person_list.kind, person_list.function) == (kind, function)
    assert person_list.warnings == []


@pytest.mark.parametrize("kind", list(ListKind))
@pytest.mark.parametrize("function", list(ListFunction))
def test_every_kind_and_function_is_written_and_read_back(
    kind: ListKind, function: ListFunction
) -> None:
    person_list = read_one(written(big_list(1, kind=kind, function=function)))
    assert (person_list.kind, person_list.function) == (kind, function)


# --- Lists Kouan writes, read back ---------------------------------------------------------------

names = st.text(alphabet=string.ascii_uppercase + " '-?:+*", min_size=1, max_size=20)
words = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=9)
people = st.builds(
    Person,
    family_name=names,
    given_names=st.one_of(st.just(""), names),
    nationality=st.sampled_from([c.alpha_2 for c in pycountry.countries]),
    date_of_birth=st.dates(date(1900, 1, 1), date(2020, 12, 31)),  # nobody is born later than today
    sex=st.sampled_from(["M", "F", "U", None]),
    document=st.one_of(
        st.none(),
        st.builds(
            Document,
            type=st.sampled_from(["P", "I", "C"]),
            number=words,
            issuing_state=st.sampled_from(["CN", "JP", "KR", "US", "DE"]),
            expiry=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        ),
    ),
    port_of_embarkation=st.sampled_from([None, "CNTAO", "CNQIN", "NLRTM"]),
    port_of_disembarkation=st.sampled_from([None, "CNTAO", "KRPUS"]),
)
minutes = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
    lambda at: at.replace(second=0, microsecond=0)
)


@given(
    st.lists(st.tuples(people, st.sampled_from(["crew", "passenger"])), max_size=5),
    st.one_of(st.none(), words),
    st.one_of(st.none(), minutes),
    st.one_of(st.none(), minutes),
)
def test_round_trip_keeps_persons_roles_and_journey(
    entries: list[tuple[Person, str]],
    transport_id: str | None,
    departure_at: datetime | None,
    arrival_at: datetime | None,
) -> None:
    original = PassengerList(
        sender="MU AIRLINES",
        transport_id=transport_id,
        departure_port="KRPUS",
        arrival_port="CNTAO",
        departure_at=departure_at,
        arrival_at=arrival_at,
        persons=[p for p, _ in entries],
        roles=[r for _, r in entries],
    )
    text = write_paxlst(original, sender="MU", recipient="CNTAO-BORDER", reference="REF1")
    [parsed] = parse_paxlst(text)
    assert parsed.persons == original.persons
    assert parsed.roles == original.roles
    assert parsed.declared_count == len(entries)
    journey = (
        "sender",
        "transport_id",
        "departure_port",
        "arrival_port",
        "departure_at",
        "arrival_at",
        "message_type",
    )
    assert [getattr(parsed, a) for a in journey] == [getattr(original, a) for a in journey]
    assert parsed.version == "D:05B"


texts_kept = st.one_of(st.none(), st.text(alphabet=string.ascii_uppercase + "0123?:+'", min_size=1))
listed = st.builds(
    ListedPerson,
    role=st.sampled_from([Role.PASSENGER, Role.CREW]),
    family_name=names,
    given_names=st.one_of(st.just(""), names),
    date_of_birth=st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    sex=st.sampled_from(["M", "F", "U"]),
    nationality=st.sampled_from(["CN", "KR", "JP", "PH"]),
    documents=st.lists(
        st.builds(
            TravelDocument,
            type=st.sampled_from(["P", "V", "C"]),
            number=words,
            issuing_state=st.sampled_from(["CN", "KR"]),
            expiry=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
        ),
        min_size=1,
        max_size=2,
    ),
    seat=st.sampled_from([None, "1A", "32K"]),
    booking_reference=st.one_of(st.none(), words),
    bag_tags=st.lists(st.sampled_from(["CA123456", "KE000001"]), max_size=2),
    embarkation=st.sampled_from([None, "ICN", "KRPUS"]),
    disembarkation=st.sampled_from([None, "TAO", "CNTAO"]),
    place_of_birth=texts_kept,
    residence=st.sampled_from([None, "CN", "DE"]),
    transit=st.booleans(),
)


@settings(max_examples=60)
@given(
    st.lists(listed, max_size=12),
    st.sampled_from(list(ListKind)),
    st.sampled_from(list(ListFunction)),
    st.one_of(st.none(), st.integers(1, 5)),
)
def test_full_lists_kouan_writes_read_back_the_same(
    persons: list[ListedPerson],
    kind: ListKind,
    function: ListFunction,
    part_size: int | None,
) -> None:
    original = big_list(0, persons=persons, kind=kind, function=function)
    person_list = read_one(written(original, part_size))
    assert (person_list.kind, person_list.function, person_list.legs) == (
        kind,
        function,
        original.legs,
    )
    assert [_kept(p) for p in person_list.persons] == [_kept(p) for p in persons]


def _kept(person: ListedPerson) -> tuple[object, ...]:
    """What a PAXLST carries of a person (the place of birth as the text it is)."""
    return (
        person.role,
        person.family_name,
        person.given_names,
        person.date_of_birth,
        person.sex,
        person.nationality,
        person.documents,
        person.seat,
        person.booking_reference,
        person.bag_tags,
        person.embarkation,
        person.disembarkation,
        person.place_of_birth,
        person.residence,
        person.transit,
    )


# --- The CONTRL answer ---------------------------------------------------------------------------


def contrl_of(result: ListResult) -> list[str]:
    text = write_contrl(result, sender="KOUAN", reference="C1", when=datetime(2026, 12, 1, 8))
    tokens = tokenise(text)
    assert tokens.rest == "" and [p.tag for p in tokens.pieces][:3] == ["UNA", "UNB", "UNH"]
    assert read_paxlst(text).errors[0].code == "list.not_paxlst"  # a well-formed interchange
    return text.splitlines()


def test_a_refusal_is_answered_with_a_contrl_listing_each_error() -> None:
    text = replace(smooks_accepted(), "UNT+17+", "UNT+16+")
    text = with_count(text, "3")
    lines = contrl_of(read_paxlst(text))
    assert lines[1] == "UNB+UNOA:4+KOUAN+LOCK+261201:0800+C1'"
    assert lines[2] == "UNH+1+CONTRL:4:1:UN'"
    assert lines[3] == "UCI+16+LOCK+CBP-ACE-TEST+4'"  # interchange 16 rejected
    assert lines[4] == "UCM+PAXLST16+PAXLST:D:03B:UN+4'"
    cnt = line_of(text, "CNT") - 2  # the segment's position in its message, UNH being 1
    assert lines[5:9] == [f"UCS+{cnt}'", "UCD+29+1:2'", f"UCS+{cnt + 1}'", "UCD+29+1:1'"]
    assert lines[-2:] == ["UNT+8+1'", "UNZ+1+C1'"]


def test_an_interchange_error_is_answered_in_the_uci() -> None:
    text = replace(smooks_accepted(), "UNZ+1+16", "UNZ+2+16")
    lines = contrl_of(read_paxlst(text))
    assert lines[3] == "UCI+16+LOCK+CBP-ACE-TEST+4+29+UNZ'"


def test_a_missing_unt_is_answered_in_the_ucm() -> None:
    text = smooks_accepted()
    lines = contrl_of(read_paxlst(text[: text.index("UNT")] + "UNE+1+16'\nUNZ+1+16'"))
    assert "UCM+PAXLST16+PAXLST:D:03B:UN+4+13+UNT'" in lines


def test_an_accepted_interchange_is_acknowledged() -> None:
    lines = contrl_of(read_paxlst(SMOOKS))
    assert lines[3] == "UCI+16+LOCK+CBP-ACE-TEST+7'"
