"""The demo port of Qingdao, built through the services beside the fixture users, on SQLite and
PostgreSQL: every state of a call, open queues for every agency, valid ships, an intact audit
log, working logins, and a second build that adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kouan.adapters.db import audit
from kouan.adapters.db.tables import Base
from kouan.domain.agency import AGENCIES
from kouan.domain.identifiers import mmsi_flag, validate_imo, validate_mmsi
from kouan.domain.portcall import CallStatus
from kouan.services import demo, portcalls, reviews, users
from kouan.services.demo import Login
from kouan.services.permissions import Actor
from kouan.services.unit_of_work import ServiceContext
from tests.conftest import Clock, People

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def logins(ctx: ServiceContext, people: People) -> list[Login]:
    # The fixture's users are already there, some in the demo's organisations.
    return demo.build(ctx)


def _actor(ctx: ServiceContext, username: str) -> Actor:
    return users.actor_for(ctx, users.find_user(ctx, username))


def _calls(ctx: ServiceContext) -> list[dict[str, Any]]:
    return portcalls.list_port_calls(ctx, _actor(ctx, "portoffice"), limit=500)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_the_week_shows_every_state_and_fills_every_queue(
    ctx: ServiceContext, clock: Clock, logins: list[Login]
) -> None:
    calls = _calls(ctx)
    assert {c["status"] for c in calls} == {s.value for s in CallStatus}
    assert [c["ship"]["name"] for c in calls if c["late"]], "one call was filed late"

    cleared = [c for c in calls if c["status"] == CallStatus.CLEARED]
    assert all(clock.now < _at(c["eta"]) <= clock.now + timedelta(hours=48) for c in cleared)

    midnight = clock.now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    departed = [c for c in calls if c["status"] == CallStatus.DEPARTED]
    left = [_at(c["timestamps"]["ATD"]) for c in departed]
    assert any(midnight <= atd <= clock.now for atd in left), "ships left today"
    assert any(clock.now - timedelta(days=7) < atd < midnight for atd in left), "and this week"
    waited = [c for c in departed if not c["zero_wait"]["is_zero_wait"]]
    assert 1 <= len(waited) < len(departed) / 4, "most departed ships did not wait"

    office = _actor(ctx, "portoffice")
    assert set(reviews.queue_counts(ctx, office)) == {a.value for a in AGENCIES}
    hits = {
        (r["agency"], r["status"], code)
        for r in reviews.list_reviews(ctx, office, status="open", limit=500)
        for code in r["rules_hit"]
    }
    assert {
        ("CUSTOMS", "pending", "CUSTOMS-CARGO-TOTALS"),
        ("MSA", "pending", "MSA-DG-OFFICER-CLASS"),
        ("BORDER", "hold", "BORDER-WATCH-LIST"),
        ("CIQ", "inspect", "CIQ-ILL-ABOARD"),
    } <= hits
    customs = reviews.list_reviews(ctx, _actor(ctx, "customs.li"), limit=500)
    assert {"customs.wang", "customs.li"} <= {r["officer"] for r in customs}


def test_ships_have_valid_identities_and_the_cruise_brings_passengers(
    ctx: ServiceContext, logins: list[Login]
) -> None:
    calls = _calls(ctx)
    ships = {c["ship"]["imo"]: c["ship"] for c in calls}
    assert len(ships) >= 28
    for imo, ship in ships.items():
        assert validate_imo(imo) == imo
        assert validate_mmsi(ship["mmsi"]) == ship["mmsi"]
        assert mmsi_flag(ship["mmsi"]) == ship["flag"], ship["name"]
    diadem = ships["9134270"]
    assert (diadem["name"], diadem["mmsi"], diadem["call_sign"]) == (
        "EVER DIADEM",
        "351759000",
        "3FOF8",
    )
    office = _actor(ctx, "portoffice")
    passengers = max(
        len(portcalls.get_port_call(ctx, office, c["id"])["arrival"]["passengers"]) for c in calls
    )
    assert passengers >= 50


def _row_counts(ctx: ServiceContext) -> dict[str, int]:
    with ctx.sessions() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_build_again_adds_nothing_the_audit_holds_and_the_logins_work(
    ctx: ServiceContext, people: People, logins: list[Login]
) -> None:
    before = _row_counts(ctx)
    assert before["port_calls"] >= 30
    assert demo.build(ctx) == logins
    assert _row_counts(ctx) == before
    with ctx.sessions() as session:
        assert list(audit.verify(session)) == []
    for login in logins:
        actor = users.authenticate(ctx, login.username, login.password)
        assert (actor.username, actor.org_name) == (login.username, login.org_name)
    assert users.find_user(ctx, "customs") == people["customs"].user_id
