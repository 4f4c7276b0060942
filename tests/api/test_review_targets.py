"""Deciding a list person by person over HTTP: the queue shows the one person referred, the
officer decides that person, a stale or foreign decision is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.web.app import create_app
from tests.api.conftest import Tokens
from tests.api.test_pages import post_form, signed_in, text_of, texts_of
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


def test_the_queue_page_shows_the_one_person_referred_and_decides_that_person(
    wired: ServiceContext, people: People
) -> None:
    list_id = open_list(wired, people["border"], [f"P-{n:04d}" for n in range(300)])
    with wired.uow(people["border"], write=False) as uow:
        [review] = [
            r for r in reviews.reviews_of(uow, KIND, [list_id])[list_id] if r.agency == "BORDER"
        ]
        referred, refused = reviews.targets_of(uow, [review])[review.id]
    border = signed_in(wired, "border")
    queue = border.get("/reviews")
    assert "P-0042 is watched" in text_of(queue, f"target-{referred.id}")
    assert "300 persons" in text_of(queue, f"queue-row-{review.id}")
    assert texts_of(queue, f"target-form-{refused.id}") == []  # refused by the rules already
    action = f"/reviews/{review.id}/targets/{referred.id}/decision"
    without_reason = post_form(border, "/reviews", action, {"decision": "reject", "version": "1"})
    assert without_reason.status_code == 422
    assert text_of(without_reason, f"target-form-{referred.id}")
    decided = post_form(border, "/reviews", action, {"decision": "approve", "version": "1"})
    assert decided.status_code == 303
    assert reviews.list_reviews(wired, people["border"], status="approved")[0]["reason"] == (
        "1 cleared, 1 refused"
    )
