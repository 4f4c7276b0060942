"""Transit under customs seal on SQLite and PostgreSQL: customs at the port opens it for an
inland-declared import, the goods depart under seal, an overdue transit raises exactly one alert
to customs (found by the test's clock), the inland office acknowledges the arrival and so closes
it; a seal mismatch holds the goods; who may do what; every change audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kouan.adapters.db.alert_tables import Alert, AlertRecipient
from kouan.adapters.db.tables import AuditEntry
from kouan.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.services.platform import alerts
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.transit import transits
from tests.conftest import Clock, People, file_declaration
from tests.transit_helpers import JINAN_CUSTOMS, inland_import, jinan_customs

SEALS = ["CNTAO0001", "CNTAO0002"]


def _departed(ctx: ServiceContext, people: People, reference: str = "JN-T1") -> dict[str, Any]:
    declaration = inland_import(ctx, people, reference)
    opened = transits.open_transit(ctx, people["customs"], declaration["id"], SEALS)
    return transits.record_departure(
        ctx,
        people["terminal"],
        opened["id"],
        seals=None,
        conveyance="road",
        conveyance_id="鲁B12345",
    )


def _audit(ctx: ServiceContext, transit_id: int) -> list[str]:
    query = (
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "transit", AuditEntry.entity_id == str(transit_id))
        .order_by(AuditEntry.seq)
    )
    with ctx.sessions() as session:
        return list(session.scalars(query))


def test_overdue_alerts_customs_once_and_the_arrival_closes_it(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    jinan = jinan_customs(registered)
    shown = _departed(registered, people)
    assert (shown["status"], shown["limit_hours"], shown["to_office"]) == ("departed", 24, "CNJNA")
    assert shown["due_at"] == (clock.now + timedelta(hours=24)).isoformat()
    assert shown["seconds_left"] == 24 * 3600

    clock.advance(hours=24)
    assert transits.check_overdue(registered) == []  # due by now: not late yet
    clock.advance(minutes=1)
    assert transits.check_overdue(registered) == [shown["id"]]
    assert transits.check_overdue(registered) == []  # found once
    clock.advance(hours=5)
    assert transits.check_overdue(registered) == []

    with registered.sessions() as session:
        raised = session.scalars(select(Alert).where(Alert.subject_type == "transit")).all()
        assert len(raised) == 1
        addressed = session.scalars(
            select(AlertRecipient.org_id).where(AlertRecipient.alert_id == raised[0].id)
        ).all()
    assert raised[0].kind == alerts.TRANSIT_OVERDUE
    assert raised[0].title_key == "transit.overdue"
    assert set(addressed) == {people["customs"].org_id, jinan.org_id}
    # Customs at either end sees it; another customs office or a broker does not.
    assert [a["id"] for a in alerts.list_alerts(registered, jinan)] == [raised[0].id]
    assert [a["id"] for a in alerts.list_alerts(registered, people["customs"])] == [raised[0].id]
    assert alerts.list_alerts(registered, people["broker2"]) == []

    late = transits.get_transit(registered, people["customs"], shown["id"])
    assert (late["status"], late["overdue"], late["overdue_alert_id"]) == (
        "overdue",
        True,
        raised[0].id,
    )
    arrived = transits.acknowledge_arrival(
        registered, jinan, shown["id"], seals_found=["cntao0002", "CNTAO0001"]
    )
    assert (arrived["status"], arrived["late"], arrived["overdue"]) == ("closed", True, False)
    assert arrived["closed_at"] == clock.now.isoformat()
    clock.advance(days=3)
    assert transits.check_overdue(registered) == []
    assert _audit(registered, shown["id"]) == [
        "transit.opened",
        "transit.departed",
        "transit.overdue",
        "transit.arrived",
    ]


def test_an_arrival_in_time_closes_and_raises_nothing(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    jinan = jinan_customs(registered)
    shown = _departed(registered, people)
    clock.advance(hours=20)
    closed = transits.acknowledge_arrival(registered, jinan, shown["id"], seals_found=SEALS)
    assert (closed["status"], closed["late"]) == ("closed", False)
    clock.advance(hours=10)
    assert transits.check_overdue(registered) == []
    with registered.sessions() as session:
        assert session.scalars(select(Alert.id)).all() == []


def test_a_seal_mismatch_holds_the_goods_until_the_office_releases_them(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    jinan = jinan_customs(registered)
    shown = _departed(registered, people)
    clock.advance(hours=6)
    held = transits.acknowledge_arrival(
        registered, jinan, shown["id"], seals_found=["CNTAO0001", "CNTAO0099"], note="seal cut"
    )
    assert (held["status"], held["held"]) == ("arrived", True)
    assert held["hold"]["key"] == "transit.seal_mismatch"
    assert held["hold"]["params"] == {"missing": "CNTAO0002", "unexpected": "CNTAO0099"}
    assert "CNTAO0002" in held["hold"]["text"]
    with pytest.raises(ValidationFailed):
        transits.release_held(registered, jinan, shown["id"], " ")
    with pytest.raises(Forbidden):
        transits.release_held(registered, people["customs"], shown["id"], "examined")
    released = transits.release_held(registered, jinan, shown["id"], "examined: goods as declared")
    assert (released["status"], released["note"]) == ("closed", "examined: goods as declared")
    assert _audit(registered, shown["id"])[-2:] == ["transit.arrived", "transit.closed"]


def test_only_customs_opens_only_the_inland_office_acknowledges(
    registered: ServiceContext, people: People
) -> None:
    jinan = jinan_customs(registered)
    declaration = inland_import(registered, people, "JN-P1")
    for who in ("broker2", "terminal", "port_office", "ciq"):
        with pytest.raises(Forbidden):
            transits.open_transit(registered, people[who], declaration["id"], SEALS)
    with pytest.raises(Forbidden):  # the inland office does not open transits at the port
        transits.open_transit(registered, jinan, declaration["id"], SEALS)
    opened = transits.open_transit(registered, people["customs"], declaration["id"], SEALS)
    with pytest.raises(Conflict):
        transits.open_transit(registered, people["customs"], declaration["id"])
    with pytest.raises(Forbidden):  # only the port's customs or a terminal records departure
        transits.record_departure(
            registered, jinan, opened["id"], seals=None, conveyance="rail", conveyance_id="4856712"
        )
    with pytest.raises(InvalidTransition):  # not on its way yet
        transits.acknowledge_arrival(registered, jinan, opened["id"], seals_found=SEALS)
    transits.record_departure(
        registered,
        people["customs"],
        opened["id"],
        seals=None,
        conveyance="rail",
        conveyance_id="4856712",
    )
    for who in ("customs", "terminal", "broker2", "port_office"):
        with pytest.raises(Forbidden):
            transits.acknowledge_arrival(registered, people[who], opened["id"], seals_found=SEALS)
    # A broker reads its own transits only; CIQ none.
    assert [t["id"] for t in transits.list_transits(registered, people["broker2"])] == [
        opened["id"]
    ]
    assert transits.list_transits(registered, people["broker"]) == []
    with pytest.raises(NotFound):
        transits.get_transit(registered, people["broker"], opened["id"])
    with pytest.raises(Forbidden):
        transits.list_transits(registered, people["ciq"])
    assert transits.offices(registered, people["customs"]) == {"CNJNA": JINAN_CUSTOMS}


def test_what_cannot_transit(registered: ServiceContext, people: People) -> None:
    export = file_declaration(registered, people, "broker2", reference="JN-E1")
    at_the_port = file_declaration(
        registered, people, reference="QD-1", direction="import", declaration_office="CNTAO"
    )
    for declaration in (export, at_the_port):
        with pytest.raises(InvalidTransition):
            transits.open_transit(registered, people["customs"], declaration["id"])
    waiting = inland_import(registered, people, "JN-W1")
    assert [d["id"] for d in transits.awaiting(registered, people["customs"])] == [waiting["id"]]
    opened = transits.open_transit(registered, people["customs"], waiting["id"])
    assert transits.awaiting(registered, people["customs"]) == []
    with pytest.raises(ValidationFailed):  # no seals known: none given
        transits.record_departure(
            registered,
            people["terminal"],
            opened["id"],
            seals=[],
            conveyance="road",
            conveyance_id="鲁B12345",
        )
