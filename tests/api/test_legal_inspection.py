"""CIQ's legal-inspection list: read by customs and the port office, published by CIQ through the
page or the API, and deciding which declarations get a CIQ review."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.test_pages import post_form, signed_in, text_of
from tests.conftest import PASSWORD, People, file_declaration
from tests.factories import declaration_item

PAGE = "/legal-inspection"


def _agencies_of_a_sawn_wood_filing(ctx: ServiceContext, people: People, reference: str) -> set:
    wood = declaration_item(hs_code="440711", description="sawn pine", unit="MTQ", value="9000")
    view = file_declaration(ctx, people, reference=reference, items=[wood])
    return {r["agency"] for r in view["reviews"]}


def test_ciq_adds_a_heading_and_the_next_filing_gets_a_ciq_review(
    registered: ServiceContext, people: People
) -> None:
    ctx = registered
    assert _agencies_of_a_sawn_wood_filing(ctx, people, "LEGAL-1") == {"CUSTOMS"}
    ciq = signed_in(ctx, "ciq")
    page = ciq.get(PAGE)
    assert page.status_code == 200 and 'data-testid="legal-4403"' in page.text
    listed = text_of(page, "legal-input").split()
    answer = post_form(ciq, PAGE, PAGE, {"legal_inspection": "\n".join([*listed, "4407"])})
    assert answer.status_code == 303
    assert 'data-testid="legal-4407"' in ciq.get(PAGE).text
    assert _agencies_of_a_sawn_wood_filing(ctx, people, "LEGAL-2") == {"CUSTOMS", "CIQ"}


def test_a_bad_entry_is_shown_beside_the_field_and_nothing_changes(
    ctx: ServiceContext, people: People
) -> None:
    ciq = signed_in(ctx, "ciq", lang="en")
    answer = post_form(ciq, PAGE, PAGE, {"legal_inspection": "02\n44A7"})
    assert answer.status_code == 422
    assert "44A7" in text_of(answer, "error-legal_inspection")
    assert text_of(answer, "legal-input").split() == ["02", "44A7"]  # as typed
    assert 'data-testid="legal-4403"' in ciq.get(PAGE).text  # the list did not change


def test_customs_reads_the_list_and_may_not_change_it(ctx: ServiceContext) -> None:
    customs = signed_in(ctx, "customs")
    page = customs.get(PAGE)
    assert page.status_code == 200 and 'data-testid="legal-form"' not in page.text
    refused = post_form(customs, PAGE, PAGE, {"legal_inspection": "01"})
    assert refused.status_code == 403
    assert signed_in(ctx, "broker").get(PAGE).status_code == 403


def _token(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_api_reads_and_publishes_rule_sets(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx))
    ciq = _token(client, "ciq")
    before = {r["agency"]: r for r in client.get("/api/v1/rule-sets", headers=ciq).json()}
    assert "02" in before["CIQ"]["params"]["legal_inspection"]
    published = client.post(
        "/api/v1/rule-sets/CIQ", json={"params": {"legal_inspection": ["02", "0303"]}}, headers=ciq
    )
    assert published.status_code == 201
    assert published.json() == {"agency": "CIQ", "version": before["CIQ"]["version"] + 1}
    bad = client.post(
        "/api/v1/rule-sets/CIQ", json={"params": {"legal_inspection": ["x"]}}, headers=ciq
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "params.legal_inspection[0]"
    other = client.post(
        "/api/v1/rule-sets/CIQ", json={"params": {}}, headers=_token(client, "customs")
    )
    assert other.status_code == 403
    assert client.get("/api/v1/rule-sets", headers=_token(client, "broker")).status_code == 403
