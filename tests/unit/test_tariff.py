"""Duties and taxes against hand-worked cases: general, MFN and preferential origins, the
compound formula of consumption tax, rounding to the fen half up, tonnage dues."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kouan.domain import tariff
from kouan.domain.errors import ValidationFailed
from kouan.services.duties import tariffs

TABLE = tariffs.packaged()


def _duty(hs: str, origin: str, value: str) -> tariff.ItemDuty:
    return tariff.item_duty(TABLE, 0, hs, origin, D(value))


def test_the_longest_prefix_with_a_rate_wins_and_unlisted_goods_take_the_catch_all() -> None:
    assert TABLE.line_for("870323").prefix == "870323"
    assert TABLE.line_for("870390").prefix == "8703"
    assert TABLE.line_for("6109100000").prefix == "6109"
    assert TABLE.line_for("010121").prefix == tariff.ANY_GOODS


def test_mfn_origin_pays_the_mfn_rate_and_vat_on_value_plus_duty() -> None:
    # 71,000.00 CNY of T-shirts from the US: duty 6% = 4,260.00; VAT 13% of 75,260.00 = 9,783.80
    item = _duty("610910", "US", "71000")
    assert (item.duty_basis, item.duty, item.consumption_tax, item.vat) == (
        "mfn",
        D("4260.00"),
        D("0"),
        D("9783.80"),
    )


def test_preferential_origin_pays_the_lowest_rate_of_its_agreements() -> None:
    # Vietnam: China-ASEAN 0% beats RCEP 5%; VAT 13% of 71,000.00 = 9,230.00.
    vietnam = _duty("610910", "VN", "71000")
    assert (vietnam.duty_basis, vietnam.duty, vietnam.vat) == ("ACFTA", D("0.00"), D("9230.00"))
    # Korea: China-Korea 4% beats RCEP 5%: 2,840.00.
    korea = _duty("610910", "KR", "71000")
    assert (korea.duty_basis, korea.duty) == ("CKFTA", D("2840.00"))
    # Japan: RCEP only, 5%.
    assert _duty("610910", "JP", "71000").duty_basis == "RCEP"


def test_origin_without_mfn_treatment_pays_the_general_rate() -> None:
    # 90% of 71,000.00 = 63,900.00; VAT 13% of 134,900.00 = 17,537.00
    item = _duty("610910", "ER", "71000")
    assert (item.duty_basis, item.duty, item.vat) == ("general", D("63900.00"), D("17537.00"))


def test_consumption_tax_follows_the_compound_formula() -> None:
    # Cosmetics from France, 10,000.00 CNY: duty 5% = 500.00;
    # consumption tax (10,000 + 500) / (1 - 15%) x 15% = 1,852.941... -> 1,852.94;
    # VAT 13% of (10,000 + 500 + 1,852.94) = 12,352.94 x 13% = 1,605.882... -> 1,605.88.
    item = _duty("330499", "FR", "10000")
    assert (item.duty, item.consumption_tax, item.vat) == (
        D("500.00"),
        D("1852.94"),
        D("1605.88"),
    )
    assert item.total == D("3958.82")


def test_amounts_round_to_the_fen_half_up() -> None:
    assert tariff.fen(D("0.045")) == D("0.05")  # half up, not half even
    assert tariff.fen(D("123.455")) == D("123.46")
    assert tariff.to_fen(D("0.125")) == 13
    # A book worth 0.50 CNY: VAT 9% = 0.045 -> 0.05; the customs value rounds first: 0.495 -> 0.50
    assert _duty("490199", "GB", "0.495").vat == D("0.05")


def test_a_declaration_totals_its_rounded_items() -> None:
    a = tariff.assess(TABLE, [("610910", "US", D("71000")), ("330499", "FR", D("10000"))])
    assert (a.customs_value, a.duty, a.consumption_tax, a.vat, a.total) == (
        D("81000.00"),
        D("4760.00"),
        D("1852.94"),
        D("11389.68"),
        D("18002.62"),
    )


def test_a_tariff_csv_is_refused_whole_with_every_lines_error() -> None:
    text = "hs_prefix,mfn,general,vat\n6109,6,90,13\n61x9,6,90,13\n6110,6,90,130\n6109,1,1,1\n"
    with pytest.raises(ValidationFailed) as refused:
        tariff.read_csv(text)
    assert [f.field for f in refused.value.fields] == [
        "line 3.hs_prefix",
        "line 4.vat",
        "line 5.hs_prefix",
    ]


def test_a_refused_line_is_numbered_as_the_file_numbers_it_comments_counted() -> None:
    text = "# 2027\n# in percent\nhs_prefix,mfn,general,vat\n6109,6,90,13\n61x9,6,90,13\n"
    with pytest.raises(ValidationFailed) as refused:
        tariff.read_csv(text)
    assert [f.field for f in refused.value.fields] == ["line 5.hs_prefix"]


def test_tonnage_dues_by_net_tonnage_flag_and_period() -> None:
    bands = tariffs.tonnage_bands()
    # 30,000 net tons under Panama's flag (reciprocity), 90 days: 6.6 CNY/t = 198,000.00
    panama = tariff.tonnage_dues(bands, D("30000"), "PA", 90)
    assert (panama.preferential, panama.rate, panama.amount) == (True, D("6.6"), D("198000.00"))
    # The same ship under the Bahamas' flag (no agreement listed): 9.2 CNY/t = 276,000.00
    assert tariff.tonnage_dues(bands, D("30000"), "BS", 90).amount == D("276000.00")
    # 1,500 net tons, one year, general: 12.6 x 1,500 = 18,900.00
    assert tariff.tonnage_dues(bands, D("1500"), "BS", 365).amount == D("18900.00")
    with pytest.raises(ValueError):
        tariff.tonnage_dues(bands, D("1500"), "BS", 60)
