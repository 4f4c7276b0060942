"""Who is on a journey now, from every list sent for it: the one reading of a journey's lists
that contact tracing, baggage, cruise release and the figures share.

A carrier sends lists as a journey changes (PAXLST BGM with function codes; the master crew list
336 most of all): an original list says who is aboard, replacing every list before it of the
same kind and direction; an added list adds its persons; a changed list replaces the persons it
names (matched by their travel document, else by name and birth); a deletion takes them off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from kouan.adapters.db.passenger_tables import ListedPersonRow, PersonListRow
from kouan.services.platform.unit_of_work import UnitOfWork

# What telling persons apart needs, and the figures' nationality: a list of 100,000 is counted
# without loading it as ORM objects.
_SLIM = (
    ListedPersonRow.list_id,
    ListedPersonRow.seq,
    ListedPersonRow.family_name,
    ListedPersonRow.given_names,
    ListedPersonRow.date_of_birth,
    ListedPersonRow.document_number,
    ListedPersonRow.role,
    ListedPersonRow.nationality,
)


def aboard(
    uow: UnitOfWork,
    journey: ColumnElement[bool],
    kind: str | None = None,
    direction: str | None = None,
) -> list[ListedPersonRow]:
    """The persons on the journey (`journey` selects its lists, e.g. PersonListRow.flight_id ==
    7), in the order of their lists and places; of one kind and direction when given."""
    rows = uow.session.execute(_query(select(ListedPersonRow), journey, kind, direction))
    return _apply((row[0], *row[1:]) for row in rows)


def aboard_slim(
    uow: UnitOfWork, journey: ColumnElement[bool], direction: str | None = None
) -> list[Any]:
    """`aboard` as rows of list, place, name, birth, document, role and nationality alone."""
    rows = uow.session.execute(_query(select(*_SLIM), journey, None, direction))
    return _apply((row, *row[-3:]) for row in rows)


def _query(
    query: Any, journey: ColumnElement[bool], kind: str | None, direction: str | None
) -> Select[Any]:
    query = (
        query.add_columns(PersonListRow.function, PersonListRow.kind, PersonListRow.direction)
        .join(PersonListRow, PersonListRow.id == ListedPersonRow.list_id)
        .where(journey, PersonListRow.status != "rejected")
        .order_by(PersonListRow.received_at, PersonListRow.id, ListedPersonRow.seq)
    )
    if kind is not None:
        query = query.where(PersonListRow.kind == kind)
    if direction is not None:
        query = query.where(PersonListRow.direction == direction)
    return query


def _apply(rows: Iterable[tuple[Any, ...]]) -> list[Any]:
    manifests: dict[tuple[str, str], _Manifest] = {}
    for person, function, list_kind, list_direction in rows:
        manifests.setdefault((list_kind, list_direction), _Manifest()).apply(person, function)
    persons = [person for manifest in manifests.values() for person in manifest.persons()]
    return sorted(persons, key=lambda row: (row.list_id, row.seq))


def identity(row: Any) -> tuple[Any, ...]:
    """Who a row is across the lists of one journey: name, birth, document and role as sent."""
    return (
        row.family_name.strip().upper(),
        row.given_names.strip().upper(),
        row.date_of_birth,
        _document(row),
        row.role,
    )


def _document(row: Any) -> str:
    return "".join((row.document_number or "").split()).upper()


class _Manifest:
    """One kind and direction of a journey's persons as its lists arrive, in order."""

    def __init__(self) -> None:
        self._by_identity: dict[tuple[Any, ...], Any] = {}
        self._list_id: int | None = None  # the list being applied

    def apply(self, row: Any, function: str) -> None:
        if row.list_id != self._list_id:
            self._list_id = row.list_id
            if function == "original":
                self._by_identity.clear()  # a list sent again replaces the one before
        if function in ("change", "delete"):
            self._remove(row)
        if function != "delete":
            self._by_identity[identity(row)] = row

    def _remove(self, row: Any) -> None:
        """Take off whoever the row names: the same document, or the same person."""
        document, key = _document(row), identity(row)
        for known in list(self._by_identity):
            if known == key or (document and known[3] == document and known[4] == row.role):
                del self._by_identity[known]

    def persons(self) -> Iterable[Any]:
        return self._by_identity.values()
