"""The port-call API over HTTP: the contract of DESIGN.md, the whole call, idempotent retries and
two officers racing, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import (
    ALL_TO_OFFICERS,
    QIANWAN,
    Tokens,
    by_agency,
    error_field,
    file_call,
    notice_data,
    position_report,
    stored_counts,
)
from tests.conftest import Clock
from tests.factories import SHANGHAI, departure_notice_data

REVIEW_FIELDS = {"id", "agency", "status", "reason", "rules_hit"}
CALL_FIELDS = {
    "id",
    "status",
    "ship",
    "eta",
    "etd",
    "reviews",
    "entry_permit",
    "departure_permit",
    "timestamps",
    "zero_wait",
}
ZERO_WAIT_FIELDS = {"entry_wait_minutes", "departure_wait_minutes", "is_zero_wait"}
EVENTS = ("ATA", "ALL_FAST", "OPS_START", "OPS_COMPLETE", "ATD")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _in_parallel(count: int, request: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Send `count` requests at the same moment from as many threads."""
    barrier = threading.Barrier(count)
    responses: list[httpx.Response] = []
    errors: list[BaseException] = []

    def send() -> None:
        barrier.wait()
        try:
            responses.append(request())
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return responses


def _event(
    client: TestClient, auth: Tokens, call_id: int, kind: str, at: datetime
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/port-calls/{call_id}/events",
        json={"type": kind, "at": at.astimezone(SHANGHAI).isoformat()},
        headers=auth("terminal"),
    )
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    assert _utc(view["timestamps"][kind]) == at
    return view


def test_filing_answers_201_with_the_contract_fields(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    notice = notice_data(ctx)
    call = file_call(client, auth, notice)
    assert set(call) >= CALL_FIELDS
    assert call["status"] == "cleared"
    assert {k: call["ship"][k] for k in ("imo", "mmsi", "name", "call_sign", "flag")} == {
        "imo": "9134270",
        "mmsi": "351759000",
        "name": "EVER DIADEM",
        "call_sign": "3FOF8",
        "flag": "PA",
    }
    assert _utc(call["eta"]) == _utc(notice["eta"]) and _utc(call["etd"]) == _utc(notice["etd"])
    assert sorted(r["agency"] for r in call["reviews"]) == ["BORDER", "CIQ", "CUSTOMS", "MSA"]
    for review in call["reviews"]:
        assert set(review) >= REVIEW_FIELDS
        assert review["status"] == "approved" and review["rules_hit"] == []
    assert _utc(call["entry_permit"]["issued_at"]) == clock.now
    assert call["departure_permit"] is None
    assert all(call["timestamps"][e] is None for e in EVENTS)
    assert set(call["zero_wait"]) == ZERO_WAIT_FIELDS


def test_get_one_answers_the_call_as_filed(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx, **ALL_TO_OFFICERS)
    call = file_call(client, auth, notice)
    response = client.get(f"/api/v1/port-calls/{call['id']}", headers=auth("customs"))
    assert response.status_code == 200, response.text
    seen = response.json()
    assert {k: seen[k] for k in CALL_FIELDS} == {k: call[k] for k in CALL_FIELDS}
    assert seen["status"] == "filed" and seen["entry_permit"] is None
    crew = [
        {k: person[k] for k in filed}
        for person, filed in zip(seen["arrival"]["crew"], notice["crew"], strict=True)
    ]
    assert crew == notice["crew"]
    customs = by_agency(seen)["CUSTOMS"]
    assert customs["status"] == "pending" and customs["rules_hit"] == ["CUSTOMS-CARGO-TOTALS"]
    assert "total_packages" in customs["reason"]


def test_list_filters_by_status(client: TestClient, auth: Tokens, ctx: ServiceContext) -> None:
    cleared = file_call(client, auth, notice_data(ctx))
    filed = file_call(client, auth, notice_data(ctx, **ALL_TO_OFFICERS))

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/port-calls{query}", headers=auth("port_office"))
        assert response.status_code == 200, response.text
        return sorted(c["id"] for c in response.json())

    both = sorted([cleared["id"], filed["id"]])
    assert ids("") == both
    assert ids("?status=cleared") == [cleared["id"]]
    assert ids("?status=filed") == [filed["id"]]
    assert ids("?status=filed&status=cleared") == both
    assert ids("?status=departed") == []


def test_amendment_reopens_the_affected_review(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx)
    call = file_call(client, auth, notice)
    amended = notice | {"health": notice["health"] | {"ill_persons": 2}}
    response = client.put(f"/api/v1/port-calls/{call['id']}", json=amended, headers=auth("agent"))
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["status"] == "filed" and after["entry_permit"] is None
    ciq = by_agency(after)["CIQ"]
    assert ciq["status"] == "inspect" and "CIQ-ILL-ABOARD" in ciq["rules_hit"]
    assert {a: r["status"] for a, r in by_agency(after).items() if a != "CIQ"} == {
        "CUSTOMS": "approved",
        "BORDER": "approved",
        "MSA": "approved",
    }
    seen = client.get(f"/api/v1/port-calls/{call['id']}", headers=auth("agent")).json()
    assert seen["arrival"]["health"]["ill_persons"] == 2


def test_officer_queue_and_decision(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    call = file_call(client, auth, notice_data(ctx, **ALL_TO_OFFICERS))
    file_call(client, auth, notice_data(ctx))  # cleared by rules: in no queue
    mine = by_agency(call)["CUSTOMS"]
    queue = client.get("/api/v1/reviews?status=pending", headers=auth("customs"))
    assert queue.status_code == 200, queue.text
    assert [(r["id"], r["agency"], r["status"]) for r in queue.json()] == [
        (mine["id"], "CUSTOMS", "pending")
    ]
    clock.advance(minutes=30)
    decided = client.post(
        f"/api/v1/reviews/{mine['id']}/decision",
        json={"decision": "approve", "reason": "totals checked with the manifest"},
        headers=auth("customs"),
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["status"] == "approved" and body["officer"] == "customs"
    assert body["reason"] == "totals checked with the manifest"
    assert _utc(body["decided_at"]) == clock.now
    again = client.get("/api/v1/reviews?status=pending", headers=auth("customs"))
    assert again.json() == []


def test_the_whole_call_over_http_is_zero_wait(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    call = file_call(client, auth, notice_data(ctx, cargo={"total_packages": 1}))
    call_id = call["id"]
    assert call["status"] == "filed" and call["entry_permit"] is None

    clock.advance(hours=3)
    queue = client.get("/api/v1/reviews?status=pending", headers=auth("customs")).json()
    (review,) = [r for r in queue if r["subject_id"] == call_id]
    decision = {"decision": "approve", "reason": "", "version": review["version"]}
    response = client.post(
        f"/api/v1/reviews/{review['id']}/decision", json=decision, headers=auth("customs")
    )
    assert response.status_code == 200, response.text
    cleared = client.get(f"/api/v1/port-calls/{call_id}", headers=auth("agent")).json()
    assert cleared["status"] == "cleared"
    assert _utc(cleared["entry_permit"]["issued_at"]) == clock.now

    clock.advance(hours=60)
    nmea = position_report(call["ship"]["mmsi"], *QIANWAN) + "\r\n"
    ais = client.post(
        "/api/v1/ais", content=nmea, headers=auth("terminal") | {"Content-Type": "text/plain"}
    )
    assert ais.status_code == 200, ais.text
    assert ais.json()["accepted"] == 1 and ais.json()["rejected"] == []
    arrived = client.get(f"/api/v1/port-calls/{call_id}", headers=auth("agent")).json()
    assert arrived["status"] == "arrived" and arrived["ata_source"] == "AIS"
    assert _utc(arrived["timestamps"]["ATA"]) == clock.now

    _event(client, auth, call_id, "ALL_FAST", clock.advance(hours=2))
    _event(client, auth, call_id, "OPS_START", clock.advance(minutes=40))
    clock.advance(hours=4)
    departure = departure_notice_data(clock.now)
    filed = client.post(
        f"/api/v1/port-calls/{call_id}/departure", json=departure, headers=auth("agent")
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["departure_permit"] is None
    assert {r["status"] for r in by_agency(filed.json(), "departure").values()} == {"approved"}

    completed_at = clock.advance(hours=18)
    completed = _event(client, auth, call_id, "OPS_COMPLETE", completed_at)
    assert _utc(completed["departure_permit"]["issued_at"]) == completed_at
    gone = _event(client, auth, call_id, "ATD", clock.advance(minutes=50))
    assert gone["status"] == "departed"
    assert gone["zero_wait"] == {
        "entry_wait_minutes": 0.0,
        "departure_wait_minutes": 0.0,
        "is_zero_wait": True,
    }


def test_openapi_lists_the_port_call_paths(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/api/v1/auth/token": {"post"},
        "/api/v1/port-calls": {"get", "post"},
        "/api/v1/port-calls/{call_id}": {"get", "put"},
        "/api/v1/port-calls/{call_id}/departure": {"post"},
        "/api/v1/port-calls/{call_id}/events": {"post"},
        "/api/v1/reviews": {"get"},
        "/api/v1/reviews/{review_id}/decision": {"post"},
        "/api/v1/ais": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    assert "text/plain" in paths["/api/v1/ais"]["post"]["requestBody"]["content"]


def test_same_idempotency_key_and_body_files_once(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx)
    first = file_call(client, auth, notice, key="eta-0521-012W")
    again = file_call(client, auth, notice, key="eta-0521-012W")
    assert again == first
    assert stored_counts(ctx)[0] == 1
    other_agent = file_call(client, auth, notice, who="agent2", key="eta-0521-012W")
    assert other_agent["id"] != first["id"]  # a key is the user's own


def test_same_idempotency_key_with_another_body_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx)
    file_call(client, auth, notice, key="k-1")
    before = stored_counts(ctx)
    response = client.post(
        "/api/v1/port-calls",
        json=notice | {"voyage": "0522-013E"},
        headers=auth("agent") | {"Idempotency-Key": "k-1"},
    )
    assert error_field(response, 422, "Idempotency-Key")["value"] == "k-1"
    assert stored_counts(ctx) == before


def test_concurrent_retries_with_one_key_file_once(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx)
    headers = auth("agent") | {"Idempotency-Key": "retry-storm"}
    responses = _in_parallel(
        4, lambda: client.post("/api/v1/port-calls", json=notice, headers=headers)
    )
    assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert stored_counts(ctx)[0] == 1


def test_two_officers_deciding_at_once_one_wins(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call = file_call(client, auth, notice_data(ctx, **ALL_TO_OFFICERS))
    review = by_agency(call)["MSA"]
    headers = auth("msa")
    decisions = iter(["approve", "hold"])

    def decide() -> httpx.Response:
        body = {"decision": next(decisions), "reason": "checked", "version": review["version"]}
        return client.post(f"/api/v1/reviews/{review['id']}/decision", json=body, headers=headers)

    responses = _in_parallel(2, decide)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    (won,) = [r.json() for r in responses if r.status_code == 200]
    (lost,) = [r.json() for r in responses if r.status_code == 409]
    assert lost["error"]["code"] == "conflict"
    seen = client.get(f"/api/v1/port-calls/{call['id']}", headers=auth("port_office")).json()
    assert by_agency(seen)["MSA"]["status"] == won["status"]


def test_departure_and_events_move_the_call_forward(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    arrived = _event(client, auth, call["id"], "ATA", clock.advance(hours=70))
    assert arrived["status"] == "arrived" and arrived["ata_source"] == "terminal"
    departure = departure_notice_data(clock.now, next_port="KRPUS")
    response = client.post(
        f"/api/v1/port-calls/{call['id']}/departure", json=departure, headers=auth("agent")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert _utc(body["etd"]) == _utc(departure["etd"])
    assert sorted(by_agency(body, "departure")) == ["BORDER", "CIQ", "CUSTOMS", "MSA"]
    seen = client.get(f"/api/v1/port-calls/{call['id']}", headers=auth("agent")).json()
    assert seen["departure"]["next_port"] == "KRPUS"
    assert _utc(seen["departure_filed_at"]) == clock.now
    assert seen["timestamps"]["ATA"] == arrived["timestamps"]["ATA"]
