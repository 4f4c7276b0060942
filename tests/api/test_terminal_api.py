"""The terminal's API: moves as a raw COARRI or JSON, bay plans, goods arrival, customs'
discrepancies; refusals as 4xx naming what was wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Tokens, error_field
from tests.conftest import shared_data

COARRI = shared_data("edifact", "php-edifact_D95BCOARRI.edi").read_text()
BAPLIE = shared_data("edifact", "php-edifact_D95BBAPLIE.edi").read_text()
MOVE = {
    "kind": "discharged",
    "container": "TEMU3412100",
    "size_type": "22G1",
    "at": "2026-11-26T08:00:00+08:00",
    "gross_kg": 18000,
    "voyage": "V1",
    "vessel": "X",
}
TEXT = {"Content-Type": "text/plain"}


def test_a_terminal_sends_a_coarri_and_json_moves(client: TestClient, auth: Tokens) -> None:
    answer = client.post(
        "/api/v1/terminal/moves", content=COARRI, headers={**auth("terminal"), **TEXT}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["moves"], body["teu"], body["without_call"]) == (21, 40, 21)
    answer = client.post("/api/v1/terminal/moves", json=[MOVE], headers=auth("terminal"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["moves"] == 1
    listed = client.get("/api/v1/terminal/moves?limit=5", headers=auth("customs"))
    assert listed.status_code == 200 and listed.json()[0]["container"] == "TEMU3412100"
    found = client.get("/api/v1/terminal/discrepancies", headers=auth("customs")).json()
    assert found["counts"]["discharged_not_manifested"] == 3  # 2 discharged in the COARRI + 1


def test_refusals_name_segment_element_or_field(client: TestClient, auth: Tokens) -> None:
    broken = COARRI.replace("CNT+16:19'", "CNT+16:18'")
    answer = client.post(
        "/api/v1/terminal/moves", content=broken, headers={**auth("terminal"), **TEXT}
    )
    error_field(answer, 422, "segment 270 (CNT+16) C270/6066")
    bad = {**MOVE, "container": "TEMU3412101"}
    answer = client.post("/api/v1/terminal/moves", json=[bad], headers=auth("terminal"))
    assert answer.status_code == 422 and "container" in answer.text
    answer = client.post(
        "/api/v1/terminal/moves",
        json=[{**MOVE, "at": "2026-11-26T08:00"}],
        headers=auth("terminal"),
    )
    assert answer.status_code == 422
    answer = client.post("/api/v1/terminal/moves", content=b"", headers=auth("terminal"))
    assert answer.status_code == 422
    for body in (b"", b"[{", b"not json"):
        answer = client.post("/api/v1/terminal/arrivals", content=body, headers=auth("terminal"))
        error_field(answer, 422, "body")
        assert "valid JSON" in answer.json()["error"]["fields"][0]["expected"]
    answer = client.post(
        "/api/v1/terminal/moves", content="\x00garbage", headers={**auth("terminal"), **TEXT}
    )
    assert answer.status_code in (400, 422)


def test_only_terminals_report_and_only_customs_reads_discrepancies(
    client: TestClient, auth: Tokens
) -> None:
    for who in ("customs", "agent", "port_office"):
        answer = client.post("/api/v1/terminal/moves", json=[MOVE], headers=auth(who))
        assert answer.status_code == 403, who
    assert client.get("/api/v1/terminal/discrepancies", headers=auth("terminal")).status_code == 403
    assert client.get("/api/v1/terminal/moves", headers=auth("agent")).status_code == 403


def test_bay_plans_and_goods_arrival(client: TestClient, auth: Tokens) -> None:
    answer = client.post(
        "/api/v1/terminal/bayplans", content=BAPLIE, headers={**auth("terminal"), **TEXT}
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["bay_plans"][0]["teu"] == 6
    arrivals = [{"container": "OOLU8757889", "arrived_at": "2026-11-26T10:00:00+08:00"}]
    answer = client.post("/api/v1/terminal/arrivals", json=arrivals, headers=auth("terminal"))
    assert answer.status_code == 201 and answer.json()["arrived"] == 1
    answer = client.post(
        "/api/v1/terminal/arrivals", json=[{"container": "X"}], headers=auth("terminal")
    )
    assert answer.status_code == 422
