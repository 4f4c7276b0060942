"""The duties' API: a declaration's assessment, a bank's payment notification (idempotent,
refused for an unknown declaration), guarantees, the tariff's versions, tonnage dues."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import Tokens, error_field, file_call, notice_data
from tests.conftest import People, register_traders
from tests.factories import declaration_data, declaration_item, trader


def _import(client: TestClient, auth: Tokens) -> dict[str, Any]:
    body = declaration_data(
        direction="import",
        items=[declaration_item(value="10000", origin="US")],
        **trader("AA"),
    )
    response = client.post("/api/v1/declarations", json=body, headers=auth("broker"))
    assert response.status_code == 201, response.text
    return response.json()


def test_an_import_waits_for_payment_and_the_banks_notification_releases_it(
    ctx: ServiceContext, people: People, client: TestClient, auth: Tokens
) -> None:
    register_traders(ctx, people)
    code = trader("AA")["trader"]
    put = client.put(f"/api/v1/guarantees/{code}", json={"amount": "0"}, headers=auth("customs"))
    assert put.status_code == 200, put.text
    view = _import(client, auth)
    assert view["status"] == "payment_due"
    duties = client.get(f"/api/v1/declarations/{view['id']}/duties", headers=auth("broker"))
    assert duties.json()["total"] == "14043.80" and duties.json()["status"] == "due"
    full = client.get(f"/api/v1/declarations/{view['id']}", headers=auth("broker")).json()
    assert full["duties"]["lines"][0]["vat"] == "9783.80"
    awaited = client.get("/api/v1/duties/assessments?status=due", headers=auth("customs"))
    assert [a["declaration_id"] for a in awaited.json()] == [view["id"]]
    payment = {
        "bank": "ICBC",
        "bank_reference": "20261127-0001",
        "declaration_id": view["id"],
        "amount": "14043.80",
    }
    first = client.post("/api/v1/payments", json=payment, headers=auth("customs"))
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/payments", json=payment, headers=auth("customs"))
    assert (again.status_code, again.json()) == (200, first.json())
    released = client.get(f"/api/v1/declarations/{view['id']}", headers=auth("broker")).json()
    assert released["status"] == "released" and released["release_notice"] is not None
    unknown = client.post(
        "/api/v1/payments",
        json={**payment, "bank_reference": "x-2", "declaration_id": 987654},
        headers=auth("customs"),
    )
    assert unknown.status_code == 404 and "987654" in unknown.json()["error"]["message"]
    error_field(
        client.post("/api/v1/payments", json={**payment, "amount": "-1"}, headers=auth("customs")),
        422,
        "amount",
    )
    # A broker may not notify payments.
    assert client.post("/api/v1/payments", json=payment, headers=auth("broker")).status_code == 403


def test_guarantees_are_set_by_customs_and_seen_by_their_brokers(
    ctx: ServiceContext, people: People, client: TestClient, auth: Tokens
) -> None:
    register_traders(ctx, people)
    code = trader("AA")["trader"]
    _import(client, auth)
    mine = client.get("/api/v1/guarantees", headers=auth("broker")).json()
    assert [g["trader"] for g in mine] == [code]
    assert mine[0]["in_use"] == "14043.80"
    assert client.get("/api/v1/guarantees", headers=auth("broker2")).json() == []
    refused = client.put(f"/api/v1/guarantees/{code}", json={"amount": "1"}, headers=auth("broker"))
    assert refused.status_code == 403


def test_customs_imports_a_tariff_version_and_agents_get_tonnage_dues(
    ctx: ServiceContext, people: People, client: TestClient, auth: Tokens
) -> None:
    csv = "hs_prefix,description,description_zh,mfn,general,vat\n*,any,任何,1,30,13\n"
    response = client.post(
        "/api/v1/tariff/versions?effective_from=2026-11-01",
        content=csv.encode(),
        headers=auth("customs") | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    tariff = client.get("/api/v1/tariff", headers=auth("customs")).json()
    assert tariff["version"] == response.json()["version"] and len(tariff["lines"]) == 1
    bad = client.post(
        "/api/v1/tariff/versions?effective_from=2026-11-01",
        content=b"hs_prefix,mfn,general,vat\nabc,1,1,1\n",
        headers=auth("customs") | {"Content-Type": "text/csv"},
    )
    error_field(bad, 422, "line 2.hs_prefix")
    call = file_call(client, auth, notice_data(ctx))
    dues = client.post(
        f"/api/v1/port-calls/{call['id']}/tonnage-dues",
        json={"net_tonnage": "30000", "period_days": 90},
        headers=auth("agent"),
    )
    assert dues.status_code == 201, dues.text
    assert (dues.json()["rate_basis"], dues.json()["amount"]) == ("preferential", "198000.00")
    # The ship's next call within the 90 days is covered by the same certificate.
    later = file_call(client, auth, notice_data(ctx, voyage="0522-013W"))
    covered = client.post(
        f"/api/v1/port-calls/{later['id']}/tonnage-dues",
        json={"net_tonnage": "30000", "period_days": 30},
        headers=auth("agent"),
    ).json()
    assert covered["covered_by_earlier_certificate"] is True
    assert covered["certificate"] == dues.json()["certificate"]
