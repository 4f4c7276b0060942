"""Contact lists of a confirmed case: seats read as written, seat maps with gaps (no row 13, a
jump between cabins, no letter I, an upper deck), crew zones, bookings and parties, cruises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kouan.domain.contacts import (
    CREW,
    UPPER_DECK,
    Aboard,
    ContactList,
    Seat,
    SeatMap,
    SeatUnreadable,
    Zone,
    contacts,
    locate,
    parse_seat,
    read_seat,
    row_distance,
)
from kouan.domain.reasons import render
from kouan.web.ui.i18n import translations

# An A330 as a Chinese carrier numbers it: business 1-6 ("AC DG HK"), economy from 11 with no
# 13 or 14 and no letter I, narrower at the tail (rows 40-42 without A and K).
A330 = SeatMap(
    zones=(
        Zone("J", 1, 6, "AC DG HK"),
        Zone("Y1", 11, 25, "ABC DEFG HJK"),
        Zone("Y2", 26, 39, "ABC DEFG HJK"),
        Zone("Y2", 40, 42, "BC DEFG HJ"),
    ),
    missing_rows=frozenset({13, 14}),
)
# A 747: main deck rows 1-60, upper deck rows 70-75.
B747 = SeatMap(
    zones=(
        Zone("Y", 1, 60, "ABC DEFG HJK"),
        Zone("UD", 70, 75, "AC DK", deck=UPPER_DECK),
    )
)


def pax(pid: str, seat: str | None = None, **kw: str) -> Aboard:
    return Aboard(id=pid, name=f"Traveller {pid}", seat=seat, **kw)


def crew(pid: str, zone: str | None, seat: str | None = None) -> Aboard:
    return Aboard(id=pid, name=f"Crew {pid}", role=CREW, crew_zone=zone, seat=seat)


def keys(found: ContactList, pid: str) -> list[str]:
    contact = next(c for c in found.contacts if c.person.id == pid)
    return [r.key for r in contact.reasons]


# --- seats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seat"),
    [
        ("12A", Seat(12, "A")),
        ("012C", Seat(12, "C")),
        ("3K", Seat(3, "K")),
        (" 3k ", Seat(3, "K")),
        ("12 A", Seat(12, "A")),
        ("100J", Seat(100, "J")),
    ],
)
def test_seats_are_read_as_airlines_write_them(text: str, seat: Seat) -> None:
    assert parse_seat(text) == seat
    assert str(parse_seat(text)) == f"{seat.row}{seat.letter}"


@pytest.mark.parametrize("text", ["", "A12", "0A", "000B", "12", "12AB", "1234A", "12-A", "１２A"])
def test_what_is_not_a_seat_is_refused(text: str) -> None:
    with pytest.raises(SeatUnreadable):
        parse_seat(text)
    assert read_seat(text) is None


def test_a_seat_map_places_seats_by_physical_rows() -> None:
    twelve, fifteen = locate("12A", A330), locate("15A", A330)
    assert twelve is not None and fifteen is not None
    assert (twelve.zone, fifteen.zone) == ("Y1", "Y1")
    assert row_distance(twelve, fifteen) == 1  # no 13, no 14
    six, eleven = locate("6K", A330), locate("11A", A330)
    assert six is not None and eleven is not None and six.zone == "J"
    assert row_distance(six, eleven) == 1  # across the cabin divider
    # rows and letters the aircraft lacks
    assert locate("13A", A330) is None
    assert locate("12I", A330) is None
    assert locate("2B", A330) is None  # business has no B
    assert locate("41A", A330) is None and locate("41B", A330) is not None  # the tail
    assert locate("43C", A330) is None


def test_without_a_map_each_row_number_is_a_row() -> None:
    twelve, fifteen = locate("12A"), locate("15A")
    assert twelve is not None and fifteen is not None
    assert twelve.zone is None and row_distance(twelve, fifteen) == 3


def test_decks_are_never_neighbours() -> None:
    main, upper = locate("60A", B747), locate("70A", B747)
    assert main is not None and upper is not None and upper.deck == UPPER_DECK
    assert row_distance(main, upper) is None


def test_a_row_on_two_decks_is_refused() -> None:
    with pytest.raises(ValueError, match="two decks"):
        SeatMap((Zone("Y", 1, 10, "ABC"), Zone("U", 10, 12, "AC", deck=UPPER_DECK)))


# --- the contact list -------------------------------------------------------------------------


def test_seats_within_two_rows_either_side_counting_rows_that_exist() -> None:
    case = pax("case", "12C")
    seats = ["6A", "11K", "12A", "12D", "15J", "16B", "17C", "13A", "25K", "12I", "41A"]
    persons = [pax(s, s) for s in seats]
    found = contacts(case, persons, rows=2, seat_map=A330)
    assert found.ids() == ["6A", "11K", "12A", "12D", "15J", "16B"]
    assert keys(found, "12A") == ["contact.same_row"]
    assert keys(found, "15J") == ["contact.seat_rows"]
    near = next(c for c in found.contacts if c.person.id == "15J")
    assert near.rows == 1 and near.reasons[0].text == "seat 15J, 1 row(s) from the case's seat 12C"
    # seats the aircraft lacks are listed for a check by hand, not guessed at
    assert [p.id for p in found.unplaced] == ["13A", "12I", "41A"]


def test_without_a_map_rows_are_counted_by_number() -> None:
    found = contacts(pax("case", "12C"), [pax(s, s) for s in ["10A", "14F", "15A", "9K"]])
    assert found.ids() == ["10A", "14F"]


def test_the_upper_deck_is_traced_on_its_own() -> None:
    case = pax("case", "71A")
    found = contacts(case, [pax(s, s) for s in ["60A", "59K", "73K", "74C"]], seat_map=B747)
    assert found.ids() == ["73K"]


def test_n_rows_is_configurable() -> None:
    persons = [pax(s, s) for s in ["12A", "11A", "16A", "17A"]]
    assert contacts(pax("case", "12C"), persons, rows=0, seat_map=A330).ids() == ["12A"]
    assert contacts(pax("case", "12C"), persons, rows=3, seat_map=A330).ids() == [
        "12A",
        "11A",
        "16A",
        "17A",
    ]
    with pytest.raises(ValueError):
        contacts(pax("case", "12C"), persons, rows=-1)


def test_same_booking_or_party_anywhere_aboard() -> None:
    case = pax("case", "12C", booking="QX7K2P", party="Tour CTS-0425")
    persons = [
        pax("spouse", "35A", booking="qx7k2p "),
        pax("infant", None, booking="QX7K2P"),  # on a lap: no seat of its own
        pax("group", "40B", party="tour cts-0425"),
        pax("stranger", "38A", booking="ZZ1111"),
    ]
    found = contacts(case, persons, seat_map=A330)
    assert found.ids() == ["spouse", "infant", "group"]
    assert keys(found, "spouse") == ["contact.booking"]
    assert found.contacts[0].reasons[0].text == "same booking QX7K2P"
    assert found.unplaced == ()


def test_the_crew_of_the_case_cabin_zone() -> None:
    case = pax("case", "12C")
    persons = [crew("purser", "J"), crew("y1-a", "Y1"), crew("y1-b", " y1"), crew("captain", None)]
    found = contacts(case, persons, seat_map=A330)
    assert found.ids() == ["y1-a", "y1-b"]
    assert keys(found, "y1-a") == ["contact.crew_zone"]


def test_every_cabin_crew_member_when_the_case_zone_cannot_be_told() -> None:
    persons = [crew("purser", "J"), crew("y1", "Y1"), crew("captain", None)]
    found = contacts(pax("case", "12C"), persons)  # no map: no zones
    assert found.ids() == ["purser", "y1"]
    assert keys(found, "purser") == ["contact.crew_zone_unknown"]


def test_a_cabin_crew_case_names_its_zone_and_those_it_served() -> None:
    case = crew("case", "Y2")
    persons = [pax("27A", "27A"), pax("12A", "12A"), crew("y2", "Y2"), crew("j", "J")]
    found = contacts(case, persons, seat_map=A330)
    assert found.ids() == ["27A", "y2"]
    assert keys(found, "27A") == ["contact.served_by_case"]


def test_cruise_cabin_deck_and_dining_group() -> None:
    case = pax("case", deck="7", cabin="7123", dining_group="Main 1st sitting, table 42")
    persons = [
        pax("cabinmate", deck="7", cabin="7123"),
        pax("neighbour", deck="7", cabin="7125"),
        pax("table", deck="9", cabin="9001", dining_group="main 1st sitting, table 42"),
        pax("elsewhere", deck="10", cabin="10010", dining_group="Late sitting, table 3"),
    ]
    found = contacts(case, persons)
    assert found.ids() == ["cabinmate", "neighbour", "table"]
    assert keys(found, "cabinmate") == ["contact.cabin", "contact.deck"]
    assert keys(found, "table") == ["contact.dining_group"]


def test_the_case_is_never_its_own_contact_and_each_person_counts_once() -> None:
    case = pax("case", "12C", booking="QX7K2P")
    persons = [case, pax("a", "12A"), pax("a", "12A"), pax("case", "12C")]
    assert contacts(case, persons, seat_map=A330).ids() == ["a"]


def test_the_list_is_json_for_an_alert_and_reads_in_chinese() -> None:
    case = pax("case", "12C", booking="QX7K2P")
    found = contacts(case, [pax("a", "13A"), pax("b", "11A", booking="QX7K2P")], seat_map=A330)
    payload = json.loads(json.dumps(found.as_dict()))
    assert payload["case"] == {
        "id": "case",
        "name": "Traveller case",
        "role": "passenger",
        "seat": "12C",
        "zone": "Y1",
    }
    assert payload["unplaced"] == [{"id": "a", "name": "Traveller a", "seat": "13A"}]
    (b,) = payload["contacts"]
    assert b["text"] == "seat 11A, 1 row(s) from the case's seat 12C; same booking QX7K2P"
    zh = translations("zh").gettext
    rendered = [render(r["key"], r["params"], zh, zh=True) for r in b["reasons"]]
    assert rendered == ["座位 11A，与病例座位 12C 相隔 1 排", "同一订座记录 QX7K2P"]


# --- properties -------------------------------------------------------------------------------

_ROWS = [r for r in range(1, 43) if r not in (7, 8, 9, 10, 13, 14)]
_SEATS = st.builds(
    lambda row, letter: f"{row}{letter}",
    st.sampled_from([*_ROWS, 70, 71]),  # 70 and 71: not on the A330
    st.sampled_from(list("ABCDEFGHJK")),
)
_MAPS = st.sampled_from([A330, B747, None])


@given(a=_SEATS, b=_SEATS, rows=st.integers(0, 5), seat_map=_MAPS)
def test_seat_contact_is_symmetric(a: str, b: str, rows: int, seat_map: SeatMap | None) -> None:
    one, other = pax("one", a), pax("other", b)
    forward = contacts(one, [other], rows=rows, seat_map=seat_map).ids()
    backward = contacts(other, [one], rows=rows, seat_map=seat_map).ids()
    assert (forward == ["other"]) == (backward == ["one"])


@given(
    seats=st.lists(_SEATS, max_size=30),
    case_seat=_SEATS,
    rows=st.integers(0, 4),
    seat_map=_MAPS,
)
def test_a_case_is_never_its_own_contact_and_more_rows_list_more(
    seats: list[str], case_seat: str, rows: int, seat_map: SeatMap | None
) -> None:
    case = pax("case", case_seat, booking="PNR1")
    persons = [
        case,
        *(pax(f"p{i}", s, booking="PNR1" if i % 7 == 0 else None) for i, s in enumerate(seats)),
    ]
    found = contacts(case, persons, rows=rows, seat_map=seat_map)
    assert "case" not in found.ids()
    wider = contacts(case, persons, rows=rows + 1, seat_map=seat_map)
    assert set(found.ids()) <= set(wider.ids())
