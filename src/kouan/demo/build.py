"""`kouan demo`: build the demo port of Qingdao once, through the services, so that every rule runs
and every step is in the audit log as if people had done it; a second build adds nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from kouan.adapters.db.tables import Organisation, PortCall, User
from kouan.demo import (
    calls,
    cargo,
    content,
    duties,
    history,
    manifests,
    moves,
    passenger_play,
    transit,
)
from kouan.demo.content import DemoUser, Login
from kouan.demo.schedule import Play, Ticker, hours
from kouan.domain.agency import OrgType
from kouan.domain.errors import ValidationFailed
from kouan.domain.stats.periods import Month
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.stats import imports
from kouan.site import PORT_ZONE

if TYPE_CHECKING:
    from rich.progress import Progress


def _missing_users(ctx: ServiceContext) -> list[DemoUser]:
    """The demo users not yet created; a demo username taken in another organisation is refused."""
    demo_users = content.users()
    with ctx.uow(SYSTEM, write=False) as uow:
        rows = uow.session.execute(
            select(User.username, Organisation.name)
            .join(Organisation, Organisation.id == User.org_id)
            .where(User.username.in_([u.username for u in demo_users]))
        ).all()
    taken = {row.username: row.name for row in rows}
    for user in demo_users:
        if user.username in taken and taken[user.username] != user.org_name:
            raise ValidationFailed.one(
                "username",
                user.username,
                f"free for the demo's '{user.org_name}' (it is a user of '{taken[user.username]}')",
            )
    return [u for u in demo_users if u.username not in taken]


def _has_traffic(ctx: ServiceContext) -> bool:
    """Whether the demo's agents have filed anything: the week has been played already."""
    agents = [u.username for u in content.users() if u.org_type is OrgType.SHIPPING_AGENT]
    with ctx.uow(SYSTEM, write=False) as uow:
        found = uow.session.scalar(
            select(PortCall.id)
            .join(User, User.id == PortCall.filed_by)
            .where(User.username.in_(agents))
            .limit(1)
        )
    return found is not None


def _plan(ctx: ServiceContext, passenger_scale: float) -> Play:
    # Whole minutes, so that the instants of the week read cleanly.
    play = Play(ctx, ctx.clock().replace(second=0, microsecond=0))
    calls.stage(play)
    cargo.stage(play)
    manifests.stage(play)
    duties.stage(play)
    moves.stage(play)
    transit.stage(play)
    passenger_play.stage(play, passenger_scale)
    return play


def _create_users(ctx: ServiceContext, missing: list[DemoUser], tick: Ticker) -> None:
    for user in missing:
        password = user.login.password
        users.create_user(
            ctx, user.username, password, user.org_type, user.org_name, user.full_name
        )
        tick()


def _import_history(play: Play) -> None:
    """The port office imports two years of monthly figures of Qingdao and its peer ports,
    ending last month: the history its statistics compare this year with."""
    office = next(u for u in content.users() if u.org_type is OrgType.PORT_OFFICE)
    last = Month.of(play.now.astimezone(PORT_ZONE).date()).previous()
    data = history.history_csv(history.history_rows(last)).encode()
    imports.import_file(play.ctx, play.actor(office.username), data, "port-history.csv")


def build(
    ctx: ServiceContext, progress: Progress | None = None, passenger_scale: float = 1.0
) -> list[Login]:
    """Create the demo organisations, users, week of port calls, month of declarations and week
    of passengers unless they exist; the logins. `passenger_scale` shrinks the passenger lists."""
    logins = [user.login for user in content.users()]
    missing = _missing_users(ctx)
    play = None if _has_traffic(ctx) else _plan(ctx, passenger_scale)
    if play is None:
        if missing:
            _create_users(ctx, missing, Ticker(progress, len(missing)))
        return logins
    tick = Ticker(progress, len(missing) + 1 + len(play.steps))
    # Users join before the play begins, so the audit log reads in the order things happened.
    play.clock.now = play.begins() - hours(2.0)
    _create_users(play.ctx, missing, tick)
    play.clock.now += hours(1.0)
    _import_history(play)
    tick()
    play.run(tick)
    return logins
