"""The demo's passengers: a week of flights at TAO and two cruise calls, their lists, seats, bags
and health declarations, the watch list with travellers planted under other spellings, and the
week's epidemic alert (kouan.demo.passengers). Small scales keep the suite quick; what the full
week looks like is checked on one day."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import UTC, date, timedelta
from functools import cache

import iuliia
import pytest

from kouan.demo import passengers as demo
from kouan.demo.passengers import DemoCruise, DemoFlight, DemoWatchList
from kouan.domain import identifiers
from kouan.domain.contacts import locate, parse_seat, row_distance
from kouan.domain.health import referral_reasons
from kouan.domain.names import Identity, document_key, japanese, match
from kouan.domain.person_list import (
    Direction,
    ListedPerson,
    ListKind,
    PersonList,
    Role,
    read_json,
)

WEEK = date(2025, 6, 9)  # a Monday
SCALE = 0.1


@cache
def flights() -> tuple[DemoFlight, ...]:
    return tuple(demo.flight_lists(WEEK, scale=SCALE))


@cache
def cruises() -> tuple[DemoCruise, ...]:
    return tuple(demo.cruise_lists(WEEK, scale=SCALE))


@cache
def watched() -> DemoWatchList:
    return demo.watch_list(flights(), cruises())


def lists() -> list[tuple[str, PersonList, tuple[demo.Imperfection, ...]]]:
    found = []
    journeys: list[DemoFlight | DemoCruise] = [*flights(), *cruises()]
    for journey in journeys:
        for person_list in (journey.passengers, journey.crew):
            found.append((journey.key, person_list, journey.imperfections))
    return found


def listed(journey: str, kind: ListKind, index: int) -> ListedPerson:
    for key, person_list, _ in lists():
        if key == journey and person_list.kind is kind:
            return person_list.persons[index]
    raise LookupError(journey)


# --- determinism and sizes --------------------------------------------------------------------


def test_the_same_seed_makes_the_same_week_and_another_seed_another() -> None:
    one = [f.passengers.as_dict() for f in demo.flight_lists(WEEK, days=2, scale=0.05)]
    again = [f.passengers.as_dict() for f in demo.flight_lists(WEEK, days=2, scale=0.05)]
    other = [f.passengers.as_dict() for f in demo.flight_lists(WEEK, days=2, seed=7, scale=0.05)]
    assert one == again
    assert one != other
    rows = demo.watch_list_rows(flights(), cruises())
    assert rows == demo.watch_list_rows(flights(), cruises())


def test_a_full_day_of_flights_fills_its_aircraft_to_their_usual_loads() -> None:
    day = demo.flight_lists(WEEK + timedelta(days=2), days=1)
    assert 12 <= len(day) <= 16
    assert {f.direction for f in day} == set(Direction)
    for flight in day:
        layout = demo.seat_layouts()[flight.seat_map]
        seated = [p for p in flight.passengers.persons if p.seat is not None]
        assert 0.6 * layout.capacity <= len(seated) <= layout.capacity
        assert len(flight.crew.persons) == layout.pilots + layout.cabin_crew


def test_scale_shrinks_the_lists_but_not_the_flights() -> None:
    small = demo.flight_lists(WEEK, days=1, scale=0.05)
    assert len(small) == len(demo.flight_lists(WEEK, days=1, scale=0.5))
    assert all(len(f.passengers.persons) <= 20 for f in small)
    sizes = [len(c.passengers.persons) for c in cruises()]
    assert sizes == pytest.approx([150, 250], abs=8)
    assert [len(c.crew.persons) for c in cruises()] == [62, 100]


def test_passengers_and_crews_have_their_roles_and_journey() -> None:
    for _, person_list, _ in lists():
        role = Role.CREW if person_list.kind is ListKind.CREW else Role.PASSENGER
        assert {p.role for p in person_list.persons} == {role}
        assert person_list.declared_count == len(person_list.persons)
        assert person_list.transport_id
        if role is Role.CREW:
            assert all(p.rank for p in person_list.persons)
    ranks = Counter(p.rank for f in flights() for p in f.crew.persons)
    assert ranks["Captain"] == ranks["Purser"] == len(flights())


def test_flights_are_scheduled_in_utc_and_their_legs_in_local_times() -> None:
    for flight in flights():
        assert flight.scheduled_at.tzinfo is UTC
        leg = flight.passengers.legs[0]
        local = flight.scheduled_at + timedelta(hours=8)  # Asia/Shanghai keeps no summer time
        at_tao = leg.arrival_at if flight.direction is Direction.ARRIVING else leg.departure_at
        assert at_tao == local.replace(tzinfo=None)
        here = leg.arrival_place if flight.direction is Direction.ARRIVING else leg.departure_place
        assert here == "TAO"
        assert WEEK <= flight.local_day < WEEK + timedelta(days=7)


def test_the_lists_survive_json_and_make_strict_persons() -> None:
    for _, person_list, _ in lists()[:12]:
        read = read_json(json.loads(json.dumps(person_list.as_dict())))
        assert read.status == "accepted"
        again = read.lists[0]
        assert [w.key for w in again.all_warnings()] == [w.key for w in person_list.all_warnings()]
        for mine, theirs in zip(person_list.persons, again.persons, strict=True):
            assert mine.person_fields() == theirs.person_fields()
            mine.to_person()


# --- seats, families, bags --------------------------------------------------------------------


def test_seat_maps_are_valid_and_varied() -> None:
    layouts = demo.seat_layouts()
    for name, layout in layouts.items():
        seat_map = demo.seat_map(name)
        for seat, zone in layout.seats("J") + layout.seats("Y"):
            place = seat_map.place(parse_seat(seat))
            assert place is not None and place.zone == zone
    assert any(13 in layout.missing_rows for layout in layouts.values())
    assert all("I" not in zone.layout for layout in layouts.values() for zone in layout.zones)
    assert layouts["A333"].capacity > 250 > layouts["A321"].capacity


def test_every_passenger_sits_on_the_map_once_but_infants_on_a_lap() -> None:
    for flight in flights():
        seat_map = demo.seat_map(flight.seat_map)
        seats = [p.seat for p in flight.passengers.persons if p.seat is not None]
        assert len(seats) == len(set(seats))
        assert all(locate(seat, seat_map) is not None for seat in seats)
        for person in flight.passengers.persons:
            if person.seat is None:  # an infant: under two, no bag
                assert person.date_of_birth is not None
                assert flight.local_day - person.date_of_birth < timedelta(days=731)
                assert not person.bag_tags


def test_families_share_a_booking_and_sit_together() -> None:
    families = [(f, family) for f in flights() for family in f.families]
    assert families
    for flight, family in families:
        people = [flight.passengers.persons[n] for n in family]
        assert len(people) >= 3
        assert len({p.booking_reference for p in people}) == 1
        seat_map = demo.seat_map(flight.seat_map)
        places = [place for p in people if (place := locate(p.seat, seat_map)) is not None]
        assert len(places) >= 2
        assert all(row_distance(places[0], place) in (0, 1) for place in places)


def test_tour_groups_travel_on_one_booking() -> None:
    groups: dict[str, set[str | None]] = {}
    for flight in flights():
        for person in flight.passengers.persons:
            if person.party:
                groups.setdefault(person.party, set()).add(person.booking_reference)
    assert groups
    assert all(len(bookings) == 1 for bookings in groups.values())


def test_bag_tags_are_iata_license_plates_of_the_airline_and_unique() -> None:
    tags = [bag.tag for f in flights() for bag in f.bags]
    assert tags and len(tags) == len(set(tags))
    for flight in flights():
        prefix = next(s.prefix for s in demo.schedule() if s.number == flight.number)
        for bag in flight.bags:
            assert re.fullmatch(rf"0{prefix}\d{{6}}", bag.tag)
            assert bag.tag in flight.passengers.persons[bag.owner].bag_tags
        counts = Counter(len(p.bag_tags) for p in flight.passengers.persons)
        assert max(counts) <= 3


def test_cabin_crew_serve_the_zones_of_their_aircraft() -> None:
    for flight in flights():
        zones = demo.seat_layouts()[flight.seat_map].zone_names
        assert set(flight.crew_zones.values()) <= set(zones)
        for index in flight.crew_zones:
            assert flight.crew.persons[index].rank in ("Purser", "Flight Attendant")


# --- cruises ----------------------------------------------------------------------------------


def test_cruise_passengers_have_deck_cabin_dining_and_tour_groups() -> None:
    for cruise in cruises():
        assert cruise.eta.date() >= WEEK
        assert cruise.eta < cruise.etd < cruise.eta + timedelta(days=1)
        people = cruise.passengers.persons
        assert all(p.deck and p.cabin and p.dining_group for p in people)
        assert max(Counter(p.cabin for p in people).values()) <= 4
        assert 0.2 < sum(1 for p in people if p.tour_group) / len(people) < 0.8
        assert all(p.transit is (not cruise.turnaround) for p in people)
        assert all(p.rank and p.cabin for p in cruise.crew.persons)
    turnaround = next(c for c in cruises() if c.turnaround)
    assert all(p.disembarkation == "CNTAO" for p in turnaround.passengers.persons)


# --- imperfections ----------------------------------------------------------------------------


def test_only_the_planted_imperfections_are_warned_about() -> None:
    seen: Counter[str] = Counter()
    for _, person_list, imperfections in lists():
        planted = {i.index: i.what for i in imperfections if i.list_kind is person_list.kind}
        assert not person_list.warnings
        for n, person in enumerate(person_list.persons):
            keys = {w.key for w in person.warnings}
            expected = {"no_document": {"list.no_document"}, "no_expiry": {"list.no_expiry"}}
            assert keys == expected.get(planted.get(n, ""), set()), (person_list.reference, n)
        for n, what in planted.items():
            seen[what] += 1
            assert_imperfect(person_list.persons[n], what, person_list)
    assert set(seen) == {"no_document", "no_expiry", "expired_passport", "no_visa"}


def assert_imperfect(person: ListedPerson, what: str, person_list: PersonList) -> None:
    arrival = person_list.legs[0].arrival_at
    assert arrival is not None
    if what == "expired_passport":
        expiry = person.documents[0].expiry
        assert expiry is not None and expiry < arrival.date()
    if what == "no_visa":
        assert demo.name_books()[person.nationality or ""].visa
        assert all(d.type != "V" for d in person.documents)


def test_everyone_else_who_needs_a_visa_has_one() -> None:
    for _, person_list, imperfections in lists():
        planted = {i.index for i in imperfections if i.list_kind is person_list.kind}
        for n, person in enumerate(person_list.persons):
            needs = demo.name_books()[person.nationality or ""].visa
            if needs and person.role is Role.PASSENGER and n not in planted:
                assert [d.type for d in person.documents] == ["P", "V"]


# --- the watch list ---------------------------------------------------------------------------


def test_the_watch_list_follows_the_csv_contract_in_several_scripts() -> None:
    rows = watched().rows
    assert len(rows) == 3000
    assert len({row["id"] for row in rows}) == 3000
    for row in rows:
        assert tuple(row) == demo.WATCH_LIST_COLUMNS
        assert row["name"]
        assert re.fullmatch(r"(\d{4}(-\d{2}-\d{2})?)?", row["date_of_birth"])
        if row["nationality"]:
            assert identifiers.validate_country(row["nationality"]) == row["nationality"]
    text = " ".join(row["name"] + row["aliases"] for row in rows)
    scripts = {
        "Hangul": "[\uac00-\ud7a3]",
        "Han": "[\u4e00-\u9fff]",
        "kana": "[\u3040-\u30ff]",
        "Cyrillic": "[\u0400-\u04ff]",
        "Thai": "[\u0e00-\u0e7f]",
        "Latin": "[A-Z]",
    }
    assert all(re.search(pattern, text) for pattern in scripts.values())
    read = list(csv.DictReader(demo.watch_list_csv(rows).splitlines()))
    assert read == rows


def test_planted_travellers_are_aboard_written_otherwise_and_found() -> None:
    planted = watched().planted
    rows = {row["id"]: row for row in watched().rows}
    documents = [p for p in planted if p.variant.endswith("_document")]
    assert 8 <= len(planted) - len(documents) <= 12
    assert 2 <= len(documents) <= 3
    assert len({p.variant for p in planted}) >= 8
    for mark in planted:
        person, row = listed(mark.journey, mark.list_kind, mark.index), rows[mark.entry_id]
        names = [row["name"], *filter(None, row["aliases"].split(";"))]
        assert person.full_name.casefold() not in {n.casefold() for n in names}
        travel = person.travel_document()
        assert travel is not None
        if mark.variant.endswith("_document"):
            assert document_key(row["document_number"]) == document_key(travel.number)
        identity = Identity.of(
            names, row["date_of_birth"] or None, row["nationality"] or None, row["document_number"]
        )
        me = Identity.of(person.full_name, person.date_of_birth, person.nationality, travel.number)
        assert match(me, identity).hit, (mark, person.full_name, names)


def test_the_other_entries_name_nobody_aboard_with_their_birth() -> None:
    planted = {p.entry_id for p in watched().planted}
    aboard = {
        (p.full_name, p.date_of_birth.isoformat() if p.date_of_birth else "")
        for _, person_list, _ in lists()
        for p in person_list.persons
    }
    for row in watched().rows:
        if row["id"] not in planted:
            assert (row["name"], row["date_of_birth"]) not in aboard


# --- health -----------------------------------------------------------------------------------


def test_the_alert_is_active_all_week_and_touches_flights_from_its_areas() -> None:
    alert = demo.epidemic_alert(WEEK)
    assert all(alert.active_on(WEEK + timedelta(days=n)) for n in range(7))
    arriving = [f for f in flights() if f.direction is Direction.ARRIVING]
    touched = [f for f in arriving if demo.touched(alert, f.route(), f.local_day)]
    assert touched and len(touched) < len(arriving) / 2
    assert {f.far_country for f in touched} == {"JP", "TH"}
    assert all(demo.touched(alert, c.route(), c.eta.date()) for c in cruises())


def test_arriving_travellers_declare_their_health_and_a_few_are_referred() -> None:
    alert = demo.epidemic_alert(WEEK)
    found: Counter[str] = Counter()
    for flight in flights():
        if flight.direction is Direction.DEPARTING:
            assert not flight.health
            continue
        assert sorted(flight.health) == list(range(len(flight.passengers.persons)))
        for n, declaration in flight.health.items():
            assert declaration.person_id == n
            for reason in referral_reasons(declaration, flight.local_day, [alert]):
                found[reason.key] += 1
    assert found["health.fever"] >= 2  # the planted ones, on flights from Japan
    assert found["health.ill_contact"] >= 1
    assert found["health.alert_area_visited"] > 0


def test_a_stay_in_an_alert_area_is_declared_on_a_flight_the_alert_does_not_touch() -> None:
    alert = demo.epidemic_alert(WEEK)
    first = next(f for f in flights() if f.number == "KE845")
    assert not demo.touched(alert, first.route(), first.local_day)
    visited = [
        d
        for d in first.health.values()
        if any(
            r.key == "health.alert_area_visited"
            for r in referral_reasons(d, first.local_day, [alert])
        )
    ]
    assert visited


# --- the names the travellers are made of -----------------------------------------------------


def test_native_names_and_passport_spellings_agree() -> None:
    books = demo.name_books()
    for name in (*books["RU"].family, *books["RU"].men, *books["RU"].women):
        assert iuliia.ICAO_DOC_9303.translate(name.home).upper() == name.latin
    for name in (*books["JP"].family, *books["JP"].men, *books["JP"].women):
        assert name.latin in japanese.spellings(name.native[1])
    for book in books.values():
        assert len(book.family) * len(book.men) >= 30
        assert re.fullmatch(r"[A-Z0-9#@]+", book.passport)
