"""The goods' tables: cargo manifests (舱单) with their bills of lading and containers, the
amendments customs reads as diffs, each declaration's write-off (核销) against its bill of lading,
and the gate's refusals (kouan.services.goods).

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning). The terminal's moves join
`ManifestContainer` by container number and `BillOfLading` by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base, DeclarationRow


class Manifest(Base):
    """One carrier's import or export cargo manifest of one port call, as last amended
    (`document` the whole manifest as filed, JSON)."""

    __tablename__ = "manifests"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    port_call_id: Mapped[int] = mapped_column(ForeignKey("port_calls.id"), index=True)
    direction: Mapped[str] = mapped_column(String(6))  # import, export
    imo: Mapped[str] = mapped_column(String(7))
    voyage: Mapped[str] = mapped_column(String(35))
    port: Mapped[str] = mapped_column(String(5))
    reference: Mapped[str | None] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(String(10))  # api, sheet, cuscar
    bills: Mapped[int] = mapped_column(Integer)
    containers: Mapped[int] = mapped_column(Integer)
    gross_weight_kg: Mapped[float] = mapped_column(Float)
    document: Mapped[dict[str, Any]]
    deadline: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_at: Mapped[datetime] = mapped_column(index=True)
    amended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("agent_org_id", "port_call_id", "direction"),)


class BillOfLading(Base):
    """One bill of lading (提单) of a manifest: the goods a declaration writes off."""

    __tablename__ = "bills_of_lading"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    number: Mapped[str] = mapped_column(String(35), index=True)
    shipper: Mapped[str] = mapped_column(String(200))
    consignee: Mapped[str] = mapped_column(String(200))
    notify_party: Mapped[str | None] = mapped_column(String(200))
    goods_description: Mapped[str] = mapped_column(String(200))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    packages: Mapped[int] = mapped_column(Integer)
    package_type: Mapped[str | None] = mapped_column(String(3))
    gross_weight_kg: Mapped[float] = mapped_column(Float)
    dangerous_goods: Mapped[bool] = mapped_column(Boolean, default=False)
    un_number: Mapped[str | None] = mapped_column(String(6))

    __table_args__ = (UniqueConstraint("manifest_id", "number"),)


class ManifestContainer(Base):
    """One container line of a bill of lading: what the gate looks up by container number."""

    __tablename__ = "manifest_containers"

    id: Mapped[int] = mapped_column(primary_key=True)
    bl_id: Mapped[int] = mapped_column(ForeignKey("bills_of_lading.id"), index=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    container_number: Mapped[str] = mapped_column(String(11))
    seal: Mapped[str | None] = mapped_column(String(35))
    gross_weight_kg: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_manifest_containers_number", "container_number", "id"),)


class ManifestAmendment(Base):
    """One amendment of a manifest: what changed (B/Ls added, removed, fields changed)."""

    __tablename__ = "manifest_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    amended_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amended_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    diff: Mapped[dict[str, Any]]


class WriteOff(Base):
    """A declaration's write-off against the bill of lading it names: `status` matched,
    flagged (with `problems`) or no_manifest (the B/L is on no manifest yet)."""

    __tablename__ = "manifest_writeoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), unique=True)
    bl_number: Mapped[str] = mapped_column(String(35), index=True)
    bl_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    problems: Mapped[list[Any]]
    declared_kg: Mapped[float] = mapped_column(Float)
    checked_at: Mapped[datetime]


class GateRefusal(Base):
    """A container the gate was told not to let through, and why."""

    __tablename__ = "gate_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    container_number: Mapped[str] = mapped_column(String(11), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    asked_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(String(20))
    bl_number: Mapped[str | None] = mapped_column(String(35))
    declaration_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]]


# The gate and the write-off find a B/L's declarations by its number.
Index("ix_declarations_transport_document", DeclarationRow.transport_document)
