"""Deciding a list person by person over HTTP: the queue shows the one person referred, the
officer decides that person, a stale or foreign decision is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import Tokens
from tests.conftest import People
from tests.listkind import KIND, open_list


@pytest.fixture
def list_client(wired: ServiceContext) -> Iterator[TestClient]:
    with TestClient(create_app(wired), raise_server_exceptions=True) as test_client:
        yield test_client


def test_an_officer_decides_the_one_person_referred_over_http(
    list_client: TestClient,
    wired: ServiceContext,
    people: People,
    database_url: str,
) -> None:
    auth = Tokens(list_client, database_url.split(":", 1)[0])
    open_list(wired, people["border"], [f"P-{n:04d}" for n in range(300)])
    queue = list_client.get("/api/v1/reviews?status=open", headers=auth("border")).json()
    [review] = [r for r in queue if r["subject_type"] == KIND]
    referred = review["targets"][0]
    assert (referred["label"], referred["status"]) == ("P-0042", "pending")

    path = f"/api/v1/reviews/{review['id']}/targets/{referred['id']}/decision"
    refused = list_client.post(path, json={"decision": "reject"}, headers=auth("border"))
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "reason"
    foreign = list_client.post(path, json={"decision": "approve"}, headers=auth("customs"))
    assert foreign.status_code == 404
    stale = {"decision": "approve", "version": referred["version"] + 1}
    assert list_client.post(path, json=stale, headers=auth("border")).status_code == 409

    decided = list_client.post(
        path, json={"decision": "approve", "version": referred["version"]}, headers=auth("border")
    )
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["reason_key"]) == (
        "approved",
        "targets.settled",
    )
    again = list_client.post(path, json={"decision": "approve"}, headers=auth("border"))
    assert again.status_code == 409
