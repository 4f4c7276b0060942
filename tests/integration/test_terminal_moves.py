"""The terminal's moves on both databases: a COARRI stored on its port call, JSON moves, bay
plans, goods arrival, the manifests' discrepancies, the rollups of TEU and tonnes, and who may
report for which terminal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from kouan.adapters import coarri
from kouan.adapters.coarri import Move, Voyage
from kouan.adapters.db.goods_tables import BillOfLading, Manifest, ManifestContainer
from kouan.adapters.db.terminal_tables import GoodsArrival, TerminalMove
from kouan.domain.errors import Forbidden, ValidationFailed
from kouan.domain.portcall import TimelineEvent
from kouan.domain.stats.periods import Month
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from kouan.services.stats import figures, rollups
from kouan.services.terminal import discrepancies, moves
from kouan.site import PORT_ZONE
from tests.conftest import Clock, People, shared_data
from tests.factories import arrival_notice

VOYAGE = "0521-012W"  # tests.factories' voyage of EVER DIADEM, call sign 3FOF8


def _call(ctx: ServiceContext, people: People, clock: Clock, berth: str = "QQCT-01") -> int:
    status, call = portcalls.file_arrival(
        ctx, people["agent"], arrival_notice(clock.now, berth=berth)
    )
    assert status == 201
    clock.advance(hours=24)
    portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent.ATA, clock.now)
    return int(call["id"])


def _coarri(containers: list[tuple[str, str, float]], at: datetime) -> str:
    local = at.astimezone(PORT_ZONE).replace(tzinfo=None)
    voyage = Voyage(VOYAGE, "3FOF8", "103", "EVER DIADEM", "EGL", "CNTAO")
    return coarri.write_coarri(
        [
            Move("discharged", n, t, coarri.teu_of(t), True, local, kg, seals=["S1"])
            for n, t, kg in containers
        ],
        voyage,
    )


def _manifest(ctx: ServiceContext, people: People, call_id: int, containers: list[str]) -> None:
    """A manifest written straight into the manifests' tables (their service is another's)."""
    with ctx.uow(SYSTEM) as uow:
        session = uow.session
        agent = people["agent"]
        manifest = session.execute(
            insert(Manifest).returning(Manifest.id),
            [
                dict(
                    agent_org_id=agent.org_id,
                    filed_by=agent.user_id,
                    port_call_id=call_id,
                    direction="import",
                    imo="9134270",
                    voyage=VOYAGE,
                    port="CNTAO",
                    reference="M1",
                    source="api",
                    bills=1,
                    containers=len(containers),
                    gross_weight_kg=1.0,
                    document={},
                    deadline=uow.now,
                    late=False,
                    filed_at=uow.now,
                )
            ],
        ).scalar_one()
        bl = session.execute(
            insert(BillOfLading).returning(BillOfLading.id),
            [
                dict(
                    manifest_id=manifest,
                    number="BL1",
                    shipper="S",
                    consignee="C",
                    goods_description="goods",
                    packages=1,
                    gross_weight_kg=1.0,
                )
            ],
        ).scalar_one()
        for number in containers:
            session.execute(
                insert(ManifestContainer).values(
                    bl_id=bl, manifest_id=manifest, container_number=number, gross_weight_kg=1.0
                )
            )
        uow.commit()


def test_a_coarri_is_stored_on_its_call_with_teu_tonnes_and_discrepancies(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call_id = _call(ctx, people, clock)
    _manifest(ctx, people, call_id, ["TEMU3412100", "CBHU6192031", "MSKU1234565"])
    text = _coarri(
        [
            ("TEMU3412100", "22G1", 28300),
            ("CBHU6192031", "42G1", 21500),
            ("FCIU9908030", "45G1", 8914),
        ],
        clock.now - timedelta(hours=1),
    )
    month = Month.of((clock.now - timedelta(hours=1)).astimezone(PORT_ZONE).date())
    answer = moves.record_coarri(ctx, people["terminal"], text)
    assert answer["moves"] == 3 and answer["port_calls"] == [call_id]
    assert (answer["teu"], answer["tonnes"], answer["not_on_manifest"]) == (5, 58.7, 1)
    assert answer["warnings"] == [{"container": "FCIU9908030", "warning": moves.NOT_ON_MANIFEST}]
    found = discrepancies.discrepancies(ctx, people["customs"])
    assert [d["container"] for d in found[discrepancies.DISCHARGED_NOT_MANIFESTED]] == [
        "FCIU9908030"
    ]
    # Before ATD and the grace time, the manifested container not yet discharged is not flagged.
    assert found[discrepancies.MANIFESTED_NOT_DISCHARGED] == []
    clock.advance(hours=ctx.settings.discharge_grace_hours + 1)
    found = discrepancies.discrepancies(ctx, people["customs"])
    assert [d["container"] for d in found[discrepancies.MANIFESTED_NOT_DISCHARGED]] == [
        "MSKU1234565"
    ]
    with pytest.raises(Forbidden):
        discrepancies.discrepancies(ctx, people["terminal"])
    # The statistics: 5 TEU and 59 whole tonnes (28 + 22 + 9) discharged in the month.
    with ctx.uow(SYSTEM, write=False) as uow:
        teu = figures.monthly(uow, "CNTAO", "container_throughput", month, month)[0]
        tonnes = figures.monthly(uow, "CNTAO", "foreign_trade_cargo", month, month)[0]
        kept = rollups.stored_tallies(uow)
        rebuilt = rollups.all_tallies(uow)
    assert (teu.value, teu.source, tonnes.value) == (5.0, "computed", 59.0)
    assert kept == rebuilt


def test_the_real_coarri_is_kept_without_a_call_with_warnings(
    ctx: ServiceContext, people: People
) -> None:
    text = shared_data("edifact", "php-edifact_D95BCOARRI.edi").read_text()
    answer = moves.record_coarri(ctx, people["terminal"], text)
    assert (answer["moves"], answer["discharged"], answer["loaded"]) == (21, 2, 19)
    assert answer["without_call"] == 21 and answer["teu"] == 40
    with ctx.uow(SYSTEM, write=False) as uow:
        rows = uow.session.scalars(select(TerminalMove).order_by(TerminalMove.id)).all()
    assert rows[0].container == "FCIU9908030" and rows[0].terminal == "QQCT"
    assert rows[0].seals == ["SI"] and rows[0].gross_kg == 8914
    assert moves.NO_CALL in rows[0].warnings


def test_a_broken_coarri_is_refused_whole_naming_segment_and_element(
    ctx: ServiceContext, people: People
) -> None:
    text = shared_data("edifact", "php-edifact_D95BCOARRI.edi").read_text()
    with pytest.raises(ValidationFailed) as refused:
        moves.record_coarri(ctx, people["terminal"], text.replace("CNT+16:19'", "CNT+16:18'"))
    assert refused.value.fields[0].field.startswith("segment ")
    assert "(CNT+" in refused.value.fields[0].field and "C270/6066" in refused.value.fields[0].field
    with ctx.uow(SYSTEM, write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(TerminalMove)) == 0


def test_a_terminal_reports_only_for_its_own_berths(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call_id = _call(ctx, people, clock, berth="DG-03")
    text = _coarri([("TEMU3412100", "22G1", 28300)], clock.now)
    with pytest.raises(Forbidden):
        moves.record_coarri(ctx, people["terminal"], text)
    move = moves.MoveIn.model_validate(
        {
            "kind": "discharged",
            "container": "TEMU3412100",
            "size_type": "22G1",
            "at": clock.now.isoformat(),
            "port_call_id": call_id,
        }
    )
    with pytest.raises(Forbidden):
        moves.record_moves(ctx, people["terminal"], [move])
    with pytest.raises(Forbidden):
        moves.record_coarri(ctx, people["customs"], text)


def test_json_moves_bay_plans_and_goods_arrival(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call_id = _call(ctx, people, clock)
    move = moves.MoveIn.model_validate(
        {
            "kind": "discharged",
            "container": "TEMU3412100",
            "size_type": "L5G1",
            "at": clock.now.isoformat(),
            "gross_kg": 12000,
            "port_call_id": call_id,
        }
    )
    answer = moves.record_moves(ctx, people["terminal"], [move])
    assert (answer["teu"], answer["port_calls"], answer["not_on_manifest"]) == (2, [call_id], 1)
    plan = shared_data("edifact", "php-edifact_D95BBAPLIE.edi").read_text()
    planned = moves.record_bay_plan(ctx, people["terminal"], plan)
    assert planned["bay_plans"][0]["containers"] == 3 and planned["bay_plans"][0]["teu"] == 6
    arrival = moves.ArrivalIn.model_validate(
        {"container": "TEMU3412100", "arrived_at": clock.now.isoformat()}
    )
    first = moves.record_arrivals(ctx, people["terminal"], [arrival])
    again = moves.record_arrivals(ctx, people["terminal"], [arrival])
    assert (first["arrived"], again["arrived"], again["already_reported"]) == (1, 0, 1)
    with ctx.uow(SYSTEM, write=False) as uow:
        row = uow.session.scalars(select(GoodsArrival)).one()
        assert row.port_call_id == call_id and moves.has_arrived(uow, "TEMU3412100")
    assert [m["container"] for m in moves.list_moves(ctx, people["customs"])] == ["TEMU3412100"]
