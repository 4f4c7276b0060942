"""What the review engine knows of a kind of subject (a port call, a declaration, a passenger list,
an event's filings...): registered once in kouan.bootstrap, the engine reaches subjects only
through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kouan.adapters.db.tables import Base, Review
from kouan.domain.agency import Phase
from kouan.services.platform.unit_of_work import UnitOfWork

# The subject's row, found in the actor's scope (NotFound outside it); `for_update` locks it.
Find = Callable[[UnitOfWork, int, bool], Any]
# Bring the subject up to date with its reviews: permits, release, clearance of a person...
Settle = Callable[[UnitOfWork, Any, list[Review]], None]
# What the rules look at for stored subjects, in a phase (to test a rule set on past subjects).
FactsOf = Callable[[UnitOfWork, list[Any], Phase], list[Any]]


@dataclass(frozen=True)
class SubjectKind:
    """One kind of subject agencies review, and what the engine needs of it."""

    name: str  # as reviews name it in subject_type, e.g. "port_call"
    table: type[Base]  # its rows, locked while one of its reviews is decided
    phases: tuple[Phase, ...]  # what it is reviewed for
    find: Find
    settle: Settle
    summary: Callable[[Any], str]  # one line for queues and trails
    facts_of: FactsOf
    # Where an inspection one of its reviews orders takes place; None: not to be booked (the
    # kind has no inspection site, or the subject no longer needs one).
    inspection_site: Callable[[Any], str | None] = lambda row: None
    # Whether each target its rules refer (a person on a list) is decided on its own, the review
    # settling when all of them are.
    targets_decided: bool = False
    # The label of a target in queues (a person's name): from the subject's row and the target.
    target_label: Callable[[Any, str], str] = lambda row, target: target


def kind_of(uow: UnitOfWork, name: str) -> SubjectKind:
    """The registered kind named `name`; a review of an unknown kind is a wiring error."""
    kind = uow.wiring.subjects.get(name)
    if not isinstance(kind, SubjectKind):
        raise LookupError(f"no subject kind {name!r} is registered: see kouan.bootstrap")
    return kind


def lock(uow: UnitOfWork, kind: SubjectKind, subject_id: int) -> Any:
    """Lock the subject's row so decisions on its reviews happen one at a time; the row."""
    table = kind.table
    id_column = table.__table__.c.id
    uow.session.execute(select(id_column).where(id_column == subject_id).with_for_update())
    return uow.session.get(table, subject_id)


def subject_id(row: Any) -> int:
    """The id of a subject's row (a mapped object, or a plain row a batch is stored as)."""
    return int(row["id"] if isinstance(row, dict) else row.id)
