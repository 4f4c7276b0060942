"""Manifests, write-off and gate control through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kouan.adapters.cuscar import read_cuscar, write_cuscar
from kouan.adapters.db.goods_tables import (
    BillOfLading,
    GateRefusal,
    Manifest,
    ManifestContainer,
    WriteOff,
)
from kouan.adapters.db.tables import AuditEntry
from kouan.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kouan.domain.manifest import Bill, ManifestDocument
from kouan.domain.portcall import TimelineEvent
from kouan.services.cargo import release
from kouan.services.goods import gate, manifests, writeoff
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.conftest import Clock, People, file_declaration
from tests.factories import declaration_item, trader
from tests.manifests import BL, CONTAINER, OTHERS, bill, container, file_call, manifest


def _count(ctx: ServiceContext, model: type) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_manifest_is_filed_read_and_searched(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    two = [container(CONTAINER, "12000"), container(OTHERS[0], "8000.5", None)]
    document = manifest(call["id"], bills_of_lading=[bill(lines=two), bill("COSU63009", [])])
    view = manifests.file_manifest(ctx, people["agent"], document)
    assert (view["bills"], view["containers"], view["late"]) == (2, 2, False)
    assert view["gross_weight_kg"] == 20000.5 + 500
    assert view["deadline"] == call["eta"].replace("+08:00", "+00:00") or view["deadline"]
    assert _count(ctx, ManifestContainer) == 2
    for who in ("agent", "customs", "terminal"):
        assert manifests.get_manifest(ctx, people[who], view["id"])["id"] == view["id"]
    with pytest.raises(NotFound):  # another agent's
        manifests.get_manifest(ctx, people["agent2"], view["id"])
    with pytest.raises(Forbidden):
        manifests.file_manifest(ctx, people["broker"], document)
    for needle in (BL, OTHERS[0], "msCU 6639870"):
        found = manifests.list_manifests(ctx, people["customs"], needle)
        assert [m["id"] for m in found] == [view["id"]], needle
    assert manifests.list_manifests(ctx, people["customs"], OTHERS[1]) == []
    with pytest.raises(Conflict):  # the call's import manifest exists: amend it
        manifests.file_manifest(ctx, people["agent"], document)
    [filed] = [
        e for e in _audit(ctx) if e.action == "manifest.filed" and e.entity_id == str(view["id"])
    ]
    assert filed.after is not None and filed.after["bills"] == 2


def _audit(ctx: ServiceContext) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_a_call_is_found_by_imo_and_voyage_and_a_late_filing_is_flagged(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    clock.advance(days=4)  # after the ETA
    document = ManifestDocument.model_validate(
        {
            "direction": "import",
            "imo": "9134270",
            "voyage": "0521-012W",
            "bills_of_lading": [bill()],
        }
    )
    view = manifests.file_manifest(ctx, people["agent2"], document)
    assert (view["port_call_id"], view["late"]) == (call["id"], True)
    unknown = ManifestDocument.model_validate({**document.model_dump(), "voyage": "NOPE"})
    with pytest.raises(ValidationFailed) as refused:
        manifests.file_manifest(ctx, people["agent"], unknown)
    assert refused.value.fields[0].field == "voyage"


def test_export_is_due_a_day_before_loading_or_as_the_port_says(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    loading = clock.now + timedelta(days=3, hours=12)
    document = manifest(call["id"], direction="export", loading_at=loading.isoformat())
    view = manifests.file_manifest(ctx, people["agent"], document)
    assert view["deadline"] == (loading - timedelta(hours=24)).isoformat()
    ctx.settings.manifest_deadlines = {"CNTAO": {"import": 48}}
    try:
        imported = manifests.file_manifest(ctx, people["agent"], manifest(call["id"]))
    finally:
        ctx.settings.manifest_deadlines = {}
    eta = portcalls.get_port_call(ctx, people["agent"], call["id"])["eta"]
    assert imported["deadline"].startswith(
        (datetime_of(eta) - timedelta(hours=48)).isoformat()[:16]
    )


def datetime_of(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_bad_manifests_are_refused_whole_naming_each_field(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    heavy = bill("B2", [container(OTHERS[1], "1000")], gross_weight_kg="1500")
    document = manifest(
        call["id"], bills_of_lading=[bill(), bill(lines=[container(CONTAINER)]), heavy]
    )
    with pytest.raises(ValidationFailed) as refused:
        manifests.file_manifest(ctx, people["agent"], document)
    fields = [e.field for e in refused.value.fields]
    assert fields == [
        "bills_of_lading[1].number",
        "bills_of_lading[1].containers[0].number",
        "bills_of_lading[2].gross_weight_kg",
    ]
    assert "1000 kg" in refused.value.fields[2].expected
    assert _count(ctx, Manifest) == _count(ctx, BillOfLading) == 0


def test_amendments_are_audited_and_read_as_a_diff(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    first = manifests.file_manifest(
        ctx, people["agent"], manifest(call["id"], bills_of_lading=[bill(), bill("GONE", [])])
    )
    [kept_id] = _bill_ids(ctx, BL)
    clock.advance(hours=1)
    lines = [container(CONTAINER, "12000", "SL0002"), container(OTHERS[2], "3000")]
    amended = manifests.amend_manifest(
        ctx,
        people["agent"],
        first["id"],
        manifest(
            call["id"],
            bills_of_lading=[bill(lines=lines, consignee="Qingdao Trading"), bill("NEW", [])],
        ),
    )
    assert amended["version"] == 2 and amended["containers"] == 2
    [change] = amended["amendments"]
    diff = change["diff"]
    assert (diff["added"], diff["removed"]) == (["NEW"], ["GONE"])
    [bl] = diff["changed"]
    assert bl["number"] == BL
    assert bl["fields"]["consignee"] == {"before": "Busan Trading Co", "after": "Qingdao Trading"}
    assert bl["fields"]["gross_weight_kg"]["after"] == "15000.0"
    assert bl["containers_added"] == [OTHERS[2]]
    assert bl["containers_changed"] == [
        {"number": CONTAINER, "field": "seal", "before": "SL0001", "after": "SL0002"}
    ]
    assert _bill_ids(ctx, BL) == [kept_id]  # a kept B/L keeps its id
    one = manifests.amend_bill(
        ctx, people["agent"], first["id"], "NEW", Bill.model_validate(bill("NEW", [], packages=7))
    )
    assert one["version"] == 3
    assert one["amendments"][-1]["diff"]["changed"] == [
        {"number": "NEW", "fields": {"packages": {"before": 100, "after": 7}}}
    ]
    actions = [e.action for e in _audit(ctx) if e.entity_type == "manifest"]
    assert actions == ["manifest.filed", "manifest.amended", "manifest.amended"]
    with pytest.raises(ValidationFailed):  # the B/L of the body must be the address's
        manifests.amend_bill(ctx, people["agent"], first["id"], "NEW", Bill.model_validate(bill()))


def _bill_ids(ctx: ServiceContext, number: str) -> list[int]:
    with ctx.sessions() as session:
        return list(session.scalars(select(BillOfLading.id).where(BillOfLading.number == number)))


def _writeoffs(ctx: ServiceContext) -> dict[int, WriteOff]:
    with ctx.sessions() as session:
        return {w.declaration_id: w for w in session.scalars(select(WriteOff))}


def test_write_off_flags_strange_containers_and_too_much_weight(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ctx = registered
    before = file_declaration(ctx, people, reference="W-0")  # before the manifest
    assert _writeoffs(ctx)[before["id"]].status == "no_manifest"
    call = file_call(ctx, people, clock.now)
    manifests.file_manifest(ctx, people["agent"], manifest(call["id"]))  # 12 t in CSQU3054383
    assert _writeoffs(ctx)[before["id"]].status == "matched"
    stranger = file_declaration(ctx, people, reference="W-1", containers=[OTHERS[3]])
    kilos = [declaration_item(quantity="7000", unit="KGM")]
    first = file_declaration(ctx, people, reference="W-2", items=kilos)
    second = file_declaration(ctx, people, reference="W-3", items=kilos)
    found = _writeoffs(ctx)
    assert found[stranger["id"]].problems == [
        {"code": "containers_not_on_bl", "containers": [OTHERS[3]]}
    ]
    assert (found[first["id"]].status, found[first["id"]].declared_kg) == ("matched", 7000)
    assert found[second["id"]].problems == [
        {"code": "weight_exceeds_bl", "declared_kg": 14000.0, "bl_kg": 12000.0}
    ]
    flagged = writeoff.flagged(ctx, people["customs"])
    assert {f["declaration_id"] for f in flagged} == {stranger["id"], second["id"]}
    with pytest.raises(Forbidden):
        writeoff.flagged(ctx, people["broker"])


def test_goods_undeclared_days_after_arrival_are_listed(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ctx = registered
    call = file_call(ctx, people, clock.now)
    manifests.file_manifest(
        ctx, people["agent"], manifest(call["id"], bills_of_lading=[bill(), bill("IDLE", [])])
    )
    clock.advance(days=3)
    portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent.ATA, clock.now)
    file_declaration(ctx, people)  # declares BL
    clock.advance(days=14, hours=1)
    listed = writeoff.undeclared(ctx, people["customs"])
    assert [u["bl_number"] for u in listed] == ["IDLE"]
    assert listed[0]["days"] == 14


def test_the_gate_says_yes_only_for_released_goods_and_keeps_refusals(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ctx = registered
    terminal = people["terminal"]
    assert gate.check(ctx, terminal, CONTAINER)["reason"] == "not_on_manifest"
    call = file_call(ctx, people, clock.now)
    lines = [container(CONTAINER), container(OTHERS[0]), container(OTHERS[1])]
    manifests.file_manifest(
        ctx, people["agent"], manifest(call["id"], bills_of_lading=[bill(lines=lines)])
    )
    assert gate.check(ctx, terminal, CONTAINER)["reason"] == "not_declared"
    green = file_declaration(ctx, people, reference="G-1", containers=[CONTAINER])
    yes = gate.check(ctx, terminal, "csqu 3054383")
    assert (yes["allowed"], yes["reason"], yes["declaration_id"]) == (True, "released", green["id"])
    assert yes["elapsed_ms"] < 1000
    assert gate.check(ctx, terminal, OTHERS[0])["reason"] == "not_covered"
    held = file_declaration(ctx, people, reference="D-1", containers=[OTHERS[0]], **trader("D"))
    assert gate.check(ctx, terminal, OTHERS[0])["reason"] == "not_released"
    release.seize(ctx, people["customs"], held["id"], "smuggling")
    assert gate.check(ctx, people["customs"], OTHERS[0])["reason"] == "seized"
    with pytest.raises(ValidationFailed) as refused:
        gate.check(ctx, terminal, "CSQU3054384")
    assert refused.value.fields[0].field == "container_number"
    with pytest.raises(Forbidden):
        gate.check(ctx, people["broker"], CONTAINER)
    reasons = [r["reason"] for r in gate.refusals(ctx, people["customs"])]
    assert reasons == ["seized", "not_released", "not_covered", "not_declared", "not_on_manifest"]
    assert len(gate.refusals(ctx, terminal)) == 4  # the terminal's own
    gate.flush(ctx)
    assert _count(ctx, GateRefusal) == 5


def test_a_cuscar_files_the_same_manifest(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    document = manifest(call["id"])
    text = write_cuscar(document, "COSCO", "C0001", clock.now)
    read = read_cuscar(text)
    assert read == document
    view = manifests.file_manifest(ctx, people["agent"], read, "cuscar")
    assert view["source"] == "cuscar"
