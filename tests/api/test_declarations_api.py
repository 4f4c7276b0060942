"""Cargo declarations over HTTP, on SQLite and PostgreSQL: filing and its lane, idempotent retries,
what each organisation sees, the officers' queue and decisions, inspections and their capacity,
the terminal's gate, seizure, risk rules edited and activated, hit rates, clearance times and
the CUSRES of a declaration."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kouan.adapters.cusdec import parse_cusres
from kouan.adapters.db.tables import AuditEntry, DeclarationRow, Inspection, Review
from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import Tokens, error_field
from tests.conftest import Clock
from tests.factories import TRADERS, declaration_data, declaration_item, trader

DECLARATIONS = "/api/v1/declarations"
RISK_RULES = "/api/v1/risk-rules"
PORT_ZONE = ZoneInfo("Asia/Shanghai")
# The factory declaration's trader is B class; these swap in a trader of another class.
CLASS_AA = trader("AA")
CLASS_C = trader("C")
CLASS_D = trader("D")
BEEF = declaration_item(hs_code="020130", description="beef", unit="KGM", value="90000")


def register_traders(client: TestClient, auth: Tokens) -> None:
    """Customs registers the five traders of tests.factories.TRADERS, one per credit class."""
    for code, (name, credit_class) in TRADERS.items():
        response = client.put(
            f"/api/v1/traders/{code}",
            json={"name": name, "credit_class": credit_class},
            headers=auth("customs"),
        )
        assert response.status_code == 200, response.text


def file_declaration(
    client: TestClient, auth: Tokens, who: str = "broker", key: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """POST the factory declaration with `overrides`; the declaration answered with 201."""
    headers = auth(who) | ({"Idempotency-Key": key} if key else {})
    response = client.post(DECLARATIONS, json=declaration_data(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    view: dict[str, Any] = response.json()
    return view


def fetch(client: TestClient, auth: Tokens, path: str, who: str = "customs") -> Any:
    response = client.get(path, headers=auth(who))
    assert response.status_code == 200, response.text
    return response.json()


def post(
    client: TestClient, auth: Tokens, path: str, body: Any = None, who: str = "customs"
) -> httpx.Response:
    return client.post(path, json=body, headers=auth(who))


def review_of(view: dict[str, Any], agency: str = "CUSTOMS") -> dict[str, Any]:
    return next(r for r in view["reviews"] if r["agency"] == agency)


def cargo_counts(ctx: ServiceContext) -> dict[str, int]:
    """How many declarations, reviews, inspections and audit entries the database holds."""
    with ctx.sessions() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (DeclarationRow, Review, Inspection, AuditEntry)
        }


def decide(
    client: TestClient, auth: Tokens, review_id: int, decision: str, reason: str = ""
) -> dict[str, Any]:
    body = {"decision": decision, "reason": reason}
    response = post(client, auth, f"/api/v1/reviews/{review_id}/decision", body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
def traders(client: TestClient, auth: Tokens) -> None:
    register_traders(client, auth)


# --- filing -----------------------------------------------------------------------------------


def test_a_green_filing_is_released_at_once_with_its_notice(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    view = file_declaration(client, auth, reference="JN-G-2")
    rates = {
        r["currency"]: r["cny_per_unit"] for r in fetch(client, auth, "/api/v1/exchange-rates")
    }
    assert (view["lane"], view["status"], view["rules_hit"]) == ("green", "released", [])
    assert (view["random_selected"], view["risk_version"], view["source"]) == (False, 1, "api")
    assert view["reference"] == "JN-G-2"
    assert view["trader"] == {
        "code": "3702960003",
        "name": "Jinan Machinery Import",
        "credit_class": "B",
    }
    assert (view["declaration_office"], view["release_port"]) == ("CNJNA", "CNTAO")
    assert view["transport"] == "COSCO SHIPPING ARIES / 051E"
    assert view["transport_document"] == "COSU6300112233"
    assert view["value_cny"] == pytest.approx(4500 * rates["USD"])
    assert view["filed_at"] == view["released_at"] == clock.now.isoformat()
    assert view["release_notice"] == {
        "number": f"RN-CNTAO-{view['id']:08d}",
        "issued_at": view["released_at"],
    }
    assert view["clearance_seconds"] == 0 and view["gated_out_at"] is None
    [customs] = view["reviews"]
    assert (customs["agency"], customs["status"], customs["decided_by"]) == (
        "CUSTOMS",
        "approved",
        "rules",
    )
    assert customs["rule_set"] == "RISK v1" and customs["phase"] == "cargo"
    stored = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    assert {k: v for k, v in stored.items() if k != "document"} == view
    assert stored["document"]["items"][0]["hs_code"] == "610910"
    assert stored["document"]["reference"] == "JN-G-2"


@pytest.mark.parametrize(
    ("overrides", "lane", "status", "rules"),
    [
        (CLASS_AA, "green", "released", ["CC-AA"]),
        (CLASS_C, "document", "under_review", ["CC-C"]),
        (CLASS_D, "inspection", "inspection", ["CC-D"]),
        ({"items": [declaration_item(hs_code="930190", description="rifles")]}, "inspection",
         "inspection", ["HS-ARMS"]),
        ({"items": [declaration_item(value="1")]}, "document", "under_review", ["UV-TSHIRT"]),
        ({"items": [declaration_item(origin="PRK")]}, "inspection", "inspection",
         ["ORIGIN-SANCTIONS"]),
    ],
    ids=["aa-class", "c-class", "d-class", "arms", "undervalued", "sanctioned-origin"],
)  # fmt: skip
def test_the_rules_choose_the_lane(
    client: TestClient,
    auth: Tokens,
    traders: None,
    overrides: dict[str, Any],
    lane: str,
    status: str,
    rules: list[str],
) -> None:
    view = file_declaration(client, auth, **overrides)
    assert (view["lane"], view["status"], view["rules_hit"]) == (lane, status, rules)
    assert (view["release_notice"] is None) is (status != "released")
    customs = review_of(view)
    titles = {r["code"]: r["title"] for r in fetch(client, auth, f"{RISK_RULES}/active")["rules"]}
    assert customs["reason"] == f"{lane} lane: " + "; ".join(titles[code] for code in rules)


def test_an_inspection_lane_filing_answers_with_its_booking(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    """The inspection is booked in the filing's transaction: the answer shows it as GET does."""
    view = file_declaration(client, auth, **CLASS_D)
    stored = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    [booked] = stored["inspections"]
    assert (booked["status"], booked["site"], booked["kind"]) == ("booked", "CNTAO", "xray")
    assert booked["day"] == clock.now.astimezone(PORT_ZONE).date().isoformat()
    assert booked["review_id"] == review_of(stored)["id"]
    assert view["inspections"] == stored["inspections"]


def test_goods_on_the_legal_inspection_list_are_reviewed_by_ciq_too(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    view = file_declaration(client, auth, **CLASS_AA, items=[BEEF])
    assert {r["agency"]: r["status"] for r in view["reviews"]} == {
        "CUSTOMS": "pending",
        "CIQ": "pending",
    }
    assert review_of(view, "CIQ")["reason"] == "legal inspection: 020130 under 02"
    decide(client, auth, review_of(view, "CUSTOMS")["id"], "approve")
    assert fetch(client, auth, f"{DECLARATIONS}/{view['id']}")["status"] == "under_review"
    ciq_review = review_of(view, "CIQ")["id"]
    refused = client.post(
        f"/api/v1/reviews/{ciq_review}/decision",
        json={"decision": "approve"},
        headers=auth("customs"),
    )
    assert refused.status_code == 404
    response = client.post(
        f"/api/v1/reviews/{ciq_review}/decision", json={"decision": "approve"}, headers=auth("ciq")
    )
    assert response.status_code == 200, response.text
    assert fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")["status"] == "released"


def test_an_idempotency_key_replays_the_first_answer(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    first = file_declaration(client, auth, key="retry-1", reference="JN-I-1")
    before = cargo_counts(ctx)
    clock.advance(minutes=5)
    again = file_declaration(client, auth, key="retry-1", reference="JN-I-1")
    assert again == first
    assert cargo_counts(ctx) == before
    # The same key for another declaration is refused; the other key files anew.
    other = client.post(
        DECLARATIONS,
        json=declaration_data(reference="JN-I-2"),
        headers=auth("broker") | {"Idempotency-Key": "retry-1"},
    )
    assert error_field(other, 422, "Idempotency-Key")["value"] == "retry-1"
    assert cargo_counts(ctx) == before
    second = file_declaration(client, auth, key="retry-2", reference="JN-I-2")
    assert second["id"] != first["id"]
    # Keys are the user's own: broker2's "retry-1" is a filing of its own.
    theirs = file_declaration(client, auth, "broker2", key="retry-1", reference="JN-I-1")
    assert theirs["id"] not in (first["id"], second["id"])


def test_without_a_key_a_repeated_reference_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None
) -> None:
    file_declaration(client, auth, reference="JN-R-1")
    before = cargo_counts(ctx)
    response = post(client, auth, DECLARATIONS, declaration_data(reference="JN-R-1"), "broker")
    assert error_field(response, 422, "reference")["value"] == "JN-R-1"
    assert cargo_counts(ctx) == before
    # References are each broker's own numbers: another broker may use the same.
    file_declaration(client, auth, "broker2", reference="JN-R-1")


# --- who sees what ----------------------------------------------------------------------------


def ids(client: TestClient, auth: Tokens, who: str, query: str = "") -> list[int]:
    return [d["id"] for d in fetch(client, auth, f"{DECLARATIONS}{query}", who)]


def test_lists_and_reads_are_scoped_to_the_organisation(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    green = file_declaration(client, auth, reference="B1-GREEN")["id"]
    document = file_declaration(client, auth, reference="B1-DOC", **CLASS_C)["id"]
    meat = file_declaration(client, auth, reference="B1-MEAT", **CLASS_AA, items=[BEEF])["id"]
    theirs = file_declaration(client, auth, "broker2", reference="B2-GREEN")["id"]
    everything = sorted([green, document, meat, theirs])
    assert sorted(ids(client, auth, "broker")) == [green, document, meat]
    assert ids(client, auth, "broker2") == [theirs]
    assert sorted(ids(client, auth, "customs")) == everything
    assert sorted(ids(client, auth, "port_office")) == everything
    assert ids(client, auth, "ciq") == [meat]  # the legal-inspection one only
    assert sorted(ids(client, auth, "terminal")) == sorted([green, theirs])  # released ones
    for path in (f"{DECLARATIONS}/{green}", f"{DECLARATIONS}/{green}/cusres"):
        response = client.get(path, headers=auth("broker2"))
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{DECLARATIONS}/{document}", headers=auth("terminal")).status_code == 404
    assert client.get(f"{DECLARATIONS}/{document}", headers=auth("ciq")).status_code == 404
    for who in ("agent", "border", "msa", "airline", "cruise"):
        assert client.get(DECLARATIONS, headers=auth(who)).status_code == 403, who


def test_a_list_is_newest_first_and_filters_narrow_it(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    first = file_declaration(client, auth, reference="F-1")["id"]
    clock.advance(minutes=1)
    second = file_declaration(client, auth, reference="F-2", **CLASS_C)["id"]
    clock.advance(minutes=1)
    since = clock.now
    clock.advance(minutes=1)
    third = file_declaration(client, auth, reference="F-3", **CLASS_D, declaration_office="CNTAO")[
        "id"
    ]
    assert ids(client, auth, "broker") == [third, second, first]
    assert ids(client, auth, "broker", "?lane=document") == [second]
    assert ids(client, auth, "broker", "?status=released&status=inspection") == [third, first]
    assert ids(client, auth, "broker", "?office=CNJNA") == [second, first]
    assert ids(client, auth, "broker", "?office=cntao") == [third]
    assert ids(client, auth, "broker", "?q=f-2") == [second]
    assert ids(client, auth, "broker", "?q=Linyi") == [third]
    assert ids(client, auth, "broker", "?q=COSU63001") == [third, second, first]
    since_query = "?since=" + since.isoformat().replace("+", "%2B")
    assert ids(client, auth, "broker", since_query) == [third]
    assert ids(client, auth, "broker", "?limit=2") == [third, second]
    assert ids(client, auth, "broker", "?limit=2&offset=2") == [first]
    # An officer's queue is oldest first.
    assert ids(client, auth, "customs", "?awaiting=CUSTOMS") == [second, third]


def test_each_agency_has_its_queue_by_lane(client: TestClient, auth: Tokens, traders: None) -> None:
    file_declaration(client, auth)
    file_declaration(client, auth, reference="Q-C1", **CLASS_C)
    file_declaration(client, auth, reference="Q-C2", **CLASS_C)
    file_declaration(client, auth, reference="Q-D1", **CLASS_D)
    file_declaration(client, auth, reference="Q-MEAT", **CLASS_AA, items=[BEEF])
    queue = fetch(client, auth, "/api/v1/declaration-queue")
    assert queue == {"green": 0, "document": 3, "inspection": 1}
    assert fetch(client, auth, "/api/v1/declaration-queue", "ciq") == {
        "green": 0,
        "document": 1,
        "inspection": 0,
    }
    for who in ("broker", "terminal", "port_office"):
        response = client.get("/api/v1/declaration-queue", headers=auth(who))
        assert response.status_code == 403, who


# --- officers decide --------------------------------------------------------------------------


def test_an_officer_approval_releases_a_document_lane_declaration(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    view = file_declaration(client, auth, **CLASS_C)
    clock.advance(hours=2, minutes=30)
    decided = decide(client, auth, review_of(view)["id"], "approve", "invoice checked")
    assert (decided["status"], decided["officer"]) == ("approved", "customs")
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    assert (after["status"], after["lane"]) == ("released", "document")
    assert after["released_at"] == clock.now.isoformat()
    assert after["release_notice"]["number"] == f"RN-CNTAO-{view['id']:08d}"
    assert after["clearance_seconds"] == 2.5 * 3600
    assert ids(client, auth, "customs", "?awaiting=CUSTOMS") == []
    again = post(
        client,
        auth,
        f"/api/v1/reviews/{review_of(view)['id']}/decision",
        {"decision": "reject", "reason": "late"},
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("decision", "status", "reason"),
    [("hold", "held", "certificate of origin missing"), ("reject", "rejected", "wrong trader")],
)
def test_a_hold_or_rejection_keeps_its_reason(
    client: TestClient, auth: Tokens, traders: None, decision: str, status: str, reason: str
) -> None:
    view = file_declaration(client, auth, **CLASS_C)
    decide(client, auth, review_of(view)["id"], decision, reason)
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    assert (after["status"], after["status_reason"]) == (status, reason)
    assert after["release_notice"] is None and after["released_at"] is None


def inspection_of(client: TestClient, auth: Tokens, declaration_id: int) -> dict[str, Any]:
    [booked] = [
        i
        for i in fetch(client, auth, f"{DECLARATIONS}/{declaration_id}")["inspections"]
        if i["status"] == "booked"
    ]
    return booked


def test_a_passed_inspection_releases(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    view = file_declaration(client, auth, **CLASS_D)
    booked = inspection_of(client, auth, view["id"])
    clock.advance(hours=5)
    response = post(
        client,
        auth,
        f"/api/v1/inspections/{booked['id']}/result",
        {"result": "pass", "finding": "as declared", "kind": "opened"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["status"], result["finding"], result["kind"]) == (
        "passed",
        "as declared",
        "opened",
    )
    assert result["result_at"] == clock.now.isoformat()
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    assert (after["status"], after["clearance_seconds"]) == ("released", 5 * 3600)
    assert review_of(after)["reason"] == "inspection passed: as declared"
    twice = post(
        client,
        auth,
        f"/api/v1/inspections/{booked['id']}/result",
        {"result": "fail", "finding": "x"},
    )
    assert twice.status_code == 409


def test_a_failed_inspection_holds_with_the_finding(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None
) -> None:
    view = file_declaration(client, auth, **CLASS_D)
    booked = inspection_of(client, auth, view["id"])
    path = f"/api/v1/inspections/{booked['id']}/result"
    before = cargo_counts(ctx)
    no_finding = post(client, auth, path, {"result": "fail"})
    assert "required on fail" in error_field(no_finding, 422, "finding")["expected"]
    assert post(client, auth, path, {"result": "fail", "finding": "x"}, "ciq").status_code == 404
    assert cargo_counts(ctx) == before
    response = post(client, auth, path, {"result": "fail", "finding": "undeclared batteries"})
    assert response.status_code == 200, response.text
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}", "broker")
    assert (after["status"], after["status_reason"]) == (
        "held",
        "inspection failed: undeclared batteries",
    )
    assert after["inspections"][0]["status"] == "failed"


# --- inspection capacity ----------------------------------------------------------------------


def schedule(client: TestClient, auth: Tokens, first: str, days: int = 3) -> list[dict[str, Any]]:
    answer = fetch(
        client, auth, f"/api/v1/inspections/schedule?site=CNTAO&first={first}&days={days}"
    )
    assert answer["site"] == "CNTAO"
    days_: list[dict[str, Any]] = answer["days"]
    return days_


def test_a_full_day_rolls_the_booking_to_the_next_day_with_room(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    today = clock.now.astimezone(PORT_ZONE).date()
    for day, capacity in ((today, 1), (today + timedelta(days=1), 0)):
        response = client.put(
            "/api/v1/inspections/capacity",
            json={"site": "CNTAO", "day": day.isoformat(), "capacity": capacity},
            headers=auth("customs"),
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "site": "CNTAO",
            "day": day.isoformat(),
            "capacity": capacity,
            "booked": 0,
        }
    first = file_declaration(client, auth, reference="CAP-1", **CLASS_D)
    second = file_declaration(client, auth, reference="CAP-2", **CLASS_D)
    assert inspection_of(client, auth, first["id"])["day"] == today.isoformat()
    assert (
        inspection_of(client, auth, second["id"])["day"] == (today + timedelta(days=2)).isoformat()
    )
    days = schedule(client, auth, today.isoformat())
    assert [(d["capacity"], d["booked"]) for d in days] == [
        (1, 1),
        (0, 0),
        (ctx.settings.inspection_daily_capacity, 1),
    ]
    assert [[i["declaration_id"] for i in d["inspections"]] for d in days] == [
        [first["id"]],
        [],
        [second["id"]],
    ]
    # Capacity cannot drop below what is booked; CIQ sees none of customs' inspections.
    below = client.put(
        "/api/v1/inspections/capacity",
        json={"site": "CNTAO", "day": today.isoformat(), "capacity": 0},
        headers=auth("customs"),
    )
    assert below.status_code == 409, below.text
    ciq_days = fetch(client, auth, f"/api/v1/inspections/schedule?first={today}&days=3", "ciq")[
        "days"
    ]
    assert [d["inspections"] for d in ciq_days] == [[], [], []]
    office = fetch(
        client, auth, f"/api/v1/inspections/schedule?first={today}&days=3", "port_office"
    )
    assert sum(len(d["inspections"]) for d in office["days"]) == 2


def test_an_approval_without_the_inspection_frees_its_place(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    today = clock.now.astimezone(PORT_ZONE).date().isoformat()
    view = file_declaration(client, auth, **CLASS_D)
    assert schedule(client, auth, today, 1)[0]["booked"] == 1
    decide(client, auth, review_of(view)["id"], "approve", "known shipper, documents suffice")
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}")
    assert after["status"] == "released"
    assert [i["status"] for i in after["inspections"]] == ["cancelled"]
    assert schedule(client, auth, today, 1)[0]["booked"] == 0


def test_an_officer_inspect_decision_books_an_inspection(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    view = file_declaration(client, auth, **CLASS_C)
    decide(client, auth, review_of(view)["id"], "inspect", "value looks low")
    after = fetch(client, auth, f"{DECLARATIONS}/{view['id']}")
    assert after["status"] == "inspection"
    [booked] = after["inspections"]
    assert (booked["status"], booked["review_id"]) == ("booked", review_of(view)["id"])


# --- the gate and seizure ---------------------------------------------------------------------


def test_the_terminal_lets_out_released_goods_only(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    released = file_declaration(client, auth, reference="GATE-1")
    waiting = file_declaration(client, auth, reference="GATE-2", **CLASS_C)
    before = cargo_counts(ctx)
    # Not released: the terminal does not see it at all.
    assert (
        post(client, auth, f"{DECLARATIONS}/{waiting['id']}/gate-out", None, "terminal").status_code
        == 404
    )
    assert (
        post(client, auth, f"{DECLARATIONS}/{released['id']}/gate-out", None, "customs").status_code
        == 403
    )
    early = (clock.now - timedelta(minutes=1)).isoformat()
    too_early = post(
        client, auth, f"{DECLARATIONS}/{released['id']}/gate-out", {"at": early}, "terminal"
    )
    assert too_early.status_code == 409, too_early.text
    assert cargo_counts(ctx) == before
    clock.advance(hours=1)
    at = (clock.now - timedelta(minutes=10)).isoformat()
    response = post(
        client, auth, f"{DECLARATIONS}/{released['id']}/gate-out", {"at": at}, "terminal"
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["status"], out["gated_out_at"]) == ("gated_out", at)
    assert out["release_notice"]["number"] == f"RN-CNTAO-{released['id']:08d}"
    again = post(client, auth, f"{DECLARATIONS}/{released['id']}/gate-out", None, "terminal")
    assert again.status_code == 409
    assert (
        fetch(client, auth, f"{DECLARATIONS}/{released['id']}", "broker")["status"] == "gated_out"
    )


def test_customs_seizes_with_a_reason_and_the_booking_is_freed(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    view = file_declaration(client, auth, **CLASS_D)
    path = f"{DECLARATIONS}/{view['id']}/seizure"
    before = cargo_counts(ctx)
    assert error_field(post(client, auth, path, {"reason": ""}), 422, "reason")["value"] == ""
    assert post(client, auth, path, {"reason": "   "}).status_code == 422
    assert post(client, auth, path, {"reason": "x"}, "broker").status_code == 403
    assert post(client, auth, path, {"reason": "x"}, "ciq").status_code == 403
    assert cargo_counts(ctx) == before
    response = post(client, auth, path, {"reason": "smuggled cigarettes"})
    assert response.status_code == 200, response.text
    seized = response.json()
    assert (seized["status"], seized["status_reason"]) == ("seized", "smuggled cigarettes")
    customs = review_of(seized)
    assert (customs["status"], customs["reason"]) == ("rejected", "seized: smuggled cigarettes")
    assert [i["status"] for i in seized["inspections"]] == ["cancelled"]
    today = clock.now.astimezone(PORT_ZONE).date().isoformat()
    assert schedule(client, auth, today, 1)[0]["booked"] == 0
    assert post(client, auth, path, {"reason": "again"}).status_code == 409


def test_goods_that_left_the_gate_cannot_be_seized(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    view = file_declaration(client, auth)
    out = post(client, auth, f"{DECLARATIONS}/{view['id']}/gate-out", None, "terminal")
    assert out.status_code == 200, out.text
    late = post(client, auth, f"{DECLARATIONS}/{view['id']}/seizure", {"reason": "tip-off"})
    assert late.status_code == 409 and "gated_out" in late.json()["error"]["message"]


# --- risk rules -------------------------------------------------------------------------------

TSHIRT_RULE = {
    "code": "HS-TSHIRT",
    "title": "T-shirts watched",
    "title_zh": "T恤布控",
    "lane": "inspection",
    "kind": "hs_prefix",
    "values": ["6109"],
}


def test_a_risk_officer_drafts_tests_and_activates_a_rule(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    before = file_declaration(client, auth, reference="V1-1")
    [v1] = fetch(client, auth, RISK_RULES)
    assert (v1["version"], v1["status"], v1["rules"]) == (1, "active", 25)
    created = post(client, auth, f"{RISK_RULES}/drafts", {"note": "T-shirts under watch"})
    assert created.status_code == 201, created.text
    draft = created.json()
    assert (draft["version"], draft["status"], draft["note"]) == (
        2,
        "draft",
        "T-shirts under watch",
    )
    # Asking again gives the open draft, not a third version.
    assert post(client, auth, f"{RISK_RULES}/drafts").json()["version"] == 2
    added = post(client, auth, f"{RISK_RULES}/2/rules", TSHIRT_RULE)
    assert added.status_code == 200, added.text
    assert (added.json()["rules"], added.json()["replaced"]) == (26, False)
    assert added.json()["rule"] == TSHIRT_RULE
    tried = post(client, auth, f"{RISK_RULES}/2/test?last=10")
    assert tried.status_code == 200, tried.text
    result = tried.json()
    assert (result["version"], result["against"], result["declarations"]) == (2, 1, 1)
    assert result["lanes"] == {"green": 0, "document": 0, "inspection": 1}
    assert result["active_lanes"] == {"green": 1, "document": 0, "inspection": 0}
    assert result["changed"] == 1
    assert result["examples"] == [
        {"id": before["id"], "from": "green", "to": "inspection", "rules": ["HS-TSHIRT"]}
    ]
    assert result["hits"]["HS-TSHIRT"] == 1
    # Until activated, filings are still decided by version 1.
    assert file_declaration(client, auth, reference="V1-2")["lane"] == "green"
    activated = post(client, auth, f"{RISK_RULES}/2/activate")
    assert activated.status_code == 200, activated.text
    assert activated.json()["status"] == "active"
    assert [(v["version"], v["status"]) for v in fetch(client, auth, RISK_RULES)] == [
        (2, "active"),
        (1, "retired"),
    ]
    after = file_declaration(client, auth, reference="V2-1")
    assert (after["lane"], after["rules_hit"], after["risk_version"]) == (
        "inspection",
        ["HS-TSHIRT"],
        2,
    )
    assert review_of(after)["rule_set"] == "RISK v2"
    # Declarations keep the version that assessed them.
    assert fetch(client, auth, f"{DECLARATIONS}/{before['id']}")["risk_version"] == 1
    # An active or retired version is no longer edited.
    for version in (1, 2):
        late = post(client, auth, f"{RISK_RULES}/{version}/rules", TSHIRT_RULE | {"code": "LATE"})
        assert late.status_code == 409, late.text
        assert post(client, auth, f"{RISK_RULES}/{version}/activate").status_code == 409


def test_a_draft_is_replaced_whole_and_a_rule_removed(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    post(client, auth, f"{RISK_RULES}/drafts")
    document = {
        "rules": [TSHIRT_RULE | {"lane": "document"}],
        "random_rates": {"inspection": 0.02},
        "seed": 99,
    }
    saved = client.put(f"{RISK_RULES}/2", json=document, headers=auth("customs"))
    assert saved.status_code == 200, saved.text
    assert (saved.json()["rules"], saved.json()["random_rates"]) == (1, {"inspection": 0.02})
    stored = fetch(client, auth, f"{RISK_RULES}/2")
    assert stored["rules"] == [TSHIRT_RULE | {"lane": "document", "hits": 0}]
    assert (stored["seed"], stored["assessed"]) == (99, 0)
    replaced = post(client, auth, f"{RISK_RULES}/2/rules", TSHIRT_RULE | {"title": "Shirts"})
    assert (replaced.json()["rules"], replaced.json()["replaced"]) == (1, True)
    removed = client.delete(f"{RISK_RULES}/2/rules/HS-TSHIRT", headers=auth("customs"))
    assert removed.status_code == 200 and removed.json()["rules"] == 0
    gone = client.delete(f"{RISK_RULES}/2/rules/HS-TSHIRT", headers=auth("customs"))
    assert gone.status_code == 404
    assert client.get(f"{RISK_RULES}/9", headers=auth("customs")).status_code == 404


def test_a_rule_set_that_selects_everyone_at_random_marks_them(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    post(client, auth, f"{RISK_RULES}/drafts")
    document = {"rules": [], "random_rates": {"document": 1.0}, "seed": 5}
    assert client.put(f"{RISK_RULES}/2", json=document, headers=auth("customs")).status_code == 200
    assert post(client, auth, f"{RISK_RULES}/2/activate").status_code == 200
    view = file_declaration(client, auth, **CLASS_AA)
    assert (view["lane"], view["rules_hit"], view["random_selected"]) == ("document", [], True)
    assert review_of(view)["reason"] == "document lane: random selection"


def test_hit_rates_count_the_declarations_each_rule_assessed(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    for n in range(3):
        file_declaration(client, auth, reference=f"H-C{n}", **CLASS_C)
    file_declaration(client, auth, reference="H-D", **CLASS_D)
    file_declaration(client, auth, reference="H-AA", **CLASS_AA, items=[BEEF])
    file_declaration(client, auth, "broker2", reference="H-B")
    active = fetch(client, auth, f"{RISK_RULES}/active")
    hits = {rule["code"]: rule["hits"] for rule in active["rules"]}
    assert active["assessed"] == 6
    assert {code: n for code, n in hits.items() if n} == {
        "CC-C": 3,
        "CC-D": 1,
        "CC-AA": 1,
        "HS-MEAT": 1,
    }
    assert fetch(client, auth, f"{RISK_RULES}/1", "port_office")["assessed"] == 6


# --- clearance times --------------------------------------------------------------------------


def expected_figures(seconds: list[float]) -> dict[str, Any]:
    """Count, mean and nearest-rank percentiles, computed here from the declarations' times."""
    ordered = sorted(seconds)
    rank = lambda p: ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]  # noqa: E731
    return {
        "count": len(ordered),
        "mean_s": round(sum(ordered) / len(ordered), 3),
        "p50_s": rank(50),
        "p90_s": rank(90),
        "p99_s": rank(99),
    }


def test_clearance_times_are_those_of_the_declarations(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    file_declaration(client, auth, reference="CT-G1")
    document = [file_declaration(client, auth, reference=f"CT-C{n}", **CLASS_C) for n in range(3)]
    inspected = file_declaration(client, auth, reference="CT-D1", **CLASS_D)
    file_declaration(client, auth, reference="CT-D2", **CLASS_D)  # never released
    clock.advance(minutes=40)
    decide(client, auth, review_of(document[0])["id"], "approve")
    clock.advance(hours=1, minutes=5)
    decide(client, auth, review_of(document[1])["id"], "approve")
    clock.advance(hours=2)
    booked = inspection_of(client, auth, inspected["id"])
    passed = post(client, auth, f"/api/v1/inspections/{booked['id']}/result", {"result": "pass"})
    assert passed.status_code == 200, passed.text
    clock.advance(days=1, hours=3)
    file_declaration(client, auth, reference="CT-G2", declaration_office="CNTAO")
    file_declaration(client, auth, "broker2", reference="CT-B2")

    def released(who: str) -> list[dict[str, Any]]:
        return [d for d in fetch(client, auth, DECLARATIONS, who) if d["released_at"]]

    for who in ("customs", "broker", "broker2", "port_office"):
        figures = fetch(client, auth, "/api/v1/clearance-times", who)
        mine = released(who if who.startswith("broker") else "customs")
        seconds = [
            (
                datetime.fromisoformat(d["released_at"]) - datetime.fromisoformat(d["filed_at"])
            ).total_seconds()
            for d in mine
        ]
        assert seconds == [d["clearance_seconds"] for d in mine]
        assert figures["all"] == expected_figures(seconds), who
        by_lane = {g["lane"]: g for g in figures["by_lane"]}
        assert set(by_lane) == {d["lane"] for d in mine}
        for lane, group in by_lane.items():
            lane_seconds = [s for s, d in zip(seconds, mine, strict=True) if d["lane"] == lane]
            assert group == {"lane": lane, **expected_figures(lane_seconds)}
        by_office = {g["office"]: g["count"] for g in figures["by_office"]}
        assert by_office == {
            office: sum(d["declaration_office"] == office for d in mine)
            for office in {d["declaration_office"] for d in mine}
        }
        by_day = {g["day"]: g["count"] for g in figures["by_day"]}
        days = [
            datetime.fromisoformat(d["filed_at"]).astimezone(PORT_ZONE).date().isoformat()
            for d in mine
        ]
        assert by_day == {day: days.count(day) for day in set(days)}
    figures = fetch(client, auth, "/api/v1/clearance-times", "broker")
    assert figures["all"]["count"] == 5
    assert figures["by_lane"][0] == {"lane": "document", **expected_figures([2400.0, 6300.0])}
    day = clock.now.astimezone(PORT_ZONE).date()
    assert (figures["first"], figures["last"]) == (
        (day - timedelta(days=29)).isoformat(),
        day.isoformat(),
    )
    only_today = fetch(client, auth, f"/api/v1/clearance-times?first={day}&last={day}", "broker")
    assert only_today["all"]["count"] == 1
    for who in ("terminal", "ciq", "agent"):
        assert client.get("/api/v1/clearance-times", headers=auth(who)).status_code == 403, who


# --- CUSRES of a declaration ------------------------------------------------------------------


def cusres(client: TestClient, auth: Tokens, declaration_id: int, who: str = "broker") -> Any:
    response = client.get(f"{DECLARATIONS}/{declaration_id}/cusres", headers=auth(who))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edifact")
    [answer] = parse_cusres(response.text)
    return answer


def test_the_cusres_of_a_declaration_tells_where_it_stands(
    client: TestClient, auth: Tokens, traders: None, clock: Clock
) -> None:
    view = file_declaration(client, auth, reference="JN-CUSRES-1", **CLASS_C)
    answer = cusres(client, auth, view["id"])
    assert (answer.declaration_id, answer.reference, answer.message_ref) == (
        view["id"],
        "JN-CUSRES-1",
        str(view["id"]),
    )
    assert (answer.status, answer.lane, answer.errors) == ("under_review", "document", [])
    assert answer.at == datetime.fromisoformat(view["filed_at"])
    clock.advance(hours=1)
    decide(client, auth, review_of(view)["id"], "approve")
    later = cusres(client, auth, view["id"], "customs")
    assert (later.status, later.lane, later.at) == ("released", "document", clock.now)
    gated = post(client, auth, f"{DECLARATIONS}/{view['id']}/gate-out", None, "terminal")
    assert gated.status_code == 200
    assert cusres(client, auth, view["id"]).status == "gated_out"
    assert cusres(client, auth, view["id"], "terminal").status == "gated_out"


# --- at the same moment -----------------------------------------------------------------------


def in_parallel(count: int, request: Callable[[], httpx.Response]) -> list[int]:
    """The statuses of `count` requests sent at the same moment from as many threads; a server
    exception in any of them fails the test (the client raises it)."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            statuses.append(request().status_code)
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(statuses)


def test_one_reference_filed_twice_at_once_is_stored_once(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None
) -> None:
    body, headers = declaration_data(reference="RACE-1"), auth("broker")
    statuses = in_parallel(4, lambda: client.post(DECLARATIONS, json=body, headers=headers))
    assert statuses == [201, 422, 422, 422]
    assert cargo_counts(ctx)["declarations"] == 1


def test_drafts_asked_for_at_once_are_one_draft(
    client: TestClient, auth: Tokens, traders: None
) -> None:
    headers = auth("customs")
    statuses = in_parallel(3, lambda: client.post(f"{RISK_RULES}/drafts", headers=headers))
    assert statuses == [201, 201, 201]
    versions = fetch(client, auth, RISK_RULES)
    assert [(v["version"], v["status"]) for v in versions] == [(2, "draft"), (1, "active")]


def test_bookings_made_at_once_share_the_day_without_overbooking(
    client: TestClient, auth: Tokens, ctx: ServiceContext, traders: None, clock: Clock
) -> None:
    today = clock.now.astimezone(PORT_ZONE).date()
    capacity = {"site": "CNTAO", "day": today.isoformat(), "capacity": 2}
    assert (
        client.put(
            "/api/v1/inspections/capacity", json=capacity, headers=auth("customs")
        ).status_code
        == 200
    )
    headers = auth("broker")
    statuses = in_parallel(
        4, lambda: client.post(DECLARATIONS, json=declaration_data(**CLASS_D), headers=headers)
    )
    assert statuses == [201] * 4
    assert [(d["capacity"], d["booked"]) for d in schedule(client, auth, today.isoformat(), 2)] == [
        (2, 2),
        (ctx.settings.inspection_daily_capacity, 2),
    ]
