"""Risk rules as customs stores and edits them: the stored form read back to equal rules, every bad
field named, each kind of rule sending to its lane, the seeded random share, unit values in CNY,
CIQ's legal-inspection list and the status a declaration's reviews give."""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from kouan.domain.agency import Agency, Phase
from kouan.domain.declaration import (
    CreditClass,
    Declaration,
    DeclarationStatus,
    Lane,
    derive_status,
)
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.rules import legal_inspection as ciq
from kouan.rules.registry import DECLARATION, build_rule_set
from kouan.rules.risk import (
    KINDS,
    DeclarationFacts,
    RiskEngine,
    document_of,
    engine_from_document,
    facts_of,
    rule_from_dict,
    rule_to_dict,
)
from kouan.rules.risk_defaults import DEFAULT_DOCUMENT
from tests.factories import TRADERS, declaration, declaration_item

# Customs' rates as reference/exchange_rates.csv has them, near enough for the tests' sums.
RATES = {"CNY": 1.0, "USD": 7.1, "JPY": 0.048, "EUR": 7.7}


def stored(
    code: str = "R1", lane: str = "document", kind: str = "hs_prefix", **fields: Any
) -> dict[str, Any]:
    """A rule in its stored form; `values` or the unit-value fields come from `fields`."""
    rule: dict[str, Any] = {"code": code, "title": f"rule {code}", "title_zh": f"规则 {code}"}
    return {**rule, "lane": lane, "kind": kind, **fields}


def read(data: Any, where: str = "rules[0]") -> tuple[Any, list[tuple[str, Any, str]]]:
    """rule_from_dict's rule and its errors as (field, value, expected)."""
    errors = FieldErrors()
    rule = rule_from_dict(data, where, errors)
    return rule, [(e.field, e.value, e.expected) for e in errors.errors]


def engine_of(*rules: dict[str, Any], rates: dict[str, float] | None = None) -> RiskEngine:
    return engine_from_document(7, {"rules": list(rules), "random_rates": rates or {}, "seed": 1})


def facts(declaration_id: str = "K1", credit_class: str | None = None, **overrides: Any) -> Any:
    """The facts of a factory declaration, the trader's credit class from TRADERS by default."""
    filed = declaration(**overrides)
    credit = CreditClass(credit_class or TRADERS[filed.trader][1])
    return facts_of(declaration_id, filed, credit, "Qingdao Customs Brokers", RATES)


# --- the stored form --------------------------------------------------------------------------

ONE_OF_EACH = [
    stored("HS", kind="hs_prefix", values=["0201", "93"]),
    stored("ORIGIN", kind="origin", values=["KP", "IR"]),
    stored("TRADER", kind="trader", values=["3702960004"]),
    stored("CLASS", kind="credit_class", values=["C", "D"]),
    stored("WATCH", kind="watch_list", values=["3702999999", "Shady Brokers Ltd"]),
    stored("UV", kind="unit_value", hs_prefix="847130", low=800.0, high=60000.0),
]


@pytest.mark.parametrize(
    "data",
    ONE_OF_EACH + DEFAULT_DOCUMENT["rules"],
    ids=[r["code"] for r in ONE_OF_EACH + DEFAULT_DOCUMENT["rules"]],
)
def test_a_stored_rule_reads_back_to_an_equal_rule(data: dict[str, Any]) -> None:
    rule, errors = read(data)
    assert errors == []
    assert rule_to_dict(rule) == normalised(data)
    again, _ = read(rule_to_dict(rule))
    assert again == rule


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """The stored form as rule_to_dict writes it: values sorted, numbers as floats."""
    out = dict(data)
    if "values" in out:
        out["values"] = sorted(out["values"])
    for key in ("low", "high"):
        if key in out:
            out[key] = float(out[key])
    return out


def test_every_kind_is_covered_by_the_round_trip() -> None:
    assert {r["kind"] for r in ONE_OF_EACH} == set(KINDS)


def test_a_rule_as_typed_is_stored_in_its_canonical_form() -> None:
    typed = {
        "code": " uv-tshirt ",
        "title": " T-shirts ",
        "lane": "document",
        "kind": "origin",
        "values": ["chn", " kp", "DE"],
    }
    rule, errors = read(typed)
    assert errors == []
    assert rule_to_dict(rule) == {
        "code": "UV-TSHIRT",
        "title": "T-shirts",
        "title_zh": "T-shirts",  # no Chinese title given: the English one stands in
        "lane": "document",
        "kind": "origin",
        "values": ["CN", "DE", "KP"],
    }
    classes, _ = read(stored(kind="credit_class", values=["aa", " b "]))
    traders, _ = read(stored(kind="trader", values=["37029600ab"]))
    assert rule_to_dict(classes)["values"] == ["AA", "B"]
    assert rule_to_dict(traders)["values"] == ["37029600AB"]


def test_the_default_document_survives_the_trip_through_an_engine() -> None:
    engine = engine_from_document(1, DEFAULT_DOCUMENT)
    assert engine.version == "RISK v1" and len(engine.rules) == 25
    assert engine.random_rates == {Lane.DOCUMENT: 0.03, Lane.INSPECTION: 0.01}
    document = document_of(engine)
    assert document["seed"] == DEFAULT_DOCUMENT["seed"]
    assert document["random_rates"] == DEFAULT_DOCUMENT["random_rates"]
    assert document["rules"] == [normalised(r) for r in DEFAULT_DOCUMENT["rules"]]
    again = engine_from_document(1, document)
    assert again.rules == engine.rules
    assert (again.seed, again.random_rates) == (engine.seed, engine.random_rates)
    assert document_of(again) == document


def test_a_document_without_rates_or_seed_has_no_random_selection() -> None:
    engine = engine_from_document(3, {"rules": []})
    assert (engine.random_rates, engine.seed) == ({}, 0)
    assert document_of(engine) == {"rules": [], "random_rates": {}, "seed": 0}


# --- every error names its field --------------------------------------------------------------

BAD_RULES = [
    ("not-an-object", ["HS", "93"], "rules[0]", ["HS", "93"]),
    ("no-code", stored(code=""), "rules[0].code", ""),
    ("code-too-long", stored(code="R" * 41), "rules[0].code", "R" * 41),
    ("code-with-space", stored(code="HS 93"), "rules[0].code", "HS 93"),
    ("no-title", {**stored(values=["93"]), "title": ""}, "rules[0].title", ""),
    ("title-too-long", {**stored(values=["93"]), "title": "t" * 201}, "rules[0].title", "t" * 201),
    ("bad-lane", stored(lane="red", values=["93"]), "rules[0].lane", "red"),
    ("no-lane", {**stored(values=["93"]), "lane": None}, "rules[0].lane", None),
    ("unknown-kind", stored(kind="weight", values=["93"]), "rules[0].kind", "weight"),
    ("no-kind", {**stored(values=["93"]), "kind": None}, "rules[0].kind", None),
    ("empty-values", stored(values=[]), "rules[0].values", []),
    ("values-not-a-list", stored(values="93"), "rules[0].values", "93"),
    ("no-values", stored(), "rules[0].values", None),
    ("hs-prefix-too-short", stored(values=["8471", "8"]), "rules[0].values[1]", "8"),
    ("hs-prefix-letters", stored(values=["84a1"]), "rules[0].values[0]", "84a1"),
    ("hs-prefix-too-long", stored(values=["84713000001"]), "rules[0].values[0]", "84713000001"),
    ("country", stored(kind="origin", values=["CN", "XX"]), "rules[0].values[1]", "XX"),
    ("trader-short", stored(kind="trader", values=["370296"]), "rules[0].values[0]", "370296"),
    (
        "trader-symbol",
        stored(kind="trader", values=["3702-60001"]),
        "rules[0].values[0]",
        "3702-60001",
    ),
    ("credit-class", stored(kind="credit_class", values=["E"]), "rules[0].values[0]", "E"),
    ("watch-list-blank", stored(kind="watch_list", values=["  "]), "rules[0].values[0]", "  "),
    (
        "unit-value-prefix",
        stored(kind="unit_value", hs_prefix="84x", low=1, high=2),
        "rules[0].hs_prefix",
        "84x",
    ),
    (
        "unit-value-no-prefix",
        stored(kind="unit_value", low=1, high=2),
        "rules[0].hs_prefix",
        None,
    ),
    (
        "negative-low",
        stored(kind="unit_value", hs_prefix="8471", low=-1, high=2),
        "rules[0].low",
        -1,
    ),
    (
        "text-low",
        stored(kind="unit_value", hs_prefix="8471", low="cheap", high=2),
        "rules[0].low",
        "cheap",
    ),
    (
        "boolean-high",
        stored(kind="unit_value", hs_prefix="8471", low=1, high=True),
        "rules[0].high",
        True,
    ),
    (
        "infinite-high",
        stored(kind="unit_value", hs_prefix="8471", low=1, high="inf"),
        "rules[0].high",
        "inf",
    ),
    (
        "nan-low",
        stored(kind="unit_value", hs_prefix="8471", low="nan", high=2),
        "rules[0].low",
        "nan",
    ),
    ("no-high", stored(kind="unit_value", hs_prefix="8471", low=1), "rules[0].high", None),
    (
        "low-above-high",
        stored(kind="unit_value", hs_prefix="8471", low=500, high=20),
        "rules[0].high",
        20,
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [case[1:] for case in BAD_RULES],
    ids=[case[0] for case in BAD_RULES],
)
def test_a_bad_rule_names_its_field_and_value(data: Any, field: str, value: Any) -> None:
    rule, errors = read(data)
    assert rule is None
    named = [error for error in errors if error[0] == field]
    assert named, f"no error names {field}: {errors}"
    assert named[0][1] == value
    assert named[0][2], "the error says what was expected"


def test_a_value_that_is_not_a_trader_code_is_named_with_its_value() -> None:
    _, errors = read(stored(kind="trader", values=["3702960001", "3702-60001"]))
    assert errors == [
        (
            "rules[0].values[1]",
            "3702-60001",
            "10-character customs codes of traders",
        )
    ]


def test_every_bad_field_of_a_rule_is_reported_at_once() -> None:
    bad = {"code": "", "title": "", "lane": "amber", "kind": "unit_value", "hs_prefix": "x"}
    _, errors = read(bad | {"low": 10, "high": 5}, where="rule")
    assert [e[0] for e in errors] == [
        "rule.code",
        "rule.title",
        "rule.lane",
        "rule.hs_prefix",
        "rule.high",
    ]


def test_low_equal_to_high_is_a_range_of_one_value() -> None:
    rule, errors = read(stored(kind="unit_value", hs_prefix="8471", low=300, high=300))
    assert errors == [] and rule is not None


BAD_DOCUMENTS = [
    ("rules-not-a-list", {"rules": {"R1": {}}}, "rules"),
    (
        "rule-of-a-document",
        {"rules": [stored(values=["93"]), stored("R2", lane="x")]},
        "rules[1].lane",
    ),
    ("rates-not-an-object", {"rules": [], "random_rates": 0.03}, "random_rates"),
    ("green-rate", {"rules": [], "random_rates": {"green": 0.5}}, "random_rates.green"),
    ("unknown-lane-rate", {"rules": [], "random_rates": {"red": 0.1}}, "random_rates.red"),
    ("rate-above-one", {"rules": [], "random_rates": {"document": 1.5}}, "random_rates.document"),
    (
        "negative-rate",
        {"rules": [], "random_rates": {"inspection": -0.01}},
        "random_rates.inspection",
    ),
    ("text-rate", {"rules": [], "random_rates": {"document": "3%"}}, "random_rates.document"),
    ("boolean-rate", {"rules": [], "random_rates": {"document": True}}, "random_rates.document"),
    (
        "rates-add-above-one",
        {"rules": [], "random_rates": {"document": 0.6, "inspection": 0.5}},
        "random_rates",
    ),
    ("text-seed", {"rules": [], "seed": "7"}, "seed"),
    ("fractional-seed", {"rules": [], "seed": 7.5}, "seed"),
    ("boolean-seed", {"rules": [], "seed": True}, "seed"),
    ("repeated-code", {"rules": [stored(values=["93"]), stored(values=["01"])]}, "rules"),
]


@pytest.mark.parametrize(
    ("document", "field"), [c[1:] for c in BAD_DOCUMENTS], ids=[c[0] for c in BAD_DOCUMENTS]
)
def test_a_bad_document_names_its_field(document: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        engine_from_document(2, document)
    fields = [f.field for f in refused.value.fields]
    assert field in fields, fields
    assert refused.value.message.startswith("risk rule set: ")
    assert fields[0] in refused.value.message


def test_a_repeated_code_is_named_with_the_code() -> None:
    document = {"rules": [stored("hs-1", values=["93"]), stored("HS-1", values=["01"])]}
    with pytest.raises(ValidationFailed) as refused:
        engine_from_document(2, document)
    [error] = refused.value.fields
    assert (error.field, error.value) == ("rules", "HS-1")


def test_every_error_of_a_document_is_reported_at_once() -> None:
    document = {
        "rules": [stored(lane="red", values=["93"]), stored("R2", values=[])],
        "random_rates": {"green": 0.1},
        "seed": "x",
    }
    with pytest.raises(ValidationFailed) as refused:
        engine_from_document(2, document)
    assert [f.field for f in refused.value.fields] == [
        "rules[0].lane",
        "rules[1].values",
        "random_rates.green",
        "seed",
    ]
    assert "(and 3 more)" in refused.value.message


# --- lanes ------------------------------------------------------------------------------------

# Each kind: a stored rule and the factory declaration's overrides that make it hit. The factory
# declaration (B-class trader, cotton T-shirts from CN at 4.5 USD) hits none of them.
KIND_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "hs_prefix": ({"values": ["6109"]}, {}),
    "origin": ({"values": ["BD"]}, {"items": [declaration_item(origin="BGD")]}),
    "trader": (
        {"values": ["3702960002"]},
        {"trader": "3702960002", "trader_name": "Shandong Textile Export"},
    ),
    "credit_class": (
        {"values": ["D"]},
        {"trader": "3702960005", "trader_name": "Linyi Small Goods"},
    ),
    "watch_list": ({"values": ["3702960003"]}, {}),
    "unit_value": (
        {"hs_prefix": "6109", "low": 50, "high": 2000},
        {},
    ),
}


@pytest.mark.parametrize("lane", list(Lane))
@pytest.mark.parametrize("kind", KINDS)
def test_every_rule_kind_sends_to_its_lane(kind: str, lane: Lane) -> None:
    condition, hitting = KIND_CASES[kind]
    # A miss for the hs_prefix, watch_list and unit_value rules: another prefix or party, a price
    # inside the range; for the others the factory declaration itself misses.
    missing = {
        "hs_prefix": {"values": ["6110"]},
        "watch_list": {"values": ["3702960009"]},
        "unit_value": {"hs_prefix": "6109", "low": 5, "high": 2000},
    }
    hit = engine_of(stored("K", lane.value, kind, **condition)).assess(facts(**hitting))
    assert (hit.lane, hit.rules_hit, hit.random_selected) == (lane, ("K",), False)
    miss_rule = stored("K", lane.value, kind, **missing.get(kind, condition))
    miss = engine_of(miss_rule).assess(facts())
    assert (miss.lane, miss.rules_hit) == (Lane.GREEN, ())


def test_a_watch_listed_declarant_is_hit_as_well_as_a_trader() -> None:
    risk = engine_of(stored("W", "inspection", "watch_list", values=["Qingdao Customs Brokers"]))
    assert risk.assess(facts()).rules_hit == ("W",)


def test_an_hs_rule_hits_on_any_item_and_at_any_prefix_length() -> None:
    shirts, beef = declaration_item(), declaration_item(hs_code="0201300000", unit="KGM")
    for prefix in ("02", "0201", "020130", "02013000", "0201300000"):
        risk = engine_of(stored("MEAT", "document", values=[prefix]))
        assert risk.assess(facts(items=[shirts, beef])).rules_hit == ("MEAT",), prefix
    assert engine_of(stored("X", values=["0202"])).assess(facts(items=[beef])).rules_hit == ()


@pytest.mark.parametrize(
    "lanes",
    [c for n in (1, 2, 3) for c in itertools.permutations(list(Lane), n)],
    ids=lambda lanes: "-".join(lane.value for lane in lanes),
)
def test_the_strongest_lane_of_the_rules_that_hit_wins(lanes: tuple[Lane, ...]) -> None:
    """Rules of these lanes all hit (in this order in the set); a rule that misses is ignored."""
    rules = [stored(f"R{n}", lane.value, values=["6109"]) for n, lane in enumerate(lanes)]
    rules.insert(1, stored("MISS", "inspection", values=["93"]))
    result = engine_of(*rules).assess(facts())
    strongest = max(lanes, key=[Lane.GREEN, Lane.DOCUMENT, Lane.INSPECTION].index)
    assert result.lane is strongest
    assert result.rules_hit == tuple(f"R{n}" for n in range(len(lanes)))
    assert result.random_selected is False


def test_the_default_rules_give_each_credit_class_its_lane() -> None:
    risk = engine_from_document(1, DEFAULT_DOCUMENT)
    lanes = {}
    for code, (name, credit_class) in TRADERS.items():
        found = risk.assess(facts(f"CLASS-{credit_class}", trader=code, trader_name=name))
        lanes[credit_class] = (found.lane, found.rules_hit)
    assert lanes["AA"] == (Lane.GREEN, ("CC-AA",))
    assert lanes["C"] == (Lane.DOCUMENT, ("CC-C",))
    assert lanes["D"] == (Lane.INSPECTION, ("CC-D",))
    # An AA trader declaring meat: the green rule does not outrank the document one.
    beef = declaration_item(hs_code="020130", unit="KGM", value="90000")
    aa_meat = risk.assess(facts(trader="3702960001", trader_name="Qingdao Haier", items=[beef]))
    assert (aa_meat.lane, aa_meat.rules_hit) == (Lane.DOCUMENT, ("CC-AA", "HS-MEAT"))


# --- random selection -------------------------------------------------------------------------

COUNT = 20_000


def drawn(risk: RiskEngine, keys: list[str]) -> list[Lane]:
    """The lanes of the factory declaration filed under each key (a broker's references)."""
    template = facts()
    return [risk.assess(replace(template, id=key)).lane for key in keys]


KEYS = [f"9:JN-2026-{n:06d}" for n in range(COUNT)]


def test_the_default_random_rates_hold_within_five_sigma() -> None:
    """20,000 untouched declarations under the default rules (3 % documents, 1 % inspection):
    each lane's count within five binomial standard deviations of its expectation. Seeded, so
    the counts are the same every run; a wrong threshold (e.g. the rates swapped, or the document
    rate not added to the inspection one) lands far outside."""
    counts = Counter(drawn(engine_from_document(1, DEFAULT_DOCUMENT), KEYS))
    for lane, rate in ((Lane.DOCUMENT, 0.03), (Lane.INSPECTION, 0.01)):
        sigma = math.sqrt(COUNT * rate * (1 - rate))
        assert abs(counts[lane] - COUNT * rate) < 5 * sigma, (lane, counts)
    assert counts[Lane.GREEN] == COUNT - counts[Lane.DOCUMENT] - counts[Lane.INSPECTION]


def test_a_random_selection_is_marked_and_hits_no_rule() -> None:
    risk = engine_of(rates={"inspection": 1.0})
    result = risk.assess(facts())
    assert (result.lane, result.rules_hit, result.random_selected) == (Lane.INSPECTION, (), True)
    everyone = engine_of(rates={"document": 1.0}).assess(facts())
    assert (everyone.lane, everyone.random_selected) == (Lane.DOCUMENT, True)


def test_the_draw_is_reproducible_per_key_whatever_else_is_assessed() -> None:
    risk = engine_from_document(1, DEFAULT_DOCUMENT)
    keys = KEYS[:3000]
    first = dict(zip(keys, drawn(risk, keys), strict=True))
    again = engine_from_document(1, DEFAULT_DOCUMENT)
    backwards = dict(zip(keys[::-1], drawn(again, keys[::-1]), strict=True))
    assert backwards == first
    assert [risk.random_lane(key) for key in keys] == list(first.values())
    # A key keeps its lane when the rules change but the seed and rates stay.
    more_rules = copy.deepcopy(DEFAULT_DOCUMENT)
    more_rules["rules"].append(stored("NEW", values=["93"]))
    assert drawn(engine_from_document(2, more_rules), keys) == list(first.values())


def test_another_seed_selects_other_declarations() -> None:
    keys = KEYS[:5000]
    reseeded = {**DEFAULT_DOCUMENT, "seed": DEFAULT_DOCUMENT["seed"] + 1}
    first = drawn(engine_from_document(1, DEFAULT_DOCUMENT), keys)
    second = drawn(engine_from_document(1, reseeded), keys)
    selected = {k for k, lane in zip(keys, first, strict=True) if lane is not Lane.GREEN}
    reselected = {k for k, lane in zip(keys, second, strict=True) if lane is not Lane.GREEN}
    assert selected and reselected
    # About 4 % each way; independent draws share about 0.16 % of the keys.
    assert len(selected & reselected) < len(selected) / 4


def test_a_rule_that_hits_takes_the_declaration_out_of_the_draw() -> None:
    """Every key the draw would send to review goes green when a green rule hits it."""
    green = copy.deepcopy(DEFAULT_DOCUMENT)
    green["rules"].append(stored("ALL-SHIRTS", "green", values=["6109"]))
    risk, plain = engine_from_document(2, green), engine_from_document(1, DEFAULT_DOCUMENT)
    lanes = zip(KEYS[:2000], drawn(plain, KEYS[:2000]), strict=True)
    keys = [key for key, lane in lanes if lane is not Lane.GREEN]
    assert keys
    assert set(drawn(risk, keys)) == {Lane.GREEN}


# --- unit values in CNY -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "hit"),
    [
        ("5000", "CNY", False),  # 5 CNY a shirt: the range's low end, inside
        ("4990", "CNY", True),  # 4.99 CNY
        ("2000000", "CNY", False),  # 2000 CNY, the high end
        ("2000010", "CNY", True),
        ("1000", "USD", False),  # 1 USD is 7.1 CNY
        ("1000", "JPY", True),  # 1 JPY is 0.048 CNY: undervalued
        ("100000", "JPY", True),  # 100 JPY is 4.8 CNY, below 5
        ("110000", "JPY", False),  # 110 JPY is 5.28 CNY
        ("300000", "USD", True),  # 300 USD is 2130 CNY, above 2000
        ("300000", "CNY", False),
    ],
)
def test_unit_values_compare_in_cny_at_customs_rates(value: str, currency: str, hit: bool) -> None:
    """UV-TSHIRT of the default rules: 5 to 2000 CNY a shirt, 1000 shirts declared."""
    shirts = declaration_item(value=value, currency=currency)
    found = engine_from_document(1, DEFAULT_DOCUMENT).assess(facts(items=[shirts]))
    assert ("UV-TSHIRT" in found.rules_hit) is hit


def test_facts_convert_each_item_at_its_own_rate() -> None:
    items = [
        declaration_item(value="4500", currency="USD"),
        declaration_item(value="4500", currency="jpy", quantity="10"),
        declaration_item(value="77", currency="EUR", quantity="7"),
    ]
    found = facts(items=items)
    assert found.unit_values == pytest.approx((4.5 * 7.1, 450 * 0.048, 11 * 7.7))


# --- CIQ's legal-inspection list --------------------------------------------------------------


def legal_inspection_hits(hs_codes: list[str], params: dict[str, Any]) -> list[str]:
    """What CIQ's rule set for declarations finds, item by item: "020130 under 02"."""
    n = len(hs_codes)
    facts = DeclarationFacts(
        "1:R", tuple(hs_codes), ("CN",) * n, "3702640223", "Brokers", CreditClass.B, (1.0,) * n
    )
    outcome = build_rule_set(DECLARATION, Agency.CIQ, 1, params).evaluate(facts, Phase.CARGO)
    assert [h.target for h in outcome.hits] == [
        f"items[{hs_codes.index(h.reason.params['hs_code'])}]" for h in outcome.hits
    ]
    return [f"{h.reason.params['hs_code']} under {h.reason.params['entry']}" for h in outcome.hits]


@pytest.mark.parametrize(
    ("hs_codes", "hits"),
    [
        (["020130"], ["020130 under 02"]),  # a chapter: meat
        (["0201300000"], ["0201300000 under 02"]),
        (["870323"], ["870323 under 8703"]),  # a heading: cars
        (["870421"], []),  # lorries, heading 8704, are not on the list
        (["440399", "610910", "950300"], ["440399 under 4403", "950300 under 9503"]),
        (["610910", "847130"], []),
        (["160100", "010121"], ["160100 under 16", "010121 under 01"]),  # item order
        ([], []),
    ],
)
def test_legal_inspection_by_chapter_and_heading(hs_codes: list[str], hits: list[str]) -> None:
    assert legal_inspection_hits(hs_codes, ciq.DEFAULT_PARAMS) == hits


def test_the_longest_entry_of_the_list_names_the_hit() -> None:
    params = {"legal_inspection": ["84", "8471", "847130"]}
    assert legal_inspection_hits(["847130", "847150", "840710"], params) == [
        "847130 under 847130",
        "847150 under 8471",
        "840710 under 84",
    ]
    assert legal_inspection_hits(["847130"], {"legal_inspection": []}) == []


# --- a declaration's status from its reviews --------------------------------------------------


@pytest.mark.parametrize(
    ("reviews", "status"),
    [
        ([], DeclarationStatus.RELEASED),
        (["approved"], DeclarationStatus.RELEASED),
        (["approved", "approved"], DeclarationStatus.RELEASED),
        (["pending"], DeclarationStatus.UNDER_REVIEW),
        (["approved", "pending"], DeclarationStatus.UNDER_REVIEW),
        (["inspect"], DeclarationStatus.INSPECTION),
        (["pending", "inspect"], DeclarationStatus.INSPECTION),
        (["inspect", "approved"], DeclarationStatus.INSPECTION),
        (["hold"], DeclarationStatus.HELD),
        (["inspect", "hold", "pending"], DeclarationStatus.HELD),
        (["rejected"], DeclarationStatus.REJECTED),
        (["hold", "rejected"], DeclarationStatus.REJECTED),
        (["approved", "pending", "inspect", "hold", "rejected"], DeclarationStatus.REJECTED),
    ],
)
def test_the_most_serious_review_gives_the_status(
    reviews: list[str], status: DeclarationStatus
) -> None:
    assert derive_status(reviews) is status
    assert derive_status(iter(reversed(reviews))) is status  # any order, any iterable


def test_the_stored_random_share_is_what_a_declaration_meets() -> None:
    """A declaration assessed through the model (not facts built by hand) draws on its key."""
    filed = Declaration.model_validate(declaration().model_dump())
    risk = engine_of(rates={"document": 0.5})
    keys = [f"3:REF-{n}" for n in range(400)]
    lanes = [
        risk.assess(facts_of(key, filed, CreditClass.B, "Brokers", RATES)).lane for key in keys
    ]
    assert lanes == [risk.random_lane(key) for key in keys]
    assert 100 < lanes.count(Lane.DOCUMENT) < 300
