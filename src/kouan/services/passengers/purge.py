"""Privacy: persons on lists are kept for the retention period (KOUAN_PERSON_RETENTION_DAYS,
six months by default), then purged, except those an agency referred, refused or held; the
passenger figures were counted when the lists came and stay, so statistics rebuilt after the
purge agree with those before it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update

from kouan.adapters.db.passenger_tables import Bag, Crossing, ListedPersonRow, PersonListRow
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext

# Persons whose record an agency still needs: referred and not cleared since.
KEPT = ("referred", "refused", "held", "inspection", "case")


def purge(ctx: ServiceContext, days: int | None = None) -> dict[str, Any]:
    """Purge the persons of lists received before the retention period; the counts."""
    keep_days = ctx.settings.person_retention_days if days is None else days
    with ctx.uow(SYSTEM) as uow:
        cutoff = uow.now - timedelta(days=keep_days)
        old_lists = select(PersonListRow.id).where(PersonListRow.received_at < cutoff)
        doomed = select(ListedPersonRow.id).where(
            ListedPersonRow.list_id.in_(old_lists), ListedPersonRow.status.not_in(KEPT)
        )
        # What points at a person goes first: crossings and bags keep their times, not who.
        uow.session.execute(
            update(Crossing).where(Crossing.person_id.in_(doomed)).values(person_id=None)
        )
        uow.session.execute(
            update(Bag).where(Bag.person_id.in_(doomed)).values(person_id=None, owner_name="")
        )
        purged = uow.session.execute(delete(ListedPersonRow).where(ListedPersonRow.id.in_(doomed)))
        lists = uow.session.execute(
            update(PersonListRow)
            .where(PersonListRow.id.in_(old_lists), PersonListRow.purged_at.is_(None))
            .values(purged_at=uow.now)
        )
        counts = {
            "persons": purged.rowcount,  # type: ignore[attr-defined]
            "lists": lists.rowcount,  # type: ignore[attr-defined]
            "before": cutoff.isoformat(),
        }
        uow.audit("persons.purged", "person_list", 0, None, counts)
        uow.commit()
    return counts
