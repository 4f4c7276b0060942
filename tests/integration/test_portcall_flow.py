"""The port call end to end through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from kouan.adapters.db import audit
from kouan.domain.agency import Decision
from kouan.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.domain.portcall import TimelineEvent
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.services.ships import portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice, departure_notice


def _file(ctx: ServiceContext, people: People, clock: Clock, **overrides: object) -> dict:
    status, call = portcalls.file_arrival(
        ctx, people["agent"], arrival_notice(clock.now, **overrides)
    )
    assert status == 201
    return call


def _by_agency(call: dict, phase: str = "entry") -> dict[str, dict]:
    return {r["agency"]: r for r in call["reviews"] if r["phase"] == phase}


def test_clean_filing_is_cleared_by_rules_at_once(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock)
    assert call["status"] == "cleared"
    assert sorted(_by_agency(call)) == ["BORDER", "CIQ", "CUSTOMS", "MSA"]
    assert all(r["status"] == "approved" and r["decided_by"] == "rules" for r in call["reviews"])
    assert call["entry_permit"]["issued_at"] == clock.now.isoformat()
    assert call["late"] is False


def test_filed_document_is_stored_as_filed_and_audited_by_its_digest(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now)
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    with ctx.sessions() as session:
        stored = session.execute(
            text("SELECT arrival FROM port_calls WHERE id = :id"), {"id": call["id"]}
        ).scalar_one()
        after = session.execute(
            text(
                "SELECT after FROM audit_log WHERE action = 'port_call.filed' AND entity_id = :id"
            ),
            {"id": str(call["id"])},
        ).scalar_one()
    # Stored once as JSON (never a JSON string holding JSON), and the digest is of that text.
    document = stored if isinstance(stored, dict) else json.loads(stored)
    assert type(notice).model_validate(document) == notice
    after = after if isinstance(after, dict) else json.loads(after)
    expected = hashlib.sha256(notice.model_dump_json().encode()).hexdigest()
    assert after["document_sha256"] == expected
    assert portcalls.get_port_call(ctx, people["agent"], call["id"])["arrival"] == document


def test_ill_person_orders_boarding_quarantine_and_officer_clears(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock, health={"ill_persons": 2})
    ciq = _by_agency(call)["CIQ"]
    assert call["status"] == "filed" and call["entry_permit"] is None
    assert ciq["status"] == "inspect" and "CIQ-ILL-ABOARD" in ciq["rules_hit"]
    queue = reviews.list_reviews(ctx, people["ciq"], status="open")
    assert [r["id"] for r in queue] == [ciq["id"]]
    clock.advance(hours=2)
    decided = reviews.decide(ctx, people["ciq"], ciq["id"], Decision.APPROVE, "")
    assert decided["status"] == "approved" and decided["officer"] == "ciq"
    after = portcalls.get_port_call(ctx, people["agent"], call["id"])
    assert after["status"] == "cleared"
    assert after["entry_permit"]["issued_at"] == clock.now.isoformat()


def test_officer_must_give_a_reason_to_hold(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock, cargo={"total_packages": 1})
    customs = _by_agency(call)["CUSTOMS"]
    assert customs["status"] == "pending"
    with pytest.raises(ValidationFailed) as err:
        reviews.decide(ctx, people["customs"], customs["id"], Decision.HOLD, "  ")
    assert err.value.fields[0].field == "reason"
    held = reviews.decide(ctx, people["customs"], customs["id"], Decision.HOLD, "packages mismatch")
    assert held["status"] == "hold"


def test_an_agency_cannot_decide_another_agencys_review(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock, cargo={"total_packages": 1})
    customs = _by_agency(call)["CUSTOMS"]
    with pytest.raises(NotFound):
        reviews.decide(ctx, people["msa"], customs["id"], Decision.APPROVE, "")
    with pytest.raises(Forbidden):
        reviews.decide(ctx, people["agent"], customs["id"], Decision.APPROVE, "")


def test_second_officer_is_told_the_review_was_decided(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock, cargo={"total_packages": 1})
    review_id = _by_agency(call)["CUSTOMS"]["id"]
    reviews.decide(ctx, people["customs"], review_id, Decision.APPROVE, "")
    with pytest.raises(Conflict, match="already decided: approved by customs"):
        reviews.decide(ctx, people["customs"], review_id, Decision.REJECT, "too late")


def test_concurrent_decisions_one_wins(ctx: ServiceContext, people: People, clock: Clock) -> None:
    call = _file(ctx, people, clock, cargo={"total_packages": 1})
    seen = _by_agency(call)["CUSTOMS"]
    review_id = seen["id"]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def officer(decision: Decision) -> None:
        barrier.wait()
        try:
            reviews.decide(ctx, people["customs"], review_id, decision, "checked", seen["version"])
            results.append(decision.value)
        except Conflict:
            results.append("conflict")

    threads = [
        threading.Thread(target=officer, args=(d,)) for d in (Decision.APPROVE, Decision.HOLD)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["approve", "conflict"], ["conflict", "hold"]), results
    winner = next(r for r in results if r != "conflict")
    final = portcalls.get_port_call(ctx, people["port_office"], call["id"])
    assert _by_agency(final)["CUSTOMS"]["status"] == Decision(winner).status.value


def test_late_filing_is_flagged(ctx: ServiceContext, people: People, clock: Clock) -> None:
    notice = arrival_notice(clock.now - timedelta(days=3) + timedelta(hours=10))
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    assert call["late"] is True


def test_amendment_reopens_only_affected_reviews(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock)
    before = _by_agency(call)
    clock.advance(hours=1)
    amended = portcalls.amend_arrival(
        ctx,
        people["agent"],
        call["id"],
        arrival_notice(clock.now - timedelta(hours=1), health={"ill_persons": 1}),
    )
    after = _by_agency(amended)
    assert after["CIQ"]["status"] == "inspect"
    for agency in ("CUSTOMS", "BORDER", "MSA"):
        assert after[agency]["decided_at"] == before[agency]["decided_at"]
    assert amended["status"] == "filed" and amended["entry_permit"] is None


def test_whole_call_is_zero_wait_when_permits_come_first(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock)
    terminal = people["terminal"]
    for event, hours in (
        (TimelineEvent.ATA, 70),
        (TimelineEvent.ALL_FAST, 2),
        (TimelineEvent.OPS_START, 1),
    ):
        clock.advance(hours=hours)
        portcalls.record_event(ctx, terminal, call["id"], event, clock.now)
    status, departed = portcalls.file_departure(
        ctx, people["agent"], call["id"], departure_notice(clock.now)
    )
    assert status == 201 and departed["departure_permit"] is None
    assert all(r["status"] == "approved" for r in _by_agency(departed, "departure").values())
    clock.advance(hours=20)
    done = portcalls.record_event(ctx, terminal, call["id"], TimelineEvent.OPS_COMPLETE, clock.now)
    assert done["departure_permit"]["issued_at"] == clock.now.isoformat()
    clock.advance(hours=1)
    gone = portcalls.record_event(ctx, terminal, call["id"], TimelineEvent.ATD, clock.now)
    assert gone["status"] == "departed"
    assert gone["zero_wait"] == {
        "entry_wait_minutes": 0.0,
        "departure_wait_minutes": 0.0,
        "is_zero_wait": True,
    }


def test_waiting_for_permits_is_measured(ctx: ServiceContext, people: People, clock: Clock) -> None:
    call = _file(ctx, people, clock, cargo={"total_packages": 1})
    customs_review = _by_agency(call)["CUSTOMS"]["id"]
    terminal = people["terminal"]
    clock.advance(hours=70)
    portcalls.record_event(ctx, terminal, call["id"], TimelineEvent.ATA, clock.now)
    clock.advance(hours=1)
    portcalls.record_event(ctx, terminal, call["id"], TimelineEvent.ALL_FAST, clock.now)
    clock.advance(minutes=45)
    reviews.decide(ctx, people["customs"], customs_review, Decision.APPROVE, "")
    view = portcalls.get_port_call(ctx, terminal, call["id"])
    assert view["zero_wait"]["entry_wait_minutes"] == 45.0
    assert view["zero_wait"]["is_zero_wait"] is False


def test_timeline_order_is_enforced(ctx: ServiceContext, people: People, clock: Clock) -> None:
    call = _file(ctx, people, clock)
    with pytest.raises(InvalidTransition, match="ALL_FAST needs ATA"):
        portcalls.record_event(
            ctx, people["terminal"], call["id"], TimelineEvent.ALL_FAST, clock.now
        )
    portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent.ATA, clock.now)
    with pytest.raises(InvalidTransition, match="before ATA"):
        portcalls.record_event(
            ctx,
            people["terminal"],
            call["id"],
            TimelineEvent.ALL_FAST,
            clock.now - timedelta(hours=1),
        )


def test_enterprises_see_only_their_own_calls(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock)
    with pytest.raises(NotFound):
        portcalls.get_port_call(ctx, people["agent2"], call["id"])
    assert portcalls.list_port_calls(ctx, people["agent2"]) == []
    assert [c["id"] for c in portcalls.list_port_calls(ctx, people["port_office"])] == [call["id"]]
    assert portcalls.list_port_calls(ctx, people["broker"]) == []
    with pytest.raises(NotFound):
        portcalls.get_port_call(ctx, people["broker"], call["id"])


def test_same_idempotency_key_files_once(ctx: ServiceContext, people: People, clock: Clock) -> None:
    notice = arrival_notice(clock.now)
    first = portcalls.file_arrival(ctx, people["agent"], notice, "key-1", "digest-a")
    again = portcalls.file_arrival(ctx, people["agent"], notice, "key-1", "digest-a")
    assert first == again
    assert len(portcalls.list_port_calls(ctx, people["agent"])) == 1
    with pytest.raises(ValidationFailed, match="Idempotency-Key"):
        portcalls.file_arrival(ctx, people["agent"], notice, "key-1", "digest-b")


def test_audit_chain_holds_and_finds_tampering(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = _file(ctx, people, clock, health={"ill_persons": 1})
    reviews.decide(ctx, people["ciq"], _by_agency(call)["CIQ"]["id"], Decision.APPROVE, "")
    with ctx.sessions() as session:
        assert list(audit.verify(session)) == []
        session.execute(
            text(
                "UPDATE audit_log SET actor = 'mallory' "
                "WHERE seq = (SELECT MIN(seq) + 3 FROM audit_log)"
            )
        )
        session.commit()
        breaks = list(audit.verify(session))
    assert breaks and "edited" in breaks[0].problem
    with ctx.sessions() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"))
        session.commit()
        problems = [b.problem for b in audit.verify(session)]
    assert any("chain ends" in p for p in problems)


def test_a_ship_remembered_with_a_detention_is_referred_and_refiled_as_filed(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """The ship register keeps what port State control recorded (detentions) when the ship is
    filed again under a new name, and MSA's rules read it."""
    notice = arrival_notice(clock())
    portcalls.file_arrival(ctx, people["agent"], notice)
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE ships SET detentions = 1 WHERE imo = :imo"), {"imo": notice.ship.imo}
        )
    renamed = notice.model_copy(
        update={"ship": notice.ship.model_copy(update={"name": "NEW NAME"})}
    )
    _, call = portcalls.file_arrival(ctx, people["agent"], renamed)
    msa = next(r for r in call["reviews"] if r["agency"] == "MSA")
    assert "MSA-DETENTION-RECORD" in msa["rules_hit"] and msa["status"] == "pending"
    with ctx.engine.connect() as conn:
        ship = conn.execute(
            text("SELECT name, detentions FROM ships WHERE imo = :imo"), {"imo": notice.ship.imo}
        ).one()
    assert tuple(ship) == ("NEW NAME", 1)
