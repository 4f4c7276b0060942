"""The manifest's validation, amendments' diffs, write-off arithmetic, the CUSCAR and spreadsheet
readers' errors, and the gate's answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from kouan.adapters import manifest_sheet
from kouan.adapters.cuscar import read_cuscar, write_cuscar
from kouan.domain.errors import ValidationFailed
from kouan.domain.manifest import (
    BillHeld,
    Claim,
    ManifestDocument,
    claim_of,
    diff,
    problems,
    weights_add_up,
    write_off,
)
from kouan.services.goods.gate import decide
from tests.manifests import BL, CONTAINER, OTHERS, bill, container, manifest, manifest_data

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CUSCAR_FILE = Path(__file__).parents[1] / "data" / "edifact" / "kouan_cuscar_import.edi"


# --- validation ---------------------------------------------------------------------------------


def test_a_container_number_must_have_its_check_digit() -> None:
    with pytest.raises(ValidationError) as refused:
        manifest(1, bills_of_lading=[bill(lines=[container("CSQU3054384")])])
    [error] = refused.value.errors()
    assert error["loc"] == ("bills_of_lading", 0, "containers", 0, "number")
    assert "check digit" in error["msg"]


def test_a_manifest_names_its_port_call() -> None:
    data = manifest_data(1)
    del data["port_call_id"]
    with pytest.raises(ValidationError, match="port_call_id, or imo and voyage"):
        ManifestDocument.model_validate(data)
    ManifestDocument.model_validate({**data, "imo": "9134270", "voyage": "012W"})


def test_repeated_bills_containers_and_weights_that_do_not_add_up() -> None:
    document = manifest(
        1,
        bills_of_lading=[
            bill(),
            bill(lines=[container(OTHERS[0])]),
            bill(
                "B3",
                [container(CONTAINER, "100"), container(OTHERS[1], "100")],
                gross_weight_kg="250",
            ),
        ],
    )
    found = problems(document)
    assert [(e.field, e.value) for e in found] == [
        ("bills_of_lading[1].number", BL),
        ("bills_of_lading[2].containers[0].number", CONTAINER),
        ("bills_of_lading[2].gross_weight_kg", "250"),
    ]
    assert found[2].expected == "the sum of its containers' gross weights, 200 kg"


def test_weights_add_up_within_rounding() -> None:
    assert weights_add_up(Decimal("24000"), [Decimal("12000.4"), Decimal("12000.4")])
    assert not weights_add_up(Decimal("24000"), [Decimal("12000"), Decimal("11000")])
    assert weights_add_up(Decimal("2000000"), [Decimal("1999000")])  # 0.1 % of a big B/L


def test_the_diff_names_bills_added_removed_and_fields_changed() -> None:
    before = manifest(1, bills_of_lading=[bill(), bill("OLD", [])]).model_dump(mode="json")
    after = manifest(
        1,
        reference="MF-0002",
        bills_of_lading=[
            bill(lines=[container(CONTAINER, seal="S2")], packages=5),
            bill("NEW", []),
        ],
    ).model_dump(mode="json")
    change = diff(before, after)
    assert change["fields"] == {"reference": {"before": "MF-0001", "after": "MF-0002"}}
    assert (change["added"], change["removed"]) == (["NEW"], ["OLD"])
    assert change["changed"] == [
        {
            "number": BL,
            "fields": {"packages": {"before": 100, "after": 5}},
            "containers_changed": [
                {"number": CONTAINER, "field": "seal", "before": "SL0001", "after": "S2"}
            ],
        }
    ]


# --- write-off ----------------------------------------------------------------------------------


def test_a_claim_counts_mass_units_only() -> None:
    document = {
        "items": [
            {"quantity": "2", "unit": "TNE"},
            {"quantity": "500", "unit": "KGM"},
            {"quantity": "1000", "unit": "PCE"},
            {"quantity": "250", "unit": "GRM"},
        ],
        "containers": [CONTAINER],
    }
    claim = claim_of(7, document)
    assert (claim.kilograms, claim.containers) == (Decimal("2500.250"), (CONTAINER,))


def test_write_off_takes_each_claim_off_what_is_left() -> None:
    held = BillHeld(1, BL, Decimal("10000"), frozenset({CONTAINER, OTHERS[0]}))
    claims = [
        Claim(1, Decimal("6000"), (CONTAINER,)),
        Claim(2, Decimal("3000"), ()),
        Claim(3, Decimal("1500"), (OTHERS[0], OTHERS[1])),
        Claim(4, Decimal("0"), ()),  # declared in pieces: no mass to take
    ]
    result = write_off(held, claims)
    assert result[1] == result[2] == result[4] == []
    assert result[3] == [
        {"code": "containers_not_on_bl", "containers": [OTHERS[1]]},
        {"code": "weight_exceeds_bl", "declared_kg": 10500.0, "bl_kg": 10000.0},
    ]
    assert write_off(None, claims[:1]) == {1: [{"code": "no_manifest"}]}


# --- CUSCAR -------------------------------------------------------------------------------------


def test_the_cuscar_file_reads_into_its_manifest() -> None:
    document = read_cuscar(CUSCAR_FILE.read_text("utf-8"))
    assert (document.direction.value, document.imo, document.voyage) == (
        "import",
        "9134270",
        "0521-012W",
    )
    assert [b.number for b in document.bills_of_lading] == ["EGLV143700012345", "EGLV143700012346"]
    first = document.bills_of_lading[0]
    assert (first.shipper, first.consignee, first.packages, first.package_type) == (
        "Busan Furniture Co",
        "Qingdao Home Trading",
        1240,
        "PK",
    )
    assert [c.number for c in first.containers] == [CONTAINER, OTHERS[0]]
    assert first.containers[0].seal == "EG1234567"
    second = document.bills_of_lading[1]
    assert (second.dangerous_goods, second.un_number, second.hs_code) == (True, "UN1263", "320890")


def test_a_cuscar_round_trips() -> None:
    document = manifest(12, direction="export", loading_at="2026-11-30T06:00:00+00:00")
    assert read_cuscar(write_cuscar(document, "COSCO", "C1", NOW)) == document


def _broken(old: str, new: str) -> str:
    text = CUSCAR_FILE.read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        (
            "EQD+CN+CSQU3054383",
            "EQD+CN+CSQU3054384",
            "segment 16 (EQD+CN) C237/8260",
            "CSQU3054384",
        ),
        ("MEA+AAE+G+KGM:12000", "MEA+AAE+G+KGM:12x00", "segment 18 (MEA+AAE) C174/6314", "12x00"),
        (
            "CNI+2+EGLV143700012346",
            "CNI+2+EGLV143700012345",
            "segment 22 (CNI+2) C503/1004",
            "EGLV143700012345",
        ),
        ("MEA+WT+G+KGM:20000.5", "MEA+WT+G+KGM:20500", "segment 15 (MEA+WT) C174/6314", "20500"),
        ("BGM+785", "BGM+999", "segment 4 (BGM+999) C002/1001", "999"),
        ("UNT+31+1", "UNT+30+1", "segment 33 (UNT) 0074", "30"),
        ("LOC+11+CNTAO", "LOC+11+CNSHA", "segment 6 (LOC+9) C517/3225", ""),
    ],
)
def test_cuscar_errors_name_segment_and_element(old: str, new: str, field: str, value: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_cuscar(_broken(old, new))
    first = refused.value.fields[0]
    assert (first.field, first.value) == (field, value)


def test_a_bill_without_consignee_is_refused_at_its_cni() -> None:
    with pytest.raises(ValidationFailed) as refused:
        text = _broken("NAD+CN+++Qingdao Home Trading'\n", "")
        read_cuscar(text.replace("UNT+31+1", "UNT+30+1"))
    [error] = refused.value.fields
    assert error.field.startswith("segment 8 (CNI+1) C503/1004")
    assert "NAD+CN" in error.expected


# --- the spreadsheet ----------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in manifest_sheet.COLUMNS])
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def _line(number: str, box: str, kg: str, bl_kg: str = "24000", **extra: str) -> list[str]:
    cells = {
        "number": number,
        "shipper": "Jinan Machinery",
        "consignee": "Busan Trading",
        "goods_description": "machine parts",
        "packages": "10",
        "gross_weight_kg": bl_kg,
        "container": box,
        "seal": "S1",
        "container_weight_kg": kg,
        **extra,
    }
    return [cells.get(c.field, "") for c in manifest_sheet.COLUMNS]


def test_a_sheet_has_one_row_per_container() -> None:
    data = _csv(
        [_line(BL, CONTAINER, "12000"), _line(BL, OTHERS[0], "12000"), _line("B2", "", "", "900")]
    )
    document = manifest_sheet.read_sheet(data, head={"direction": "import", "port_call_id": "4"})
    assert [len(b.containers) for b in document.bills_of_lading] == [2, 0]
    assert document.port_call_id == 4


def test_sheet_errors_name_line_and_column() -> None:
    data = _csv(
        [
            _line(BL, CONTAINER, "12000"),
            _line(BL, OTHERS[0], "11000"),  # 23000 on a B/L of 24000
            _line("B2", "CSQU3054384", "900", "900"),
            _line("B3", OTHERS[1], "900", "900", packages="ten"),
        ]
    )
    with pytest.raises(ValidationFailed) as refused:
        manifest_sheet.read_sheet(data, head={"direction": "import", "port_call_id": "4"})
    fields = [e.field for e in refused.value.fields]
    assert fields == ["line 5 件数 / Packages"]
    bad_box = _csv([_line(BL, CONTAINER, "12000"), _line("B2", "CSQU3054384", "900", "900")])
    with pytest.raises(ValidationFailed) as refused:
        manifest_sheet.read_sheet(bad_box, head={"direction": "import", "port_call_id": "4"})
    assert [e.field for e in refused.value.fields] == ["line 3 集装箱号 / Container number"]
    light = _csv([_line(BL, CONTAINER, "12000"), _line(BL, OTHERS[0], "11000", "")])
    with pytest.raises(ValidationFailed) as refused:
        manifest_sheet.read_sheet(light, head={"direction": "import", "port_call_id": "4"})
    [error] = refused.value.fields
    assert (error.field, error.value) == ("line 2 提单毛重(千克) / B/L gross weight (kg)", "24000")
    assert error.expected == "the sum of its containers' gross weights, 23000 kg"
    clash = _csv([_line(BL, CONTAINER, "12000"), _line(BL, OTHERS[0], "12000", consignee="X")])
    with pytest.raises(ValidationFailed) as refused:
        manifest_sheet.read_sheet(clash, head={"direction": "import", "port_call_id": "4"})
    [error] = refused.value.fields
    assert error.field == "line 3 收货人 / Consignee" and "as on line 2" in error.expected


# --- the gate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "reason", "allowed"),
    [
        ([], "not_on_manifest", False),
        ([(1, BL, None, None, [])], "not_declared", False),
        ([(1, BL, 7, "released", [OTHERS[0]])], "not_covered", False),
        ([(1, BL, 7, "released", [])], "released", True),
        ([(1, BL, 7, "gated_out", [CONTAINER])], "released", True),
        ([(1, BL, 7, "released", []), (1, BL, 8, "held", [CONTAINER])], "held", False),
        ([(1, BL, 7, "seized", []), (1, BL, 8, "held", [])], "seized", False),
        ([(1, BL, 7, "under_review", [])], "not_released", False),
        ([(1, BL, 7, "rejected", [])], "rejected", False),
        # The latest line counts: an old voyage's release lets nothing through now.
        ([(9, "NEW", None, None, []), (1, BL, 7, "released", [])], "not_declared", False),
    ],
)
def test_gate_answers(rows: list[tuple[object, ...]], reason: str, allowed: bool) -> None:
    answer = decide(rows, CONTAINER, direction="import", arrived=True)
    assert (answer.reason, answer.allowed) == (reason, allowed)


@pytest.mark.parametrize(
    ("rows", "direction", "arrived", "reason"),
    [
        # Released imports wait in the yard for the terminal's goods-arrival report (运抵).
        ([(1, BL, 7, "released", [])], "import", False, "not_arrived"),
        ([(1, BL, 7, "gated_out", [CONTAINER])], "import", False, "not_arrived"),
        ([(1, BL, 7, "released", [])], "import", True, "released"),
        # An export box comes in through the gate to be loaded: no arrival to wait for.
        ([(1, BL, 7, "released", [])], "export", False, "released"),
        # What stops the goods is said before the arrival.
        ([(1, BL, 7, "under_review", [])], "import", False, "not_released"),
        ([(1, BL, 7, "released", []), (1, BL, 8, "held", [])], "import", False, "held"),
        ([(1, BL, None, None, [])], "import", False, "not_declared"),
        ([], None, False, "not_on_manifest"),
    ],
)
def test_gate_waits_for_the_arrival_of_imports(
    rows: list[tuple[object, ...]], direction: str | None, arrived: bool, reason: str
) -> None:
    answer = decide(rows, CONTAINER, direction=direction, arrived=arrived)
    assert (answer.reason, answer.allowed) == (reason, reason == "released")
    if reason == "not_arrived":
        assert (answer.bl_number, answer.declaration_id) == (BL, 7)
