"""Alerts on SQLite and PostgreSQL: a joint epidemic alert raised by CIQ with its contact list,
seen by each recipient (and by no one else but the port office), acknowledged once per
organisation, escalated to the port office once when an acknowledgement is overdue; every
change in the audit log; and the API over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from kouan.adapters.db.tables import AuditEntry
from kouan.domain.agency import OrgType
from kouan.domain.contacts import Aboard, contacts
from kouan.domain.errors import Forbidden, NotFound, ValidationFailed
from kouan.domain.health import reason
from kouan.services.platform import alerts, users
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web import errors
from kouan.web.api import alerts as alerts_api
from tests.conftest import ORGS, Clock, People

JOINT = (OrgType.CIQ, OrgType.BORDER, OrgType.CUSTOMS, OrgType.PORT_OFFICE)


def contact_list() -> dict[str, Any]:
    case = Aboard(id=41, name="ZHANG Wei", seat="12C", booking="QX7K2P")
    aboard = [
        Aboard(id=40, name="LI Na", seat="12A", booking="QX7K2P"),
        Aboard(id=42, name="Juan PÉREZ", seat="14D"),
        Aboard(id=43, name="Ana LÓPEZ", seat="30K"),
    ]
    return contacts(case, aboard).as_dict()


def raise_joint(
    ctx: ServiceContext, people: People, clock: Clock, **overrides: Any
) -> dict[str, Any]:
    """CIQ confirms a case on flight SC4618 (the subject) and raises the joint alert."""
    arguments: dict[str, Any] = {
        "kind": alerts.EPIDEMIC_JOINT,
        "level": 4,
        "subject_type": "flight",
        "subject_id": 7,
        "title": reason(
            "alert.epidemic_case",
            disease="Influenza A(H1N1)",
            disease_zh="甲型H1N1流感",
            case="ZHANG Wei",
            transport="SC4618",
        ),
        "body": reason("alert.epidemic_contacts", contacts=2),
        "payload": contact_list(),
        "to_types": JOINT,
        "ack_due_at": clock.now + timedelta(minutes=15),
    }
    return alerts.raise_alert(ctx, people["ciq"], **(arguments | overrides))


def audit_actions(ctx: ServiceContext, alert_id: int) -> list[str]:
    query = (
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "alert", AuditEntry.entity_id == str(alert_id))
        .order_by(AuditEntry.seq)
    )
    with ctx.sessions() as session:
        return list(session.scalars(query))


def names(*who: str) -> list[str]:
    return [ORGS[w][1] for w in who]


def test_raise_list_acknowledge_and_escalate_once(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    raised = raise_joint(ctx, people, clock)
    assert raised["title"]["text"] == (
        "Joint epidemic alert: confirmed Influenza A(H1N1) case ZHANG Wei on SC4618"
    )
    assert raised["title"]["key"] == "alert.epidemic_case"
    assert [c["id"] for c in raised["payload"]["contacts"]] == [40, 42]
    assert sorted(raised["not_acknowledged"]) == sorted(
        names("ciq", "border", "customs", "port_office")
    )
    assert raised["acknowledged"] == [] and not raised["overdue"]

    # Each recipient sees it; no one else does, and the port office sees every alert.
    for who in ("ciq", "border", "customs", "port_office"):
        (seen,) = alerts.list_alerts(ctx, people[who])
        assert seen["id"] == raised["id"] and seen["addressed_to_you"]
        assert "payload" not in seen  # the list is light; the payload is in `show`
    for who in ("msa", "terminal", "agent", "broker", "airline", "cruise"):
        assert alerts.list_alerts(ctx, people[who]) == []
        with pytest.raises(NotFound):
            alerts.show(ctx, people[who], raised["id"])
        with pytest.raises(NotFound):
            alerts.acknowledge(ctx, people[who], raised["id"])

    # Border acknowledges; again (another click) changes nothing.
    clock.advance(minutes=3)
    first = alerts.acknowledge(ctx, people["border"], raised["id"])
    assert first["acknowledged"] == names("border") and first["acknowledged_by_you"]
    (row,) = [r for r in first["recipients"] if r["org_type"] == "BORDER"]
    assert row["acknowledged_by"] == "border" and row["acknowledged_at"] == clock.now.isoformat()
    clock.advance(minutes=1)
    again = alerts.acknowledge(ctx, people["border"], raised["id"])
    assert again["recipients"] == first["recipients"]
    assert alerts.list_alerts(ctx, people["border"], open_only=True) == []
    assert [a["id"] for a in alerts.list_alerts(ctx, people["customs"], open_only=True)] == [
        raised["id"]
    ]

    # Not yet due: nothing to escalate.
    assert alerts.escalate_overdue(ctx) == 0
    alerts.acknowledge(ctx, people["ciq"], raised["id"])
    clock.advance(minutes=12)  # 16 minutes after raising: customs and the port office are late
    shown = alerts.show(ctx, people["port_office"], raised["id"])
    assert shown["overdue"] and sorted(shown["not_acknowledged"]) == sorted(
        names("customs", "port_office")
    )
    assert alerts.escalate_overdue(ctx) == 1
    assert alerts.escalate_overdue(ctx) == 0  # recorded once, never twice
    clock.advance(hours=1)
    assert alerts.escalate_overdue(ctx) == 0

    escalated = alerts.show(ctx, people["customs"], raised["id"])
    late = {r["name"]: r for r in escalated["recipients"] if r["escalated_at"]}
    assert sorted(late) == sorted(names("customs", "port_office"))
    assert escalated["escalated_at"] is not None
    # The port office was a recipient already: it is not addressed twice.
    assert len(escalated["recipients"]) == 4

    # A late acknowledgement still counts, and the escalation stays on record.
    alerts.acknowledge(ctx, people["customs"], raised["id"])
    final = alerts.show(ctx, people["customs"], raised["id"])
    assert final["not_acknowledged"] == names("port_office")
    actions = audit_actions(ctx, raised["id"])
    assert [a for a in actions if a != "alert.viewed"] == [
        "alert.raised",
        "alert.acknowledged",  # border, once
        "alert.acknowledged",  # ciq
        "alert.escalated",
        "alert.acknowledged",  # customs
    ]
    # Each view of the contact list it carries is on record (three shown above).
    assert actions.count("alert.viewed") == 3


def test_the_audit_keeps_the_payload_as_a_digest(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    raised = raise_joint(ctx, people, clock)
    with ctx.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "alert.raised", AuditEntry.entity_id == str(raised["id"])
            )
        ).one()
    assert entry.actor == "ciq"
    assert entry.after is not None
    assert len(entry.after["payload_sha256"]) == 64
    assert "ZHANG" not in str(entry.after["recipients"]) and "contacts" not in entry.after
    assert entry.after["title"]["key"] == "alert.epidemic_case"


def test_an_alert_not_addressed_to_the_port_office_reaches_it_when_overdue(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    airline = people["airline"].org_id
    raised = raise_joint(ctx, people, clock, to_types=(OrgType.CIQ,), to_orgs=(airline,))
    assert sorted(raised["not_acknowledged"]) == sorted(names("ciq", "airline"))
    # An enterprise sees what is addressed to it, and only that.
    assert [a["id"] for a in alerts.list_alerts(ctx, people["airline"])] == [raised["id"]]
    assert alerts.list_alerts(ctx, people["cruise"]) == []
    # The port office sees it but, not addressed, may not acknowledge it for others.
    assert not alerts.show(ctx, people["port_office"], raised["id"])["addressed_to_you"]
    with pytest.raises(Forbidden):
        alerts.acknowledge(ctx, people["port_office"], raised["id"])

    alerts.acknowledge(ctx, people["airline"], raised["id"])
    clock.advance(minutes=20)
    assert alerts.escalate_overdue(ctx) == 1
    shown = alerts.show(ctx, people["port_office"], raised["id"])
    (office,) = [r for r in shown["recipients"] if r["escalation"]]
    assert office["name"] == names("port_office")[0] and not office["overdue"]
    assert shown["addressed_to_you"]
    # The port office rows escalation adds are the escalation: never escalated themselves.
    clock.advance(hours=2)
    assert alerts.escalate_overdue(ctx) == 0
    alerts.acknowledge(ctx, people["port_office"], raised["id"])
    assert alerts.show(ctx, people["ciq"], raised["id"])["not_acknowledged"] == names("ciq")
    assert audit_actions(ctx, raised["id"]).count("alert.escalated") == 1


def test_a_type_without_an_organisation_is_addressed_until_one_takes_it(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    msa = people["msa"]
    with ctx.engine.begin() as conn:  # for this test, MSA has no organisation
        conn.execute(
            text("UPDATE organisations SET type = 'GONE' WHERE id = :id"), {"id": msa.org_id}
        )
    try:
        raised = raise_joint(ctx, people, clock, to_types=(OrgType.MSA,))
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(
                text("UPDATE organisations SET type = 'MSA' WHERE id = :id"), {"id": msa.org_id}
            )
    (row,) = raised["recipients"]
    assert row["org_id"] is None and row["name"] == "MSA"
    assert [a["id"] for a in alerts.list_alerts(ctx, msa)] == [raised["id"]]
    taken = alerts.acknowledge(ctx, msa, raised["id"])
    (row,) = taken["recipients"]
    assert row["org_id"] == msa.org_id and row["name"] == ORGS["msa"][1]
    assert taken["not_acknowledged"] == []


def test_raising_checks_who_and_what(ctx: ServiceContext, people: People, clock: Clock) -> None:
    with pytest.raises(Forbidden):
        alerts.raise_alert(
            ctx,
            people["agent"],
            kind="request.late",
            level=1,
            subject_type="port_call",
            subject_id=1,
            title=reason("contact.deck", deck="7"),
            to_types=(OrgType.PORT_OFFICE,),
        )
    bad: list[dict[str, Any]] = [
        {"to_types": ()},
        {"to_orgs": (999_999,)},
        {"to_orgs": (0,)},
        {"level": 5},
        {"kind": "Epidemic Joint"},
        {"subject_id": 0},
        {"payload": {"when": clock.now}},  # not JSON
        {"ack_due_at": clock.now.replace(tzinfo=None)},
    ]
    for overrides in bad:
        with pytest.raises(ValidationFailed):
            raise_joint(ctx, people, clock, **overrides)
    assert alerts.list_alerts(ctx, people["port_office"]) == []  # nothing half-raised


def test_raise_in_joins_the_callers_unit_of_work(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    title = reason("contact.deck", deck="7")
    with ctx.uow(people["ciq"]) as uow:
        alerts.raise_in(
            uow,
            kind="referral.overdue",
            level=2,
            subject_type="flight",
            subject_id=1,
            title=title,
            to_types=(OrgType.CIQ,),
        )
        # no commit: the caller's unit failed, so the alert is not raised either
    assert alerts.list_alerts(ctx, people["ciq"]) == []
    with ctx.uow(people["ciq"]) as uow:
        alert_id = alerts.raise_in(
            uow,
            kind="referral.overdue",
            level=2,
            subject_type="flight",
            subject_id=1,
            title=title,
            to_types=(OrgType.CIQ,),
        )
        uow.commit()
    shown = alerts.show(ctx, people["ciq"], alert_id)
    assert shown["body"] is None and shown["payload"] == {} and shown["ack_due_at"] is None
    clock.advance(days=30)
    assert alerts.escalate_overdue(ctx) == 0  # no due time: never overdue


def at_once(job: Callable[[], Any], times: int = 4) -> list[Any]:
    """Run `job` in `times` threads released together; their answers."""
    answers: list[Any] = []
    start = threading.Barrier(times)

    def run() -> None:
        start.wait()
        answers.append(job())

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_at_once_an_organisation_acknowledges_once_and_an_alert_escalates_once(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    raised = raise_joint(ctx, people, clock)
    acks = at_once(lambda: alerts.acknowledge(ctx, people["border"], raised["id"]))
    when = {
        r["acknowledged_at"] for a in acks for r in a["recipients"] if r["org_type"] == "BORDER"
    }
    assert len(when) == 1 and None not in when
    clock.advance(minutes=16)
    assert sorted(at_once(lambda: alerts.escalate_overdue(ctx))) == [0, 0, 0, 1]
    actions = audit_actions(ctx, raised["id"])
    assert actions.count("alert.acknowledged") == 1 and actions.count("alert.escalated") == 1


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api(ctx: ServiceContext) -> Iterator[TestClient]:
    """The alerts router alone, with Kouan's error answers (the lead wires it into the app)."""
    app = FastAPI()
    app.state.ctx = ctx
    app.include_router(alerts_api.router)
    errors.install(app)
    with TestClient(app) as client:
        yield client


def bearer(ctx: ServiceContext, people: People, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {users.issue_token(ctx, people[who])}"}


def test_the_api_lists_shows_and_acknowledges(
    api: TestClient, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    raised = raise_joint(ctx, people, clock)
    border, agent = bearer(ctx, people, "border"), bearer(ctx, people, "agent")
    listed = api.get("/api/v1/alerts", headers=border)
    assert listed.status_code == 200 and [a["id"] for a in listed.json()] == [raised["id"]]
    assert api.get("/api/v1/alerts?status=open", headers=border).json()[0]["kind"] == (
        "epidemic.joint"
    )
    shown = api.get(f"/api/v1/alerts/{raised['id']}", headers=border)
    assert shown.status_code == 200 and len(shown.json()["payload"]["contacts"]) == 2

    acked = api.post(f"/api/v1/alerts/{raised['id']}/acknowledge", headers=border)
    assert acked.status_code == 200 and acked.json()["acknowledged"] == names("border")
    assert api.post(f"/api/v1/alerts/{raised['id']}/acknowledge", headers=border).json() == (
        acked.json()
    )
    assert api.get("/api/v1/alerts?status=open", headers=border).json() == []

    assert api.get("/api/v1/alerts", headers=agent).json() == []
    hidden = api.get(f"/api/v1/alerts/{raised['id']}", headers=agent)
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
    office = bearer(ctx, people, "port_office")
    alert_id = raise_joint(ctx, people, clock, to_types=(OrgType.CIQ,))["id"]
    refused = api.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=office)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert api.get("/api/v1/alerts/0", headers=border).status_code == 422
    assert api.get("/api/v1/alerts?status=closed", headers=border).status_code == 422
    assert api.get("/api/v1/alerts").status_code == 401
