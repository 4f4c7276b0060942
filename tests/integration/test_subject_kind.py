"""A kind of subject the engine has never seen (tests/listkind.py, not in Kouan): a list of persons
reviewed by border inspection, registered through the wiring alone, goes through open, rules,
an officer's decision on the one person referred out of 300, settle and trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kouan.domain.agency import Decision
from kouan.domain.errors import Conflict
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews, trails
from tests.conftest import People
from tests.listkind import KIND, PersonList, open_list


def test_a_list_is_settled_person_by_person(wired: ServiceContext, people: People) -> None:
    border = people["border"]
    persons = [f"P-{n:04d}" for n in range(300)]
    list_id = open_list(wired, border, persons)

    [queued] = [
        r for r in reviews.list_reviews(wired, border, status="open") if r["subject_type"] == KIND
    ]
    assert queued["status"] == "pending" and queued["rules_hit"] == ["TEST-WATCHED", "TEST-BANNED"]
    referred, refused = queued["targets"]
    assert (referred["target"], referred["label"], referred["status"]) == (
        "persons[42]",
        "P-0042",
        "pending",
    )
    assert (refused["label"], refused["status"], refused["decided_by"]) == (
        "P-0007",
        "rejected",
        "rules",
    )
    assert {h["reason_key"] for h in queued["hits"]} == {"text"}

    with pytest.raises(Conflict):
        reviews.decide_target(wired, border, queued["id"], refused["id"], Decision.APPROVE, "")
    decided = reviews.decide_target(
        wired, border, queued["id"], referred["id"], Decision.APPROVE, "", referred["version"]
    )
    assert decided["status"] == "approved"
    assert decided["reason"] == "1 cleared, 1 refused"
    assert decided["reason_key"] == "targets.settled"

    with wired.uow(border, write=False) as uow:
        assert uow.session.get(PersonList, list_id).status == "cleared"  # type: ignore[union-attr]
    actions = [e["action"] for e in trails.trail(wired, border, KIND, list_id)]
    assert actions == [
        "review.opened",  # border inspection's
        "review.opened",  # inspection and quarantine's, approved by its rules
        "review.target_opened",
        "review.target_opened",
        "review.target_decided",
        "review.decided",
        f"{KIND}.settled",
    ]


def test_rules_decide_a_list_nobody_on_it_hits(wired: ServiceContext, people: People) -> None:
    border = people["border"]
    list_id = open_list(wired, border, ["P-1000", "P-1001"])
    with wired.uow(border, write=False) as uow:
        found = reviews.reviews_of(uow, KIND, [list_id])[list_id]
    assert {(r.agency, r.status, r.decided_by) for r in found} == {
        ("BORDER", "approved", "rules"),
        ("CIQ", "approved", "rules"),
    }


def test_an_officer_decides_a_whole_review_of_the_kind(
    wired: ServiceContext, people: People
) -> None:
    border = people["border"]
    list_id = open_list(wired, border, ["P-0042"])
    with wired.uow(border, write=False) as uow:
        [review] = [
            r for r in reviews.reviews_of(uow, KIND, [list_id])[list_id] if r.agency == "BORDER"
        ]
    decided = reviews.decide(wired, border, review.id, Decision.HOLD, "ask the airline")
    assert (decided["status"], decided["reason"], decided["reason_key"]) == (
        "hold",
        "ask the airline",
        "text",
    )
    with wired.uow(border, write=False) as uow:
        rows = uow.session.scalars(select(PersonList.status)).all()
    assert rows == ["filed"]  # held: the kind's settle leaves it unsettled


def test_a_person_sent_to_quarantine_is_inspected_and_cleared_by_the_result(
    wired: ServiceContext, people: People
) -> None:
    ciq = people["ciq"]
    list_id = open_list(wired, people["border"], ["P-9099", "P-1000"])
    [queued] = [
        r for r in reviews.list_reviews(wired, ciq, status="open") if r["subject_id"] == list_id
    ]
    [fever] = queued["targets"]
    sent = reviews.decide_target(
        wired, ciq, queued["id"], fever["id"], Decision.INSPECT, "fever at the gate"
    )
    assert (sent["status"], sent["targets"][0]["status"]) == ("pending", "inspect")
    [booked] = [
        i for d in inspections.schedule(wired, ciq, "ZSQD")["days"] for i in d["inspections"]
    ]
    assert (booked["subject_type"], booked["subject_id"], booked["target"]) == (
        KIND,
        list_id,
        "persons[0]",
    )
    inspections.record_result(wired, ciq, booked["id"], passed=True, finding="no fever")
    with wired.uow(ciq, write=False) as uow:
        [review] = [
            r for r in reviews.reviews_of(uow, KIND, [list_id])[list_id] if r.agency == "CIQ"
        ]
        [target] = reviews.targets_of(uow, [review])[review.id]
        listed = uow.session.get(PersonList, list_id)
        assert listed is not None and listed.status == "cleared"
    assert (target.status, target.reason) == ("approved", "inspection passed: no fever")
    assert (review.status, review.reason) == ("approved", "1 cleared, 0 refused")
