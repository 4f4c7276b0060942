"""A cruise call and its ship's port call are linked, whichever is filed first, and the port
call's FAL 6 is the cruise line's list, by reference."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kouan.adapters import paxlst
from kouan.domain.person_list import (
    Direction,
    Leg,
    ListedPerson,
    ListKind,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
)
from kouan.services.passengers import lists
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice

SHIP = {"name": "COSTA SERENA", "ship_type": "passenger ship (cruise)"}


def _voyage(vessel: str, berth: datetime, persons: int = 3) -> PersonList:
    guests = [
        ListedPerson(
            role=Role.PASSENGER,
            family_name=f"PARK{n}",
            given_names="Jiwoo",
            nationality="KR",
            date_of_birth=date(1980, 5, 17),
            documents=[TravelDocument("P", f"M{n:08d}", "KR", date(2031, 1, 1))],
        )
        for n in range(persons)
    ]
    local = berth.replace(tzinfo=None) + timedelta(hours=8)  # the list gives port time
    return PersonList(
        kind=ListKind.PASSENGERS,
        reference="CS2612",
        carrier="COSTA",
        transport_id="CS2612",
        vessel=vessel,
        legs=[Leg("CS2612", "KRPUS", local - timedelta(hours=20), "CNTAO", local)],
        direction=Direction.ARRIVING,
        persons=guests,
        source="JSON",
    )


def test_a_cruise_lines_list_becomes_the_filed_port_calls_fal_6(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now, ship=SHIP, passengers=[])
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    assert call["passenger_lists"] == []
    # The line's ETA is three hours after the agent's: the same visit.
    voyage = _voyage("Costa Serena", notice.eta + timedelta(hours=3))
    answer = lists.receive(ctx, people["cruise"], ListResult(lists=[voyage]), b"")
    assert answer["status"] == "accepted"
    for reader in ("agent", "border"):
        linked = portcalls.get_port_call(ctx, people[reader], call["id"])["passenger_lists"]
        assert [(x["id"], x["kind"], x["persons"]) for x in linked] == [
            (int(answer["list_id"]), "passengers", 3)
        ]
    # The notice itself holds no second copy.
    assert portcalls.get_port_call(ctx, people["border"], call["id"])["arrival"]["passengers"] == []


def test_a_port_call_filed_after_the_list_is_linked_at_filing(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now, ship=SHIP, passengers=[])
    answer = lists.receive(
        ctx, people["cruise"], ListResult(lists=[_voyage("COSTA SERENA", notice.eta)]), b""
    )
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    assert [x["id"] for x in call["passenger_lists"]] == [int(answer["list_id"])]


def test_another_ship_or_another_week_is_not_linked(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now, ship=SHIP, passengers=[])
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    for vessel, eta in (
        ("MSC SPLENDIDA", notice.eta),
        ("COSTA SERENA", notice.eta + timedelta(days=5)),
    ):
        lists.receive(ctx, people["cruise"], ListResult(lists=[_voyage(vessel, eta)]), b"")
    assert portcalls.get_port_call(ctx, people["agent"], call["id"])["passenger_lists"] == []


def test_a_paxlst_names_its_vessel_and_kouan_writes_it_back() -> None:
    voyage = _voyage("COSTA SERENA", datetime(2026, 12, 9, 6, 0))
    text = paxlst.write_person_list(voyage, sender="COSTA", recipient="CNTAO", reference="R1")
    assert "TDT+20+CS2612+++COSTA++++:::COSTA SERENA'" in text
    read = paxlst.read_paxlst(text)
    assert read.errors == [] and read.lists[0].vessel == "COSTA SERENA"
