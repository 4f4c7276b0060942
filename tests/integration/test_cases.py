"""A confirmed epidemic case on SQLite and PostgreSQL: CIQ confirms it, and in one unit of work
the contact list is built from the persons stored for the same flight or cruise call (seats
within N rows, the same booking or party, the cabin crew; on a cruise the same cabin, deck and
dining group), the person is marked a case and one joint alert goes to CIQ, border inspection,
customs and the port office, each acknowledging, escalated when late."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kouan import cli_alerts
from kouan.adapters.db.passenger_tables import ListedPersonRow
from kouan.adapters.db.tables import AuditEntry
from kouan.config import get_settings
from kouan.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.health import HealthDeclaration, h1n1_2009
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
from kouan.services.passengers import cases, epidemics, lists, persons
from kouan.services.platform import alerts
from kouan.services.platform.unit_of_work import ServiceContext
from tests.conftest import ORGS, Clock, People
from tests.integration.test_alerts import at_once

JOINT = {"CIQ", "BORDER", "CUSTOMS", "PORT_OFFICE"}
LATER = date(2031, 1, 1)


def _person(
    name: str, seat: str | None = None, role: Role = Role.PASSENGER, **fields: Any
) -> ListedPerson:
    family, given = name.split(" ", 1)
    number = f"E{zlib.crc32(name.encode()) % 10**8:08d}"
    return ListedPerson(
        role=role,
        family_name=family,
        given_names=given,
        nationality=fields.pop("nationality", "CN"),
        date_of_birth=fields.pop("date_of_birth", date(1980, 5, 17)),
        documents=[TravelDocument("P", number, "CN", LATER)],
        seat=seat,
        **fields,
    )


# A Shandong Airlines A321 from Seoul: economy 3-3 (ABC DEF). The case sits in 12C, travelling
# with LI Na (12A) and their infant on one booking, and with her brother's family on another
# booking as one party; row 13 is printed (no seat map yet: rows count by their numbers).
PASSENGERS: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    ("SUN Mei", "9B", {}),  # three rows ahead: not a contact
    ("WANG Fang", "10D", {}),  # two rows ahead
    ("Juan PÉREZ", "11E", {"nationality": "ES"}),
    ("ZHANG Wei", "12C", {"booking_reference": "QX7K2P", "party": "ZHANG-FAMILY"}),  # the case
    ("LI Na", "12A", {"booking_reference": "QX7K2P", "party": "ZHANG-FAMILY"}),
    ("ZHANG Xiaobao", None, {"booking_reference": "qx7k2p", "date_of_birth": date(2026, 1, 3)}),
    ("MA Lin", "13F", {}),
    ("LIU Yang", "14F", {}),  # two rows behind
    ("ZHAO Lei", "15A", {}),  # three rows behind: not a contact
    ("ZHANG Qiang", "30C", {"booking_reference": "RT5M8N", "party": "ZHANG-FAMILY"}),
    ("WU Hao", "31D", {}),  # far away, nothing shared
    ("HUANG Bo", "12", {}),  # a seat without a letter: unplaced, checked by hand
)
CASE = "ZHANG Wei"
CREW = (
    ("KIM Jisoo", {"cabin": None}),  # the captain: the list names no zone
    ("PARK Minho", {"cabin": None}),
    ("QIAN Yu", {"cabin": "Y1"}),
    ("XU Jing", {"cabin": "Y1"}),
    ("GAO Ting", {"cabin": "Y2"}),
    ("HE Lan", {"cabin": "J"}),
)
WITHIN_TWO = {"WANG Fang", "Juan PÉREZ", "LI Na", "MA Lin", "LIU Yang"}
SHARING = {"ZHANG Xiaobao", "ZHANG Qiang"}  # booking or party, seated far or not at all


def _legs(clock: Clock) -> list[Leg]:
    arrival = (clock.now + timedelta(hours=3)).replace(tzinfo=None) + timedelta(hours=8)
    return [Leg("SC4618", "ICN", arrival - timedelta(hours=2), "TAO", arrival)]


def _flight_list(clock: Clock, kind: ListKind, persons: Sequence[ListedPerson]) -> PersonList:
    return PersonList(
        kind=kind,
        reference=f"SC4618-{kind.value}",
        carrier="SC",
        transport_id="4618",
        legs=_legs(clock),
        direction=Direction.ARRIVING,
        persons=list(persons),
        source="JSON",
    )


def _send(ctx: ServiceContext, people: People, person_list: PersonList, **health: Any) -> int:
    declared = {int(seq): d for seq, d in health.items()}
    answer = lists.receive(
        ctx, people["airline"], ListResult(lists=[person_list]), b"", health=declared
    )
    assert answer["status"] == "accepted", answer
    return int(answer["list_id"])


def _a321(ctx: ServiceContext, people: People, clock: Clock, resend: bool = True) -> dict[str, int]:
    """The flight's passenger list (sent twice, as airlines do when a list changes), its crew
    list; the persons' ids by name (of the latest sending)."""
    passengers = [_person(n, seat, **dict(f)) for n, seat, f in PASSENGERS]
    fever = HealthDeclaration(person_id=4, temperature=38.6, symptoms=("fever", "cough"))
    for _ in range(2 if resend else 1):
        _send(ctx, people, _flight_list(clock, ListKind.PASSENGERS, passengers), **{"4": fever})
    crew = [_person(n, None, Role.CREW, **f) for n, f in CREW]
    _send(ctx, people, _flight_list(clock, ListKind.CREW, crew))
    return _ids(ctx)


def _ids(ctx: ServiceContext) -> dict[str, int]:
    with ctx.sessions() as session:
        rows = session.scalars(select(ListedPersonRow).order_by(ListedPersonRow.id)).all()
        return {f"{r.family_name} {r.given_names}": r.id for r in rows}  # the last id wins


def _contacts(alert: dict[str, Any]) -> dict[str, list[str]]:
    return {c["name"]: [r["key"] for r in c["reasons"]] for c in alert["payload"]["contacts"]}


def _audited(ctx: ServiceContext, action: str) -> list[AuditEntry]:
    with ctx.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        return list(session.scalars(query))


def test_a_confirmed_case_raises_one_joint_alert_with_its_contact_list(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    epidemics.declare(ctx, people["ciq"], h1n1_2009(clock.now.date() - timedelta(days=3)), 4)
    ids = _a321(ctx, people, clock)
    case_id = ids[CASE]
    clock.advance(minutes=40)
    alert = cases.confirm_case(ctx, people["ciq"], case_id, note="RT-PCR positive, isolated")

    found = _contacts(alert)
    crew = {name for name, _ in CREW}
    assert set(found) == WITHIN_TWO | SHARING | crew  # each once, though the list came twice
    assert found["LI Na"] == ["contact.same_row", "contact.booking", "contact.party"]
    assert found["ZHANG Xiaobao"] == ["contact.booking"]  # a lap infant: no seat, one booking
    assert found["ZHANG Qiang"] == ["contact.party"]
    assert found["LIU Yang"] == ["contact.seat_rows"] and found["MA Lin"] == ["contact.seat_rows"]
    # No seat map says which zone 12C is in: every cabin crew member may have served it.
    assert all(found[name] == ["contact.crew_zone_unknown"] for name in crew)
    payload = alert["payload"]
    assert [u["name"] for u in payload["unplaced"]] == ["HUANG Bo"]
    assert payload["case"]["seat"] == "12C" and payload["case"]["id"] == case_id
    assert payload["rows"] == 2 and payload["journey"]["transport"] == "SC4618"
    assert payload["aboard"] == len(PASSENGERS) + len(CREW)
    assert payload["note"] == "RT-PCR positive, isolated"
    liu = next(c for c in payload["contacts"] if c["name"] == "LIU Yang")
    assert liu["seat"] == "14F" and liu["rows"] == 2 and liu["id"] == ids["LIU Yang"]
    assert liu["document_number"] and liu["nationality"] == "CN" and liu["list_id"]

    # The alert: one, to the four, its title naming the disease and the flight, not the person.
    assert alert["kind"] == alerts.EPIDEMIC_JOINT and alert["level"] == 4
    assert alert["subject"] == {"type": "person", "id": case_id}
    assert {r["org_type"] for r in alert["recipients"]} == JOINT
    # CIQ confirmed the case: its acknowledgement is the confirmation; the three others await.
    assert alert["acknowledged"] == [ORGS["ciq"][1]]
    assert sorted(alert["not_acknowledged"]) == sorted(
        ORGS[w][1] for w in ("border", "customs", "port_office")
    )
    assert alert["title"]["text"] == (
        f"Joint epidemic alert: confirmed Influenza A(H1N1) case #{case_id} on SC4618"
    )
    assert alert["body"]["params"] == {"contacts": len(found)}
    assert alert["ack_due_at"] == (clock.now + timedelta(minutes=30)).isoformat()
    assert [a["id"] for a in alerts.list_alerts(ctx, people["customs"])] == [alert["id"]]

    # The person is a case; the audit keeps ids and counts, never a name or a seat.
    assert persons.get_person(ctx, people["ciq"], case_id)["status"] == "case"
    (confirmed,) = _audited(ctx, "person.case_confirmed")
    assert confirmed.entity_id == str(case_id) and confirmed.actor == "ciq"
    assert confirmed.before == {"status": "referred"}
    assert confirmed.after == {
        "status": "case",
        "alert_id": alert["id"],
        "rows": 2,
        "contacts": len(found),
        "aboard": len(PASSENGERS) + len(CREW),
    }
    (raised,) = _audited(ctx, "alert.raised")
    assert "ZHANG" not in str(raised.after) and "12C" not in str(raised.after)
    assert len(raised.after["payload_sha256"]) == 64


def test_each_recipient_acknowledges_and_the_late_are_escalated(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    alert_id = cases.confirm_case(ctx, people["ciq"], ids[CASE])["id"]
    clock.advance(minutes=4)
    alerts.acknowledge(ctx, people["ciq"], alert_id)
    clock.advance(minutes=6)
    border = alerts.acknowledge(ctx, people["border"], alert_id)
    assert sorted(border["acknowledged"]) == sorted([ORGS["ciq"][1], ORGS["border"][1]])
    assert sorted(border["not_acknowledged"]) == sorted(
        [ORGS["customs"][1], ORGS["port_office"][1]]
    )
    when = {r["org_type"]: r["acknowledged_at"] for r in border["recipients"]}
    assert when["BORDER"] == clock.now.isoformat() and when["CUSTOMS"] is None

    assert cases.escalate(ctx) == 0  # 10 minutes in: nobody is late yet
    clock.advance(minutes=21)  # 31 minutes after the confirmation
    late = alerts.show(ctx, people["port_office"], alert_id)
    assert late["overdue"]
    assert {r["org_type"] for r in late["recipients"] if r["overdue"]} == {"CUSTOMS", "PORT_OFFICE"}
    assert cases.escalate(ctx) == 1 and cases.escalate(ctx) == 0  # once
    escalated = alerts.show(ctx, people["customs"], alert_id)
    assert escalated["escalated_at"] == clock.now.isoformat()
    assert {r["org_type"] for r in escalated["recipients"] if r["escalated_at"]} == {
        "CUSTOMS",
        "PORT_OFFICE",
    }
    alerts.acknowledge(ctx, people["customs"], alert_id)
    alerts.acknowledge(ctx, people["port_office"], alert_id)
    assert alerts.show(ctx, people["ciq"], alert_id)["not_acknowledged"] == []


def test_the_loop_escalates_until_stopped(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    alert_id = cases.confirm_case(ctx, people["ciq"], ids[CASE])["id"]
    clock.advance(hours=1)
    stop = threading.Event()
    loop = threading.Thread(target=cases.escalation_loop, args=(ctx, 0.01, stop))
    loop.start()
    for _ in range(500):
        if alerts.show(ctx, people["ciq"], alert_id)["escalated_at"]:
            break
        stop.wait(0.01)
    stop.set()
    loop.join(timeout=5)
    assert not loop.is_alive()
    assert alerts.show(ctx, people["ciq"], alert_id)["escalated_at"] == clock.now.isoformat()


def test_the_command_escalates_once(
    ctx: ServiceContext, people: People, clock: Clock, database_url: str, monkeypatch: Any
) -> None:
    # The command runs on the real clock: the case was confirmed two hours ago.
    clock.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    ids = _a321(ctx, people, clock, resend=False)
    alert_id = cases.confirm_case(ctx, people["ciq"], ids[CASE])["id"]
    monkeypatch.setenv("KOUAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli_alerts.alerts_app, ["escalate", "--once"])
        again = runner.invoke(cli_alerts.alerts_app, ["escalate"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and "escalated 1 alert(s)" in first.output, first.output
    assert again.exit_code == 0 and "escalated 0 alert(s)" in again.output, again.output
    assert alerts.show(ctx, people["ciq"], alert_id)["escalated_at"] is not None


def test_rows_come_from_the_officer_and_are_checked(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    for bad in (-1, cases.MAX_ROWS + 1, True):
        with pytest.raises(ValidationFailed) as refused:
            cases.confirm_case(ctx, people["ciq"], ids[CASE], rows=bad)
        assert refused.value.fields[0].field == "rows"
    with pytest.raises(ValidationFailed):
        cases.confirm_case(ctx, people["ciq"], ids[CASE], note="x" * (cases.MAX_NOTE + 1))
    assert alerts.list_alerts(ctx, people["ciq"]) == []  # nothing half-done

    alert = cases.confirm_case(ctx, people["ciq"], ids[CASE], rows=0)
    seated = {n for n, keys in _contacts(alert).items() if "contact.seat_rows" in keys}
    same_row = {n for n, keys in _contacts(alert).items() if "contact.same_row" in keys}
    assert seated == set() and same_row == {"LI Na"} and alert["payload"]["rows"] == 0


def test_only_ciq_confirms_and_only_once(ctx: ServiceContext, people: People, clock: Clock) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    for who in ("border", "customs", "port_office", "airline", "agent"):
        with pytest.raises(Forbidden):
            cases.confirm_case(ctx, people[who], ids[CASE])
    with pytest.raises(NotFound):
        cases.confirm_case(ctx, people["ciq"], 999_999)
    with pytest.raises(NotFound):
        cases.confirm_case(ctx, people["ciq"], 0)
    assert alerts.list_alerts(ctx, people["port_office"]) == []

    cases.confirm_case(ctx, people["ciq"], ids[CASE])
    with pytest.raises(InvalidTransition):
        cases.confirm_case(ctx, people["ciq"], ids[CASE])
    assert len(alerts.list_alerts(ctx, people["port_office"])) == 1


def test_a_cruise_case_lists_its_cabin_deck_dining_group_and_tour_group(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """A Skysea Golden Era cruise from Jeju: the contacts are the cabin-mate, the deck, the
    dining group and the tour group, whatever deck they sleep on."""
    berth = (clock.now + timedelta(days=1)).replace(tzinfo=None)
    cabin: dict[str, Any] = {
        "deck": "7",
        "cabin": "7123",
        "dining_group": "MAIN-2-T14",
        "tour_group": "SH-08",
    }
    guests = [
        _person("ZHOU Jie", **cabin),  # the case
        _person("ZHOU Lan", **cabin),
        _person("QIN Hai", deck="7", cabin="7140", dining_group="MAIN-1-T02"),
        _person("FANG Yi", deck="9", cabin="9020", dining_group="MAIN-2-T14"),
        _person("LU Ping", deck="10", cabin="1002", tour_group="sh-08"),
        _person("TANG Wen", deck="10", cabin="1004", dining_group="LIDO", tour_group="BJ-02"),
        _person("Maria SANTOS", role=Role.CREW, deck="2", cabin="2210", nationality="PH"),
    ]
    voyage = PersonList(
        kind=ListKind.PASSENGERS,
        reference="SG2611",
        carrier="SG",
        transport_id="SG2611",
        legs=[Leg("SG2611", "KRCJU", berth - timedelta(hours=20), "CNTAO", berth)],
        direction=Direction.ARRIVING,
        persons=guests,
        source="XLSX",
    )
    answer = lists.receive(ctx, people["cruise"], ListResult(lists=[voyage]), b"")
    assert answer["status"] == "accepted"
    ids = _ids(ctx)
    alert = cases.confirm_case(ctx, people["ciq"], ids["ZHOU Jie"])
    assert _contacts(alert) == {
        "ZHOU Lan": ["contact.cabin", "contact.deck", "contact.dining_group", "contact.party"],
        "QIN Hai": ["contact.deck"],
        "FANG Yi": ["contact.dining_group"],
        "LU Ping": ["contact.party"],
    }
    assert alert["payload"]["journey"]["kind"] == "cruise"
    assert alert["title"]["params"]["transport"] == "SG2611"
    # No epidemic alert holds: the disease is named generically, in both languages.
    assert alert["title"]["params"]["disease_zh"] == "传染病"


def test_a_person_list_sent_for_deletion_takes_its_persons_off_the_journey(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    offloaded = [_person("LIU Yang", "14F")]
    gone = _flight_list(clock, ListKind.PASSENGERS, offloaded)
    gone.function = ListFunction.DELETE
    clock.advance(minutes=1)
    _send(ctx, people, gone)
    alert = cases.confirm_case(ctx, people["ciq"], ids[CASE])
    assert "LIU Yang" not in _contacts(alert) and "MA Lin" in _contacts(alert)


def test_reading_a_person_is_for_the_agencies_and_audited_by_ids(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    case_id = ids[CASE]
    shown = persons.get_person(ctx, people["ciq"], case_id)
    assert shown["seat"] == "12C" and shown["health"]["temperature"] == 38.6
    assert shown["journey"]["transport"] == "SC4618" and shown["alert_id"] is None
    assert [r["agency"] for r in shown["referrals"]] == ["CIQ"]  # CIQ's own referral only
    for who in ("port_office", "airline", "agent"):
        with pytest.raises(Forbidden):
            persons.get_person(ctx, people[who], case_id)
    with pytest.raises(NotFound):
        persons.get_person(ctx, people["border"], 999_999)
    (viewed,) = _audited(ctx, "person.viewed")
    assert viewed.entity_id == str(case_id) and viewed.after == {"list_id": shown["list_id"]}

    alert = cases.confirm_case(ctx, people["ciq"], case_id)
    assert persons.get_person(ctx, people["border"], case_id)["alert_id"] == alert["id"]


def _wide_body(clock: Clock) -> tuple[list[ListedPerson], list[ListedPerson]]:
    """A full A330-300 (business 2-2-2 rows 11-16, economy 2-4-2 rows 31-63): 300 seats, two to
    a booking, and its 13 crew."""
    seats = [f"{row}{letter}" for row in range(11, 17) for letter in "ACDGHK"]
    seats += [f"{row}{letter}" for row in range(31, 64) for letter in "ACDEFGHK"]
    passengers = [
        _person(f"P{n:03d} TRAVELLER", seat, booking_reference=f"B{n // 2:05d}")
        for n, seat in enumerate(seats)
    ]
    crew = [_person(f"C{n:02d} CREW", None, Role.CREW) for n in range(13)]
    return passengers, crew


def test_a_full_wide_body_is_listed_from_its_stored_persons(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    passengers, crew = _wide_body(clock)
    _send(ctx, people, _flight_list(clock, ListKind.PASSENGERS, passengers))
    _send(ctx, people, _flight_list(clock, ListKind.CREW, crew))
    ids = _ids(ctx)
    case = next(p for p in passengers if p.seat == "45E")
    alert = cases.confirm_case(ctx, people["ciq"], ids[case.full_name])
    payload = alert["payload"]
    assert payload["aboard"] == len(passengers) + len(crew) == 313
    near = {
        p.full_name
        for p in passengers
        if p is not case and p.seat and abs(int(p.seat[:-1]) - 45) <= 2
    }
    seated = {c["name"] for c in payload["contacts"] if c["rows"] is not None}
    assert seated == near and len(near) == 5 * 8 - 1
    mate = {c["name"] for c in payload["contacts"] if c["rows"] is None and c["role"] != "crew"}
    assert mate == set()  # 45E's booking mate sits beside it (45D): listed for the seat too
    assert sum(1 for c in payload["contacts"] if c["role"] == "crew") == 13


def test_two_officers_confirming_at_once_raise_one_alert(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _a321(ctx, people, clock, resend=False)

    def confirm() -> str:
        try:
            cases.confirm_case(ctx, people["ciq"], ids[CASE])
        except InvalidTransition:
            return "refused"
        return "raised"

    assert sorted(at_once(confirm)) == ["raised", "refused", "refused", "refused"]
    assert len(alerts.list_alerts(ctx, people["port_office"])) == 1
    assert len(_audited(ctx, "person.case_confirmed")) == 1
