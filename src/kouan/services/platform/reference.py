"""Reference data every working port needs: the terminals and berths, each agency's rule set,
customs' risk rules and exchange rates.

Applied by `kouan db upgrade` after the migrations; running it again changes nothing.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import Berth, RuleSetRow, Terminal
from kouan.domain.agency import AGENCIES
from kouan.rules.registry import DEFAULT_PARAMS
from kouan.services.cargo import exchange_rates, risk_rules
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext


@cache
def port_layout() -> dict[str, Any]:
    text = resources.files("kouan.reference").joinpath("qingdao_port.json").read_text("utf-8")
    return dict(json.loads(text))


def ensure_reference_data(session: Session, now: Any) -> None:
    if session.scalar(select(Terminal.id).limit(1)) is None:
        for spec in port_layout()["terminals"]:
            terminal = Terminal(
                code=spec["code"], name=spec["name"], name_zh=spec["name_zh"], area=spec["area"]
            )
            session.add(terminal)
            session.flush()
            for code, length, depth in spec["berths"]:
                session.add(
                    Berth(code=code, terminal_id=terminal.id, length_m=length, depth_m=depth)
                )
    present = set(session.scalars(select(RuleSetRow.agency)).all())
    for agency in AGENCIES:
        if agency.value not in present:
            session.add(
                RuleSetRow(
                    agency=agency.value,
                    version=1,
                    params=dict(DEFAULT_PARAMS[agency]),
                    disabled=[],
                    active=True,
                    created_at=now,
                )
            )
    risk_rules.ensure_default(session, now)
    exchange_rates.ensure_default(session, now)
    session.commit()


def berth_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Berth.code).order_by(Berth.code)).all())


def berths(ctx: ServiceContext) -> list[str]:
    """The port's berth codes in order, for the forms that offer them (public reference data)."""
    with ctx.uow(SYSTEM, write=False) as uow:
        return berth_codes(uow.session)
