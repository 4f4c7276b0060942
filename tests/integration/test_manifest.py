"""Who is on a journey as its lists arrive: an original replaces what came before, an added list
adds, a change replaces the person it names (by document), a deletion takes them off; contact
tracing, baggage, cruise release and the figures read the journey alike."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import PassengerFigure, PersonListRow
from kouan.domain.person_list import (
    Direction,
    Leg,
    ListedPerson,
    ListFunction,
    ListKind,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
)
from kouan.services.passengers import lists, manifest
from kouan.services.platform.unit_of_work import ServiceContext
from tests.conftest import Clock, People


def _person(family: str, given: str, number: str) -> ListedPerson:
    return ListedPerson(
        role=Role.PASSENGER,
        family_name=family,
        given_names=given,
        nationality="KR",
        date_of_birth=date(1985, 3, 1),
        documents=[TravelDocument("P", number, "KR", date(2031, 1, 1))],
    )


A = _person("KIM", "Minjun", "M10000001")
B = _person("LEE", "Seoyeon", "M10000002")
C = _person("PARK", "Jiho", "M10000003")
D = _person("CHOI", "Yuna", "M10000004")
E = _person("JUNG", "Hana", "M10000005")


def _send(
    ctx: ServiceContext,
    people: People,
    clock: Clock,
    function: ListFunction,
    *persons: ListedPerson,
) -> None:
    # The flight lands at 11:00 tomorrow, port time, whenever its lists are sent.
    arrival = clock.now.replace(tzinfo=None, hour=3, minute=0) + timedelta(days=1, hours=8)
    sent = PersonList(
        kind=ListKind.PASSENGERS,
        function=function,
        reference=f"KE845-{function.value}",
        carrier="KE",
        transport_id="KE845",
        legs=[Leg("KE845", "ICN", arrival - timedelta(hours=2), "TAO", arrival)],
        direction=Direction.ARRIVING,
        persons=list(persons),
        source="JSON",
    )
    answer = lists.receive(ctx, people["airline"], ListResult(lists=[sent]), b"")
    assert answer["status"] == "accepted"
    clock.advance(minutes=5)


def _state(ctx: ServiceContext, people: People) -> tuple[list[str], int]:
    """The names aboard the flight and the figures' count of its passengers."""
    with ctx.uow(people["border"], write=False) as uow:
        flight_id = uow.session.scalar(select(func.max(PersonListRow.flight_id)))
        aboard = manifest.aboard(uow, PersonListRow.flight_id == flight_id)
        counted = uow.session.scalar(
            select(func.sum(PassengerFigure.persons)).where(
                PassengerFigure.journey == "flight", PassengerFigure.journey_id == flight_id
            )
        )
    return [f"{p.family_name} {p.given_names}" for p in aboard], counted


def test_added_changed_and_deleted_persons_change_who_is_aboard_and_the_figures(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _send(ctx, people, clock, ListFunction.ORIGINAL, A, B, C)
    assert _state(ctx, people) == (["KIM Minjun", "LEE Seoyeon", "PARK Jiho"], 3)
    _send(ctx, people, clock, ListFunction.ADD, D)
    # Her name corrected on the same passport: the one person, changed.
    _send(ctx, people, clock, ListFunction.CHANGE, _person("LEE", "Seo-yeon", "M10000002"))
    _send(ctx, people, clock, ListFunction.DELETE, C)
    assert _state(ctx, people) == (["KIM Minjun", "CHOI Yuna", "LEE Seo-yeon"], 3)
    # A new original list is the whole list again.
    _send(ctx, people, clock, ListFunction.ORIGINAL, A, E)
    assert _state(ctx, people) == (["KIM Minjun", "JUNG Hana"], 2)
