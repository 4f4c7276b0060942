"""The statistics API: a CSV return imported by the port office (refused whole with 422 naming
each line), and an indicator's monthly figures at a port."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Tokens

CSV = (
    "\ufeffperiod,port,indicator,value,unit\r\n"
    "2026-09,CNTAO,container_throughput,2400000,TEU\r\n"
    "2026-10,CNTAO,container_throughput,2512300,TEU\r\n"
).encode()


def _post(client: TestClient, auth: Tokens, data: bytes, who: str = "port_office"):  # type: ignore[no-untyped-def]
    headers = auth(who) | {"Content-Type": "text/csv"}
    return client.post("/api/v1/stats/imports", content=data, headers=headers)


def test_the_port_office_imports_and_everyone_allowed_reads(
    client: TestClient, auth: Tokens
) -> None:
    first = _post(client, auth, CSV)
    assert first.status_code == 200, first.text
    assert (first.json()["added"], first.json()["unchanged"]) == (2, 0)
    again = _post(client, auth, CSV).json()
    assert (again["added"], again["changed"], again["unchanged"]) == (0, 0, 2)
    query = {
        "indicator": "container_throughput",
        "port": "CNTAO",
        "first": "2026-09",
        "last": "2026-11",
    }
    answer = client.get("/api/v1/stats/figures", params=query, headers=auth("customs"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["unit"] == "TEU"
    assert [(f["month"], f["value"], f["source"]) for f in body["figures"]] == [
        ("2026-09", 2400000.0, "imported"),
        ("2026-10", 2512300.0, "imported"),
        ("2026-11", None, None),
    ]


def test_a_bad_file_is_refused_with_422_naming_each_line(client: TestClient, auth: Tokens) -> None:
    bad = CSV + b"2026-10,CNTAO,container_throughput,-1,TEU\r\n2026-1,CNTAO,ship_calls,3,calls\r\n"
    response = _post(client, auth, bad)
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert fields == ["line 4: value", "line 5: period"]
    assert _post(client, auth, b"\xff\xfe\x00junk").status_code == 422


def test_others_may_not_import_and_enterprises_may_not_read(
    client: TestClient, auth: Tokens
) -> None:
    assert _post(client, auth, CSV, "customs").status_code == 403
    query = {"indicator": "ship_calls", "port": "CNTAO", "first": "2026-01", "last": "2026-02"}
    assert (
        client.get("/api/v1/stats/figures", params=query, headers=auth("agent")).status_code == 403
    )


def test_a_bad_query_names_each_field(client: TestClient, auth: Tokens) -> None:
    query = {"indicator": "nothing", "port": "CNTAO", "first": "2026-13", "last": "2026-02"}
    response = client.get("/api/v1/stats/figures", params=query, headers=auth("port_office"))
    assert response.status_code == 422, response.text
    fields = {f["field"]: f for f in response.json()["error"]["fields"]}
    assert set(fields) == {"indicator", "first"}
    backwards = {"indicator": "ship_calls", "port": "CNTAO", "first": "2026-05", "last": "2026-02"}
    response = client.get("/api/v1/stats/figures", params=backwards, headers=auth("port_office"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "last"
