"""Checked bags through the service layer, on SQLite and PostgreSQL: the airline's bags of its
arriving flight, customs' selection (the owner's risk, the route), the owner called at the exit,
the bag cleared or held, and the hall board's counts and times."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import Bag, Flight
from kouan.adapters.db.tables import AuditEntry
from kouan.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.person_list import Direction, Leg, ListedPerson, ListResult, PersonList
from kouan.domain.person_list import TravelDocument as Doc
from kouan.domain.reasons import render
from kouan.services.passengers import baggage, lists, watchlist
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE
from kouan.web.ui.i18n import translations
from tests.conftest import Clock, People

WATCH_LIST = "id,name,aliases,date_of_birth,nationality,document_number,reason\nW-1,박지훈,,1985-03-14,KR,,wanted\n"  # noqa: E501
LATER = date(2031, 1, 1)
KIM_TAG, PARK_TAG, LEE_TAG = "0180123456", "0180123457", "0180123458"


@pytest.fixture(autouse=True)
def no_random_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate is tested on its own (tests/unit/test_baggage_selection.py): here only rules."""
    baggage.register_templates()
    monkeypatch.setitem(baggage.CUSTOMS_BAG_SELECTION, "random_rate", 0.0)


def _korean(family: str, given: str, born: date, passport: str, **more: Any) -> ListedPerson:
    passports = [Doc("P", passport, "KR", LATER)]
    return ListedPerson(family_name=family, given_names=given, nationality="KR",
                        date_of_birth=born, documents=passports, **more)  # fmt: skip


def _persons() -> list[ListedPerson]:
    return [
        _korean("KIM", "MINJUN", date(1990, 1, 2), "M1234567", bag_tags=[KIM_TAG]),
        _korean("PARK", "JI HOON", date(1985, 3, 14), "M7654321"),
        _korean("LEE", "SOOJIN", date(1992, 5, 5), "M2222222"),
    ]


def flight_row(ctx: ServiceContext, airline_org_id: int | None, number: str, direction: str,
               at: datetime) -> int:  # fmt: skip
    """A flight Kouan knows without a list (another airline's, a departure, a later one)."""
    with ctx.sessions() as session:
        row = Flight(port="TAO", airline_org_id=airline_org_id, number=number,
                     direction=direction, origin="ICN", destination="TAO", route=[],
                     scheduled_at=at, created_at=at)  # fmt: skip
        session.add(row)
        session.commit()
        return row.id


def landed_flight(
    ctx: ServiceContext, people: People, clock: Clock, origin: str = "ICN", hours_ago: float = 1
) -> int:
    """KE845 from `origin`, landed `hours_ago` (its list sent now); the flight's id."""
    arrival = (clock.now - timedelta(hours=hours_ago)).astimezone(PORT_ZONE).replace(tzinfo=None)
    person_list = PersonList(
        reference="KE845-1",
        carrier="KE",
        transport_id="845",
        legs=[Leg("KE845", origin, arrival - timedelta(hours=2), "TAO", arrival)],
        direction=Direction.ARRIVING,
        persons=_persons(),
        source="JSON",
    )
    answer = lists.receive(ctx, people["airline"], ListResult(lists=[person_list]), b"{}")
    shown = lists.get_list(ctx, people["airline"], int(answer["list_id"]))
    return int(shown["flight_id"])


def _send(ctx: ServiceContext, people: People, flight_id: int) -> dict[str, Any]:
    bags: list[dict[str, Any]] = [
        {"tag": KIM_TAG},  # the list names its owner
        {"tag": PARK_TAG, "owner": 2},  # the second person of the list
        {"tag": LEE_TAG, "owner": "Lee/Soojin"},  # a name, as a baggage message writes it
        {"tag": "0180999999", "owner": "SOMEONE ELSE"},  # on no list: kept by name
    ]
    return baggage.receive_bags(ctx, people["airline"], flight_id, bags)


def test_the_bags_of_a_referred_owner_are_selected_and_the_others_released(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    watchlist.import_file(ctx, people["border"], WATCH_LIST.encode(), "watch.csv")
    flight_id = landed_flight(ctx, people, clock)
    answer = _send(ctx, people, flight_id)
    assert (answer["received"], answer["selected"], answer["released"]) == (4, 1, 3)
    assert answer["unmatched"] == ["0180999999"]
    status = {bag["tag"]: bag["status"] for bag in answer["bags"]}
    assert status == {KIM_TAG: "released", PARK_TAG: "selected", LEE_TAG: "released",
                      "0180999999": "released"}  # fmt: skip
    owners = {bag["tag"]: bag["owner_name"] for bag in answer["bags"]}
    assert owners[KIM_TAG] == "KIM MINJUN" and owners[LEE_TAG] == "LEE SOOJIN"
    # The airline learns which bags go to X-ray, never why.
    assert all("reasons" not in bag for bag in answer["bags"])

    seen = baggage.flight_bags(ctx, people["customs"], flight_id)
    park = next(bag for bag in seen["bags"] if bag["tag"] == PARK_TAG)
    (reason,) = park["reasons"]
    assert reason["key"] == "baggage.owner_referred"
    assert reason["text"] == "owner PARK JI HOON is referred by border inspection"
    zh = render(reason["key"], reason["params"], translations("zh").gettext, zh=True)
    assert zh == "旅客 PARK JI HOON 被边检列为待查"


def test_a_route_on_customs_list_selects_every_bag_of_the_flight(
    ctx: ServiceContext, people: People, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(baggage.CUSTOMS_BAG_SELECTION, "routes", ["BKK"])
    flight_id = landed_flight(ctx, people, clock, origin="BKK")
    answer = _send(ctx, people, flight_id)
    assert answer["selected"] == 4
    found = baggage.flight_bags(ctx, people["port_office"], flight_id)["bags"]
    assert {bag["reasons"][0]["text"] for bag in found} == {
        "the flight comes from BKK, a route customs selects"
    }


def test_bad_tags_and_owners_are_refused_naming_each_and_nothing_is_kept(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    flight_id = landed_flight(ctx, people, clock)
    bad: list[dict[str, Any]] = [
        {"tag": "12345", "owner": 1},
        {"tag": PARK_TAG, "owner": 9},
        {"tag": LEE_TAG, "owner": 3},
        {"tag": LEE_TAG, "owner": 3},
        {"tag": "0180000001"},
    ]
    with pytest.raises(ValidationFailed) as refused:
        baggage.receive_bags(ctx, people["airline"], flight_id, bad)
    named = {f.field: f.value for f in refused.value.fields}
    assert named == {"bags[0].tag": "12345", "bags[1].owner": 9, "bags[3].tag": LEE_TAG,
                     "bags[4].owner": None}  # fmt: skip
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Bag)) == 0

    _send(ctx, people, flight_id)
    with pytest.raises(ValidationFailed) as again:
        baggage.receive_bags(ctx, people["airline"], flight_id, [{"tag": KIM_TAG}])
    assert again.value.fields[0].field == "bags[0].tag"
    assert "not yet received" in again.value.fields[0].expected


def test_only_the_flights_airline_sends_its_arriving_bags(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    flight_id = landed_flight(ctx, people, clock)
    with pytest.raises(Forbidden):
        baggage.receive_bags(ctx, people["customs"], flight_id, [{"tag": KIM_TAG}])
    other_id = flight_row(ctx, None, "MU5001", "arriving", clock.now)
    departing_id = flight_row(ctx, people["airline"].org_id, "KE846", "departing", clock.now)
    with pytest.raises(NotFound):
        baggage.receive_bags(ctx, people["airline"], other_id, [{"tag": KIM_TAG, "owner": "X"}])
    with pytest.raises(NotFound):
        baggage.flight_bags(ctx, people["airline"], other_id)
    with pytest.raises(ValidationFailed) as refused:
        baggage.receive_bags(ctx, people["airline"], departing_id, [{"tag": KIM_TAG}])
    assert refused.value.fields[0].field == "flight_id"


def test_an_owner_is_called_at_the_exit_and_the_bag_cleared_or_held_with_times(
    ctx: ServiceContext, people: People, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(baggage.CUSTOMS_BAG_SELECTION, "routes", ["ICN"])
    flight_id = landed_flight(ctx, people, clock)
    bags = {bag["tag"]: bag["id"] for bag in _send(ctx, people, flight_id)["bags"]}

    called = baggage.call_owner(ctx, people["customs"], bags[PARK_TAG])
    assert called["status"] == "called"
    board = baggage.hall_board(ctx, people["customs"])
    (flight,) = board["flights"]
    assert flight["counts"] == {"bags": 4, "selected": 4, "released": 0, "waiting": 4,
                                     "called": 1, "cleared": 0, "held": 0}  # fmt: skip
    names = [(owner["name"], owner["called"]) for owner in flight["to_call"]]
    assert ("PARK JI HOON", True) in names and ("KIM MINJUN", False) in names

    clock.advance(minutes=12)
    baggage.decide_bag(ctx, people["customs"], bags[PARK_TAG], True, "")
    clock.advance(minutes=8)
    with pytest.raises(ValidationFailed) as no_note:
        baggage.decide_bag(ctx, people["customs"], bags[KIM_TAG], False, " ")
    assert no_note.value.fields[0].field == "note"
    held = baggage.decide_bag(ctx, people["customs"], bags[KIM_TAG], False, "undeclared meat")
    assert held["status"] == "held" and held["decided_at"]
    with pytest.raises(InvalidTransition):
        baggage.decide_bag(ctx, people["customs"], bags[KIM_TAG], True, "")
    with pytest.raises(InvalidTransition):
        baggage.call_owner(ctx, people["customs"], bags[PARK_TAG])
    with pytest.raises(Forbidden):
        baggage.decide_bag(ctx, people["airline"], bags[LEE_TAG], True, "")

    (flight,) = baggage.hall_board(ctx, people["port_office"])["flights"]
    assert (flight["counts"]["cleared"], flight["counts"]["held"]) == (1, 1)
    assert flight["median_minutes"] == 16.0  # 12 and 20 minutes after selection
    assert [owner["name"] for owner in flight["to_call"]] == ["LEE SOOJIN", "SOMEONE ELSE"]
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("bag%"))
        ).all()
    assert sorted(actions) == ["bag.called", "bag.decided", "bag.decided", "bags.received"]


def test_the_hall_shows_only_flights_landed_today_and_an_airline_only_its_own(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    landed = landed_flight(ctx, people, clock)
    _send(ctx, people, landed)
    later = clock.now + timedelta(hours=3)
    later_id = flight_row(ctx, people["airline"].org_id, "KE999", "arriving", later)
    baggage.receive_bags(ctx, people["airline"], later_id, [{"tag": "0180555555", "owner": "A B"}])
    shown = baggage.hall_board(ctx, people["customs"])
    assert [f["flight"]["id"] for f in shown["flights"]] == [landed]
    assert baggage.hall_board(ctx, people["customs"], later_id)["flights"] == []
    assert len(baggage.hall_board(ctx, people["airline"])["flights"]) == 1
    with pytest.raises(Forbidden):
        baggage.hall_board(ctx, people["border"])
