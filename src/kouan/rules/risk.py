"""Customs selectivity in the spirit of ASYCUDA: rules send a declaration to a lane, the strongest
lane wins, and a seeded random share of the untouched declarations goes to review anyway.

The engine is pure and precompiled (dicts keyed by HS prefix, country, trader, class, party), so one
core decides tens of thousands of declarations per second. Every assessment names the rule set's
version and the rules that hit, so each decision can be explained later.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kouan.domain.declaration import CreditClass, Declaration, Lane

# Strongest last: the strongest lane among the rules that hit decides.
LANE_RANK = {Lane.GREEN: 0, Lane.DOCUMENT: 1, Lane.INSPECTION: 2}
_RANKED_LANES = sorted(LANE_RANK, key=LANE_RANK.__getitem__)


@dataclass(frozen=True, slots=True)
class DeclarationFacts:
    """What the rules look at, one entry per item in `hs_codes`, `origins` and `unit_values`."""

    id: str
    hs_codes: tuple[str, ...]
    origins: tuple[str, ...]
    trader: str
    declarant: str
    credit_class: CreditClass
    unit_values: tuple[float, ...]  # value / quantity, in the item's declared currency


def facts_of(
    declaration_id: str, declaration: Declaration, credit_class: CreditClass
) -> DeclarationFacts:
    """The facts of a declaration; the credit class is the trader's, which the declaration omits."""
    items = declaration.items
    return DeclarationFacts(
        id=declaration_id,
        hs_codes=tuple(item.hs_code for item in items),
        origins=tuple(item.origin for item in items),
        trader=declaration.trader,
        declarant=declaration.declarant,
        credit_class=credit_class,
        unit_values=tuple(float(item.unit_value) for item in items),
    )


@dataclass(frozen=True)
class HsPrefix:
    """Hits when any item's HS code starts with one of the prefixes (a chapter, heading, ...)."""

    prefixes: frozenset[str]


@dataclass(frozen=True)
class OriginIn:
    """Hits when any item originates in one of the countries (ISO 3166 alpha-2)."""

    countries: frozenset[str]


@dataclass(frozen=True)
class TraderIn:
    """Hits when the trader is one of these."""

    traders: frozenset[str]


@dataclass(frozen=True)
class CreditClassIn:
    """Hits when the trader's credit class is one of these."""

    classes: frozenset[CreditClass]


@dataclass(frozen=True)
class UnitValueOutside:
    """Hits when an item under the HS prefix declares a unit value outside [low, high]: too low
    suggests undervaluation, too high a disguised transfer."""

    hs_prefix: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(
                f"a reference range with 0 <= low <= high, not [{self.low}, {self.high}]"
            )


@dataclass(frozen=True)
class WatchListParty:
    """Hits when the trader or the declarant is on the watch list."""

    parties: frozenset[str]


Condition = HsPrefix | OriginIn | TraderIn | CreditClassIn | UnitValueOutside | WatchListParty


@dataclass(frozen=True)
class RiskRule:
    """One selectivity rule: when its condition holds, it sends the declaration to its lane."""

    code: str
    title: str
    title_zh: str
    lane: Lane
    condition: Condition


@dataclass(frozen=True)
class Assessment:
    """The lane, the rules that hit (in rule-set order), whether chance chose, the version."""

    lane: Lane
    rules_hit: tuple[str, ...]
    random_selected: bool
    version: str


class _Index:
    """Rule positions keyed by what a condition matches, for one kind of fact."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[int]] = defaultdict(list)

    def add(self, keys: Iterable[str], position: int) -> None:
        for key in keys:
            self.by_key[key].append(position)

    def frozen(self) -> dict[str, tuple[int, ...]]:
        return {key: tuple(positions) for key, positions in self.by_key.items()}


class RiskEngine:
    """A versioned rule set, compiled for fast assessment, with per-lane random selection rates."""

    def __init__(
        self,
        version: str,
        rules: Sequence[RiskRule],
        random_rates: Mapping[Lane, float],
        seed: int,
    ) -> None:
        _check_codes(rules)
        self.version = version
        self.rules = tuple(rules)
        self.random_rates = _checked_rates(random_rates)
        self.seed = seed
        self._codes = tuple(rule.code for rule in rules)
        self._ranks = tuple(LANE_RANK[rule.lane] for rule in rules)
        self._compile()
        # Cumulative thresholds, strongest lane first: u below the first goes to inspection.
        thresholds, total = [], 0.0
        for lane in reversed(_RANKED_LANES[1:]):
            total += self.random_rates.get(lane, 0.0)
            thresholds.append((total, lane))
        self._thresholds = tuple(thresholds)

    def _compile(self) -> None:
        indexes = {kind: _Index() for kind in ("hs", "origin", "trader", "credit", "party")}
        ranges: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
        for position, rule in enumerate(self.rules):
            match rule.condition:
                case HsPrefix(prefixes):
                    indexes["hs"].add(prefixes, position)
                case OriginIn(countries):
                    indexes["origin"].add(countries, position)
                case TraderIn(traders):
                    indexes["trader"].add(traders, position)
                case CreditClassIn(classes):
                    indexes["credit"].add((c.value for c in classes), position)
                case WatchListParty(parties):
                    indexes["party"].add(parties, position)
                case UnitValueOutside(prefix, low, high):
                    ranges[prefix].append((position, low, high))
        self._hs = indexes["hs"].frozen()
        self._origin = indexes["origin"].frozen()
        self._trader = indexes["trader"].frozen()
        self._credit = indexes["credit"].frozen()
        self._party = indexes["party"].frozen()
        self._ranges = {prefix: tuple(entries) for prefix, entries in ranges.items()}
        self._hs_lengths = sorted({len(prefix) for prefix in self._hs})
        self._range_lengths = sorted({len(prefix) for prefix in self._ranges})

    def assess(self, facts: DeclarationFacts) -> Assessment:
        """The lane for one declaration; the same facts and engine always give the same answer."""
        hits = self._hits(facts)
        if hits:
            ordered = sorted(hits)
            lane = _RANKED_LANES[max(self._ranks[i] for i in ordered)]
            return Assessment(lane, tuple(self._codes[i] for i in ordered), False, self.version)
        lane = self.random_lane(facts.id)
        return Assessment(lane, (), lane is not Lane.GREEN, self.version)

    def _hits(self, facts: DeclarationFacts) -> set[int]:
        hits: set[int] = set()
        empty: tuple[int, ...] = ()
        hs, ranges = self._hs, self._ranges
        for code in facts.hs_codes:
            for length in self._hs_lengths:
                hits.update(hs.get(code[:length], empty))
        for code, unit_value in zip(facts.hs_codes, facts.unit_values, strict=True):
            for length in self._range_lengths:
                for position, low, high in ranges.get(code[:length], ()):
                    if not low <= unit_value <= high:
                        hits.add(position)
        for origin in facts.origins:
            hits.update(self._origin.get(origin, empty))
        hits.update(self._trader.get(facts.trader, empty))
        hits.update(self._credit.get(facts.credit_class.value, empty))
        hits.update(self._party.get(facts.trader, empty))
        hits.update(self._party.get(facts.declarant, empty))
        return hits

    def random_lane(self, declaration_id: str) -> Lane:
        """The lane chance gives this declaration: reproducible from (seed, id) alone."""
        draw = _uniform(self.seed, declaration_id)
        for threshold, lane in self._thresholds:
            if draw < threshold:
                return lane
        return Lane.GREEN


def _uniform(seed: int, declaration_id: str) -> float:
    """A uniform number in [0, 1) from a hash, so reruns and other processes draw the same."""
    digest = hashlib.blake2b(f"{seed}:{declaration_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _check_codes(rules: Sequence[RiskRule]) -> None:
    counts = Counter(rule.code for rule in rules)
    duplicates = sorted(code for code, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(
            f"rule codes must be unique in a rule set; repeated: {', '.join(duplicates)}"
        )


def _checked_rates(rates: Mapping[Lane, float]) -> dict[Lane, float]:
    if Lane.GREEN in rates:
        raise ValueError(
            "random rates for the document and inspection lanes only; green is the rest"
        )
    if any(not 0 <= rate <= 1 for rate in rates.values()) or sum(rates.values()) > 1:
        raise ValueError(
            f"random rates between 0 and 1 that add up to at most 1, not {dict(rates)}"
        )
    return dict(rates)
