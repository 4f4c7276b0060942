"""Reference data every working port needs: the terminals and berths, every agency's rule sets
and customs' exchange rates.

Applied by `kouan db upgrade` after the migrations; running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kouan.adapters.db.tables import Berth, Terminal
from kouan.services.cargo import exchange_rates
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import rulesets
from kouan.site import site_data


def ensure_reference_data(session: Session, now: Any) -> None:
    if session.scalar(select(Terminal.id).limit(1)) is None:
        for spec in site_data()["terminals"]:
            terminal = Terminal(
                code=spec["code"], name=spec["name"], name_zh=spec["name_zh"], area=spec["area"]
            )
            session.add(terminal)
            session.flush()
            for code, length, depth in spec["berths"]:
                session.add(
                    Berth(code=code, terminal_id=terminal.id, length_m=length, depth_m=depth)
                )
    rulesets.ensure_defaults(session, now)
    exchange_rates.ensure_default(session, now)
    session.commit()


def berth_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Berth.code).order_by(Berth.code)).all())


def berths(ctx: ServiceContext) -> list[str]:
    """The port's berth codes in order, for the forms that offer them (public reference data)."""
    with ctx.uow(SYSTEM, write=False) as uow:
        return berth_codes(uow.session)
