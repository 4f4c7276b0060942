"""The demo's manifests: the week's container ships' import manifests, filed as CUSCARs with the
bills of lading of the imports declared on them, amended after arrival, their containers asked
at the gate (demo.manifests staged beside demo.calls and demo.cargo)."""

from __future__ import annotations

from sqlalchemy import func, select

from kouan.adapters.db.goods_tables import GateRefusal, Manifest, WriteOff
from kouan.adapters.db.tables import DeclarationRow
from kouan.adapters.db.terminal_tables import GoodsArrival
from kouan.demo import build, calls, cargo, duties
from kouan.demo import manifests as demo_manifests
from kouan.demo.schedule import Play, Ticker
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext


class _Quiet(Ticker):
    def __init__(self) -> None:
        super().__init__(None, 0)


def test_the_weeks_container_ships_file_their_manifests(ctx: ServiceContext) -> None:
    build._create_users(ctx, build._missing_users(ctx), _Quiet())
    play = Play(ctx, ctx.clock().replace(second=0, microsecond=0))
    calls.stage(play)
    cargo.stage(play)
    duties.stage(play)  # imports are released once their duties are paid
    demo_manifests.stage(play)
    play.run(_Quiet())
    with ctx.uow(SYSTEM, write=False) as uow:
        filed = uow.session.execute(
            select(Manifest.source, func.count(), func.sum(Manifest.bills)).group_by(
                Manifest.source
            )
        ).all()
        matched = uow.session.scalar(
            select(func.count()).select_from(WriteOff).where(WriteOff.status == "matched")
        )
        refused = dict(
            uow.session.execute(
                select(GateRefusal.reason, func.count()).group_by(GateRefusal.reason)
            ).all()
        )
        arrived = uow.session.scalar(select(func.count()).select_from(GoodsArrival))
        flagged = uow.session.execute(
            select(WriteOff.problems, DeclarationRow.status, DeclarationRow.rules_hit)
            .join(DeclarationRow, DeclarationRow.id == WriteOff.declaration_id)
            .where(WriteOff.status == "flagged")
        ).all()
    [(source, manifests, bills)] = filed
    assert source == "cuscar" and manifests >= 1 and bills > 2 * manifests
    assert matched, "no declaration written off against a demo manifest"
    assert refused, "the gate refused nothing"
    # The terminal reported its yard before the gate: only the box still aboard of each ship
    # waits for its arrival.
    assert arrived, "no goods-arrival report"
    assert refused.get("not_arrived", 0) <= manifests, refused
    # The one consignment declared with more packages than its bill holds waits for an officer.
    [(problems, status, rules_hit)] = flagged
    assert [p["code"] for p in problems] == ["packages_exceed_bl"]
    assert status == "under_review" and "MANIFEST-WRITEOFF" in rules_hit
