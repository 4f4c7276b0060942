"""Cargo declarations end to end through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kouan.adapters.cusdec import write_cusdec
from kouan.adapters.db import audit
from kouan.adapters.db.tables import AuditEntry
from kouan.bootstrap import service_context
from kouan.domain.agency import Agency, Decision
from kouan.domain.declaration import DeclarationStatus
from kouan.domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.services.cargo import cusdec_import, declarations, queries, release, risk_rules
from kouan.services.cargo.queries import Filter
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from tests.conftest import Clock, People, file_declaration
from tests.factories import declaration, declaration_item, trader


def _review(view: dict[str, Any], agency: str) -> dict[str, Any]:
    return next(r for r in view["reviews"] if r["agency"] == agency)


def test_green_lane_is_released_at_filing(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, reference="G-1")
    assert view["lane"] == "green"
    assert view["status"] == "released"
    assert view["release_notice"]["number"] == f"RN-CNTAO-{view['id']:08d}"
    assert view["clearance_seconds"] == 0
    assert _review(view, "CUSTOMS")["decided_by"] == "rules"
    assert view["risk_version"] == 1


def test_d_class_trader_goes_to_inspection_and_a_pass_releases(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, **trader("D"))
    assert (view["lane"], view["status"], view["rules_hit"]) == (
        "inspection",
        "inspection",
        ["CC-D"],
    )
    [booked] = (
        view["inspections"]
        or queries.get_declaration(registered, people["customs"], view["id"])["inspections"]
    )
    assert booked["status"] == "booked" and booked["site"] == "CNTAO"
    clock.advance(hours=3)
    result = inspections.record_result(
        registered, people["customs"], booked["id"], True, "as declared"
    )
    assert result["status"] == "passed"
    after = queries.get_declaration(registered, people["broker"], view["id"])
    assert after["status"] == "released"
    assert after["clearance_seconds"] == 3 * 3600
    done = release.gate_out(registered, people["terminal"], view["id"])
    assert done["status"] == "gated_out"


def test_failed_inspection_holds_and_customs_seizes(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, **trader("D"))
    booked = queries.get_declaration(registered, people["customs"], view["id"])["inspections"][0]
    inspections.record_result(
        registered, people["customs"], booked["id"], False, "undeclared cigarettes"
    )
    held = queries.get_declaration(registered, people["customs"], view["id"])
    assert held["status"] == "held"
    assert held["status_reason"] == "inspection failed: undeclared cigarettes"
    seized = release.seize(registered, people["customs"], view["id"], "smuggling: cigarettes")
    assert (seized["status"], seized["status_reason"]) == ("seized", "smuggling: cigarettes")
    with pytest.raises(NotFound):  # a terminal sees only released goods
        release.gate_out(registered, people["terminal"], view["id"])
    with pytest.raises(InvalidTransition):
        release.seize(registered, people["customs"], view["id"], "again")


def test_document_lane_waits_for_an_officer(registered: ServiceContext, people: People) -> None:
    view = file_declaration(registered, people, **trader("C"))
    assert (view["lane"], view["status"]) == ("document", "under_review")
    queue = queries.list_declarations(
        registered, people["customs"], Filter(awaiting=Agency.CUSTOMS), oldest_first=True
    )
    assert [d["id"] for d in queue] == [view["id"]]
    assert queries.queue_counts(registered, people["customs"], Agency.CUSTOMS)["document"] == 1
    review = _review(view, "CUSTOMS")
    reviews.decide(registered, people["customs"], review["id"], Decision.APPROVE, "")
    assert queries.get_declaration(registered, people["broker"], view["id"])["status"] == "released"


def test_legal_inspection_adds_a_ciq_review_in_parallel(
    registered: ServiceContext, people: People
) -> None:
    meat = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    view = file_declaration(
        registered, people, trader="3702960001", trader_name="Qingdao Haier Trading", items=[meat]
    )
    assert {r["agency"]: r["status"] for r in view["reviews"]} == {
        "CUSTOMS": "pending",
        "CIQ": "pending",
    }
    ciq = _review(view, "CIQ")
    assert "020130 under 02" in ciq["reason"]
    # CIQ sees it (routed to it); customs still decides its own review.
    assert queries.get_declaration(registered, people["ciq"], view["id"])["id"] == view["id"]
    reviews.decide(registered, people["ciq"], ciq["id"], Decision.APPROVE, "")
    assert (
        queries.get_declaration(registered, people["broker"], view["id"])["status"]
        == "under_review"
    )
    reviews.decide(
        registered, people["customs"], _review(view, "CUSTOMS")["id"], Decision.APPROVE, ""
    )
    assert queries.get_declaration(registered, people["broker"], view["id"])["status"] == "released"


def test_brokers_see_only_their_own(registered: ServiceContext, people: People) -> None:
    view = file_declaration(registered, people)
    with pytest.raises(NotFound):
        queries.get_declaration(registered, people["broker2"], view["id"])
    assert queries.list_declarations(registered, people["broker2"]) == []
    with pytest.raises(Forbidden):
        queries.list_declarations(registered, people["agent"])


def test_unknown_trader_currency_and_reused_reference_are_refused_whole(
    registered: ServiceContext, people: People
) -> None:
    file_declaration(registered, people, reference="R-1")
    with pytest.raises(ValidationFailed) as refused:
        declarations.file_declaration(
            registered,
            people["broker"],
            declaration(
                reference="R-1", trader="3702999998", items=[declaration_item(currency="XAU")]
            ),
        )
    assert sorted(f.field for f in refused.value.fields) == [
        "items[0].currency",
        "reference",
        "trader",
    ]
    assert queries.count_declarations(registered, people["customs"]) == 1
    with registered.sessions() as session:
        assert list(audit.verify(session)) == []
        filed = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "declaration")
        ).all()
    assert filed == ["declaration.filed"]  # the refused one left nothing behind


def test_risk_officer_adds_a_rule_tests_and_activates_it(
    registered: ServiceContext, people: People
) -> None:
    file_declaration(registered, people)
    draft = risk_rules.create_draft(registered, people["customs"], "T-shirts watched")
    rule = {
        "code": "HS-TSHIRT",
        "title": "T-shirts",
        "lane": "document",
        "kind": "hs_prefix",
        "values": ["6109"],
    }
    risk_rules.add_rule(registered, people["customs"], draft["version"], rule)
    tried = risk_rules.test_version(registered, people["customs"], draft["version"], last=10)
    assert tried["changed"] == 1 and tried["hits"]["HS-TSHIRT"] == 1
    risk_rules.activate(registered, people["customs"], draft["version"])
    view = file_declaration(registered, people)
    assert (view["lane"], view["rules_hit"], view["risk_version"]) == ("document", ["HS-TSHIRT"], 2)
    active = risk_rules.get_version(registered, people["customs"])
    hit = next(r for r in active["rules"] if r["code"] == "HS-TSHIRT")
    assert (hit["hits"], active["assessed"]) == (1, 1)
    with pytest.raises(Forbidden):
        risk_rules.create_draft(registered, people["broker"])


def test_the_audit_chain_holds_whatever_zone_the_clock_gives(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    clock.now = clock.now.astimezone(timezone(timedelta(hours=8)))  # Shanghai time, not UTC
    file_declaration(registered, people, reference="TZ-1")
    with registered.sessions() as session:
        assert list(audit.verify(session)) == []


# --- holds, officers' inspections, capacity, versions (added with the cargo API tests) ---------

CLASS_C = trader("C")
CLASS_D = trader("D")


def _get(ctx: ServiceContext, people: People, view: dict[str, Any]) -> dict[str, Any]:
    return queries.get_declaration(ctx, people["customs"], view["id"])


def _today(clock: Clock) -> date:
    return clock.now.astimezone(ZoneInfo("Asia/Shanghai")).date()


def _booked(ctx: ServiceContext, people: People, clock: Clock, days: int = 3) -> list[int]:
    """How many inspections are booked at Qingdao on each day from today."""
    found = inspections.schedule(ctx, people["customs"], "CNTAO", _today(clock), days)["days"]
    return [day["booked"] for day in found]


def test_a_hold_keeps_its_reason_until_an_officer_releases(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, **CLASS_C)
    customs = _review(view, "CUSTOMS")
    reviews.decide(registered, people["customs"], customs["id"], Decision.HOLD, "invoice missing")
    held = _get(registered, people, view)
    assert (held["status"], held["status_reason"]) == ("held", "invoice missing")
    assert held["release_notice"] is None
    only_held = Filter(status=(DeclarationStatus.HELD,))
    assert [
        d["id"] for d in queries.list_declarations(registered, people["broker"], only_held)
    ] == [view["id"]]
    # Still waiting for customs: a hold is decided again once the broker sends the invoice.
    assert queries.queue_counts(registered, people["customs"], Agency.CUSTOMS)["document"] == 1
    clock.advance(hours=4)
    reviews.decide(registered, people["customs"], customs["id"], Decision.APPROVE, "invoice sent")
    released = _get(registered, people, view)
    assert (released["status"], released["status_reason"]) == ("released", "")
    assert released["clearance_seconds"] == 4 * 3600


def test_a_ciq_hold_holds_the_declaration_that_customs_approved(
    registered: ServiceContext, people: People
) -> None:
    beef = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    view = file_declaration(
        registered, people, trader="3702960001", trader_name="Qingdao Haier", items=[beef]
    )
    reviews.decide(
        registered, people["customs"], _review(view, "CUSTOMS")["id"], Decision.APPROVE, ""
    )
    reviews.decide(
        registered,
        people["ciq"],
        _review(view, "CIQ")["id"],
        Decision.HOLD,
        "no health certificate",
    )
    held = _get(registered, people, view)
    assert (held["status"], held["status_reason"]) == ("held", "no health certificate")


def test_an_officer_inspect_decision_books_and_an_approval_frees_the_place(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, **CLASS_C)
    customs = _review(view, "CUSTOMS")
    reviews.decide(registered, people["customs"], customs["id"], Decision.INSPECT, "value low")
    inspected = _get(registered, people, view)
    [booked] = inspected["inspections"]
    assert inspected["status"] == "inspection"
    assert (booked["status"], booked["review_id"], booked["agency"]) == (
        "booked",
        customs["id"],
        "CUSTOMS",
    )
    assert (booked["site"], booked["day"]) == ("CNTAO", _today(clock).isoformat())
    assert _booked(registered, people, clock) == [1, 0, 0]
    reviews.decide(registered, people["customs"], customs["id"], Decision.APPROVE, "")
    approved = _get(registered, people, view)
    assert approved["status"] == "released"
    assert [i["status"] for i in approved["inspections"]] == ["cancelled"]
    assert _booked(registered, people, clock) == [0, 0, 0]
    # The result of a cancelled inspection cannot be recorded any more.
    with pytest.raises(Conflict):
        inspections.record_result(registered, people["customs"], booked["id"], True, "")


def test_a_second_inspect_decision_books_no_second_inspection(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, **CLASS_D)
    customs = _review(view, "CUSTOMS")
    booked = _get(registered, people, view)["inspections"][0]
    inspections.record_result(registered, people["customs"], booked["id"], False, "wrong goods")
    reviews.decide(registered, people["customs"], customs["id"], Decision.INSPECT, "open it")
    after = _get(registered, people, view)
    assert [i["status"] for i in after["inspections"]] == ["failed", "booked"]
    assert after["status"] == "inspection"
    assert _booked(registered, people, clock) == [2, 0, 0]


def test_a_full_day_rolls_bookings_to_the_next_day_with_room(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    today = _today(clock)
    inspections.set_capacity(registered, people["customs"], "CNTAO", today, 1)
    inspections.set_capacity(registered, people["customs"], "CNTAO", today + timedelta(days=1), 0)
    days = []
    for n in range(3):
        view = file_declaration(registered, people, reference=f"ROLL-{n}", **CLASS_D)
        days.append(_get(registered, people, view)["inspections"][0]["day"])
    assert days == [
        today.isoformat(),
        (today + timedelta(days=2)).isoformat(),
        (today + timedelta(days=2)).isoformat(),
    ]
    assert _booked(registered, people, clock) == [1, 0, 2]
    with pytest.raises(InvalidTransition):
        inspections.set_capacity(registered, people["customs"], "CNTAO", today, 0)


def test_a_cusdec_batch_books_its_inspections_in_order_across_days(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    today = _today(clock)
    inspections.set_capacity(registered, people["customs"], "CNTAO", today, 2)
    batch = [declaration(reference=f"BATCH-{n}", **CLASS_D) for n in range(3)]
    text = write_cusdec(batch, "BROKER", "KOUAN", "B1", clock.now)
    result = cusdec_import.import_interchange(registered, people["broker"], text)
    assert result.summary["accepted"] == 3
    ids = [d["id"] for d in result.summary["declarations"]]
    days = [_get(registered, people, {"id": i})["inspections"][0]["day"] for i in ids]
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert days == [today.isoformat(), today.isoformat(), tomorrow]
    assert _booked(registered, people, clock) == [2, 1, 0]


def test_no_room_in_the_horizon_refuses_the_filing_and_stores_nothing(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    settings = registered.settings.model_copy(update={"inspection_horizon_days": 2})
    short = service_context(registered.engine, settings, registered.clock)
    for n in range(2):
        day = _today(clock) + timedelta(days=n)
        inspections.set_capacity(short, people["customs"], "CNTAO", day, 0)
    with pytest.raises(Conflict, match="no inspection capacity at CNTAO"):
        declarations.file_declaration(short, people["broker"], declaration(**CLASS_D))
    assert queries.count_declarations(short, people["customs"]) == 0
    # A declaration that needs no inspection is filed as usual.
    status, view = declarations.file_declaration(short, people["broker"], declaration())
    assert (status, view["status"]) == (201, "released")


def test_released_goods_can_be_seized_before_the_gate(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="SEIZE-RELEASED")
    assert view["status"] == "released"
    seized = release.seize(registered, people["customs"], view["id"], "intelligence tip-off")
    assert (seized["status"], seized["status_reason"]) == ("seized", "intelligence tip-off")
    with pytest.raises(NotFound):  # no longer released: not the terminal's to let out
        release.gate_out(registered, people["terminal"], view["id"])


def test_declarations_keep_the_version_that_assessed_them(
    registered: ServiceContext, people: People
) -> None:
    customs = people["customs"]
    before = file_declaration(registered, people, reference="VER-1", **CLASS_C)
    draft = risk_rules.create_draft(registered, customs, "C class trusted again")["version"]
    risk_rules.remove_rule(registered, customs, draft, "CC-C")
    risk_rules.activate(registered, customs, draft)
    after = file_declaration(registered, people, reference="VER-2", **CLASS_C)
    assert (after["lane"], after["rules_hit"], after["risk_version"]) == ("green", [], 2)
    assert _review(after, "CUSTOMS")["rule_set"] == "RISK v2"
    kept = _get(registered, people, before)
    assert (kept["lane"], kept["rules_hit"], kept["risk_version"]) == ("document", ["CC-C"], 1)
    assert _review(kept, "CUSTOMS")["rule_set"] == "RISK v1"
    # Each version's hit rates count the declarations it assessed, retired or not.
    v1, v2 = (risk_rules.get_version(registered, customs, v) for v in (1, 2))
    assert (v1["status"], v1["assessed"]) == ("retired", 1)
    assert next(r["hits"] for r in v1["rules"] if r["code"] == "CC-C") == 1
    assert (v2["status"], v2["assessed"]) == ("active", 1)
    assert all(rule["hits"] == 0 for rule in v2["rules"])
    # A third version takes over; the second is retired in turn.
    third = risk_rules.create_draft(registered, customs)["version"]
    risk_rules.activate(registered, customs, third)
    versions = {v["version"]: v["status"] for v in risk_rules.list_versions(registered, customs)}
    assert versions == {1: "retired", 2: "retired", 3: "active"}


def test_a_copy_of_the_active_rules_redraws_every_declaration_the_same(
    registered: ServiceContext, people: People
) -> None:
    """The random draw is keyed by what was stored: testing an unchanged copy changes no lane,
    however many were selected at random; another seed changes some."""
    customs = people["customs"]
    draft = risk_rules.create_draft(registered, customs)["version"]
    document = risk_rules.get_version(registered, customs, draft)
    rates = {"document": 0.3, "inspection": 0.2}
    stored = {"rules": document["rules"], "random_rates": rates, "seed": 4242}
    risk_rules.save_draft(registered, customs, draft, stored)
    risk_rules.activate(registered, customs, draft)
    filed = [file_declaration(registered, people, reference=f"DRAW-{n}") for n in range(40)]
    filed.append(file_declaration(registered, people))  # no reference: keyed by the filing itself
    assert {v["random_selected"] for v in filed} == {True, False}
    copy = risk_rules.create_draft(registered, customs)["version"]
    same = risk_rules.test_version(registered, customs, copy, last=100)
    assert (same["declarations"], same["changed"]) == (41, 0)
    assert same["lanes"] == same["active_lanes"]
    assert same["lanes"] == {
        lane: sum(v["lane"] == lane for v in filed) for lane in ("green", "document", "inspection")
    }
    reseeded = {**stored, "seed": 4243}
    risk_rules.save_draft(registered, customs, copy, reseeded)
    assert risk_rules.test_version(registered, customs, copy, last=100)["changed"] > 0


def test_a_seizure_frees_every_inspection_booked_for_the_goods(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    """Seized goods are inspected by no one: CIQ's booking is cancelled too, and its place freed."""
    beef = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    view = file_declaration(registered, people, **CLASS_D, items=[beef])
    ciq = _review(view, "CIQ")
    reviews.decide(registered, people["ciq"], ciq["id"], Decision.INSPECT, "sample the meat")
    assert _booked(registered, people, clock) == [2, 0, 0]
    release.seize(registered, people["customs"], view["id"], "smuggled beef")
    seized = _get(registered, people, view)
    assert [i["status"] for i in seized["inspections"]] == ["cancelled", "cancelled"]
    assert _booked(registered, people, clock) == [0, 0, 0]


def test_goods_already_refused_are_not_booked_for_inspection(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    """Customs rejected the declaration; CIQ's later 'inspect' takes no place in the schedule."""
    beef = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    view = file_declaration(
        registered, people, trader="3702960001", trader_name="Haier", items=[beef]
    )
    customs, ciq = _review(view, "CUSTOMS"), _review(view, "CIQ")
    reviews.decide(registered, people["customs"], customs["id"], Decision.REJECT, "wrong trader")
    with contextlib.suppress(Conflict, InvalidTransition):  # refusing the decision would do too
        reviews.decide(registered, people["ciq"], ciq["id"], Decision.INSPECT, "sample the meat")
    rejected = _get(registered, people, view)
    assert rejected["status"] == "rejected"
    assert [i for i in rejected["inspections"] if i["status"] == "booked"] == []
    assert _booked(registered, people, clock) == [0, 0, 0]


def test_search_takes_percent_and_underscore_as_typed(
    registered: ServiceContext, people: People
) -> None:
    plain = file_declaration(registered, people, reference="JN-100")
    underscored = file_declaration(registered, people, reference="JN_200")
    found = {
        typed: [
            d["id"]
            for d in queries.list_declarations(registered, people["broker"], Filter(search=typed))
        ]
        for typed in ("%", "_", "JN-1", "n_2")
    }
    assert found == {
        "%": [],
        "_": [underscored["id"]],
        "JN-1": [plain["id"]],
        "n_2": [underscored["id"]],
    }
