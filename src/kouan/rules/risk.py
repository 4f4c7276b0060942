"""Customs selectivity in the spirit of ASYCUDA: rules send a declaration to a lane, the strongest
lane wins, and a seeded random share of the untouched declarations goes to review anyway.

The engine is pure and precompiled (dicts keyed by HS prefix, country, trader, class, party), so one
core decides tens of thousands of declarations per second. Every assessment names the rule set's
version and the rules that hit, so each decision can be explained later.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kouan.domain.agency import Phase, ReviewStatus
from kouan.domain.declaration import CreditClass, Declaration, Lane
from kouan.domain.errors import FieldErrors
from kouan.domain.identifiers import validate_country
from kouan.domain.reasons import Reason
from kouan.rules.base import Action, Hit, Outcome

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
    unit_values: tuple[float, ...]  # value / quantity, in CNY at customs' exchange rate


def facts_of(
    declaration_id: str,
    declaration: Declaration,
    credit_class: CreditClass,
    declarant: str,
    cny_rates: Mapping[str, float],
) -> DeclarationFacts:
    """The facts of a declaration. What the declaration does not say comes from Kouan's records:
    the trader's credit class, the declarant that filed it, and customs' exchange rates (CNY per
    unit of each currency), so unit values compare with reference ranges in CNY."""
    items = declaration.items
    return DeclarationFacts(
        id=declaration_id,
        hs_codes=tuple(item.hs_code for item in items),
        origins=tuple(item.origin for item in items),
        trader=declaration.trader,
        declarant=declarant,
        credit_class=credit_class,
        unit_values=tuple(float(item.unit_value) * cny_rates[item.currency] for item in items),
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
        disabled: frozenset[str] = frozenset(),
    ) -> None:
        _check_codes(rules)
        self.disabled = disabled  # switched off: kept in the stored set, not evaluated
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
            if rule.code in self.disabled:
                continue
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


# How rules are stored and edited: one JSON object per rule, {"code", "title", "title_zh",
# "lane", "kind", ...}, where the kind names the condition and its fields.
KINDS = ("hs_prefix", "origin", "trader", "credit_class", "watch_list", "unit_value")


def hs_prefix(value: object) -> str:
    """An HS chapter, heading or longer prefix as rules and lists name goods."""
    text = str(value).strip()
    if not (text.isdigit() and 2 <= len(text) <= 10):
        raise ValueError("an HS prefix of 2 to 10 digits, e.g. 0201 or 847130")
    return text


def _trader_code(value: object) -> str:
    text = str(value).strip().upper()
    if len(text) != 10 or not text.isalnum():
        raise ValueError("a 10-character customs code of digits and capital letters")
    return text


def _party(value: object) -> str:
    text = str(value).strip()
    if not text or len(text) > 200:
        raise ValueError("a trader code or declarant name of 1 to 200 characters")
    return text


def _country(value: object) -> str:
    return validate_country(str(value))


def _credit_class(value: object) -> CreditClass:
    return CreditClass(str(value).strip().upper())


# The kinds whose rule lists values: the condition each makes, how one value is read, and what a
# value must be.
_VALUES_KINDS: dict[str, tuple[Any, Callable[[object], object], str]] = {
    "hs_prefix": (HsPrefix, hs_prefix, "HS prefixes: 2 to 10 digits, e.g. 0201 or 8471"),
    "origin": (OriginIn, _country, "ISO 3166 countries, e.g. KP"),
    "trader": (TraderIn, _trader_code, "10-character customs codes of traders"),
    "credit_class": (CreditClassIn, _credit_class, "credit classes among AA, A, B, C, D"),
    "watch_list": (WatchListParty, _party, "trader codes or declarant names"),
}


def _number(data: Mapping[str, Any], key: str, where: str, errors: FieldErrors) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.add(f"{where}.{key}", value, "a number of CNY per unit, 0 or more")
        return 0.0
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        errors.add(f"{where}.{key}", value, "a number of CNY per unit, 0 or more")
        return 0.0
    return number


def _condition(data: Mapping[str, Any], where: str, errors: FieldErrors) -> Condition | None:
    kind = data.get("kind")
    if kind == "unit_value":
        prefix = data.get("hs_prefix")
        try:
            prefix = hs_prefix(prefix)
        except ValueError as error:
            errors.add(f"{where}.hs_prefix", prefix, str(error))
        low, high = _number(data, "low", where, errors), _number(data, "high", where, errors)
        if low > high:
            errors.add(f"{where}.high", data.get("high"), f"at least low ({low:g})")
            return None
        return UnitValueOutside(str(prefix), low, high)
    if kind not in _VALUES_KINDS:
        errors.add(f"{where}.kind", kind, f"one of {', '.join(KINDS)}")
        return None
    values = data.get("values")
    make, parse, expected = _VALUES_KINDS[kind]
    if not isinstance(values, list) or not values:
        errors.add(f"{where}.values", values, f"a non-empty list of {expected}")
        return None
    parsed = []
    for n, value in enumerate(values):
        try:
            parsed.append(parse(value))
        except ValueError:
            errors.add(f"{where}.values[{n}]", value, expected)
    condition: Condition = make(frozenset(parsed))
    return condition


def rule_from_dict(data: Mapping[str, Any], where: str, errors: FieldErrors) -> RiskRule | None:
    """A rule as stored or typed in the rule editor; every bad field is added to `errors`."""
    if not isinstance(data, Mapping):
        errors.add(where, data, "a rule: an object with code, title, lane and kind")
        return None
    found_before = len(errors.errors)
    code = str(data.get("code") or "").strip().upper()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_." for c in code):
        errors.add(f"{where}.code", data.get("code"), "a rule code: 1 to 40 letters, digits, -_.")
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        errors.add(f"{where}.title", data.get("title"), "a title of 1 to 200 characters")
    title_zh = str(data.get("title_zh") or title).strip()[:200]
    try:
        lane = Lane(str(data.get("lane")))
    except ValueError:
        errors.add(f"{where}.lane", data.get("lane"), "green, document or inspection")
        lane = Lane.GREEN
    condition = _condition(data, where, errors)
    if condition is None or len(errors.errors) > found_before:
        return None
    return RiskRule(code, title, title_zh, lane, condition)


def rule_to_dict(rule: RiskRule) -> dict[str, Any]:
    """The stored form of a rule; `rule_from_dict` reads it back to an equal rule."""
    head = {"code": rule.code, "title": rule.title, "title_zh": rule.title_zh}
    head["lane"] = rule.lane.value
    match rule.condition:
        case UnitValueOutside(prefix, low, high):
            return {**head, "kind": "unit_value", "hs_prefix": prefix, "low": low, "high": high}
        case CreditClassIn(classes):
            return {**head, "kind": "credit_class", "values": sorted(c.value for c in classes)}
        case HsPrefix(values) | OriginIn(values) | TraderIn(values) | WatchListParty(values):
            return {**head, "kind": _KIND_OF[type(rule.condition)], "values": sorted(values)}
    raise TypeError(f"no stored form for {rule.condition!r}")


_KIND_OF = {make: kind for kind, (make, _parse, _expected) in _VALUES_KINDS.items()}


def engine_from_document(version: int, document: Mapping[str, Any]) -> RiskEngine:
    """A rule set as stored: {"rules": [...], "random_rates": {"document": r, ...}, "seed": n}.
    Everything wrong is reported at once (ValidationFailed), so an editor can fix it in one go."""
    errors = FieldErrors()
    rules = []
    raw_rules = document.get("rules")
    if not isinstance(raw_rules, list):
        errors.add("rules", raw_rules, "a list of rules")
        raw_rules = []
    for n, data in enumerate(raw_rules):
        rule = rule_from_dict(data, f"rules[{n}]", errors)
        if rule is not None:
            rules.append(rule)
    rates = _rates(document.get("random_rates", {}), errors)
    seed = document.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        errors.add("seed", seed, "a whole number")
        seed = 0
    repeated = sorted(c for c, k in Counter(r.code for r in rules).items() if k > 1)
    for code in repeated:
        errors.add("rules", code, "rule codes unique in the rule set")
    disabled = _disabled(document.get("disabled", []), {r.code for r in rules}, errors)
    errors.raise_if_any("risk rule set")
    return RiskEngine(f"RISK v{version}", rules, rates, seed, frozenset(disabled))


def _disabled(raw: object, known: set[str], errors: FieldErrors) -> list[str]:
    """The codes of the rules switched off: each must be a rule of the set."""
    if not isinstance(raw, list):
        errors.add("disabled", raw, "a list of rule codes")
        return []
    for n, code in enumerate(raw):
        if code not in known:
            errors.add(f"disabled[{n}]", code, "the code of a rule in the set")
    return [str(code) for code in raw]


def _rates(raw: object, errors: FieldErrors) -> dict[Lane, float]:
    if not isinstance(raw, Mapping):
        errors.add("random_rates", raw, 'an object like {"document": 0.03, "inspection": 0.01}')
        return {}
    rates: dict[Lane, float] = {}
    for key, value in raw.items():
        if key not in (Lane.DOCUMENT.value, Lane.INSPECTION.value):
            errors.add(f"random_rates.{key}", value, "a rate for document or inspection")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            errors.add(f"random_rates.{key}", value, "a share between 0 and 1, e.g. 0.03")
        else:
            rates[Lane(key)] = float(value)
    if sum(rates.values()) > 1:
        errors.add("random_rates", dict(raw), "shares that add up to at most 1")
    return rates


def document_of(engine: RiskEngine) -> dict[str, Any]:
    """The stored form of an engine's rules, rates and seed."""
    return {
        "rules": [rule_to_dict(rule) for rule in engine.rules],
        "random_rates": {lane.value: rate for lane, rate in engine.random_rates.items()},
        "seed": engine.seed,
        **({"disabled": sorted(engine.disabled)} if engine.disabled else {}),
    }


# What each lane asks of the customs review: green releases, document refers to an officer,
# inspection orders one.
LANE_ACTION = {
    Lane.GREEN: Action.APPROVE,
    Lane.DOCUMENT: Action.REFER,
    Lane.INSPECTION: Action.INSPECT,
}
LANE_STATUS = {
    Lane.GREEN: ReviewStatus.APPROVED,
    Lane.DOCUMENT: ReviewStatus.PENDING,
    Lane.INSPECTION: ReviewStatus.INSPECT,
}


class RiskRuleSet:
    """Customs' rule set for declarations: the risk engine as a rule set of the review engine,
    each rule that hit a hit, the lane the review's status and reason."""

    def __init__(self, engine: RiskEngine) -> None:
        self.engine = engine
        self._rules = {rule.code: rule for rule in engine.rules}
        # Verdicts by (lane, rules hit, chance): a handful, shared by thousands of declarations.
        self._outcomes: dict[tuple[Lane, tuple[str, ...], bool], Outcome] = {}

    @property
    def label(self) -> str:
        return self.engine.version

    def evaluate(self, facts: DeclarationFacts, phase: Phase) -> Outcome:
        return self.outcome(self.engine.assess(facts))

    def outcome(self, assessment: Assessment, checks: tuple[Hit, ...] = ()) -> Outcome:
        """The review's verdict on an assessment: "document lane: <titles>; random selection".
        `checks` are hits of customs' fixed checks beside the rule set (the manifest's
        write-off): they count like rules, each at the lane of its action."""
        if checks:
            return self._outcome(assessment, checks)
        key = (assessment.lane, assessment.rules_hit, assessment.random_selected)
        found = self._outcomes.get(key)
        if found is None:
            found = self._outcomes[key] = self._outcome(assessment)
        return found

    def _outcome(self, assessment: Assessment, checks: tuple[Hit, ...] = ()) -> Outcome:
        rules = [self._rules[code] for code in assessment.rules_hit]
        hits = tuple(
            Hit(rule.code, LANE_ACTION[rule.lane], Reason("risk.title", _titles(rule)))
            for rule in rules
        )
        why = [Reason("risk.title", _titles(rule)) for rule in rules]
        why += [hit.reason for hit in checks]
        if assessment.random_selected:
            why.append(Reason("risk.random"))
        lane = lane_with(assessment.lane, checks)
        named = Reason(f"lane.{lane.value}")
        summary = (
            Reason("risk.lane_rules", {"lane": named, "titles": why})
            if why
            else Reason("risk.lane", {"lane": named})
        )
        return Outcome(LANE_STATUS[lane], hits + checks, self.label, summary)


ACTION_LANE = {action: lane for lane, action in LANE_ACTION.items()}


def lane_with(lane: Lane, checks: tuple[Hit, ...]) -> Lane:
    """The strongest of the rule set's lane and the lanes of the checks' actions."""
    lanes = [lane, *(ACTION_LANE[hit.action] for hit in checks)]
    return max(lanes, key=LANE_RANK.__getitem__)


def _titles(rule: RiskRule) -> dict[str, str]:
    return {"title": rule.title, "title_zh": rule.title_zh}
