"""Border inspection's watch list: each imported file a new version, stored whole and made
active at once; the active version indexed in memory once per process (kouan.services.screening)
and screened against by every list, flights', cruises' and ships' alike."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Dialect, insert, select, update

from kouan.adapters import watchlist_csv
from kouan.adapters.db import plain
from kouan.adapters.db.passenger_tables import WatchlistEntry, WatchlistVersion
from kouan.domain.errors import NotFound
from kouan.rules.base import WatchHit
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.screening.watchlist import Entry, Hit, Traveller, WatchListIndex

_CACHE_KEY = "watch_list_index"
_CHUNK = 20_000  # rows per INSERT round trip when storing a version
K = TypeVar("K")


def import_file(
    ctx: ServiceContext, actor: Actor, data: bytes, filename: str = ""
) -> dict[str, Any]:
    """Store the file as the new active version; a file with a bad line is refused whole
    (ValidationFailed naming each line), nothing stored."""
    require(actor, Action.WATCHLIST_MANAGE)
    read = watchlist_csv.read_bytes(data, filename)
    with ctx.uow(actor) as uow:
        version = _store(uow, read, hashlib.sha256(data).hexdigest(), filename)
        uow.commit()
    return version


def _store(
    uow: UnitOfWork, read: watchlist_csv.WatchListFile, sha256: str, filename: str
) -> dict[str, Any]:
    warnings = [
        {"line": line, **reason.as_dict(), "text": reason.text} for line, reason in read.warnings
    ]
    uow.session.execute(update(WatchlistVersion).values(active=False))
    version = WatchlistVersion(
        created_at=uow.now,
        created_by=uow.actor.user_id or None,
        filename=filename[:200],
        entries=len(read.entries),
        sha256=sha256,
        active=True,
        warnings=warnings,
    )
    uow.session.add(version)
    uow.session.flush()
    rows = [_row(version.id, entry) for entry in read.entries]
    for start in range(0, len(rows), _CHUNK):
        uow.session.execute(insert(WatchlistEntry), rows[start : start + _CHUNK])
    # The audit keeps the file's digest and counts, never the names it holds.
    uow.audit(
        "watchlist.imported",
        "watchlist",
        version.id,
        None,
        {"entries": version.entries, "sha256": sha256, "warnings": len(warnings)},
    )
    return version_view(version)


def _row(version_id: int, entry: Entry) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "entry_id": entry.id[:64],
        "name": entry.name[:300],
        "aliases": list(entry.aliases),
        "date_of_birth": entry.date_of_birth or "",
        "nationality": entry.nationality or "",
        "document_number": entry.document_number or "",
        "reason": entry.reason,
        "source": entry.source[:60],
    }


def version_view(version: WatchlistVersion) -> dict[str, Any]:
    return {
        "version": version.id,
        "entries": version.entries,
        "sha256": version.sha256,
        "active": version.active,
        "filename": version.filename,
        "created_at": version.created_at.isoformat(),
        "warnings": version.warnings,
    }


@lru_cache(maxsize=4)
def _active_id(dialect: Dialect) -> plain.PlainStatement:
    """The active version's id: asked by every filing that lists people, so run on the driver."""
    query = select(WatchlistVersion.id).where(WatchlistVersion.active.is_(True))
    return plain.compile_plain(query, dialect)


def active_index(uow: UnitOfWork) -> tuple[int | None, WatchListIndex]:
    """The active version's id and its index, built once per process and version (an empty
    index when no version was imported)."""
    conn = uow.connection()
    found = plain.fetch(conn, _active_id(conn.dialect), {})
    version_id = found[0][0] if found else None
    cache = uow.cache
    cached: tuple[int | None, WatchListIndex] | None = cache.get(_CACHE_KEY)
    if cached is not None and cached[0] == version_id:
        return cached
    entries = _entries(uow, version_id) if version_id is not None else []
    built = (version_id, WatchListIndex(entries))
    cache[_CACHE_KEY] = built
    return built


def screen(index: WatchListIndex, people: Iterable[tuple[K, Any]]) -> dict[K, list[Hit]]:
    """The hits of each (key, person) that has any, by key; a person is anything
    `Traveller.of` reads (a list's person, a port call's crew member)."""
    if not len(index):
        return {}
    found = {}
    for key, person in people:
        hits = index.screen(Traveller.of(person))
        if hits:
            found[key] = hits
    return found


def watch_hits(found: Mapping[K, list[Hit]]) -> dict[K, list[WatchHit]]:
    """What the rules see of the hits: entry, score and the reason, never the entry's person."""
    return {
        key: [WatchHit(h.entry_id, h.score, h.reason()) for h in hits]
        for key, hits in found.items()
    }


def _entries(uow: UnitOfWork, version_id: int) -> list[Entry]:
    columns = (
        WatchlistEntry.entry_id,
        WatchlistEntry.name,
        WatchlistEntry.aliases,
        WatchlistEntry.date_of_birth,
        WatchlistEntry.nationality,
        WatchlistEntry.document_number,
        WatchlistEntry.reason,
        WatchlistEntry.source,
    )
    rows = uow.session.execute(
        select(*columns).where(WatchlistEntry.version_id == version_id).order_by(WatchlistEntry.id)
    )
    return [
        Entry(
            entry_id,
            name,
            tuple(aliases or ()),
            born or None,
            nationality or None,
            document or None,
            reason,
            source,
        )
        for entry_id, name, aliases, born, nationality, document, reason, source in rows
    ]


def active_version(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    """The active version's summary (the agencies'); NotFound before the first import."""
    require(actor, Action.PERSON_READ)
    with ctx.uow(actor, write=False) as uow:
        version = uow.session.scalars(
            select(WatchlistVersion).where(WatchlistVersion.active.is_(True))
        ).first()
        if version is None:
            raise NotFound("no watch list was imported yet")
        return version_view(version)
