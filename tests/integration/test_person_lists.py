"""A flight's passenger list through the service layer, on SQLite and PostgreSQL: stored, put on
its flight, each person screened against the watch list, referred persons decided one by one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kouan.adapters.db.passenger_tables import Flight, ListedPersonRow, PassengerFigure
from kouan.domain.agency import Decision
from kouan.domain.errors import Forbidden, NotFound
from kouan.domain.health import HealthDeclaration
from kouan.domain.person_list import (
    Direction,
    Leg,
    ListedPerson,
    ListResult,
    PersonList,
    TravelDocument,
    error,
)
from kouan.services.passengers import lists, purge, watchlist
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from tests.conftest import Clock, People

WATCH_LIST = (
    "id,name,aliases,date_of_birth,nationality,document_number,reason\n"
    "W-1,박지훈,,1985-03-14,KR,,wanted\n"
    "W-2,SMITH JOHN,,1970,GB,,deported in 2019\n"
).encode()


def _passport(number: str, state: str, expiry: date | None) -> list[TravelDocument]:
    return [TravelDocument("P", number, state, expiry)]


def _flight_list(clock: Clock) -> PersonList:
    arrival = (clock.now + timedelta(hours=6)).replace(tzinfo=None) + timedelta(hours=8)
    later = date(2031, 1, 1)
    persons = [
        ListedPerson(family_name="KIM", given_names="MINJUN", nationality="KR",
                     date_of_birth=date(1990, 1, 2), documents=_passport("M1234567", "KR", later),
                     seat="12A", booking_reference="ABC123"),
        ListedPerson(family_name="PARK", given_names="JI HOON", nationality="KR",
                     date_of_birth=date(1985, 3, 14), documents=_passport("M7654321", "KR", later),
                     seat="12B"),
        ListedPerson(family_name="LEE", given_names="SOOJIN", nationality="KR",
                     date_of_birth=date(1992, 5, 5), seat="14C"),
        ListedPerson(family_name="CHOI", given_names="YUNA", nationality="KR",
                     date_of_birth=date(1988, 8, 8),
                     documents=_passport("M1111111", "KR", date(2020, 1, 1)), seat="15D"),
        ListedPerson(family_name="BROWN", given_names="EMMA", nationality="US",
                     date_of_birth=date(1979, 9, 9), documents=_passport("561234567", "US", later),
                     seat="20F"),
    ]  # fmt: skip
    return PersonList(
        reference="KE845-1",
        carrier="KE",
        transport_id="845",
        legs=[Leg("KE845", "ICN", arrival - timedelta(hours=2), "TAO", arrival)],
        direction=Direction.ARRIVING,
        persons=persons,
        source="JSON",
    )


def _receive(ctx: ServiceContext, people: People, clock: Clock, **health: HealthDeclaration):
    person_list = _flight_list(clock)
    declared = {int(seq): d for seq, d in health.items()}
    return lists.receive(
        ctx, people["airline"], ListResult(lists=[person_list]), b"{}", health=declared
    )


def test_a_flight_list_is_screened_person_by_person(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    watchlist.import_file(ctx, people["border"], WATCH_LIST, "watch.csv")
    fever = HealthDeclaration(person_id=1, temperature=38.4)
    answer = _receive(ctx, people, clock, **{"1": fever})
    assert answer["status"] == "accepted" and answer["persons"] == 5
    list_id = int(answer["list_id"])

    result = lists.screening_result(ctx, people["border"], list_id)
    status = {p["name"]: p["status"] for p in result["persons"]}
    # Park is on the watch list in Hangul; Lee has no document; Choi's passport expired;
    # Brown is a US national without a visa; Kim had a fever (CIQ).
    assert status == {
        "KIM MINJUN": "referred",
        "PARK JI HOON": "referred",
        "LEE SOOJIN": "referred",
        "CHOI YUNA": "referred",
        "BROWN EMMA": "referred",
    }
    park = next(p for p in result["persons"] if p["name"] == "PARK JI HOON")
    assert [h["watchlist_id"] for h in park["hits"]] == ["W-1"]

    queue = reviews.list_reviews(ctx, people["border"], status=None)
    border = next(r for r in queue if r["subject_type"] == "person_list")
    targets = {t["label"]: t for t in border["targets"]}
    assert sorted(targets) == ["BROWN EMMA", "CHOI YUNA", "LEE SOOJIN", "PARK JI HOON"]
    rules_hit = {label: t["rules_hit"] for label, t in targets.items()}
    assert rules_hit["PARK JI HOON"] == ["BORDER-LIST-WATCH"]
    assert rules_hit["LEE SOOJIN"] == ["BORDER-LIST-NO-DOCUMENT"]
    assert rules_hit["CHOI YUNA"] == ["BORDER-LIST-EXPIRED"]
    assert rules_hit["BROWN EMMA"] == ["BORDER-LIST-VISA"]

    reviews.decide_target(
        ctx, people["border"], border["id"], targets["BROWN EMMA"]["id"], Decision.APPROVE, ""
    )
    reviews.decide_target(
        ctx, people["border"], border["id"], targets["PARK JI HOON"]["id"], Decision.REJECT,
        "confirmed: the person wanted",
    )  # fmt: skip
    decided = {
        p["name"]: p["decision"]
        for p in lists.screening_result(ctx, people["border"], list_id)["persons"]
    }
    assert decided["BROWN EMMA"] == "cleared" and decided["PARK JI HOON"] == "refused"


def test_the_sender_sees_its_list_without_screening_and_others_not_at_all(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    list_id = int(_receive(ctx, people, clock)["list_id"])
    own = lists.get_list(ctx, people["airline"], list_id)
    assert own["persons_count"] == 5
    assert all("hits" not in p and "status" not in p for p in own["persons"])
    with pytest.raises(NotFound):
        lists.get_list(ctx, people["cruise"], list_id)
    with pytest.raises(Forbidden):
        lists.screening_result(ctx, people["airline"], list_id)
    assert "hits" in lists.get_list(ctx, people["border"], list_id)["persons"][0]


def test_a_list_sent_again_replaces_the_figures_of_its_flight(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _receive(ctx, people, clock)
    _receive(ctx, people, clock)
    with ctx.sessions() as session:
        flights = session.scalar(select(func.count()).select_from(Flight))
        counted = session.scalar(select(func.sum(PassengerFigure.persons)))
        stored = session.scalar(select(func.count()).select_from(ListedPersonRow))
    assert flights == 1 and counted == 5 and stored == 10


def test_a_refused_list_keeps_nothing_but_its_refusal(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    refused = ListResult(
        errors=[error("CNT", "6066", "list.person_count", value="7", qualifier="42", actual=5)]
    )
    answer = lists.receive(ctx, people["airline"], refused, b"UNA", answer="UNB+...")
    assert answer["status"] == "rejected" and answer["errors"][0]["segment"] == "CNT"
    shown = lists.get_list(ctx, people["airline"], int(answer["list_id"]))
    assert shown["status"] == "rejected" and "persons" not in shown
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ListedPersonRow)) == 0


def test_only_carriers_and_agents_send_lists(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    with pytest.raises(Forbidden):
        lists.receive(ctx, people["broker"], ListResult(lists=[_flight_list(clock)]), b"")
    assert datetime  # the module's names stay used


def test_the_purge_keeps_the_referred_and_the_figures(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    list_id = int(_receive(ctx, people, clock)["list_id"])
    with ctx.sessions() as session:
        figures_before = session.scalar(select(func.sum(PassengerFigure.persons)))
    clock.advance(days=ctx.settings.person_retention_days - 1)
    assert purge.purge(ctx)["persons"] == 0  # not yet
    clock.advance(days=2)
    counts = purge.purge(ctx)
    # Kim and Park (no watch list here) were cleared; the three others were referred and
    # stay for the agencies.
    assert counts == {**counts, "persons": 2, "lists": 1}
    kept = lists.screening_result(ctx, people["border"], list_id)["persons"]
    assert sorted(p["name"] for p in kept) == ["BROWN EMMA", "CHOI YUNA", "LEE SOOJIN"]
    _receive(ctx, people, clock)  # a later list of another flight recounts only its own
    with ctx.sessions() as session:
        rows = session.execute(
            select(PassengerFigure.journey_id, func.sum(PassengerFigure.persons)).group_by(
                PassengerFigure.journey_id
            )
        ).all()
    assert sorted(total for _, total in rows) == [figures_before, 5]
