"""The demo's container moves: the week's container ships at the container terminals are
discharged and reported as COARRIs by their terminals (demo.moves staged beside demo.calls)."""

from __future__ import annotations

from sqlalchemy import func, select

from kouan.adapters.db.terminal_tables import TerminalMove
from kouan.demo import build, calls
from kouan.demo import moves as demo_moves
from kouan.demo.schedule import Play, Ticker
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext


class _Quiet(Ticker):
    def __init__(self) -> None:
        super().__init__(None, 0)


def test_the_weeks_container_ships_are_discharged_by_their_terminals(ctx: ServiceContext) -> None:
    build._create_users(ctx, build._missing_users(ctx), _Quiet())
    play = Play(ctx, ctx.clock().replace(second=0, microsecond=0))
    calls.stage(play)
    demo_moves.stage(play)
    play.run(_Quiet())
    with ctx.uow(SYSTEM, write=False) as uow:
        rows = uow.session.execute(
            select(
                TerminalMove.terminal,
                TerminalMove.source,
                func.count(),
                func.count(TerminalMove.port_call_id),
            ).group_by(TerminalMove.terminal, TerminalMove.source)
        ).all()
    assert rows, "no container ship was discharged"
    for terminal, source, count, on_calls in rows:
        assert terminal in ("QQCT", "QQCTU") and source == "COARRI"
        assert count == on_calls and count % 12 == 0
