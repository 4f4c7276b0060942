"""Transit under customs seal over HTTP: customs opens, the terminal records the departure, the
inland office acknowledges the arrival; strict input; the pages in Chinese and English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.transit import transits
from tests.api.conftest import Tokens
from tests.api.test_pages import post_form, signed_in
from tests.conftest import PASSWORD, Clock, People
from tests.transit_helpers import inland_import, jinan_customs


def _jinan_headers(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": "jncustoms", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_open_depart_overdue_and_arrive_over_http(
    registered: ServiceContext, people: People, client: TestClient, auth: Tokens, clock: Clock
) -> None:
    jinan_customs(registered)
    declaration = inland_import(registered, people, "JN-API-1")
    awaiting = client.get("/api/v1/transits/awaiting", headers=auth("customs"))
    assert [d["id"] for d in awaiting.json()] == [declaration["id"]]
    refused = client.post(
        "/api/v1/transits", json={"declaration_id": declaration["id"]}, headers=auth("broker2")
    )
    assert refused.status_code == 403
    opened = client.post(
        "/api/v1/transits",
        json={"declaration_id": declaration["id"], "seals": ["CNTAO0001"]},
        headers=auth("customs"),
    )
    assert opened.status_code == 201, opened.text
    transit_id = opened.json()["id"]
    bad = client.post(
        f"/api/v1/transits/{transit_id}/departure",
        json={"conveyance": "road", "conveyance_id": "鲁B12345", "extra": 1},
        headers=auth("terminal"),
    )
    assert bad.status_code == 422
    bad_plate = client.post(
        f"/api/v1/transits/{transit_id}/departure",
        json={"conveyance": "road", "conveyance_id": "12"},
        headers=auth("terminal"),
    )
    assert bad_plate.status_code == 422
    assert bad_plate.json()["error"]["fields"][0]["field"] == "conveyance_id"
    departed = client.post(
        f"/api/v1/transits/{transit_id}/departure",
        json={"conveyance": "road", "conveyance_id": "鲁B12345"},
        headers=auth("terminal"),
    )
    assert departed.status_code == 200, departed.text
    assert departed.json()["seals"] == ["CNTAO0001"]

    clock.advance(hours=25)
    assert transits.check_overdue(registered) == [transit_id]
    listed = client.get("/api/v1/transits?status=overdue", headers=auth("customs")).json()
    assert [(t["id"], t["overdue"]) for t in listed] == [(transit_id, True)]
    assert listed[0]["seconds_left"] == -3600
    alerts = client.get("/api/v1/alerts", headers=auth("customs")).json()
    assert [a["kind"] for a in alerts] == ["transit.overdue"]

    jinan = _jinan_headers(client)
    not_here = client.post(
        f"/api/v1/transits/{transit_id}/arrival",
        json={"seals_found": ["CNTAO0001"]},
        headers=auth("customs"),
    )
    assert not_here.status_code == 403
    arrived = client.post(
        f"/api/v1/transits/{transit_id}/arrival",
        json={"seals_found": ["CNTAO0001"]},
        headers=jinan,
    )
    assert arrived.status_code == 200, arrived.text
    assert (arrived.json()["status"], arrived.json()["late"]) == ("closed", True)
    mine = client.get(f"/api/v1/transits/{transit_id}", headers=auth("broker2"))
    assert mine.status_code == 200
    assert client.get(f"/api/v1/transits/{transit_id}", headers=auth("broker")).status_code == 404
    assert client.get("/api/v1/transits", headers=auth("ciq")).status_code == 403


def test_the_pages_show_time_left_overdue_and_the_arrival_form(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    jinan_customs(registered)
    declaration = inland_import(registered, people, "JN-UI-1")
    opened = transits.open_transit(registered, people["customs"], declaration["id"], ["CN0001"])
    transits.record_departure(
        registered,
        people["customs"],
        opened["id"],
        seals=None,
        conveyance="rail",
        conveyance_id="4856712",
    )
    customs = signed_in(registered, "customs")
    clock.advance(hours=2)
    page = customs.get("/transits?lang=zh")
    assert page.status_code == 200, page.text
    assert "转关" in page.text and 'data-testid="time-left"' in page.text
    assert 'data-testid="nav-transits"' in page.text
    clock.advance(hours=23)
    transits.check_overdue(registered)
    page = customs.get("/transits?lang=en")
    assert 'data-testid="time-late"' in page.text and "Overdue" in page.text
    one = customs.get(f"/transits/{opened['id']}")
    assert one.status_code == 200
    assert 'data-testid="arrival-form"' not in one.text  # Qingdao's customs: not its office

    jinan = signed_in(registered, "jncustoms", "zh")
    url = f"/transits/{opened['id']}"
    assert 'data-testid="arrival-form"' in jinan.get(url).text
    refused = post_form(jinan, url, f"{url}/arrival", {"seals_found": "封条"})
    assert refused.status_code == 422
    held = post_form(jinan, url, f"{url}/arrival", {"seals_found": "CN0009"})
    assert held.status_code == 303
    shown = jinan.get(url)
    assert 'data-testid="hold-reason"' in shown.text and "CN0009" in shown.text
    released = post_form(jinan, url, f"{url}/release", {"note": "查验无误"})
    assert released.status_code == 303
    assert transits.get_transit(registered, people["customs"], opened["id"])["status"] == "closed"
