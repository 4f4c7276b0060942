"""Checked bags, crossings and cruise releases over HTTP, and the baggage hall board: who may do
what, the answers' shapes and errors naming their fields."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kouan.domain.person_list import Direction, Leg, ListedPerson, ListResult, PersonList
from kouan.domain.person_list import TravelDocument as Doc
from kouan.services.passengers import baggage, lists, watchlist
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE
from tests.api.conftest import Tokens, error_field
from tests.api.test_pages import signed_in, text_of, texts_of
from tests.conftest import Clock, People

WATCH_LIST = (
    "id,name,aliases,date_of_birth,nationality,document_number,reason\n"
    "W-1,박지훈,,1985-03-14,KR,,wanted\n"
).encode()
LATER = date(2031, 1, 1)
DECK_5 = {"deck": "5", "tour_group": "A"}


@pytest.fixture(autouse=True)
def no_random_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    baggage.register_templates()
    monkeypatch.setitem(baggage.CUSTOMS_BAG_SELECTION, "random_rate", 0.0)


def _person(
    state: str, family: str, given: str, born: date, passport: str, **more: Any
) -> ListedPerson:
    return ListedPerson(family_name=family, given_names=given, nationality=state,
                        date_of_birth=born, documents=[Doc("P", passport, state, LATER)],
                        **more)  # fmt: skip


def _journey(
    ctx: ServiceContext, people: People, who: str, person_list: PersonList
) -> dict[str, Any]:
    answer = lists.receive(ctx, people[who], ListResult(lists=[person_list]), b"{}")
    return lists.get_list(ctx, people["border"], int(answer["list_id"]))


def _arrived(clock: Clock) -> Any:
    return (clock.now - timedelta(hours=1)).astimezone(PORT_ZONE).replace(tzinfo=None)


def landed_flight(ctx: ServiceContext, people: People, clock: Clock) -> int:
    """KE845 from Incheon, landed an hour ago: Kim (bag tag on the list) and Park (watch list)."""
    watchlist.import_file(ctx, people["border"], WATCH_LIST, "watch.csv")
    arrival = _arrived(clock)
    return int(_journey(ctx, people, "airline", PersonList(
        carrier="KE", transport_id="845", direction=Direction.ARRIVING, source="JSON",
        legs=[Leg("KE845", "ICN", arrival - timedelta(hours=2), "TAO", arrival)],
        persons=[
            _person("KR", "KIM", "MINJUN", date(1990, 1, 2), "M1234567", bag_tags=["0180123456"]),
            _person("KR", "PARK", "JI HOON", date(1985, 3, 14), "M7654321"),
        ],
    ))["flight_id"])  # fmt: skip


def test_the_airline_sends_bags_and_customs_calls_and_decides(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    flight_id = landed_flight(ctx, people, clock)
    url = f"/api/v1/flights/{flight_id}/bags"
    sent = client.post(
        url,
        json={"bags": [{"tag": "0180123456"}, {"tag": "0180123457", "owner": 2}]},
        headers=auth("airline"),
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["selected"], body["released"]) == (1, 1)
    park = next(bag for bag in body["bags"] if bag["tag"] == "0180123457")
    assert park["status"] == "selected" and "reasons" not in park

    bad = client.post(url, json={"bags": [{"tag": "01801234"}]}, headers=auth("airline"))
    assert error_field(bad, 422, "bags[0].tag")["value"] == "01801234"
    flag = client.post(
        url, json={"bags": [{"tag": "0180000009", "owner": True}]}, headers=auth("airline")
    )
    error_field(flag, 422, "bags[0].owner")
    assert client.post(url, json={"bags": []}, headers=auth("airline")).status_code == 422
    assert (
        client.post(
            url, json={"bags": [{"tag": "0180000009"}]}, headers=auth("customs")
        ).status_code
        == 403
    )

    seen = client.get(url, headers=auth("customs")).json()
    (selected,) = [bag for bag in seen["bags"] if bag["status"] == "selected"]
    assert selected["reasons"][0]["key"] == "baggage.owner_referred"
    assert seen["counts"]["waiting"] == 1 and seen["to_call"][0]["name"] == "PARK JI HOON"
    assert all(
        "reasons" not in bag for bag in client.get(url, headers=auth("airline")).json()["bags"]
    )
    assert client.get(url, headers=auth("border")).status_code == 403
    assert client.get(url, headers=auth("cruise")).status_code == 403

    bag = f"/api/v1/bags/{selected['id']}"
    assert client.post(f"{bag}/call", headers=auth("airline")).status_code == 403
    called = client.post(f"{bag}/call", headers=auth("customs"))
    assert called.status_code == 200 and called.json()["status"] == "called"
    no_note = client.post(f"{bag}/decision", json={"decision": "held"}, headers=auth("customs"))
    error_field(no_note, 422, "note")
    cleared = client.post(f"{bag}/decision", json={"decision": "cleared"}, headers=auth("customs"))
    assert cleared.status_code == 200 and cleared.json()["status"] == "cleared"
    again = client.post(
        f"{bag}/decision", json={"decision": "held", "note": "x"}, headers=auth("customs")
    )
    assert again.status_code == 409
    assert client.post("/api/v1/bags/999999/call", headers=auth("customs")).status_code == 404


def test_crossings_at_counters_and_the_figures_they_measure(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    flight_id = landed_flight(ctx, people, clock)
    queued = (clock.now - timedelta(minutes=6)).isoformat()
    crossing = {
        "port": "TAO",
        "counter": "E-GATE-03",
        "direction": "arriving",
        "document_number": "M1234567",
        "queued_at": queued,
    }
    passed = client.post("/api/v1/crossings", json=crossing, headers=auth("border"))
    assert passed.status_code == 201, passed.text
    assert passed.json()["outcome"] == "passed" and passed.json()["minutes"] == 6.0
    at_counter = {**crossing, "counter": "COUNTER-12", "document_number": "M7654321"}
    held = client.post("/api/v1/crossings", json=at_counter, headers=auth("border"))
    assert held.status_code == 201 and held.json()["outcome"] == "held"
    assert held.json()["person"]["hits"][0]["entry_id"] == "W-1"

    wrong = client.post(
        "/api/v1/crossings", json={**crossing, "direction": "up"}, headers=auth("border")
    )
    error_field(wrong, 422, "direction")
    naive = client.post(
        "/api/v1/crossings",
        json={**crossing, "crossed_at": "2026-11-27T08:00"},
        headers=auth("border"),
    )
    error_field(naive, 422, "crossed_at")
    both = client.post(
        "/api/v1/crossings", json={**crossing, "person_id": 1}, headers=auth("border")
    )
    error_field(both, 422, "document_number")
    assert (
        client.post("/api/v1/crossings", json=crossing, headers=auth("customs")).status_code == 403
    )

    screen = client.get("/api/v1/counters/COUNTER-12", headers=auth("border"))
    assert screen.status_code == 200
    assert [p["name"] for p in screen.json()["presenting"]] == ["PARK JI HOON"]
    assert client.get("/api/v1/counters/COUNTER-12", headers=auth("port_office")).status_code == 403
    figures = client.get(f"/api/v1/flights/{flight_id}/crossings", headers=auth("port_office"))
    assert figures.json()["passed"] == 1 and figures.json()["held"] == 1
    assert (
        client.get(f"/api/v1/flights/{flight_id}/crossings", headers=auth("airline")).status_code
        == 403
    )


def test_a_cruise_call_is_released_by_group(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    arrival = _arrived(clock)
    call_id = _journey(ctx, people, "cruise", PersonList(
        carrier="SV", transport_id="SV2611", direction=Direction.ARRIVING, source="XLSX",
        legs=[Leg("SV2611", "KRPUS", arrival - timedelta(hours=20), "CNTAO", arrival)],
        persons=[
            _person("JP", "TANAKA", "HIROSHI", date(1960, 1, 1), "TK1000", **DECK_5),
            _person("US", "SMITH", "ANNA", date(1970, 3, 3), "561234567", **DECK_5),
            _person("KR", "CHOI", "YUNA", date(1988, 8, 8), "M1111111", deck="7"),
        ],
    ))["cruise_call_id"]  # fmt: skip
    url = f"/api/v1/cruise-calls/{call_id}/release"
    assert client.post(url, json={"deck": "5"}, headers=auth("cruise")).status_code == 403
    deck = client.post(url, json={"deck": "5"}, headers=auth("border"))
    assert deck.status_code == 200, deck.text
    assert deck.json()["released"] == 1
    assert [p["name"] for p in deck.json()["exceptions"]] == ["SMITH ANNA"]
    error_field(client.post(url, json={"deck": "12"}, headers=auth("border")), 422, "deck")
    ship = client.post(url, headers=auth("border"))
    assert ship.status_code == 200 and ship.json()["released"] == 1
    figures = client.get(f"/api/v1/cruise-calls/{call_id}/crossings", headers=auth("ciq"))
    assert figures.json()["passed"] == 2 and figures.json()["median_minutes"] == 60.0
    missing = client.post(f"/api/v1/cruise-calls/{call_id + 100}/release", headers=auth("border"))
    assert missing.status_code == 404


def test_the_baggage_hall_board_calls_owners_by_name_in_the_readers_language(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    flight_id = landed_flight(ctx, people, clock)
    baggage.receive_bags(
        ctx,
        people["airline"],
        flight_id,
        [{"tag": "0180123456"}, {"tag": "0180123457", "owner": 2}],
    )
    customs = signed_in(ctx, "customs", lang="zh")
    page = customs.get("/baggage-hall")
    assert page.status_code == 200, page.text
    assert '<meta http-equiv="refresh" content="20">' in page.text
    assert "行李提取大厅" in page.text and "请以下旅客到出口海关柜台" in page.text
    assert texts_of(page, "hall-owner-name") == ["PARK JI HOON"]
    assert text_of(page, f"hall-bags-{flight_id}") == "2"
    assert text_of(page, f"hall-selected-{flight_id}") == "1"
    english = customs.get("/baggage-hall?lang=en")
    assert "Owners to call: please come to the customs counter at the exit" in english.text
    one = customs.get(f"/baggage-hall?flight={flight_id + 1}")
    assert "hall-empty" in one.text and "hall-owner-name" not in one.text
    assert signed_in(ctx, "border").get("/baggage-hall").status_code == 403
