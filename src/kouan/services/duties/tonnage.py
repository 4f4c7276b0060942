"""Tonnage dues (船舶吨税) of a port call: by the ship's net tonnage, its flag (a preferential
rate for flags of states with a reciprocity agreement) and the period the agent chooses. The
certificate (吨税执照) covers the ship's later calls until it expires: a call it covers owes
nothing more. Asked for after filing (`POST /api/v1/port-calls/{id}/tonnage-dues`), never on
the filing's hot path."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from kouan.adapters.db.duty_tables import TonnageDue
from kouan.adapters.db.tables import PortCall
from kouan.domain import tariff
from kouan.domain.errors import NotFound
from kouan.services.duties import tariffs
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.ships.portcalls import find_port_call


def dues_view(row: TonnageDue, call_id: int) -> dict[str, Any]:
    return {
        "port_call_id": call_id,
        "certificate": f"TT-{row.imo}-{row.id:06d}",
        "assessed_for_call": row.port_call_id,
        "covered_by_earlier_certificate": row.port_call_id != call_id,
        "imo": row.imo,
        "flag": row.flag,
        "net_tonnage": row.net_tonnage,
        "period_days": row.period_days,
        "rate_basis": "preferential" if row.preferential else "general",
        "rate": row.rate,
        "amount": f"{Decimal(row.amount_fen) / 100:.2f}",
        "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat(),
    }


def _covering(uow: UnitOfWork, call: PortCall) -> TonnageDue | None:
    return uow.session.scalar(
        select(TonnageDue)
        .where(
            TonnageDue.imo == call.imo,
            TonnageDue.valid_from <= call.eta,
            TonnageDue.valid_until >= call.eta,
        )
        .order_by(TonnageDue.valid_until.desc())
        .limit(1)
    )


def assess(
    ctx: ServiceContext, actor: Actor, call_id: int, net_tonnage: Decimal, period_days: int
) -> dict[str, Any]:
    """The call's dues: a certificate that covers its arrival already, or a new one from the
    arrival for `period_days`."""
    require(actor, Action.TONNAGE_DUES)
    with ctx.uow(actor) as uow:
        call = find_port_call(uow, call_id, for_update=True)
        covering = _covering(uow, call)
        if covering is not None:
            return dues_view(covering, call.id)
        flag = str(call.arrival.get("ship", {}).get("flag", ""))
        dues = tariff.tonnage_dues(tariffs.tonnage_bands(), net_tonnage, flag, period_days)
        row = TonnageDue(
            port_call_id=call.id,
            imo=call.imo,
            flag=flag,
            net_tonnage=str(net_tonnage),
            period_days=period_days,
            preferential=dues.preferential,
            rate=str(dues.rate),
            amount_fen=tariff.to_fen(dues.amount),
            valid_from=call.eta,
            valid_until=call.eta + timedelta(days=period_days),
            assessed_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        view = dues_view(row, call.id)
        uow.audit("tonnage_dues.assessed", "port_call", call.id, None, view)
        uow.commit()
    return view


def of_call(ctx: ServiceContext, actor: Actor, call_id: int) -> dict[str, Any]:
    with ctx.uow(actor, write=False) as uow:
        call = find_port_call(uow, call_id)
        covering = _covering(uow, call)
        if covering is None:
            raise NotFound(f"port call {call_id} has no tonnage dues certificate")
        return dues_view(covering, call.id)
