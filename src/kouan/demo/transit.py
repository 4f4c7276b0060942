"""The demo's transits under customs seal (转关): three of the Jinan broker's imports, released
at Qingdao, are put under seal for Jinan by Qingdao customs and leave by truck. One arrives in
time and is closed by Jinan customs; one is not there after the route's 24 hours, so the
overdue check alerts customs at both ends (the alert console shows it); one is still on its
way at the end of the play, its time running.

Jinan Customs is the inland office CNJNA: its officer (customs.jinan) is created here unless
the demo's users already hold it, and the office registered to it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import select

from kouan.adapters.db.tables import User
from kouan.demo.schedule import Play, hours
from kouan.domain.agency import OrgType
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM
from kouan.services.transit import transits

PORT_CUSTOMS = "customs.wang"
TERMINAL = "qqct"
JINAN_OFFICER = "customs.jinan"
JINAN_CUSTOMS = "Jinan Customs"
JINAN = "CNJNA"
TRUCKS = ("鲁A7T215", "鲁A3K908", "鲁AD6612")


def stage(play: Play) -> None:
    """Schedule the transits in the play's last two days."""
    start = play.now - hours(40)
    play.at(start - timedelta(minutes=5), partial(_jinan_office, play))
    play.at(start, partial(_depart, play, 0, "arrives"))
    play.at(start + timedelta(minutes=20), partial(_depart, play, 1, "overdue"))
    play.at(play.now - hours(3), partial(_depart, play, 2, "on its way"))


def _jinan_office(play: Play) -> None:
    with play.ctx.uow(SYSTEM, write=False) as uow:
        known = uow.session.scalar(select(User.id).where(User.username == JINAN_OFFICER))
    if known is None:
        users.create_user(
            play.ctx,
            JINAN_OFFICER,
            f"demo-{JINAN_OFFICER}",
            OrgType.CUSTOMS,
            JINAN_CUSTOMS,
            "KONG Jie 孔杰",
        )
    transits.register_office(play.ctx, SYSTEM, JINAN, JINAN_CUSTOMS)


def _depart(play: Play, n: int, fate: str) -> None:
    """Customs opens a transit for the oldest Jinan import still at the port; the terminal
    records it leaving under seal; its fate is scheduled."""
    customs = play.actor(PORT_CUSTOMS)
    waiting = [d for d in transits.awaiting(play.ctx, customs) if d["declaration_office"] == JINAN]
    if not waiting:
        return  # the month held no Jinan import released and still at the port
    declaration = waiting[0]["id"]
    seals = [f"CNTAO{declaration:07d}", f"CNTAO{declaration:07d}B"]
    opened = transits.open_transit(play.ctx, customs, declaration, seals)
    # Sealed and loaded, the truck is at the gate 25 minutes later.
    leaves = play.clock.now + timedelta(minutes=25)
    play.at(leaves, partial(_leave, play, n, opened["id"], seals, fate))


def _leave(play: Play, n: int, transit_id: int, seals: list[str], fate: str) -> None:
    transits.record_departure(
        play.ctx,
        play.actor(TERMINAL),
        transit_id,
        seals=None,
        conveyance="road",
        conveyance_id=TRUCKS[n],
    )
    departed = play.clock.now
    if fate == "arrives":
        play.at(departed + hours(19.5), partial(_arrive, play, transit_id, seals))
    elif fate == "overdue":
        # The overdue check runs every minute or so (kouan transit check-overdue --loop); the
        # demo runs it once, a little after the deadline.
        play.at(departed + hours(24.2), partial(_check, play))


def _check(play: Play) -> None:
    transits.check_overdue(play.ctx)


def _arrive(play: Play, transit_id: int, seals: list[str]) -> None:
    jinan = play.actor(JINAN_OFFICER)
    transits.acknowledge_arrival(play.ctx, jinan, transit_id, seals_found=seals)
