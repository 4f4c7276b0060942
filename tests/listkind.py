"""A kind of subject Kouan has never seen, defined in the tests alone: a list of persons
reviewed by border inspection, to prove the review engine serves any kind through the wiring."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kouan.domain.agency import Agency, Phase, ReviewStatus
from kouan.domain.errors import NotFound
from kouan.rules.base import Action, Finding, Rule, RuleSet, found
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review import reviews
from kouan.services.review.subjects import SubjectKind

KIND = "test_list"


class Tables(DeclarativeBase):
    """Outside Kouan's metadata: the migrations know nothing of this table."""


class PersonList(Tables):
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
    summary=lambda row: f"{len(row.persons)} persons, list {row.id}",
    facts_of=lambda uow, rows, phase: [ListFacts(row.persons) for row in rows],
    inspection_site=lambda row: "ZSQD",  # persons sent to quarantine are seen at the airport
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


def _fever(facts: ListFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    for n, name in enumerate(facts.persons):
        if name in params["fever"]:
            yield found("text", f"persons[{n}]", text=f"{name} reported a fever")


RULE_SETS = {
    (KIND, Agency.CIQ): RuleSet(
        KIND,
        Agency.CIQ,
        1,
        (Rule("TEST-FEVER", "Fever", "发热", Action.REFER, _fever),),
        {"fever": ["P-9099"]},
    ),
    (KIND, Agency.BORDER): RuleSet(
        KIND,
        Agency.BORDER,
        1,
        (
            Rule("TEST-WATCHED", "Watched", "布控", Action.REFER, _watched),
            Rule("TEST-BANNED", "Banned", "禁止入境", Action.REJECT, _banned),
        ),
        {"watched": ["P-0042"], "banned": ["P-0007"]},
    ),
}


def open_list(ctx: ServiceContext, officer: Actor, persons: list[str]) -> int:
    with ctx.uow(officer) as uow:
        row = PersonList(persons=persons, status="filed")
        uow.session.add(row)
        uow.session.flush()
        rows = reviews.open_rows(uow, KIND, Phase.ENTRY, ListFacts(persons), RULE_SETS)
        reviews.store(uow, KIND, [(row, rows)])
        uow.commit()
        return row.id
