"""The tariff customs maintains: versions imported from CSV, each in force from a date; the
packaged table (reference/tariff.csv) is version 0 until customs imports one."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, bindparam, select

from kouan.adapters.db.duty_tables import TariffVersion
from kouan.domain import tariff
from kouan.domain.errors import ValidationFailed
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE

_IN_FORCE = (
    select(TariffVersion.id)
    .where(TariffVersion.effective_from <= bindparam("day"))
    .order_by(TariffVersion.effective_from.desc(), TariffVersion.id.desc())
    .limit(1)
)
_CACHE = "duties.tariff"


def reference_text(name: str) -> str:
    return resources.files("kouan.reference").joinpath(name).read_text("utf-8")


@cache
def packaged() -> tariff.Tariff:
    return tariff.Tariff(tariff.read_csv(reference_text("tariff.csv")))


@cache
def tonnage_bands() -> tuple[tariff.TonnageBand, ...]:
    return tuple(tariff.read_tonnage_csv(reference_text("tonnage_dues.csv")))


def port_day(moment: datetime) -> date:
    return moment.astimezone(PORT_ZONE).date()


def in_force(conn: Connection, cache_: dict[str, Any], day: date) -> tuple[int, tariff.Tariff]:
    """The version in force on `day` and its table (parsed once per process and version)."""
    version = conn.execute(_IN_FORCE, {"day": day}).scalar()
    if version is None:
        return 0, packaged()
    kept: dict[int, tariff.Tariff] = cache_.setdefault(_CACHE, {})
    if version not in kept:
        lines = conn.execute(
            select(TariffVersion.lines).where(TariffVersion.id == version)
        ).scalar_one()
        kept[version] = tariff.from_document(lines)
    return version, kept[version]


def import_csv(
    ctx: ServiceContext, actor: Actor, text: str, effective_from: date, note: str = ""
) -> dict[str, Any]:
    """Customs imports a version of the tariff, in force from `effective_from`."""
    require(actor, Action.TARIFF_EDIT)
    lines = tariff.read_csv(text)
    document = tariff.lines_document(lines)
    with ctx.uow(actor) as uow:
        if effective_from < port_day(uow.now).replace(year=2000):
            raise ValidationFailed.one("effective_from", effective_from, "a day from 2000")
        row = TariffVersion(
            effective_from=effective_from,
            lines=document,
            line_count=len(document),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            note=note,
            imported_by=actor.user_id or None,
            imported_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        view = version_view(row)
        uow.audit("tariff.imported", "tariff_version", row.id, None, view)
        uow.commit()
    return view


def version_view(row: TariffVersion) -> dict[str, Any]:
    return {
        "version": row.id,
        "effective_from": row.effective_from.isoformat(),
        "lines": row.line_count,
        "sha256": row.sha256,
        "note": row.note,
        "imported_at": row.imported_at.isoformat(),
    }


def list_versions(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    require(actor, Action.DUTIES_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(select(TariffVersion).order_by(TariffVersion.id.desc()))
        return [version_view(r) for r in rows]


def lines_in_force(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    require(actor, Action.DUTIES_READ)
    with ctx.uow(actor, write=False) as uow:
        version, table = in_force(uow.session.connection(), ctx.cache, port_day(uow.now))
    return {"version": version, "lines": tariff.lines_document(table.lines.values())}
