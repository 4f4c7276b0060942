"""A kind of subject the engine has never seen, defined here and not in Kouan: a list of persons
reviewed by border inspection, registered through the wiring alone, goes through open, rules,
an officer's decision on the one person referred out of 300, settle and trail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kouan.bootstrap import service_context
from kouan.domain.agency import Agency, Decision, Phase, ReviewStatus
from kouan.domain.errors import Conflict, NotFound
from kouan.rules.base import Action, Finding, Rule, RuleSet, found
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review import reviews, trails
from kouan.services.review.subjects import SubjectKind
from tests.conftest import Clock, People

KIND = "test_list"


class _Tables(DeclarativeBase):
    """Outside Kouan's metadata: the migrations know nothing of this table."""


class PersonList(_Tables):
    __tablename__ = "test_person_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    persons: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))


def _find(uow: UnitOfWork, list_id: int, for_update: bool) -> PersonList:
    row = uow.session.get(PersonList, list_id)
    if row is None:
        raise NotFound(f"list {list_id} not found")
    return row


def _settle(uow: UnitOfWork, row: PersonList, found_reviews: list[Any]) -> None:
    if found_reviews and all(r.status == ReviewStatus.APPROVED for r in found_reviews):
        before = {"status": row.status}
        row.status = "cleared"
        uow.audit(f"{KIND}.settled", KIND, row.id, before, {"status": row.status})


LIST_KIND = SubjectKind(
    name=KIND,
    table=PersonList,
    phases=(Phase.ENTRY,),
    find=_find,
    settle=_settle,
    summary=lambda row: f"list {row.id}",
    targets_decided=True,
    target_label=lambda row, target: row.persons[int(target.split("[")[1].rstrip("]"))],
)


@dataclass(frozen=True)
class ListFacts:
    persons: list[str]


def _watched(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for n, name in enumerate(facts.persons):
        if name in params["watched"]:
            yield found("text", f"persons[{n}]", text=f"{name} is watched")


def _banned(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for n, name in enumerate(facts.persons):
        if name in params["banned"]:
            yield found("text", f"persons[{n}]", text=f"{name} may not enter")


RULE_SETS = {
    (KIND, Agency.BORDER): RuleSet(
        KIND,
        Agency.BORDER,
        1,
        (
            Rule("TEST-WATCHED", "Watched", "布控", Action.REFER, _watched),
            Rule("TEST-BANNED", "Banned", "禁止入境", Action.REJECT, _banned),
        ),
        {"watched": ["P-0042"], "banned": ["P-0007"]},
    )
}


@pytest.fixture
def wired(ctx: ServiceContext, clock: Clock) -> Iterator[ServiceContext]:
    """The test's context with the test kind added to Kouan's wiring, and its table."""
    _Tables.metadata.create_all(ctx.engine)
    yield service_context(ctx.engine, ctx.settings, clock, extra_kinds=(LIST_KIND,))
    _Tables.metadata.drop_all(ctx.engine)


def _open(ctx: ServiceContext, officer: Actor, persons: list[str]) -> int:
    with ctx.uow(officer) as uow:
        row = PersonList(persons=persons, status="filed")
        uow.session.add(row)
        uow.session.flush()
        rows = reviews.open_rows(uow, KIND, Phase.ENTRY, ListFacts(persons), RULE_SETS)
        reviews.store(uow, KIND, [(row, rows)])
        uow.commit()
        return row.id


def test_a_list_is_settled_person_by_person(wired: ServiceContext, people: People) -> None:
    border = people["border"]
    persons = [f"P-{n:04d}" for n in range(300)]
    list_id = _open(wired, border, persons)

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
        "review.opened",
        "review.target_opened",
        "review.target_opened",
        "review.target_decided",
        "review.decided",
        f"{KIND}.settled",
    ]


def test_rules_decide_a_list_nobody_on_it_hits(wired: ServiceContext, people: People) -> None:
    border = people["border"]
    list_id = _open(wired, border, ["P-1000", "P-1001"])
    with wired.uow(border, write=False) as uow:
        [review] = reviews.reviews_of(uow, KIND, [list_id])[list_id]
    assert (review.status, review.decided_by) == ("approved", "rules")


def test_an_officer_decides_a_whole_review_of_the_kind(
    wired: ServiceContext, people: People
) -> None:
    border = people["border"]
    list_id = _open(wired, border, ["P-0042"])
    with wired.uow(border, write=False) as uow:
        [review] = reviews.reviews_of(uow, KIND, [list_id])[list_id]
    decided = reviews.decide(wired, border, review.id, Decision.HOLD, "ask the airline")
    assert (decided["status"], decided["reason"], decided["reason_key"]) == (
        "hold",
        "ask the airline",
        "text",
    )
    with wired.uow(border, write=False) as uow:
        rows = uow.session.scalars(select(PersonList.status)).all()
    assert rows == ["filed"]  # held: the kind's settle leaves it unsettled
