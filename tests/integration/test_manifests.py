"""Manifests, write-off and gate control through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from stdnum import iso6346

from kouan.adapters.cuscar import read_cuscar, write_cuscar
from kouan.adapters.db.engine import make_engine
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
from kouan.services.terminal import moves
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


def test_a_declaration_that_does_not_fit_its_bill_waits_for_an_officer(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    """The write-off is a hit of customs' review: an AA trader's declaration that customs' risk
    rules would release at once waits in the document lane when it names a container the B/L
    does not hold or more packages than it has; one that fits is released as filed."""
    ctx = registered
    call = file_call(ctx, people, clock.now)
    manifests.file_manifest(ctx, people["agent"], manifest(call["id"]))  # 100 packages, 12 t
    fits = file_declaration(ctx, people, reference="F-0", packages=60, **trader("AA"))
    assert (fits["status"], fits["lane"], fits["rules_hit"]) == ("released", "green", ["CC-AA"])
    stranger = file_declaration(
        ctx, people, reference="F-1", containers=[OTHERS[3]], **trader("AA")
    )
    too_many = file_declaration(ctx, people, reference="F-2", packages=41, **trader("AA"))
    for filed in (stranger, too_many):
        assert (filed["status"], filed["lane"]) == ("under_review", "document")
        assert filed["rules_hit"] == ["CC-AA", writeoff.WRITEOFF_RULE]
    [review] = [r for r in too_many["reviews"] if r["agency"] == "CUSTOMS"]
    assert review["status"] == "pending"
    assert review["reason"].startswith("document lane: ")
    assert review["reason"].endswith(
        f"; bill of lading {BL} on the manifest: "
        "101 packages declared against 100 on the bill of lading"
    )
    assert _writeoffs(ctx)[too_many["id"]].problems == [
        {"code": "packages_exceed_bl", "declared": 101, "bl_packages": 100}
    ]
    [review] = [r for r in stranger["reviews"] if r["agency"] == "CUSTOMS"]
    assert f"containers not on the bill of lading: {OTHERS[3]}" in review["reason"]
    # A B/L on no manifest yet is no reason to hold: it is checked when the manifest comes.
    unknown = file_declaration(
        ctx,
        people,
        reference="F-3",
        transport={"bill_of_lading": "NOTYETFILED"},
        **trader("AA"),
    )
    assert unknown["status"] == "released"
    assert _writeoffs(ctx)[unknown["id"]].status == "no_manifest"


def test_goods_undeclared_days_after_arrival_are_listed(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    """Counted from the first discharge of one of the B/L's containers, or from the ship's
    arrival when the terminal reported none (a bulk B/L)."""
    ctx = registered
    call = file_call(ctx, people, clock.now, berth="QQCT-01")  # the test terminal's berth
    bills = [bill(), bill("IDLE", []), bill("BOXED", [container(OTHERS[1])])]
    manifests.file_manifest(ctx, people["agent"], manifest(call["id"], bills_of_lading=bills))
    clock.advance(days=3)
    portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent.ATA, clock.now)
    file_declaration(ctx, people)  # declares BL
    clock.advance(days=2)
    move = {"kind": "discharged", "container": OTHERS[1], "size_type": "22G1"}
    discharged = {**move, "at": clock.now.isoformat(), "port_call_id": call["id"]}
    moves.record_moves(ctx, people["terminal"], [moves.MoveIn.model_validate(discharged)])
    clock.advance(days=12, hours=1)  # 14 days after the arrival, 12 after the discharge
    listed = writeoff.undeclared(ctx, people["customs"])
    assert [(u["bl_number"], u["days"]) for u in listed] == [("IDLE", 14)]
    clock.advance(days=2)
    listed = writeoff.undeclared(ctx, people["customs"])
    assert [(u["bl_number"], u["days"]) for u in listed] == [("IDLE", 16), ("BOXED", 14)]


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
    waiting = gate.check(ctx, terminal, CONTAINER)  # released, not reported in the yard yet
    assert (waiting["allowed"], waiting["reason"]) == (False, "not_arrived")
    assert (waiting["declaration_id"], waiting["declaration_status"]) == (green["id"], "released")
    _arrive(ctx, people, clock, CONTAINER)
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
    assert reasons == [
        "seized",
        "not_released",
        "not_covered",
        "not_arrived",
        "not_declared",
        "not_on_manifest",
    ]
    assert len(gate.refusals(ctx, terminal)) == 5  # the terminal's own
    assert _count(ctx, GateRefusal) == 6


def _arrive(ctx: ServiceContext, people: People, clock: Clock, *numbers: str) -> None:
    """The terminal's goods-arrival report (运抵) of these containers."""
    arrivals = [moves.ArrivalIn(container=n, arrived_at=clock.now) for n in numbers]
    moves.record_arrivals(ctx, people["terminal"], arrivals)


def _refusals_seen_afresh(database_url: str, *numbers: str) -> list[str]:
    """The refusals of these containers as a new engine (another process) reads them."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    select(GateRefusal.container_number)
                    .where(GateRefusal.container_number.in_(numbers))
                    .order_by(GateRefusal.id)
                )
            )
    finally:
        engine.dispose()


def _numbers(count: int, owner: str = "GATU") -> list[str]:
    stems = [f"{owner}{n:06d}" for n in range(count)]
    return [stem + iso6346.calc_check_digit(stem) for stem in stems]


def test_a_refusal_is_committed_before_it_is_answered(
    ctx: ServiceContext, people: People, database_url: str
) -> None:
    [number] = _numbers(1)
    answer = gate.check(ctx, people["terminal"], number)
    assert (answer["allowed"], answer["reason"]) == (False, "not_on_manifest")
    # At once, with no flush, from a connection that shares nothing with the one that wrote.
    assert _refusals_seen_afresh(database_url, number) == [number]


def test_refusals_asked_at_once_are_each_written_once(
    ctx: ServiceContext, people: People, database_url: str
) -> None:
    threads, each = 8, 50
    numbers = _numbers(threads * each)
    clerk = people["terminal"]
    barrier = threading.Barrier(threads)
    answered: list[tuple[str, str]] = []

    def ask(mine: list[str]) -> None:
        barrier.wait()
        for number in mine:
            answer = gate.check(ctx, clerk, number)
            answered.append((answer["container_number"], answer["reason"]))

    with ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(ask, numbers[t::threads]) for t in range(threads)]:
            done.result()
    assert sorted(answered) == [(n, "not_on_manifest") for n in numbers]
    assert sorted(_refusals_seen_afresh(database_url, *numbers)) == numbers


def test_refusals_queued_during_a_commit_share_the_next(
    ctx: ServiceContext, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: whoever finds no commit running writes everything queued, in one unit of
    work; those who queue meanwhile wait for it and go, together, into the next."""
    numbers = _numbers(8)
    batches: list[int] = []
    writing, go_on = threading.Event(), threading.Event()
    insert = gate.insert_plain

    def slow_insert(uow: Any, model: Any, rows: list[dict[str, Any]]) -> None:
        batches.append(len(rows))
        if len(batches) == 1:
            writing.set()
            assert go_on.wait(10)
        insert(uow, model, rows)

    monkeypatch.setattr(gate, "insert_plain", slow_insert)
    recorder = gate._recorder(ctx)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(gate.check, ctx, people["terminal"], numbers[0])
        assert writing.wait(10)
        rest = [pool.submit(gate.check, ctx, people["terminal"], n) for n in numbers[1:]]
        deadline = time.monotonic() + 10
        while len(recorder._queue) < 7 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert not any(f.done() for f in [first, *rest])  # every caller waits for its commit
        go_on.set()
        assert {f.result()["reason"] for f in [first, *rest]} == {"not_on_manifest"}
    assert batches == [1, 7]
    assert _count(ctx, GateRefusal) == 8


def test_a_refusal_whose_commit_fails_is_no_answer(
    ctx: ServiceContext, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = _numbers(3)
    insert = gate.insert_plain

    def half_then_fail(uow: Any, model: Any, rows: list[dict[str, Any]]) -> None:
        insert(uow, model, rows)  # the rows are in the transaction: it must not be committed
        raise OperationalError("INSERT INTO gate_refusals", {}, Exception("disk I/O error"))

    monkeypatch.setattr(gate, "insert_plain", half_then_fail)
    with pytest.raises(gate.RefusalNotKept, match="disk I/O error"):
        gate.check(ctx, people["terminal"], numbers[0])
    assert _count(ctx, GateRefusal) == 0  # nothing half-written
    monkeypatch.undo()
    for number in numbers[1:]:  # the next refusals are written as ever
        assert gate.check(ctx, people["terminal"], number)["reason"] == "not_on_manifest"
    assert _count(ctx, GateRefusal) == 2


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
