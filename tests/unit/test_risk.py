"""The risk engine: each condition kind, the strongest lane, versions, seeded random selection."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from kouan.domain.declaration import CreditClass, Declaration, Lane
from kouan.rules.risk import (
    Condition,
    CreditClassIn,
    DeclarationFacts,
    HsPrefix,
    OriginIn,
    RiskEngine,
    RiskRule,
    TraderIn,
    UnitValueOutside,
    WatchListParty,
    facts_of,
)
from tests.unit.test_declaration import payload

CLEAN = DeclarationFacts(
    id="D1",
    hs_codes=("847130", "8418100000"),
    origins=("CN", "DE"),
    trader="3702960001",
    declarant="Qingdao Customs Brokers",
    credit_class=CreditClass.B,
    unit_values=(300.0, 40.0),
)


def rule(code: str, condition: Condition, lane: Lane = Lane.DOCUMENT) -> RiskRule:
    return RiskRule(code, f"rule {code}", f"规则 {code}", lane, condition)


def engine(*rules: RiskRule, rates: dict[Lane, float] | None = None, seed: int = 7) -> RiskEngine:
    return RiskEngine("2026.1", rules, rates or {}, seed)


@pytest.mark.parametrize(
    ("condition", "hitting", "missing"),
    [
        (HsPrefix(frozenset({"8418"})), {}, {"hs_codes": ("847130", "841990")}),
        (HsPrefix(frozenset({"84713"})), {}, {"hs_codes": ("847150", "8418100000")}),
        (OriginIn(frozenset({"DE", "KP"})), {}, {"origins": ("CN", "JP")}),
        (TraderIn(frozenset({"3702960001"})), {}, {"trader": "3702960009"}),
        (
            CreditClassIn(frozenset({CreditClass.C, CreditClass.D})),
            {"credit_class": CreditClass.D},
            {"credit_class": CreditClass.A},
        ),
        (UnitValueOutside("8418", 50.0, 500.0), {}, {"unit_values": (300.0, 50.0)}),
        (UnitValueOutside("8471", 10.0, 200.0), {}, {"unit_values": (200.0, 40.0)}),
        (WatchListParty(frozenset({"Qingdao Customs Brokers"})), {}, {"declarant": "X Brokers"}),
        (WatchListParty(frozenset({"3702960001"})), {}, {"trader": "3702960002"}),
    ],
)
def test_each_condition_kind_hits_and_misses(
    condition: Condition, hitting: dict[str, object], missing: dict[str, object]
) -> None:
    risk = engine(rule("R1", condition, Lane.INSPECTION))
    hit = risk.assess(replace(CLEAN, **hitting))  # type: ignore[arg-type]
    assert (hit.lane, hit.rules_hit, hit.random_selected) == (Lane.INSPECTION, ("R1",), False)
    miss = risk.assess(replace(CLEAN, **missing))  # type: ignore[arg-type]
    assert (miss.lane, miss.rules_hit) == (Lane.GREEN, ())


def test_the_strongest_lane_wins_and_every_hit_is_recorded() -> None:
    rules = [
        rule("GREEN-AA", TraderIn(frozenset({CLEAN.trader})), Lane.GREEN),
        rule("INSPECT-DE", OriginIn(frozenset({"DE"})), Lane.INSPECTION),
        rule("DOC-84", HsPrefix(frozenset({"84"})), Lane.DOCUMENT),
        rule("DOC-CN", OriginIn(frozenset({"JP"})), Lane.DOCUMENT),
    ]
    result = engine(*rules).assess(CLEAN)
    assert result.lane is Lane.INSPECTION
    assert result.rules_hit == ("GREEN-AA", "INSPECT-DE", "DOC-84")
    assert engine(rules[0], rules[2]).assess(CLEAN).lane is Lane.DOCUMENT


def test_a_green_rule_that_hits_exempts_from_random_selection() -> None:
    risk = engine(
        rule("AA", TraderIn(frozenset({CLEAN.trader})), Lane.GREEN), rates={Lane.INSPECTION: 1.0}
    )
    assert risk.assess(CLEAN) == risk.assess(CLEAN)
    assert (risk.assess(CLEAN).lane, risk.assess(CLEAN).random_selected) == (Lane.GREEN, False)
    other = replace(CLEAN, trader="3702960009")
    assert (risk.assess(other).lane, risk.assess(other).random_selected) == (Lane.INSPECTION, True)


def test_the_version_is_recorded_in_every_assessment() -> None:
    hs = rule("R1", HsPrefix(frozenset({"8471"})))
    assert RiskEngine("v1", [hs], {}, 1).assess(CLEAN).version == "v1"
    assert RiskEngine("v2", [], {}, 1).assess(CLEAN).version == "v2"


def random_lanes(risk: RiskEngine, count: int) -> list[Lane]:
    return [risk.assess(replace(CLEAN, id=f"DEC-{n}")).lane for n in range(count)]


def test_random_selection_rate_is_within_statistical_bounds() -> None:
    rates = {Lane.DOCUMENT: 0.05, Lane.INSPECTION: 0.02}
    count = 20_000
    lanes = random_lanes(engine(rates=rates, seed=2026), count)
    for lane, rate in rates.items():
        # Five standard deviations of a binomial: a correct engine fails once in millions of seeds.
        bound = 5 * math.sqrt(count * rate * (1 - rate))
        assert abs(lanes.count(lane) - count * rate) < bound, lane


def test_random_selection_is_reproducible_and_depends_on_the_seed() -> None:
    rates = {Lane.DOCUMENT: 0.1, Lane.INSPECTION: 0.1}
    first = random_lanes(engine(rates=rates, seed=11), 2000)
    assert random_lanes(engine(rates=rates, seed=11), 2000) == first
    assert random_lanes(engine(rates=rates, seed=12), 2000) != first
    assert all(lane is Lane.GREEN for lane in random_lanes(engine(seed=11), 2000))


@pytest.mark.parametrize(
    "rates",
    [{Lane.GREEN: 0.5}, {Lane.DOCUMENT: -0.1}, {Lane.DOCUMENT: 0.6, Lane.INSPECTION: 0.5}],
)
def test_impossible_random_rates_are_refused(rates: dict[Lane, float]) -> None:
    with pytest.raises(ValueError, match="random rates"):
        engine(rates=rates)


def test_repeated_rule_codes_and_upside_down_ranges_are_refused() -> None:
    hs = rule("R1", HsPrefix(frozenset({"84"})))
    with pytest.raises(ValueError, match="repeated: R1"):
        engine(hs, hs)
    with pytest.raises(ValueError, match="low <= high"):
        UnitValueOutside("84", 10.0, 1.0)


def test_facts_come_from_the_declaration() -> None:
    declaration = Declaration.model_validate(payload(quantity="4", value="1000"))
    facts = facts_of("D9", declaration, CreditClass.C, "Jinan Brokers", {"USD": 7.1})
    item = declaration.items[0]
    assert facts.id == "D9"
    assert facts.hs_codes == (item.hs_code,)
    assert facts.origins == ("CN",)
    assert (facts.trader, facts.declarant) == ("3702960001", "Jinan Brokers")
    assert facts.credit_class is CreditClass.C
    # 1000 USD for 4 units is 250 USD each, compared in CNY at customs' rate.
    assert facts.unit_values == pytest.approx((1775.0,))
