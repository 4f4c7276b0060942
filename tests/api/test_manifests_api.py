"""Manifests, write-off and the gate over HTTP, on SQLite and PostgreSQL: JSON, spreadsheet and
CUSCAR filings, 422 naming field, line or segment, amendments, search, and the gate's answers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from kouan.adapters import manifest_sheet
from kouan.adapters.cuscar import write_cuscar
from kouan.domain.manifest import ManifestDocument
from kouan.services.goods import gate
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import Tokens, file_call, notice_data
from tests.api.test_declarations_api import register_traders
from tests.conftest import Clock
from tests.factories import declaration_data
from tests.manifests import BL, CONTAINER, OTHERS, bill, container, manifest_data

MANIFESTS = "/api/v1/manifests"
EDIFACT = {"Content-Type": "application/edifact"}


def _call(client: TestClient, auth: Tokens, ctx: ServiceContext) -> int:
    return int(file_call(client, auth, notice_data(ctx))["id"])


def _file(client: TestClient, auth: Tokens, body: dict[str, Any], who: str = "agent") -> Any:
    return client.post(MANIFESTS, json=body, headers=auth(who))


def test_json_manifest_filed_amended_and_searched(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call_id = _call(client, auth, ctx)
    answer = _file(client, auth, manifest_data(call_id))
    assert answer.status_code == 201, answer.text
    filed = answer.json()
    assert (filed["bills"], filed["containers"], filed["source"]) == (1, 1, "api")
    again = _file(client, auth, manifest_data(call_id))
    assert again.status_code == 409
    amended = client.put(
        f"{MANIFESTS}/{filed['id']}",
        json=manifest_data(call_id, bills_of_lading=[bill(), bill("NEW", [])]),
        headers=auth("agent"),
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["amendments"][0]["diff"]["added"] == ["NEW"]
    one = client.put(
        f"{MANIFESTS}/{filed['id']}/bills/NEW",
        json=bill("NEW", [container(OTHERS[0], "900")]),
        headers=auth("agent"),
    )
    assert one.status_code == 200, one.text
    assert one.json()["amendments"][-1]["diff"]["changed"][0]["containers_added"] == [OTHERS[0]]
    for q in (BL, OTHERS[0]):
        found = client.get(MANIFESTS, params={"q": q}, headers=auth("customs")).json()
        assert [m["id"] for m in found] == [filed["id"]]
    assert client.get(f"{MANIFESTS}/{filed['id']}", headers=auth("agent2")).status_code == 404
    assert client.get(f"{MANIFESTS}/{filed['id']}", headers=auth("terminal")).status_code == 200
    assert _file(client, auth, manifest_data(call_id), who="broker").status_code == 403


def test_bad_json_is_refused_naming_each_field(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call_id = _call(client, auth, ctx)
    bad_box = manifest_data(call_id, bills_of_lading=[bill(lines=[container("CSQU3054384")])])
    answer = _file(client, auth, bad_box)
    assert answer.status_code == 422
    [field] = answer.json()["error"]["fields"]
    assert field["field"] == "bills_of_lading[0].containers[0].number"
    assert field["value"] == "CSQU3054384"
    twice = manifest_data(call_id, bills_of_lading=[bill(), bill(lines=[])])
    answer = _file(client, auth, twice)
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"][0]["field"] == "bills_of_lading[1].number"
    heavy = manifest_data(call_id, bills_of_lading=[bill(gross_weight_kg="99999")])
    answer = _file(client, auth, heavy)
    assert answer.json()["error"]["fields"][0]["field"] == "bills_of_lading[0].gross_weight_kg"
    assert (
        client.post(
            MANIFESTS, content=b"{", headers=auth("agent") | {"Content-Type": "application/json"}
        ).status_code
        == 422
    )
    assert client.get(MANIFESTS, headers=auth("agent")).json() == []


def test_a_spreadsheet_and_a_cuscar_are_filed(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    call_id = _call(client, auth, ctx)
    template = client.get(f"{MANIFESTS}/template", params={"fmt": "csv"})
    assert template.status_code == 200
    header = template.content.decode("utf-8-sig").strip()
    cells = {
        "number": BL,
        "shipper": "S",
        "consignee": "C",
        "goods_description": "parts",
        "packages": "3",
        "gross_weight_kg": "12000",
        "container": CONTAINER,
        "container_weight_kg": "12000",
    }
    out = io.StringIO()
    csv.writer(out).writerow([cells.get(c.field, "") for c in manifest_sheet.COLUMNS])
    body = (header + "\r\n" + out.getvalue()).encode()
    answer = client.post(
        MANIFESTS,
        params={"direction": "export", "port_call_id": call_id},
        content=body,
        headers=auth("agent") | {"Content-Type": "text/csv"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["source"] == "sheet"
    bad = body.replace(CONTAINER.encode(), b"CSQU3054384")
    refused = client.post(
        MANIFESTS,
        params={"direction": "export", "port_call_id": call_id},
        content=bad,
        headers=auth("agent") | {"Content-Type": "text/csv"},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "line 2 集装箱号 / Container number"
    document = ManifestDocument.model_validate(manifest_data(call_id))
    text = write_cuscar(document, "COSCO", "C1", clock.now)
    answer = client.post(MANIFESTS, content=text, headers=auth("agent") | EDIFACT)
    assert answer.status_code == 201, answer.text
    assert answer.json()["source"] == "cuscar"
    broken = text.replace(f"EQD+CN+{CONTAINER}", "EQD+CN+CSQU3054384")
    refused = client.post(MANIFESTS, content=broken, headers=auth("agent") | EDIFACT)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"].endswith("(EQD+CN) C237/8260")
    xlsx = client.get(f"{MANIFESTS}/template")
    assert xlsx.content[:2] == b"PK"


def test_the_gate_answers_terminals_and_customs_only(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    register_traders(client, auth)
    call_id = _call(client, auth, ctx)
    lines = [container(CONTAINER), container(OTHERS[0])]
    assert (
        _file(client, auth, manifest_data(call_id, bills_of_lading=[bill(lines=lines)])).status_code
        == 201
    )
    declared = client.post(
        "/api/v1/declarations",
        json=declaration_data(containers=[CONTAINER]),
        headers=auth("broker"),
    )
    assert declared.status_code == 201 and declared.json()["status"] == "released"
    # A box the bill does not hold: the write-off sends it to an officer, and flags it.
    stranger = client.post(
        "/api/v1/declarations",
        json=declaration_data(reference="STRANGER", containers=[OTHERS[1]]),
        headers=auth("broker"),
    )
    assert stranger.status_code == 201 and stranger.json()["status"] == "under_review"
    assert "MANIFEST-WRITEOFF" in stranger.json()["rules_hit"]
    # Released, but the box is not reported in the yard yet (运抵): it waits.
    waiting = client.get(f"/api/v1/gate/{CONTAINER}", headers=auth("terminal")).json()
    assert (waiting["allowed"], waiting["reason"]) == (False, "not_arrived")
    assert waiting["message"] == "no goods-arrival report for it yet"
    assert waiting["declaration_status"] == "released"
    arrived = client.post(
        "/api/v1/terminal/arrivals",
        json=[{"container": CONTAINER, "arrived_at": "2026-11-27T09:00:00+08:00"}],
        headers=auth("terminal"),
    )
    assert arrived.status_code == 201 and arrived.json()["arrived"] == 1
    yes = client.get(f"/api/v1/gate/{CONTAINER}", headers=auth("terminal"))
    assert yes.status_code == 200
    assert (yes.json()["allowed"], yes.json()["reason"]) == (True, "released")
    no = client.get(f"/api/v1/gate/{OTHERS[0]}", headers=auth("customs")).json()
    assert (no["allowed"], no["reason"]) == (False, "not_covered")
    assert client.get(f"/api/v1/gate/{CONTAINER}", headers=auth("broker")).status_code == 403
    bad = client.get("/api/v1/gate/CSQU3054384", headers=auth("terminal"))
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "container_number"
    # Each refusal was kept before its answer: no waiting for a writer.
    refusals = client.get("/api/v1/gate/refusals", headers=auth("customs")).json()
    assert [(r["container_number"], r["reason"]) for r in refusals] == [
        (OTHERS[0], "not_covered"),
        (CONTAINER, "not_arrived"),
    ]
    flagged = client.get("/api/v1/write-off/flagged", headers=auth("customs"))
    assert flagged.status_code == 200
    [row] = flagged.json()
    assert row["problems"] == [{"code": "containers_not_on_bl", "containers": [OTHERS[1]]}]
    assert client.get("/api/v1/write-off/flagged", headers=auth("agent")).status_code == 403
    assert client.get("/api/v1/write-off/undeclared", headers=auth("customs")).json() == []


def test_a_refusal_that_cannot_be_kept_is_not_answered(
    client: TestClient, auth: Tokens, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every refusal is kept: when its commit fails the clerk gets a server error, not a "no"
    that customs will never see, and nothing of it is written."""
    headers = auth("terminal")

    def broken(*_: Any) -> None:
        raise OperationalError("INSERT INTO gate_refusals", {}, Exception("disk I/O error"))

    monkeypatch.setattr(gate, "insert_plain", broken)
    unguarded = TestClient(create_app(ctx), raise_server_exceptions=False)
    answer = unguarded.get(f"/api/v1/gate/{CONTAINER}", headers=headers)
    assert answer.status_code == 500
    monkeypatch.undo()
    assert client.get("/api/v1/gate/refusals", headers=auth("customs")).json() == []
    again = client.get(f"/api/v1/gate/{CONTAINER}", headers=headers).json()
    assert (again["allowed"], again["reason"]) == (False, "not_on_manifest")
    [kept] = client.get("/api/v1/gate/refusals", headers=auth("customs")).json()
    assert kept["container_number"] == CONTAINER
