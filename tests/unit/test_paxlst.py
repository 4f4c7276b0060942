"""PAXLST in and out: the real smooks interchange, each envelope and content check, round trips."""

from __future__ import annotations

import string
from datetime import date, datetime

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouan.adapters.paxlst import PassengerList, parse_paxlst, write_paxlst
from kouan.domain.errors import ValidationFailed
from kouan.domain.filing import Document, Person
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
    """The smooks file with the two things Kouan needs and it lacks, nothing else changed.

    Its person is NAD+VW (a US ACE code, not a role of the PAXLST guidelines) and has no DTM+36
    document expiry: here NAD+FM (crew), an expiry after the first DOC's LOC+91, UNT counting it.
    """
    text = replace(SMOOKS, "NAD+VW+", "NAD+FM+")
    text = replace(text, "US:162'\nDOC+39", "US:162'\nDTM+36:20091231:102'\nDOC+39")
    return replace(text, "UNT+16+PAXLST16'", "UNT+17+PAXLST16'")


def refused(text: str) -> list[tuple[str, object, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_paxlst(text)
    return [(f.field, f.value, f.expected) for f in caught.value.fields]


def fields_of(text: str) -> list[str]:
    return [field for field, _, _ in refused(text)]


def test_real_smooks_file_is_refused_for_its_role_code_and_missing_expiry() -> None:
    errors = refused(SMOOKS)
    assert [(field, value) for field, value, _ in errors] == [
        ("segment 8 (NAD+VW)", "VW"),
        ("person 1 document.expiry", ""),
    ]
    assert "FM (crew)" in errors[0][2]
    assert errors[1][2] == "an expiry date in DTM+36 after DOC"


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


def test_wrong_unt_count_names_the_unt() -> None:
    text = replace(smooks_accepted(), "UNT+17+", "UNT+16+")
    assert refused(text) == [
        (
            f"segment {line_of(text, 'UNT')} (UNT)",
            "16",
            "17, the number of segments from UNH to UNT",
        )
    ]


def test_unt_reference_must_be_the_unh_reference() -> None:
    text = replace(smooks_accepted(), "UNT+17+PAXLST16", "UNT+17+PAXLST61")
    [(field, value, expected)] = refused(text)
    assert (field, value) == (f"segment {line_of(text, 'UNT')} (UNT)", "PAXLST61")
    assert expected == "'PAXLST16', the reference of UNH at segment 3"


def test_file_cut_after_a_segment_lacks_its_unt() -> None:
    text = smooks_accepted()
    cut = text[: text.index("DOC+39")]
    [(field, value, expected)] = refused(cut)
    assert (field, value) == ("UNT", "end of text")
    assert "UNT closing the message opened at segment 3" in expected


def test_file_cut_inside_a_segment_is_refused() -> None:
    text = smooks_accepted()
    cut = text[: text.index("DTM+329") + 10]
    [(field, value, _)] = refused(cut)
    assert field == "end of interchange"
    assert str(value).endswith("DTM+329:19")


def test_file_without_unz_is_refused() -> None:
    text = smooks_accepted()
    assert fields_of(text[: text.index("UNZ")]) == ["UNZ"]


def test_missing_une_names_what_came_instead() -> None:
    text = replace(smooks_accepted(), "UNE+1+16'\n", "")
    assert refused(text)[0][:2] == ("UNE", f"segment {line_of(text, 'UNZ')} (UNZ)")


def test_bad_date_names_the_dtm() -> None:
    text = replace(smooks_accepted(), "DTM+329:19350919:102", "DTM+329:19351319:102")
    assert refused(text) == [
        ("segment 10 (DTM+329)", "19351319", "a real date in format 102 (CCYYMMDD)")
    ]


def test_unknown_date_format_is_refused() -> None:
    text = replace(smooks_accepted(), "DTM+132:20041230:102", "DTM+132:20041230:718")
    [(field, value, expected)] = refused(text)
    assert (field, value) == ("segment 7 (DTM+132)", "20041230")
    assert "201 (YYMMDDHHMM)" in expected


@pytest.mark.parametrize(
    ("old", "new", "value", "expected"),
    [
        ("UNZ+1+16", "UNZ+2+16", "2", "1, the number of groups"),
        ("UNZ+1+16", "UNZ+1+61", "61", "'16', the reference of UNB at segment 1"),
        ("UNE+1+16", "UNE+0+16", "0", "1, the number of messages in the group"),
        ("UNE+1+16", "UNE+1+61", "61", "'16', the reference of UNG at segment 2"),
    ],
)
def test_wrong_group_and_interchange_trailers(
    old: str, new: str, value: str, expected: str
) -> None:
    text = replace(smooks_accepted(), old, new)
    assert refused(text) == [(f"segment {line_of(text, new[:3])} ({new[:3]})", value, expected)]


def test_other_message_type_is_refused() -> None:
    text = replace(smooks_accepted(), "PAXLST:D:03B:UN", "CUSRES:D:03B:UN")
    assert refused(text) == [("segment 3 (UNH)", "CUSRES", "a PAXLST message")]


def test_interchange_must_start_with_unb() -> None:
    text = smooks_accepted()
    assert fields_of(text[text.index("UNG") :]) == ["UNB"]


def test_nothing_may_follow_unz() -> None:
    text = smooks_accepted() + "\nUNH+2+PAXLST:D:03B:UN'"
    assert refused(text) == [
        (f"segment {line_of(text, 'UNZ') + 1} (UNH)", "UNH", "nothing after UNZ")
    ]


def test_unknown_nationality_names_the_person_field() -> None:
    text = replace(smooks_accepted(), "NAT+2+US::5", "NAT+2+XXA::5")
    [(field, value, expected)] = refused(text)
    assert (field, value) == ("person 1 nationality", "XXA")
    assert "ISO 3166" in expected


def test_issuing_state_given_only_as_a_subdivision_is_missing() -> None:
    text = replace(smooks_accepted(), "LOC+91+US:162'\nDTM+36", "DTM+36")
    text = replace(text, "UNT+17+", "UNT+16+")
    assert refused(text) == [
        ("person 1 document.issuing_state", "", "an issuing country in LOC+91 after DOC")
    ]


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
    assert refused(text) == [
        (f"segment {line_of(text, 'CNT')} (CNT+42)", "2", "1, the number of persons in the message")
    ]


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
    assert message.persons[0].document.expiry == date(2000 + year, 12, 31)


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
    passenger_list = PassengerList(sender="CA", persons=people, roles=roles)
    return write_paxlst(passenger_list, sender="CA", recipient="KOUAN", reference="7").splitlines()


def two_messages(nationality_in_second: str) -> str:
    """An interchange of two messages, one person each; the second's NAT says the nationality."""
    first = one_message([person()], ["passenger"])
    second = [
        line.replace("UNH+1+", "UNH+2+").replace("+1'", "+2'")
        if line[:3] in ("UNH", "UNT")
        else line
        for line in one_message([person("LI")], ["passenger"])[2:-1]
    ]
    second = [line.replace("NAT+2+CHN", f"NAT+2+{nationality_in_second}") for line in second]
    return "\n".join([*first[:-1], *second, "UNZ+2+7'"])


def test_interchange_of_two_messages_numbers_persons_across_it() -> None:
    lists = parse_paxlst(two_messages("CHN"))
    assert [m.persons[0].family_name for m in lists] == ["ZHANG", "LI"]
    assert refused(two_messages("XXA")) == [
        ("person 2 nationality", "XXA", "an ISO 3166 country code: 2 or 3 letters, e.g. CN or CHN")
    ]


def test_iata_airport_code_is_not_a_port_of_embarkation() -> None:
    text = "\n".join(one_message([person()], ["passenger"]))
    text = insert(text, "NAT", ["LOC+178+JFK'", "LOC+179+CNTAO'"])
    [message] = parse_paxlst(text)
    assert message.persons[0].port_of_embarkation is None
    assert message.persons[0].port_of_disembarkation == "CNTAO"


def test_writer_refuses_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="role 'pilot'"):
        one_message([person()], ["pilot"])


def test_crew_list_is_written_as_such() -> None:
    lines = one_message([person(), person("LI")], ["crew", "crew"])
    assert "BGM+250'" in lines
    assert "CNT+41:2'" in lines
    [message] = parse_paxlst("\n".join(lines))
    assert (message.roles, message.declared_count) == (["crew", "crew"], 2)


names = st.text(alphabet=string.ascii_uppercase + " '-?:+*", min_size=1, max_size=20)
people = st.builds(
    Person,
    family_name=names,
    given_names=st.one_of(st.just(""), names),
    nationality=st.sampled_from([c.alpha_2 for c in pycountry.countries]),
    date_of_birth=st.dates(date(1900, 1, 1), date(2020, 12, 31)),  # nobody is born later than today
    sex=st.sampled_from(["M", "F", "U", None]),
    document=st.builds(
        Document,
        type=st.sampled_from(["P", "I", "C"]),
        number=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=9),
        issuing_state=st.sampled_from(["CN", "JP", "KR", "US", "DE"]),
        expiry=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    ),
    port_of_embarkation=st.sampled_from([None, "CNTAO", "CNQIN", "NLRTM"]),
    port_of_disembarkation=st.sampled_from([None, "CNTAO", "KRPUS"]),
)
minutes = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
    lambda at: at.replace(second=0, microsecond=0)
)


@given(
    st.lists(st.tuples(people, st.sampled_from(["crew", "passenger"])), max_size=5),
    st.one_of(st.none(), st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1)),
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
