"""Bad input over HTTP: each answer is a 4xx naming the field, its value and what was expected,
and nothing is stored (no port call, no audit entry)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kouan.services.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import (
    ALL_TO_OFFICERS,
    Tokens,
    by_agency,
    crew_paxlst,
    error_field,
    file_call,
    notice_data,
    position_report,
    stored_counts,
)
from tests.factories import crew_data, merged, person_data

PORT_CALLS = "/api/v1/port-calls"


@pytest.fixture
def stored(ctx: ServiceContext) -> Iterator[None]:
    """Fails the test if the database gained a port call or an audit entry during it."""
    before = stored_counts(ctx)
    yield
    assert stored_counts(ctx) == before


@pytest.fixture
def filed(client: TestClient, auth: Tokens, ctx: ServiceContext) -> dict[str, Any]:
    """A port call filed before the bad request, with every review waiting for an officer."""
    return file_call(client, auth, notice_data(ctx, **ALL_TO_OFFICERS))


def _file(client: TestClient, auth: Tokens, body: Any) -> httpx.Response:
    return client.post(PORT_CALLS, json=body, headers=auth("agent"))


@pytest.mark.parametrize(
    ("overrides", "field", "value", "hint"),
    [
        ({"ship": {"imo": "9134271"}}, "ship.imo", "9134271", "check digit"),
        ({"port": "CNQQQ"}, "port", "CNQQQ", "UN/LOCODE"),
        ({"last_ports": ["KRPUS", "CNQQQ"]}, "last_ports[1]", "CNQQQ", "UN/LOCODE"),
        ({"ship": {"mmsi": "12345"}}, "ship.mmsi", "12345", "9 digits"),
        ({"eta": "2026-11-30T08:00:00"}, "eta", "2026-11-30T08:00:00", "offset"),
        ({"security_level": 4}, "security_level", 4, "3"),
    ],
    ids=["imo-check-digit", "port-locode", "last-port-locode", "mmsi", "naive-eta", "isps-level"],
)
def test_a_bad_value_in_the_filing_is_named(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    stored: None,
    overrides: dict[str, Any],
    field: str,
    value: object,
    hint: str,
) -> None:
    response = _file(client, auth, notice_data(ctx, **overrides))
    named = error_field(response, 422, field)
    assert named["value"] == value and hint in named["expected"]


def test_etd_before_eta_names_etd(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx)
    response = _file(client, auth, notice | {"etd": notice["eta"], "eta": notice["etd"]})
    named = error_field(response, 422, "etd")
    assert named["value"] == notice["eta"]
    assert "eta" in named["expected"]


@pytest.mark.parametrize(
    ("overrides", "field", "value"),
    [
        ({"shipp": {"name": "EVER DIADEM"}}, "shipp", {"name": "EVER DIADEM"}),
        ({"ship": {"colour": "green"}}, "ship.colour", "green"),
        ({"health": {"ill_person": 1}}, "health.ill_person", 1),
    ],
    ids=["top-level", "nested", "nested-typo"],
)
def test_an_unknown_field_is_refused_not_dropped(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    stored: None,
    overrides: dict[str, Any],
    field: str,
    value: object,
) -> None:
    body = merged(notice_data(ctx), overrides)
    named = error_field(_file(client, auth, body), 422, field)
    assert named["value"] == value and "unknown" in named["expected"]


def test_an_unknown_crew_field_names_the_person(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx)
    notice["crew"][2]["document"]["visa"] = "none"
    named = error_field(_file(client, auth, notice), 422, "crew[2].document.visa")
    assert named["value"] == "none"


@pytest.mark.parametrize(
    "text", ['{"ship": {"imo": "9134270"', "ship=EVER DIADEM"], ids=["cut-off", "form"]
)
def test_malformed_json_is_refused(
    client: TestClient, auth: Tokens, stored: None, text: str
) -> None:
    response = client.post(
        PORT_CALLS, content=text, headers=auth("agent") | {"Content-Type": "application/json"}
    )
    named = error_field(response, 422, "body")
    assert "JSON" in named["expected"]


def test_an_empty_body_is_refused(client: TestClient, auth: Tokens, stored: None) -> None:
    response = client.post(
        PORT_CALLS, content=b"", headers=auth("agent") | {"Content-Type": "application/json"}
    )
    assert error_field(response, 422, "body")["value"] is None


def test_json_sent_as_plain_text_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None
) -> None:
    response = client.post(
        PORT_CALLS,
        content=json.dumps(notice_data(ctx)),
        headers=auth("agent") | {"Content-Type": "text/plain"},
    )
    assert response.status_code in {415, 422}, response.text
    error_field(response, response.status_code, "body")


def test_a_body_that_is_not_an_object_is_refused(
    client: TestClient, auth: Tokens, stored: None
) -> None:
    named = error_field(_file(client, auth, ["CNTAO"]), 422, "body")
    assert named["value"] == ["CNTAO"]


@pytest.fixture
def small_client(ctx: ServiceContext) -> Iterator[TestClient]:
    """The app with a request body limit of 4096 bytes."""
    settings = ctx.settings.model_copy(update={"max_body_bytes": 4096})
    small = ServiceContext(ctx.engine, settings, ctx.clock)
    with TestClient(create_app(small), raise_server_exceptions=True) as client:
        yield client


def test_an_oversize_body_is_refused_with_413(
    small_client: TestClient, ctx: ServiceContext, stored: None
) -> None:
    notice = notice_data(ctx)
    notice["crew"] = notice["crew"] * 20
    response = small_client.post(PORT_CALLS, json=notice, headers=Tokens(small_client)("agent"))
    named = error_field(response, 413, "body")
    assert named["value"] > 4096 and "4096" in named["expected"]


def test_an_oversize_body_without_length_is_refused_with_413(
    small_client: TestClient, ctx: ServiceContext, stored: None
) -> None:
    """Sent in chunks, so only counting what arrives can find it too large."""
    chunks = [b"{" + b" " * 3000, b" " * 3000 + b"}"]
    response = small_client.post(
        PORT_CALLS,
        content=iter(chunks),
        headers=Tokens(small_client)("agent") | {"Content-Type": "application/json"},
    )
    assert error_field(response, 413, "body")["value"] > 4096


def _upload(client: TestClient, auth: Tokens, call_id: int, text: str) -> httpx.Response:
    return client.post(
        f"{PORT_CALLS}/{call_id}/paxlst",
        content=text.encode(),
        headers=auth("agent") | {"Content-Type": "application/edifact"},
    )


def test_a_well_formed_paxlst_replaces_the_crew(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    relief = person_data(
        "PARK", "Jisoo", "KR", date(1988, 4, 9), "M71234567", date(2031, 6, 30), sex="M"
    )
    response = _upload(client, auth, filed["id"], crew_paxlst([relief]))
    assert response.status_code == 200, response.text
    arrival = client.get(f"{PORT_CALLS}/{filed['id']}", headers=auth("agent")).json()["arrival"]
    assert [p["document"]["number"] for p in arrival["crew"]] == ["M71234567"]
    assert len(arrival["passengers"]) == 1


def _cut_before_unt(text: str) -> str:
    return text[: text.index("UNT+")]


def _bad_birth_date(text: str) -> str:
    return text.replace("DTM+329:19720314:102'", "DTM+329:19721314:102'", 1)


@pytest.mark.parametrize(
    ("spoil", "field"),
    [
        (lambda text: text[: len(text) // 2].rstrip("'\n"), "end of interchange"),
        (_cut_before_unt, "UNT"),
        (_bad_birth_date, "segment"),
        (lambda text: "UNH+1+PAXLST:D:05B:UN:IATA'BGM+250'", "UNB"),
    ],
    ids=["cut-mid-segment", "truncated-before-unt", "bad-date-of-birth", "no-envelope"],
)
def test_a_malformed_paxlst_names_the_segment_and_changes_nothing(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    filed: dict[str, Any],
    spoil: Callable[[str], str],
    field: str,
) -> None:
    before = stored_counts(ctx)
    text = spoil(crew_paxlst(crew_data(ctx.clock())))
    response = _upload(client, auth, filed["id"], text)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert [f for f in error["fields"] if f["field"].startswith(field)], error
    assert error["fields"][0]["field"] in error["message"]
    assert stored_counts(ctx) == before
    arrival = client.get(f"{PORT_CALLS}/{filed['id']}", headers=auth("agent")).json()["arrival"]
    assert arrival["crew"][0]["rank"] == "Master"


def test_bad_date_of_birth_names_segment_and_value(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    text = _bad_birth_date(crew_paxlst(crew_data(ctx.clock())))
    error = _upload(client, auth, filed["id"], text).json()["error"]
    (entry,) = [f for f in error["fields"] if "DTM+329" in f["field"]]
    assert entry["value"] == "19721314"


def test_nmea_with_a_bad_checksum_is_rejected_line_by_line(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    good = position_report(filed["ship"]["mmsi"], 36.00, 120.21)
    body, checksum = good.rsplit("*", 1)
    wrong = f"{body}*{int(checksum, 16) ^ 0x55:02X}"
    before = stored_counts(ctx)
    response = client.post(
        "/api/v1/ais",
        content=wrong + "\r\n",
        headers=auth("terminal") | {"Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] == 0 and answer["arrivals"] == []
    (rejected,) = answer["rejected"]
    assert rejected["line"] == 1 and rejected["sentence"] == wrong
    assert f"expected {checksum}" in rejected["reason"] and "checksum" in rejected["reason"]
    assert stored_counts(ctx) == before


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ({"type": "ALL_FAST", "at": "2026-11-27T08:00:00+08:00"}, None, None),
        ({"type": "ATA", "at": "2026-11-27T08:00:00"}, "at", "2026-11-27T08:00:00"),
        ({"type": "BERTHED", "at": "2026-11-27T08:00:00+08:00"}, "type", "BERTHED"),
        ({"type": "ATA", "at": "2026-11-27T08:00:00+08:00", "by": "pilot"}, "by", "pilot"),
        ({"type": "ATA", "at": "2026-11-28T08:00:00+08:00"}, None, None),
    ],
    ids=["out-of-order", "naive-at", "unknown-type", "unknown-field", "in-the-future"],
)
def test_a_bad_event_is_refused(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    filed: dict[str, Any],
    body: dict[str, Any],
    field: str | None,
    value: object,
) -> None:
    before = stored_counts(ctx)
    response = client.post(
        f"{PORT_CALLS}/{filed['id']}/events", json=body, headers=auth("terminal")
    )
    if field is None:
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "invalid_transition"
        assert body["type"] in response.json()["error"]["message"]
    else:
        assert error_field(response, 422, field)["value"] == value
    assert stored_counts(ctx) == before


@pytest.mark.parametrize("decision", ["hold", "reject", "inspect"])
def test_a_decision_other_than_approve_needs_a_reason(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any], decision: str
) -> None:
    review = by_agency(filed)["CUSTOMS"]
    before = stored_counts(ctx)
    response = client.post(
        f"/api/v1/reviews/{review['id']}/decision",
        json={"decision": decision, "reason": "   "},
        headers=auth("customs"),
    )
    assert decision in error_field(response, 422, "reason")["expected"]
    assert stored_counts(ctx) == before


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ({"decision": "approved"}, "decision", "approved"),
        ({"decision": "approve", "note": "ok"}, "note", "ok"),
        # a long value is echoed cut to 200 characters, not whole
        ({"decision": "approve", "reason": "x" * 2001}, "reason", "x" * 200 + "..."),
    ],
    ids=["unknown-decision", "unknown-field", "reason-too-long"],
)
def test_a_malformed_decision_is_refused(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    filed: dict[str, Any],
    body: dict[str, Any],
    field: str,
    value: object,
) -> None:
    before = stored_counts(ctx)
    response = client.post(
        f"/api/v1/reviews/{by_agency(filed)['CUSTOMS']['id']}/decision",
        json=body,
        headers=auth("customs"),
    )
    assert error_field(response, 422, field)["value"] == value
    assert stored_counts(ctx) == before


@pytest.mark.parametrize(
    ("path", "who", "field", "hint"),
    [
        # status may be repeated there (?status=filed&status=cleared): the index says which
        (PORT_CALLS, "port_office", "status[0]", "filed"),
        ("/api/v1/reviews", "customs", "status", "pending"),
    ],
    ids=["port-calls", "reviews"],
)
def test_an_unknown_status_filter_is_refused(
    client: TestClient,
    auth: Tokens,
    filed: dict[str, Any],
    path: str,
    who: str,
    field: str,
    hint: str,
) -> None:
    response = client.get(f"{path}?status=sailing", headers=auth(who))
    named = error_field(response, 422, field)
    assert named["value"] == "sailing" and hint in named["expected"]


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        (f"{PORT_CALLS}/abc", "call_id", "abc"),
        (f"{PORT_CALLS}?limit=0", "limit", "0"),
        (f"{PORT_CALLS}?offset=-1", "offset", "-1"),
    ],
    ids=["call-id", "limit", "offset"],
)
def test_bad_path_and_query_values_are_named(
    client: TestClient, auth: Tokens, path: str, field: str, value: str
) -> None:
    named = error_field(client.get(path, headers=auth("port_office")), 422, field)
    assert named["value"] == value


def test_an_unknown_port_call_is_404(client: TestClient, auth: Tokens) -> None:
    response = client.get(f"{PORT_CALLS}/999999", headers=auth("port_office"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _refused(response: httpx.Response, statuses: set[int]) -> dict[str, Any]:
    """A 4xx among `statuses` with the JSON error body; returns the error."""
    assert response.status_code in statuses, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{PORT_CALLS}/99999999999999999999"),
        ("GET", f"{PORT_CALLS}/2147483648"),
        ("PUT", f"{PORT_CALLS}/99999999999999999999"),
        ("POST", "/api/v1/reviews/99999999999999999999/decision"),
    ],
    ids=["call-beyond-64-bit", "call-beyond-32-bit", "amend", "decision"],
)
def test_an_id_too_large_for_the_database_is_a_4xx(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None, method: str, path: str
) -> None:
    """Ids are the database's integers: one beyond their range names no object."""
    who = "customs" if "reviews" in path else "agent"
    body = {"decision": "approve"} if "reviews" in path else notice_data(ctx)
    send = {"json": body} if method != "GET" else {}
    _refused(client.request(method, path, headers=auth(who), **send), {404, 422})


def test_an_offset_too_large_for_the_database_is_not_a_5xx(
    client: TestClient, auth: Tokens, filed: dict[str, Any]
) -> None:
    response = client.get(f"{PORT_CALLS}?offset=99999999999999999999", headers=auth("agent"))
    if response.status_code == 200:
        assert response.json() == []
    else:
        error_field(response, 422, "offset")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_number_json_cannot_hold_is_refused(
    client: TestClient, auth: Tokens, ctx: ServiceContext, stored: None, number: str
) -> None:
    """Python's json module reads NaN and Infinity, which are not JSON (RFC 8259 section 6)."""
    text = json.dumps(notice_data(ctx, ship={"gross_tonnage": 1.5}))
    text = text.replace('"gross_tonnage": 1.5', f'"gross_tonnage": {number}')
    response = client.post(
        PORT_CALLS, content=text, headers=auth("agent") | {"Content-Type": "application/json"}
    )
    assert _refused(response, {400, 422})["fields"]


def test_amending_after_arrival_is_a_conflict(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    notice = notice_data(ctx)
    call = file_call(client, auth, notice)
    arrived = client.post(
        f"{PORT_CALLS}/{call['id']}/events",
        json={"type": "ATA", "at": ctx.clock().isoformat()},
        headers=auth("terminal"),
    )
    assert arrived.status_code == 200, arrived.text
    before = stored_counts(ctx)
    response = client.put(
        f"{PORT_CALLS}/{call['id']}", json=notice | {"berth": "QQCT-5"}, headers=auth("agent")
    )
    assert _refused(response, {409})["code"] == "invalid_transition"
    assert stored_counts(ctx) == before
