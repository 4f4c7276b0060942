"""Cargo declarations end to end through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from kouan.adapters.db import audit
from kouan.adapters.db.tables import AuditEntry
from kouan.domain.agency import Agency, Decision
from kouan.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouan.services import declarations, inspections, reviews, risk_rules, traders
from kouan.services.declarations import Filter
from kouan.services.unit_of_work import ServiceContext
from tests.conftest import Clock, People
from tests.factories import TRADERS, declaration, declaration_item


@pytest.fixture
def registered(ctx: ServiceContext, people: People) -> ServiceContext:
    for code, (name, credit_class) in TRADERS.items():
        traders.register(ctx, people["customs"], traders.checked(code, name, credit_class))
    return ctx


def _file(ctx: ServiceContext, people: People, **overrides: Any) -> dict[str, Any]:
    status, view = declarations.file_declaration(ctx, people["broker"], declaration(**overrides))
    assert status == 201
    return view


def _review(view: dict[str, Any], agency: str) -> dict[str, Any]:
    return next(r for r in view["reviews"] if r["agency"] == agency)


def test_green_lane_is_released_at_filing(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = _file(registered, people, reference="G-1")
    assert view["lane"] == "green"
    assert view["status"] == "released"
    assert view["release_notice"]["number"] == f"RN-CNTAO-{view['id']:08d}"
    assert view["clearance_seconds"] == 0
    assert _review(view, "CUSTOMS")["decided_by"] == "rules"
    assert view["risk_version"] == 1


def test_d_class_trader_goes_to_inspection_and_a_pass_releases(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = _file(registered, people, trader="3702960005", trader_name="Linyi Small Goods")
    assert (view["lane"], view["status"], view["rules_hit"]) == (
        "inspection",
        "inspection",
        ["CC-D"],
    )
    [booked] = (
        view["inspections"]
        or declarations.get_declaration(registered, people["customs"], view["id"])["inspections"]
    )
    assert booked["status"] == "booked" and booked["site"] == "CNTAO"
    clock.advance(hours=3)
    result = inspections.record_result(
        registered, people["customs"], booked["id"], True, "as declared"
    )
    assert result["status"] == "passed"
    after = declarations.get_declaration(registered, people["broker"], view["id"])
    assert after["status"] == "released"
    assert after["clearance_seconds"] == 3 * 3600
    done = declarations.gate_out(registered, people["terminal"], view["id"])
    assert done["status"] == "gated_out"


def test_failed_inspection_holds_and_customs_seizes(
    registered: ServiceContext, people: People
) -> None:
    view = _file(registered, people, trader="3702960005", trader_name="Linyi Small Goods")
    booked = declarations.get_declaration(registered, people["customs"], view["id"])["inspections"][
        0
    ]
    inspections.record_result(
        registered, people["customs"], booked["id"], False, "undeclared cigarettes"
    )
    held = declarations.get_declaration(registered, people["customs"], view["id"])
    assert held["status"] == "held"
    assert held["status_reason"] == "inspection failed: undeclared cigarettes"
    seized = declarations.seize(registered, people["customs"], view["id"], "smuggling: cigarettes")
    assert (seized["status"], seized["status_reason"]) == ("seized", "smuggling: cigarettes")
    with pytest.raises(NotFound):  # a terminal sees only released goods
        declarations.gate_out(registered, people["terminal"], view["id"])
    with pytest.raises(InvalidTransition):
        declarations.seize(registered, people["customs"], view["id"], "again")


def test_document_lane_waits_for_an_officer(registered: ServiceContext, people: People) -> None:
    view = _file(registered, people, trader="3702960004", trader_name="Weifang Food Trading")
    assert (view["lane"], view["status"]) == ("document", "under_review")
    queue = declarations.list_declarations(
        registered, people["customs"], Filter(awaiting=Agency.CUSTOMS), oldest_first=True
    )
    assert [d["id"] for d in queue] == [view["id"]]
    assert declarations.queue_counts(registered, people["customs"], Agency.CUSTOMS)["document"] == 1
    review = _review(view, "CUSTOMS")
    reviews.decide(registered, people["customs"], review["id"], Decision.APPROVE, "")
    assert (
        declarations.get_declaration(registered, people["broker"], view["id"])["status"]
        == "released"
    )


def test_legal_inspection_adds_a_ciq_review_in_parallel(
    registered: ServiceContext, people: People
) -> None:
    meat = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")
    view = _file(
        registered, people, trader="3702960001", trader_name="Qingdao Haier Trading", items=[meat]
    )
    assert {r["agency"]: r["status"] for r in view["reviews"]} == {
        "CUSTOMS": "pending",
        "CIQ": "pending",
    }
    ciq = _review(view, "CIQ")
    assert "020130 under 02" in ciq["reason"]
    # CIQ sees it (routed to it); customs still decides its own review.
    assert declarations.get_declaration(registered, people["ciq"], view["id"])["id"] == view["id"]
    reviews.decide(registered, people["ciq"], ciq["id"], Decision.APPROVE, "")
    assert (
        declarations.get_declaration(registered, people["broker"], view["id"])["status"]
        == "under_review"
    )
    reviews.decide(
        registered, people["customs"], _review(view, "CUSTOMS")["id"], Decision.APPROVE, ""
    )
    assert (
        declarations.get_declaration(registered, people["broker"], view["id"])["status"]
        == "released"
    )


def test_brokers_see_only_their_own(registered: ServiceContext, people: People) -> None:
    view = _file(registered, people)
    with pytest.raises(NotFound):
        declarations.get_declaration(registered, people["broker2"], view["id"])
    assert declarations.list_declarations(registered, people["broker2"]) == []
    with pytest.raises(Forbidden):
        declarations.list_declarations(registered, people["agent"])


def test_unknown_trader_currency_and_reused_reference_are_refused_whole(
    registered: ServiceContext, people: People
) -> None:
    _file(registered, people, reference="R-1")
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
    assert declarations.count_declarations(registered, people["customs"]) == 1
    with registered.sessions() as session:
        assert list(audit.verify(session)) == []
        filed = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "declaration")
        ).all()
    assert filed == ["declaration.filed"]  # the refused one left nothing behind


def test_risk_officer_adds_a_rule_tests_and_activates_it(
    registered: ServiceContext, people: People
) -> None:
    _file(registered, people)
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
    view = _file(registered, people)
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
    _file(registered, people, reference="TZ-1")
    with registered.sessions() as session:
        assert list(audit.verify(session)) == []
