"""The cargo declaration: HS codes against the real HS 2022 list, containers from a real BAPLIE,
and each kind of bad input refused with the field named."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from kouan.domain import identifiers
from kouan.domain.declaration import Declaration, Direction, SeaTransport
from tests.conftest import shared_data


def shared_hs(level: str) -> list[str]:
    with shared_data("hs", "harmonized-system.csv").open(encoding="utf-8", newline="") as f:
        return [row["hscode"] for row in csv.DictReader(f) if row["level"] == level]


def baplie_containers() -> list[str]:
    text = shared_data("edifact", "php-edifact_D95BBAPLIE.edi").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"[A-Z]{3}U\d{7}", text)))


def payload(**changes: Any) -> dict[str, Any]:
    """A clean export declaration: filed in Jinan, released at Qingdao."""
    item = {
        "hs_code": shared_hs("6")[100],
        "description": "goods",
        "quantity": "12.5",
        "unit": "KGM",
        "value": "3000",
        "currency": "usd",
        "origin": "chn",
    }
    body: dict[str, Any] = {
        "reference": "JN-2026-0001",
        "declarant": "Qingdao Customs Brokers",
        "trader": "3702960001",
        "trader_name": "Shandong Trading Co",
        "direction": "export",
        "trade_mode": "0110",
        "transport": {
            "mode": "sea",
            "vessel": "COSCO SHIPPING ARIES",
            "voyage": "051E",
            "bill_of_lading": "COSU6300112233",
        },
        "declaration_office": "CNJNA",
        "release_port": "CNTAO",
        "containers": baplie_containers()[:2],
        "items": [item],
    }
    for key, value in changes.items():
        if key in item:
            item[key] = value
        else:
            body[key] = value
    return body


def refused_fields(body: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as error:
        Declaration.model_validate(body)
    return [e["loc"] for e in error.value.errors()]


def test_a_clean_declaration_is_canonicalised() -> None:
    declaration = Declaration.model_validate(payload())
    item = declaration.items[0]
    assert declaration.direction is Direction.EXPORT
    assert isinstance(declaration.transport, SeaTransport)
    assert declaration.declaration_office != declaration.release_port
    assert (item.currency, item.origin) == ("USD", "CN")
    assert item.unit_value == Decimal(3000) / Decimal("12.5")
    assert declaration.containers == baplie_containers()[:2]


def test_air_transport_needs_a_flight() -> None:
    air = {"mode": "air", "flight": "SC4601", "air_waybill": "324-12345675"}
    assert Declaration.model_validate(payload(transport=air)).transport.mode == "air"
    assert refused_fields(payload(transport={**air, "flight": "not a flight"})) == [
        ("transport", "air", "flight")
    ]


def test_every_real_subheading_is_accepted_with_national_extensions() -> None:
    subheadings = shared_hs("6")
    assert len(subheadings) == 5613
    goods = [code for code in subheadings if not code.startswith("99")]
    assert all(identifiers.validate_hs(code) == code for code in goods)
    code = goods[-1]
    assert identifiers.validate_hs(f"{code[:4]}.{code[4:]}00") == code + "00"
    assert identifiers.validate_hs(code + "0090") == code + "0090"


def test_the_statistical_catch_all_of_chapter_99_names_no_goods() -> None:
    assert "999999" in shared_hs(
        "6"
    )  # in the source, "commodities not specified according to kind"
    with pytest.raises(ValueError, match="HS 2022 subheading"):
        identifiers.validate_hs("999999")


@pytest.mark.parametrize("code", ["12345", "1234567", "12345678901", "84AB30"])
def test_hs_code_of_the_wrong_shape_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="6, 8 or 10 digits"):
        identifiers.validate_hs(code)


def test_hs_code_that_is_not_a_subheading_is_refused() -> None:
    known = set(shared_hs("6"))
    unknown = next(f"{n:06d}" for n in range(10000, 999999) if f"{n:06d}" not in known)
    for code in (unknown, unknown + "00", unknown + "0000"):
        with pytest.raises(ValueError, match="HS 2022 subheading"):
            identifiers.validate_hs(code)
    assert refused_fields(payload(hs_code=unknown)) == [("items", 0, "hs_code")]


def test_wrong_container_check_digit_is_refused() -> None:
    good = baplie_containers()[0]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert refused_fields(payload(containers=[good, bad])) == [("containers", 1)]


@pytest.mark.parametrize("quantity", ["-1", "0", "twelve", "NaN", "inf"])
def test_negative_zero_or_non_numeric_quantity_is_refused(quantity: str) -> None:
    assert refused_fields(payload(quantity=quantity)) == [("items", 0, "quantity")]


def test_negative_value_is_refused() -> None:
    assert refused_fields(payload(value="-0.01")) == [("items", 0, "value")]


@pytest.mark.parametrize(("field", "value"), [("currency", "XYZ"), ("origin", "XX")])
def test_unknown_currency_or_country_is_refused(field: str, value: str) -> None:
    assert refused_fields(payload(**{field: value})) == [("items", 0, field)]


def test_unknown_place_and_field_are_refused() -> None:
    assert refused_fields(payload(release_port="CNXQX")) == [("release_port",)]
    assert refused_fields(payload(colour="red")) == [("colour",)]
