"""The one editor of rule sets, for every agency and kind of subject: a draft, its document
checked whole, activation; every hit is a rule that can be switched off (CIQ's legal inspection
too); customs' risk rules stay customs' and the port office's to read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import Tokens
from tests.api.test_pages import file_call
from tests.conftest import Clock, People, file_declaration
from tests.factories import declaration_item

MEAT = declaration_item(hs_code="020130", description="beef", unit="KGM", value="9000")


def test_ciq_switches_off_its_legal_inspection_rule_and_meat_goes_to_customs_alone(
    client: TestClient, auth: Tokens, registered: ServiceContext, people: People
) -> None:
    before = file_declaration(registered, people, reference="MEAT-1", items=[MEAT])
    assert {r["agency"] for r in before["reviews"]} == {"CUSTOMS", "CIQ"}
    [ciq_review] = [r for r in before["reviews"] if r["agency"] == "CIQ"]
    assert ciq_review["hits"][0]["target"] == "items[0]"
    assert ciq_review["reason_key"] == "ciq.legal_inspection"
    assert ciq_review["reason_params"] == {"hs_code": "020130", "entry": "02"}

    base = "/api/v1/rule-sets/declaration/CIQ"
    draft = client.post(f"{base}/drafts", json={"note": "meat by customs"}, headers=auth("ciq"))
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    version = draft.json()["version"]
    document = {**draft.json()["document"], "disabled": ["CIQ-LEGAL-INSPECTION"]}
    saved = client.put(f"{base}/{version}", json=document, headers=auth("ciq"))
    assert saved.status_code == 200 and saved.json()["disabled"] == ["CIQ-LEGAL-INSPECTION"]
    activated = client.post(f"{base}/{version}/activate", headers=auth("ciq"))
    assert activated.status_code == 200 and activated.json()["status"] == "active"

    after = file_declaration(registered, people, reference="MEAT-2", items=[MEAT])
    assert {r["agency"] for r in after["reviews"]} == {"CUSTOMS"}
    history = client.get(base, headers=auth("port_office")).json()
    assert [(v["version"], v["status"]) for v in history] == [(version, "active"), (1, "retired")]


def test_a_bad_document_is_refused_whole_with_its_fields_named(
    client: TestClient, auth: Tokens
) -> None:
    base = "/api/v1/rule-sets/port_call/MSA"
    drafted = client.post(f"{base}/drafts", headers=auth("msa")).json()
    version = drafted["version"]
    bad = {"params": {"refer_security_level": "high"}, "disabled": ["NO-SUCH-RULE"]}
    refused = client.put(f"{base}/{version}", json=bad, headers=auth("msa"))
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "params.refer_security_level"
    kept = client.get(f"{base}/{version}", headers=auth("msa")).json()
    assert kept["document"] == drafted["document"]  # nothing of the refused document stored
    assert kept["params"]["refer_security_level"] == 2


def test_each_agency_edits_its_own_and_risk_rules_stay_with_customs(
    client: TestClient, auth: Tokens
) -> None:
    assert (
        client.post("/api/v1/rule-sets/port_call/MSA/drafts", headers=auth("ciq")).status_code
        == 403
    )
    assert client.get("/api/v1/rule-sets/port_call/MSA", headers=auth("broker")).status_code == 403
    risk = "/api/v1/rule-sets/declaration/CUSTOMS/active"
    assert client.get(risk, headers=auth("border")).status_code == 403
    assert client.get(risk, headers=auth("port_office")).status_code == 200
    listed = client.get("/api/v1/rule-sets", headers=auth("border")).json()
    assert ("declaration", "CUSTOMS") not in {(r["subject_kind"], r["agency"]) for r in listed}
    listed = client.get("/api/v1/rule-sets", headers=auth("customs")).json()
    assert ("declaration", "CUSTOMS") in {(r["subject_kind"], r["agency"]) for r in listed}
    assert client.get("/api/v1/rule-sets/declaration/MSA", headers=auth("msa")).status_code == 404


def test_a_draft_is_tested_on_recent_subjects_before_it_decides(
    client: TestClient, auth: Tokens, registered: ServiceContext, people: People
) -> None:
    shirts = file_declaration(registered, people, reference="SHIRTS-1")  # cotton T-shirts, 6109
    assert {r["agency"] for r in shirts["reviews"]} == {"CUSTOMS"}
    base = "/api/v1/rule-sets/declaration/CIQ"
    draft = client.post(f"{base}/drafts", headers=auth("ciq")).json()
    params = draft["document"]["params"]
    document = {
        **draft["document"],
        "params": {"legal_inspection": [*params["legal_inspection"], "6109"]},
    }
    assert (
        client.put(f"{base}/{draft['version']}", json=document, headers=auth("ciq")).status_code
        == 200
    )

    tested = client.post(f"{base}/{draft['version']}/test?last=50", headers=auth("ciq"))
    assert tested.status_code == 200
    result = tested.json()
    assert (result["subjects"], result["changed"], result["hits"]) == (
        1,
        1,
        {"CIQ-LEGAL-INSPECTION": 1},
    )
    assert result["examples"] == [
        {"id": shirts["id"], "from": "approved", "to": "pending", "rules": ["CIQ-LEGAL-INSPECTION"]}
    ]
    assert client.get(f"{base}/active", headers=auth("ciq")).json()["version"] == 1  # not yet


def test_a_port_call_rule_set_is_tested_on_recent_calls(
    client: TestClient, auth: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    file_call(ctx, people, clock())
    base = "/api/v1/rule-sets/port_call/MSA"
    draft = client.post(f"{base}/drafts", headers=auth("msa")).json()
    document = {**draft["document"], "params": {"max_stay_days": 0.5}}
    client.put(f"{base}/{draft['version']}", json=document, headers=auth("msa"))
    result = client.post(f"{base}/{draft['version']}/test", headers=auth("msa")).json()
    assert (result["subjects"], result["phase"], result["hits"]) == (
        1,
        "entry",
        {"MSA-STAY-IMPLAUSIBLE": 1},
    )
    assert result["statuses"] == {"pending": 1} and result["changed"] == 1
    read_by_ciq = client.post(f"{base}/{draft['version']}/test", headers=auth("ciq"))
    assert read_by_ciq.status_code == 200  # agencies read each other's port-call rules
    assert client.post(f"{base}/{draft['version']}/test", headers=auth("broker")).status_code == 403
