"""kouan bench risk: risk decisions per second of the pure engine, with a rule set of over 200
rules built from real HS 2022 headings, on synthetic declarations' facts (no database)."""

from __future__ import annotations

import csv
import random
import sys
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.domain.declaration import CreditClass, Lane
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
)

SEED = 2026
BATCH = 1000
ORIGINS = ("CN", "KR", "JP", "US", "DE", "VN", "TH", "AU", "BR", "IN", "RU", "ID", "MY", "NL", "KP")
TRADERS = [f"Trader {n:04d}" for n in range(2000)]
BROKERS = [f"Broker {n:03d}" for n in range(100)]
# Roughly how China's enterprises spread over the classes: most B, few AA or D.
CREDIT_WEIGHTS = {
    CreditClass.AA: 2,
    CreditClass.A: 15,
    CreditClass.B: 70,
    CreditClass.C: 10,
    CreditClass.D: 3,
}
RANDOM_RATES = {Lane.DOCUMENT: 0.03, Lane.INSPECTION: 0.01}


def hs_codes() -> tuple[list[str], list[str]]:
    """The headings and subheadings of the reference file Kouan ships."""
    source = resources.files("kouan").joinpath("reference", "hs2022.csv")
    rows = list(csv.DictReader(source.read_text(encoding="utf-8").splitlines()))
    headings = [row["hscode"] for row in rows if row["level"] == "4"]
    return headings, [row["hscode"] for row in rows if row["level"] == "6"]


def rule_set(rng: random.Random, headings: list[str], subheadings: list[str]) -> list[RiskRule]:
    """A deterministic rule set shaped like a port's: mostly goods rules, some on parties."""
    conditions: list[Condition] = [
        *(HsPrefix(frozenset({code})) for code in rng.sample(headings, 90)),
        *(HsPrefix(frozenset({code})) for code in rng.sample(subheadings, 40)),
        *(_range(rng, code) for code in rng.sample(headings, 50)),
        *(OriginIn(frozenset({country})) for country in ("KP", "IR", "SY", "AF", "VE")),
        *(TraderIn(frozenset(rng.sample(TRADERS, 5))) for _ in range(10)),
        CreditClassIn(frozenset({CreditClass.D})),
        CreditClassIn(frozenset({CreditClass.C})),
        *(WatchListParty(frozenset(rng.sample(TRADERS + BROKERS, 3))) for _ in range(10)),
    ]
    lanes = (Lane.DOCUMENT, Lane.DOCUMENT, Lane.INSPECTION)
    return [
        RiskRule(f"R{n:03d}", f"rule {n}", f"规则 {n}", rng.choice(lanes), condition)
        for n, condition in enumerate(conditions)
    ]


def _range(rng: random.Random, heading: str) -> UnitValueOutside:
    low = rng.uniform(1, 100)
    return UnitValueOutside(heading, low, low * rng.uniform(5, 50))


def synthetic_facts(
    rng: random.Random, subheadings: list[str], count: int
) -> list[DeclarationFacts]:
    """Synthetic facts: 1 to 5 items with real subheadings, often with national extensions."""
    classes, weights = zip(*CREDIT_WEIGHTS.items(), strict=True)
    out = []
    for n in range(count):
        items = rng.randint(1, 5)
        out.append(
            DeclarationFacts(
                id=f"DEC{n:08d}",
                hs_codes=tuple(
                    rng.choice(subheadings) + rng.choice(("", "0000")) for _ in range(items)
                ),
                origins=tuple(rng.choice(ORIGINS[:-1]) for _ in range(items)),
                trader=rng.choice(TRADERS),
                declarant=rng.choice(BROKERS),
                credit_class=rng.choices(classes, weights)[0],
                unit_values=tuple(rng.lognormvariate(3, 1.5) for _ in range(items)),
            )
        )
    return out


def main(
    declarations: Annotated[int, typer.Option(help="Declarations to assess.")] = 100_000,
    as_json: common.AsJson = False,
) -> None:
    rng = random.Random(SEED)
    headings, subheadings = hs_codes()
    rules = rule_set(rng, headings, subheadings)
    engine = RiskEngine("bench", rules, RANDOM_RATES, SEED)
    facts = synthetic_facts(rng, subheadings, declarations)
    lanes: Counter[Lane] = Counter()
    batches = []
    started = time.perf_counter()
    for first in range(0, len(facts), BATCH):
        t0 = time.perf_counter()
        lanes.update(engine.assess(one).lane for one in facts[first : first + BATCH])
        batches.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    common.emit(
        {
            "name": "risk",
            "database": "none",
            "declarations": declarations,
            "rules": len(rules),
            "throughput_per_s": round(declarations / elapsed, 1),
            **common.latency_figures(batches),
            "latency": f"one batch of {BATCH} decisions",
            "lanes": {lane.value: lanes[lane] for lane in Lane},
        },
        as_json,
    )


if __name__ == "__main__":
    typer.run(main)
