"""The demo port of Qingdao, built through the services beside the fixture users, on SQLite and
PostgreSQL: every state of a call, open queues for every agency, valid ships, a month of cargo
declarations in every lane and status from three declaration offices, clearance times worth
reading, brokers who see only their own, an intact audit log, working logins, and a second
build that adds nothing.

The demo is built once per database for the whole module (a month of cargo takes a while); every
test only reads it, or builds again to show that nothing is added."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kouan.adapters.db import audit
from kouan.adapters.db.tables import AuditEntry, Base, DeclarationRow
from kouan.demo import build as demo
from kouan.demo.content import Login
from kouan.domain.agency import AGENCIES, Agency
from kouan.domain.declaration import Declaration, DeclarationStatus, Lane
from kouan.domain.errors import NotFound
from kouan.domain.identifiers import mmsi_flag, validate_imo, validate_mmsi
from kouan.domain.portcall import CallStatus
from kouan.domain.stats.growth import rank
from kouan.domain.stats.periods import Month
from kouan.services.cargo import clearance, queries, risk_rules, traders
from kouan.services.cargo.queries import Filter
from kouan.services.passengers import lists
from kouan.services.platform import reference, users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from kouan.services.ships import portcalls
from kouan.services.stats import figures
from tests.conftest import Clock, People, _context, _pg_clean

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSENGER_SCALE = 0.1  # a tenth of the week's travellers: every kind of them, in less time
OFFICES = {"qdbroker": "CNTAO", "jnbroker": "CNJNA", "hmbroker": "CNHOM"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, People]]:
    """The demo built once on each database, beside the fixture's users."""
    if request.param == "sqlite":
        template, people = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("demo") / "kouan.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
    else:
        url, people = request.getfixturevalue("pg_ready")
        _pg_clean(url)
    context = _context(url, Clock())
    with context.sessions() as session:
        reference.ensure_reference_data(session, context.clock())
    demo.build(context, passenger_scale=PASSENGER_SCALE)
    context.engine.dispose()
    yield url, people


@pytest.fixture
def logins(ctx: ServiceContext, people: People) -> list[Login]:
    # Built already: building again only answers the logins.
    return demo.build(ctx)


def _actor(ctx: ServiceContext, username: str) -> Actor:
    return users.actor_for(ctx, users.find_user(ctx, username))


def _calls(ctx: ServiceContext) -> list[dict[str, Any]]:
    return portcalls.list_port_calls(ctx, _actor(ctx, "portoffice"), limit=500)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _port_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


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
    # The cruise ship's FAL 6 is its cruise line's list, by reference, not a copy.
    office = _actor(ctx, "portoffice")
    cruise = [portcalls.get_port_call(ctx, office, c["id"]) for c in calls]
    cruise = [c for c in cruise if c["ship"]["name"] == "COSTA ORIENTE"]
    assert len(cruise) == 1 and cruise[0]["arrival"]["passengers"] == []
    lists = {item["kind"]: item for item in cruise[0]["passenger_lists"]}
    assert lists["passengers"]["persons"] >= 100 and lists["crew"]["persons"] >= 50


def _count(ctx: ServiceContext, actor: Actor, **where: Any) -> int:
    return queries.count_declarations(ctx, actor, Filter(**where))


def test_the_month_of_cargo_has_every_lane_status_and_office(
    ctx: ServiceContext, clock: Clock, logins: list[Login]
) -> None:
    customs = _actor(ctx, "customs.wang")
    total = _count(ctx, customs)
    assert 2500 <= total <= 3500
    lanes = {lane: _count(ctx, customs, lane=lane) for lane in Lane}
    assert all(lanes.values()), lanes
    assert lanes[Lane.GREEN] > total * 0.7, "most declarations go green"
    statuses = {s: _count(ctx, customs, status=(s,)) for s in DeclarationStatus}
    assert all(statuses.values()), statuses
    assert statuses[DeclarationStatus.GATED_OUT] > total / 2, "most goods have left the gate"
    assert statuses[DeclarationStatus.SEIZED] == 1
    offices = {office: _count(ctx, customs, office=office) for office in OFFICES.values()}
    assert all(offices.values()) and sum(offices.values()) == total, offices

    # Officers give reasons for every hold, seizure and rejection.
    stopped = (DeclarationStatus.HELD, DeclarationStatus.SEIZED, DeclarationStatus.REJECTED)
    for view in queries.list_declarations(ctx, customs, Filter(status=stopped), limit=200):
        assert view["status_reason"], view["reference"]
    # Some goods released today still wait for the gate.
    released = queries.list_declarations(
        ctx, customs, Filter(status=(DeclarationStatus.RELEASED,)), limit=500
    )
    today = _port_day(clock.now)
    assert any(_port_day(_at(v["released_at"])) == today for v in released)
    # The customs officers' queue still holds documents to check.
    assert queries.queue_counts(ctx, customs, Agency.CUSTOMS)[Lane.DOCUMENT] > 0


def _documents(ctx: ServiceContext) -> list[tuple[datetime, Declaration]]:
    with ctx.sessions() as session:
        rows = session.execute(select(DeclarationRow.filed_at, DeclarationRow.document)).all()
    return [(filed_at, Declaration.model_validate(document)) for filed_at, document in rows]


def test_declarations_are_realistic_and_spread_over_the_month(
    ctx: ServiceContext, clock: Clock, logins: list[Login]
) -> None:
    # Validating the stored documents checks HS codes, containers (ISO 6346 check digits),
    # currencies, countries and places again.
    documents = _documents(ctx)
    days = {_port_day(filed_at) for filed_at, _ in documents}
    assert len(days) == 30 and max(days) == _port_day(clock.now)
    assert all(clock.now - timedelta(days=30) < filed_at <= clock.now for filed_at, _ in documents)
    assert {d.release_port for _, d in documents} == {"CNTAO"}
    modes = Counter(d.transport.mode for _, d in documents)
    assert modes["sea"] > modes["air"] > 20
    currencies = {item.currency for _, d in documents for item in d.items}
    assert {"USD", "EUR", "JPY", "CNY"} <= currencies
    chapters = {item.hs_code[:2] for _, d in documents for item in d.items}
    assert {"02", "08", "44"} <= chapters, "meat, fruit and logs for CIQ"
    assert sum(len(d.containers) for _, d in documents) > len(documents)
    assert len({d.reference for _, d in documents}) == len(documents)

    ciq = _actor(ctx, "ciq.zhang")
    legal = _count(ctx, ciq)
    assert 0 < legal < len(documents) / 2, "CIQ sees the legal-inspection goods"


def test_traders_span_the_credit_classes(ctx: ServiceContext, logins: list[Login]) -> None:
    registered = traders.list_traders(ctx, _actor(ctx, "customs.li"))
    classes = Counter(t["credit_class"] for t in registered)
    assert classes["B"] > classes["A"] > classes["AA"] >= 2
    assert classes["C"] > classes["D"] >= 1
    places = {t["code"][:4] for t in registered}
    assert {"3702", "3701", "1410"} <= places, "Qingdao, Jinan and Houma (Linfen) companies"
    assert all(len(t["code"]) == 10 for t in registered)


def test_inspections_pass_fail_and_wait(
    ctx: ServiceContext, clock: Clock, logins: list[Login]
) -> None:
    first = _port_day(clock.now) - timedelta(days=30)
    office = _actor(ctx, "portoffice")
    schedule = inspections.schedule(ctx, office, "CNTAO", first, days=31)
    found = Counter(
        (i["agency"], i["status"]) for day in schedule["days"] for i in day["inspections"]
    )
    assert found[("CUSTOMS", "passed")] > 20
    assert found[("CUSTOMS", "failed")] == 3
    assert found[("CUSTOMS", "booked")] >= 1
    assert found[("CIQ", "passed")] > 10
    assert found[("CIQ", "failed")] == 1


def test_clearance_times_by_lane_office_and_day(ctx: ServiceContext, logins: list[Login]) -> None:
    figures = clearance.clearance_times(ctx, _actor(ctx, "portoffice"))
    by_lane = {row["lane"]: row for row in figures["by_lane"]}
    assert set(by_lane) == {lane.value for lane in Lane}
    assert all(row["count"] > 0 for row in by_lane.values())
    green, document, inspection = (by_lane[lane.value] for lane in Lane)
    assert green["p50_s"] < 60, "the green lane is released at filing"
    assert green["p50_s"] < document["p50_s"] < inspection["p50_s"]
    assert document["p50_s"] < document["p90_s"] <= document["p99_s"]
    assert {row["office"] for row in figures["by_office"]} == set(OFFICES.values())
    assert len(figures["by_day"]) == 30


def test_brokers_see_only_their_own(
    ctx: ServiceContext, people: People, logins: list[Login]
) -> None:
    total = _count(ctx, _actor(ctx, "customs.wang"))
    seen = {}
    for username, office in OFFICES.items():
        broker = _actor(ctx, username)
        own = queries.list_declarations(ctx, broker, limit=5000)
        assert own and len(own) == _count(ctx, broker)
        assert {v["broker_org_id"] for v in own} == {broker.org_id}
        assert {v["declaration_office"] for v in own} == {office}
        released = sum(1 for v in own if v["released_at"])
        assert clearance.clearance_times(ctx, broker)["all"]["count"] == released
        seen[username] = {v["id"] for v in own}
    assert sum(len(ids) for ids in seen.values()) == total
    other = next(iter(seen["jnbroker"]))
    with pytest.raises(NotFound):
        queries.get_declaration(ctx, _actor(ctx, "qdbroker"), other)
    assert _count(ctx, people["broker"]) == 0, "the fixture's broker filed nothing"


def test_the_risk_rules_have_history(ctx: ServiceContext, logins: list[Login]) -> None:
    customs = _actor(ctx, "customs.li")
    versions = {v["version"]: v for v in risk_rules.list_versions(ctx, customs)}
    assert [versions[n]["status"] for n in (1, 2, 3)] == ["retired", "active", "draft"]
    assert versions[2]["rules"] == versions[1]["rules"] + 1
    active = risk_rules.get_version(ctx, customs)
    assert active["version"] == 2 and active["assessed"] > 0
    beef = next(rule for rule in active["rules"] if rule["code"] == "UV-BEEF")
    assert beef["hits"] >= 1, "the undervalued beef after the rule went to inspection"
    assert risk_rules.get_version(ctx, customs, 1)["assessed"] > 0


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
    assert before["declarations"] >= 2500
    assert demo.build(ctx) == logins
    assert _row_counts(ctx) == before
    with ctx.sessions() as session:
        assert list(audit.verify(session)) == []
        instants = session.scalars(select(AuditEntry.at).order_by(AuditEntry.seq)).all()
    # The demo's entries come after the fixture's users and begin with its earliest instant.
    played = instants[instants.index(min(instants)) :]
    assert played == sorted(played), "the audit log reads in the order things happened"
    for login in logins:
        actor = users.authenticate(ctx, login.username, login.password)
        assert (actor.username, actor.org_name) == (login.username, login.org_name)
    assert {"jnbroker", "hmbroker"} <= {login.username for login in logins}
    assert users.find_user(ctx, "customs") == people["customs"].user_id


def test_the_week_of_passengers_is_screened_and_the_last_referrals_wait(
    ctx: ServiceContext, logins: list[Login]
) -> None:
    border = _actor(ctx, "border.liu")
    sent = lists.list_lists(ctx, border, None, limit=500)
    assert len(sent) > 20 and {row["kind"] for row in sent} == {"passengers", "crew"}
    hits = [
        person
        for row in sent
        if row["referred"]
        for person in lists.screening_result(ctx, border, row["id"])["persons"]
        if person["hits"]
    ]
    # Travellers planted on the watch list under another spelling are found and decided.
    assert hits and {p["decision"] for p in hits} <= {"refused", "referred"}
    queue = reviews.list_reviews(ctx, border, status="open")
    assert any(r["subject_type"] == "person_list" for r in queue)
    # An airline sees its own lists alone.
    own = lists.list_lists(ctx, _actor(ctx, "koreanair"), None, limit=500)
    assert own and len(own) < len(sent)


def test_the_port_office_holds_two_years_of_monthly_history_of_its_port_and_peers(
    ctx: ServiceContext, logins: list[Login]
) -> None:
    last = Month.of(ctx.clock().astimezone(SHANGHAI).date()).previous()
    with ctx.uow(_actor(ctx, "portoffice"), write=False) as uow:
        cargo = figures.by_port(uow, "foreign_trade_cargo", last)
        series = figures.monthly(uow, "CNTAO", "container_throughput", last.shift(-23), last)
    assert len(cargo) == 8 and "CNTAO" in cargo
    assert rank(cargo, "CNTAO") is not None
    assert all(f.value and f.source == "imported" for f in series)
