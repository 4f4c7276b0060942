"""Crossings through the service layer, on SQLite and PostgreSQL: each person's crossing at a
counter or e-gate found on today's lists, a referred person held and shown to the officer at
once, the figures measured from the crossings, and a pre-cleared cruise call released by group."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kouan.domain.agency import Decision
from kouan.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.person_list import Direction, Leg, ListedPerson, ListResult, PersonList
from kouan.domain.person_list import TravelDocument as Doc
from kouan.services.passengers import crossings, lists, watchlist
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.site import PORT_ZONE
from tests.conftest import Clock, People

WATCH_LIST = (
    "id,name,aliases,date_of_birth,nationality,document_number,reason\n"
    "W-1,박지훈,,1985-03-14,KR,,wanted\n"
).encode()
LATER = date(2031, 1, 1)
DECK_5 = {"deck": "5", "tour_group": "A"}


def _person(
    family: str, given: str, state: str, born: date, passport: str, **more: Any
) -> ListedPerson:
    return ListedPerson(family_name=family, given_names=given, nationality=state,
                        date_of_birth=born, documents=[Doc("P", passport, state, LATER)],
                        **more)  # fmt: skip


def _send(ctx: ServiceContext, people: People, who: str, person_list: PersonList) -> int:
    """The list sent by `who`; its id."""
    answer = lists.receive(ctx, people[who], ListResult(lists=[person_list]), b"{}")
    assert answer["status"] == "accepted", answer
    return int(answer["list_id"])


def _flight(ctx: ServiceContext, people: People, clock: Clock) -> tuple[int, int]:
    """KE845 from Incheon landed an hour ago: Kim and Lee cleared, Park on the watch list.
    The list's and the flight's ids."""
    watchlist.import_file(ctx, people["border"], WATCH_LIST, "watch.csv")
    arrival = (clock.now - timedelta(hours=1)).astimezone(PORT_ZONE).replace(tzinfo=None)
    list_id = _send(ctx, people, "airline", PersonList(
        carrier="KE", transport_id="845", direction=Direction.ARRIVING, source="JSON",
        legs=[Leg("KE845", "ICN", arrival - timedelta(hours=2), "TAO", arrival)],
        persons=[
            _person("KIM", "MINJUN", "KR", date(1990, 1, 2), "M1234567"),
            _person("PARK", "JI HOON", "KR", date(1985, 3, 14), "M7654321"),
            _person("LEE", "SOOJIN", "KR", date(1992, 5, 5), "M2222222"),
        ],
    ))  # fmt: skip
    return list_id, int(lists.get_list(ctx, people["border"], list_id)["flight_id"])


def _clear(ctx: ServiceContext, people: People, list_id: int, label: str) -> None:
    """Border inspection clears the referred person `label` of the list."""
    queue = reviews.list_reviews(ctx, people["border"], status=None)
    review = next(
        r for r in queue if r["subject_type"] == "person_list" and r["subject_id"] == list_id
    )
    found = next(t for t in review["targets"] if t["label"] == label)
    reviews.decide_target(ctx, people["border"], review["id"], found["id"], Decision.APPROVE, "")


def _cross(
    ctx: ServiceContext, people: People, counter: str, document: str, **times: Any
) -> dict[str, Any]:
    return crossings.record_crossing(
        ctx, people["border"], "TAO", counter, "arriving", document_number=document, **times
    )


def test_a_cleared_passenger_passes_and_a_referred_one_is_held_and_shown_at_once(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    list_id, _ = _flight(ctx, people, clock)
    passed = _cross(
        ctx, people, "E-GATE-03", "m123 4567", queued_at=clock.now - timedelta(minutes=9)
    )
    assert passed["outcome"] == "passed" and passed["name"] == "KIM MINJUN"
    assert passed["minutes"] == 9.0 and passed["journey"]["label"] == "KE845 ICN-TAO"
    assert "person" not in passed  # a passed person's record is not shown

    held = _cross(ctx, people, "counter-12", "M7654321")
    assert held["outcome"] == "held" and held["counter"] == "COUNTER-12"
    assert held["person"]["status"] == "referred"
    assert [hit["entry_id"] for hit in held["person"]["hits"]] == ["W-1"]
    (referral,) = held["referrals"]
    assert referral["agency"] == "BORDER" and referral["rules_hit"] == ["BORDER-LIST-WATCH"]
    assert "matches watch-list entry W-1" in referral["reasons"][0]["text"]

    screen = crossings.counter_view(ctx, people["border"], "COUNTER-12")
    assert [p["name"] for p in screen["presenting"]] == ["PARK JI HOON"]
    assert screen["presenting"][0]["referrals"][0]["agency"] == "BORDER"
    assert [c["outcome"] for c in screen["crossings"]] == ["held"]

    _clear(ctx, people, list_id, "PARK JI HOON")
    clock.advance(minutes=15)
    again = _cross(ctx, people, "COUNTER-12", "M7654321")
    assert again["outcome"] == "passed"
    screen = crossings.counter_view(ctx, people["border"], "COUNTER-12")
    assert screen["presenting"] == [] and len(screen["crossings"]) == 2


def test_a_document_on_no_list_of_today_is_recorded_and_said_to_be_so(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _flight(ctx, people, clock)
    answer = _cross(ctx, people, "COUNTER-01", "X0000000")
    assert answer["outcome"] == "passed" and answer["on_list"] is False
    assert answer["person_id"] is None
    # Tomorrow the same flight is no longer today's: Kim is on no list.
    clock.advance(days=2)
    assert _cross(ctx, people, "COUNTER-01", "M1234567")["on_list"] is False


def test_what_cannot_be_a_crossing_is_refused_naming_each_field(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _flight(ctx, people, clock)
    with pytest.raises(ValidationFailed) as refused:
        crossings.record_crossing(
            ctx, people["border"], "T", "", "sideways", document_number="M1234567", person_id=1,
            queued_at=clock.now + timedelta(hours=1), crossed_at=clock.now + timedelta(hours=1),
        )  # fmt: skip
    assert sorted(f.field for f in refused.value.fields) == [
        "counter", "crossed_at", "direction", "document_number", "port",
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as late:
        _cross(ctx, people, "COUNTER-01", "M1234567", queued_at=clock.now,
               crossed_at=clock.now - timedelta(minutes=1))  # fmt: skip
    assert [f.field for f in late.value.fields] == ["queued_at"]
    with pytest.raises(NotFound):
        crossings.record_crossing(ctx, people["border"], "TAO", "C1", "arriving", person_id=99999)
    with pytest.raises(Forbidden):
        crossings.record_crossing(ctx, people["customs"], "TAO", "C1", "arriving", person_id=1)


def test_passengers_per_hour_and_clearance_minutes_are_measured_from_the_crossings(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _, flight_id = _flight(ctx, people, clock)
    start = clock.now - timedelta(minutes=50)
    # Queued at 0, 5 and 10 minutes, crossed at 10, 25 and 40: 10, 20 and 30 minutes each.
    for n, document in enumerate(("M1234567", "M2222222", "X0000001")):
        _cross(ctx, people, "E-GATE-01", document, queued_at=start + timedelta(minutes=5 * n),
               crossed_at=start + timedelta(minutes=10 + 15 * n))  # fmt: skip
    _cross(ctx, people, "E-GATE-01", "M7654321", crossed_at=start + timedelta(minutes=41))
    figures = crossings.journey_figures(ctx, people["port_office"], flight_id=flight_id)
    # The unlisted crossing is the gate's, not the flight's: two passed over 25 minutes.
    assert (figures["passed"], figures["held"]) == (2, 1)
    assert figures["median_minutes"] == 15.0 and figures["passengers_per_hour"] == 4.8
    gate = crossings.counter_view(ctx, people["border"], "E-GATE-01")["figures"]
    assert gate["passed"] == 3 and gate["median_minutes"] == 20.0
    assert gate["passengers_per_hour"] == 4.5  # three in the 40 minutes from the first queueing
    assert [h["passed"] for h in gate["by_hour"]] == [3]
    with pytest.raises(NotFound):
        crossings.journey_figures(ctx, people["border"], flight_id=flight_id + 100)
    with pytest.raises(Forbidden):
        crossings.journey_figures(ctx, people["airline"], flight_id=flight_id)


# --- cruise calls -----------------------------------------------------------------------------


def _cruise(ctx: ServiceContext, people: People, clock: Clock) -> tuple[int, int]:
    """STAR VOYAGER's call, arrived an hour ago: deck 5 (tour A: two Japanese, one American
    without a visa, so referred), deck 7 (tour B: one Korean). The list's and the call's ids."""
    arrival = (clock.now - timedelta(hours=1)).astimezone(PORT_ZONE).replace(tzinfo=None)
    list_id = _send(ctx, people, "cruise", PersonList(
        carrier="SV", transport_id="SV2611", direction=Direction.ARRIVING, source="XLSX",
        legs=[Leg("SV2611", "KRPUS", arrival - timedelta(hours=20), "CNTAO", arrival)],
        persons=[
            _person("TANAKA", "HIROSHI", "JP", date(1960, 1, 1), "TK1000", **DECK_5),
            _person("TANAKA", "YUKO", "JP", date(1962, 2, 2), "TK1001", **DECK_5),
            _person("SMITH", "ANNA", "US", date(1970, 3, 3), "561234567", **DECK_5),
            _person("CHOI", "YUNA", "KR", date(1988, 8, 8), "M1111111", deck="7", tour_group="B"),
        ],
    ))  # fmt: skip
    return list_id, int(lists.get_list(ctx, people["border"], list_id)["cruise_call_id"])


def test_a_pre_cleared_cruise_call_goes_ashore_by_group_with_its_exceptions_aboard(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    list_id, call_id = _cruise(ctx, people, clock)
    deck = crossings.release_group(ctx, people["border"], call_id, deck="5")
    assert (deck["persons"], deck["released"], deck["already_released"]) == (3, 2, 0)
    (smith,) = deck["exceptions"]
    assert smith["name"] == "SMITH ANNA" and smith["referrals"][0]["rules_hit"] == [
        "BORDER-LIST-VISA"
    ]
    assert deck["released_at"] == clock.now.isoformat()
    # Queued since the ship's arrival an hour ago: 60 minutes each.
    assert deck["figures"]["passed"] == 2 and deck["figures"]["median_minutes"] == 60.0
    assert deck["figures"]["passengers_per_hour"] == 2.0

    clock.advance(minutes=30)
    _clear(ctx, people, list_id, "SMITH ANNA")
    tour = crossings.release_group(ctx, people["border"], call_id, tour_group="A")
    assert (tour["released"], tour["already_released"], tour["exceptions"]) == (1, 2, [])
    ship = crossings.release_group(ctx, people["border"], call_id)
    assert (ship["persons"], ship["released"], ship["already_released"]) == (4, 1, 3)
    figures = crossings.journey_figures(ctx, people["port_office"], cruise_call_id=call_id)
    assert figures["passed"] == 4 and figures["passengers_per_hour"] == 2.7  # 4 in 90 minutes


def test_a_release_needs_a_list_a_real_group_and_border_inspection(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _, call_id = _cruise(ctx, people, clock)
    with pytest.raises(ValidationFailed) as nobody:
        crossings.release_group(ctx, people["border"], call_id, deck="12")
    assert nobody.value.fields[0].field == "deck"
    with pytest.raises(Forbidden):
        crossings.release_group(ctx, people["cruise"], call_id)
    with pytest.raises(NotFound):
        crossings.release_group(ctx, people["border"], call_id + 100)
    departing = PersonList(
        carrier="SV", transport_id="SV2612", direction=Direction.DEPARTING,
        legs=[Leg("SV2612", "CNTAO", clock.now.replace(tzinfo=None), "JPFUK", None)],
        persons=[_person("TANAKA", "HIROSHI", "JP", date(1960, 1, 1), "TK1000")],
    )  # fmt: skip
    other = int(lists.get_list(ctx, people["border"], _send(ctx, people, "cruise", departing))[
        "cruise_call_id"
    ])  # fmt: skip
    with pytest.raises(InvalidTransition):
        crossings.release_group(ctx, people["border"], other)
