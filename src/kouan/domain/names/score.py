"""Two names compared part by part: each part of one name is paired with at most one of the
other's (in any order), a part may be two of the other's written together (XIAOMING and XIAO
MING), and the score is the pairs' similarity weighted by the parts' lengths, parts left over
counting against it (less than a part that differs: a middle name is often left out).

A pair of parts is the same spelling (exact, or without diacritics), a transliteration (a
spelling the other's script gives: pinyin, Revised Romanization, ICAO 9303 ...), a variant
(both spellings meet under a family's key: Wade–Giles and pinyin, CHOI and CHOE, SATOU and
SATO, SERGEY and SERGEI), an initial, or a typo, scored by its edit distance."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, permutations

from rapidfuzz.distance import OSA, Levenshtein

from kouan.domain.names import messages
from kouan.domain.names.model import (
    ALL_FAMILIES,
    DIACRITICS,
    ICAO_LATIN,
    NATIVE,
    Name,
    Part,
    merged,
    parse,
)
from kouan.domain.reasons import Reason

EXACT, DIACRITIC, TRANSLITERATION, VARIANT, TYPO, INITIAL, DIFFERS, MISSING = (
    "exact", "diacritics", "transliteration", "variant", "typo", "initial", "differs", "missing",
)  # fmt: skip

# Similarities of a pair of parts by how they match (tuned on tests/data/screening/name_pairs.csv).
VARIANT_SIM = 0.95  # the same name in two romanizations: as good as the same, not quite
INITIAL_SIM = 0.85
JOINED = 0.98  # a part written as two of the other's
TYPO_COST = 1.6  # an edit costs this share of a part's length (a typo in LI matters more)
TRANSPOSED = 0.6  # two letters swapped count as this share of an edit (the commonest slip)
KEY_TYPO = 0.9  # a typo in a romanization key, against one in the spelling itself
# Names that differ by their last vowel or a final S are often the other gender's or language's
# form of one name (PAUL and PAULA, MARIA and MARIO, ANDREA and ANDREAS, IVANOV and IVANOVA).
OTHER_ENDING = 0.85
# Parts both written in the syllables of one script (pinyin, Japanese morae) a letter apart are
# likelier two names than a typo (XIAOMIN and XIAOMING, YUKI and YUKO).
OTHER_SYLLABLES = 0.85
MIN_PAIR = 0.35  # parts less alike than this are not paired at all
LEFT_OVER = 0.6  # the weight of a part left without a pair, against the weight of a pair's
LEFT_OVER_MOST = 5.0  # and at most this: a long patronymic left out is no worse than a short one
_MERGE_BELOW = 0.999
_LOOSE = 0.9  # a part matched less well than this may be half of a joined one
_BASE_SYSTEMS = frozenset({"pinyin", "rr", "hepburn", "icao", "latin"})


@dataclass(frozen=True, slots=True)
class PartMatch:
    """How one part of name a matched one of name b (or matched nothing: `how` missing)."""

    a: str
    b: str
    how: str
    similarity: float
    system: str | None = None
    distance: int | None = None
    joined: bool = False

    def reason(self) -> Reason:
        params: dict[str, object] = {"a": self.a, "b": self.b}
        if self.how == MISSING:
            params = {"a": self.a or self.b}
        if self.system is not None and self.how in (TRANSLITERATION, VARIANT):
            params["system"] = messages.system(self.system)
        if self.how == TYPO:
            params["distance"] = self.distance
        inner = messages.reason(f"screening.part.{self.how}", **params)
        if not self.joined:
            return inner
        return messages.reason("screening.part.joined", a=self.a, b=self.b, how=inner)


@dataclass(frozen=True, slots=True)
class Match:
    """Two names' score in 0..1 and how their parts matched."""

    score: float
    parts: tuple[PartMatch, ...] = ()
    reordered: bool = False
    a: str = ""
    b: str = ""
    _weights: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def reasons(self) -> list[Reason]:
        out = [part.reason() for part in self.parts]
        if self.reordered:
            out.append(messages.reason("screening.reordered"))
        return out


# --- one pair of parts -------------------------------------------------------------------------

_CACHE: dict[tuple[Part, Part, frozenset[str]], PartMatch] = {}


def compare(a: Part, b: Part, families: frozenset[str]) -> PartMatch:
    """How part a matches part b, read in `families`."""
    cached = _CACHE.get((a, b, families))
    if cached is None:
        if len(_CACHE) > 500_000:
            _CACHE.clear()
        cached = _compare(a, b, families)
        _CACHE[(a, b, families)] = cached
    return cached


def _compare(a: Part, b: Part, families: frozenset[str]) -> PartMatch:
    if a.initial or b.initial:
        return _initial(a, b)
    spellings = b.spellings
    for same in a.spellings:
        if same in spellings:
            return _same(a, b, same)
    variant = _variant(a, b, families)
    if variant is not None:
        return variant
    return _typo(a, b, families)


def _initial(a: Part, b: Part) -> PartMatch:
    letter, other = (a.main, b) if a.initial else (b.main, a)
    if other.initial:
        how = EXACT if a.main == b.main else DIFFERS
        return PartMatch(a.raw, b.raw, how, 1.0 if how == EXACT else 0.0)
    if any(s.startswith(letter) for s in other.spellings if s.isascii()):
        return PartMatch(a.raw, b.raw, INITIAL, INITIAL_SIM)
    return PartMatch(a.raw, b.raw, DIFFERS, 0.0)


def _same(a: Part, b: Part, spelling: str) -> PartMatch:
    systems = (a.system_of(spelling), b.system_of(spelling))
    native = [s for s, part in zip(systems, (a, b), strict=True) if part.native and s != NATIVE]
    if native and a.raw != b.raw:
        return PartMatch(a.raw, b.raw, TRANSLITERATION, 1.0, native[0])
    if (DIACRITICS in systems or ICAO_LATIN in systems) and a.raw.upper() != b.raw.upper():
        return PartMatch(a.raw, b.raw, DIACRITIC, 1.0, DIACRITICS)
    return PartMatch(a.raw, b.raw, EXACT, 1.0)


_FAMILY_ORDER = ("zh", "ja", "ko", "kv", "ru")  # the parsed families first: their reasons say more
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def _single(spelling: str) -> str:
    """The spelling with doubled letters written once (MOHAMMED as MOHAMED)."""
    return _DOUBLED.sub(r"\1", spelling)


def _variant(a: Part, b: Part, families: frozenset[str]) -> PartMatch | None:
    if a.main.isascii() and _single(a.main) == _single(b.main):
        return PartMatch(a.raw, b.raw, VARIANT, VARIANT_SIM, "doubled")
    for family in _FAMILY_ORDER:
        if family not in families:
            continue
        ka, kb = a.keys.get(family), b.keys.get(family)
        if not ka or not kb:
            continue
        for common in ka:
            if common in kb:
                system = ka[common] if kb[common] in _BASE_SYSTEMS else kb[common]
                return PartMatch(a.raw, b.raw, VARIANT, VARIANT_SIM, system)
    return None


def _typo(a: Part, b: Part, families: frozenset[str]) -> PartMatch:
    best, distance, ending = _closest(a.spellings[:4], b.spellings[:4])
    for family in families & a.keys.keys() & b.keys.keys():
        # A typo in a romanized spelling: the keys are close where the spellings are not.
        sim, d, _ = _closest(tuple(a.keys[family])[:3], tuple(b.keys[family])[:3])
        if sim * KEY_TYPO > best:
            best, distance, ending = sim * KEY_TYPO, d, False
    if _syllabic(a, b, families):
        best *= OTHER_SYLLABLES
    if ending:
        best *= OTHER_ENDING
    if best >= MIN_PAIR and distance <= 2:
        return PartMatch(a.raw, b.raw, TYPO, best, distance=distance)
    return PartMatch(a.raw, b.raw, DIFFERS, best, distance=distance)


def _syllabic(a: Part, b: Part, families: frozenset[str]) -> bool:
    """Whether both parts read as syllables of one script: pinyin, or Japanese morae."""
    za, zb = a.keys.get("zh") or {}, b.keys.get("zh") or {}
    if "zh" in families and "pinyin" in za.values() and "pinyin" in zb.values():
        return True
    # Morae only for a name known to be Japanese: GIUSEPPE reads as morae too.
    explicit = families != ALL_FAMILIES
    return explicit and "ja" in families and bool(a.keys.get("ja")) and bool(b.keys.get("ja"))


_ENDINGS = frozenset("AEIOS")


def _other_ending(x: str, y: str) -> bool:
    """Whether x and y differ by a last vowel or a final S only (PAUL, PAULA; MARIA, MARIO)."""
    if len(x) > len(y):
        x, y = y, x
    if len(y) == len(x) + 1:
        return y.startswith(x) and y[-1] in _ENDINGS
    return len(x) == len(y) and x[:-1] == y[:-1] and x[-1] in _ENDINGS and y[-1] in _ENDINGS


def _closest(one: tuple[str, ...], other: tuple[str, ...]) -> tuple[float, int, bool]:
    """The best similarity of two spellings by edit distance, the edits, and whether they
    differ in the ending alone."""
    best, distance, ending = 0.0, 99, False
    others = [y for y in other if y.isascii()]
    for x in one:
        if not x.isascii():
            continue
        for y in others:
            d = OSA.distance(x, y)
            longest = max(len(x), len(y))
            if not d:
                sim = 1.0
            else:
                # Levenshtein counts a swap as two edits where OSA counts one: asked only when
                # a swap would make this pair the best.
                swap = 1.0 - TYPO_COST * (d - (1 - TRANSPOSED)) / longest
                if swap <= 0.0 or swap < best:
                    sim = max(0.0, 1.0 - TYPO_COST * d / longest)
                else:
                    swapped = Levenshtein.distance(x, y, score_cutoff=d + 1) - d
                    edits = d - (1 - TRANSPOSED) * swapped
                    sim = max(0.0, 1.0 - TYPO_COST * edits / longest)
            if sim > best or (sim == best and d < distance):
                best, distance, ending = sim, d, d == 1 and _other_ending(x, y)
    return best, distance, ending


# --- whole names ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Pairing:
    value: float
    pairs: list[tuple[int, int, PartMatch]]


def _pairing(a: tuple[Part, ...], b: tuple[Part, ...], families: frozenset[str]) -> _Pairing:
    """The pairing of a's parts with b's that maximises the pairs' weighted similarity."""
    table = [[compare(x, y, families) for y in b] for x in a]
    gains = [
        [m.similarity * (x.weight + y.weight) if m.similarity >= MIN_PAIR else 0.0
         for m, y in zip(row, b, strict=True)]
        for row, x in zip(table, a, strict=True)
    ]  # fmt: skip
    if len(a) <= len(b):
        chosen = _assign(gains, len(a), len(b))
    else:
        flipped = _assign([list(col) for col in zip(*gains, strict=True)], len(b), len(a))
        chosen = [(i, j) for j, i in flipped]
    pairs = [(i, j, table[i][j]) for i, j in chosen if gains[i][j] > 0]
    return _Pairing(sum(gains[i][j] for i, j, _ in pairs), pairs)


_ITEM = list.__getitem__


def _assign(gains: list[list[float]], n: int, m: int) -> list[tuple[int, int]]:
    """Rows 0..n-1 to distinct columns of m >= n, maximising the sum (exhaustive while small)."""
    if m <= 7:
        best, best_cols = -1.0, tuple[int, ...]()
        for cols in permutations(range(m), n):
            total = sum(map(_ITEM, gains, cols))  # gains[i][cols[i]], in C
            if total > best + 1e-12:
                best, best_cols = total, cols
        return list(enumerate(best_cols))
    # Many parts: greedily, best pair first.
    order = sorted(((gains[i][j], i, j) for i in range(n) for j in range(m)), reverse=True)
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _, i, j in order:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j))
    return out


def _score(a: tuple[Part, ...], b: tuple[Part, ...], pairing: _Pairing) -> float:
    paired_a = {i for i, _, _ in pairing.pairs}
    paired_b = {j for _, j, _ in pairing.pairs}
    left_a = [p.weight for n, p in enumerate(a) if n not in paired_a]
    left_b = [p.weight for n, p in enumerate(b) if n not in paired_b]
    weight = sum(a[i].weight + b[j].weight for i, j, _ in pairing.pairs)
    if left_a and left_b:
        # Parts left on both sides are parts that differ, not a middle name left out.
        return pairing.value / (weight + sum(left_a) + sum(left_b))
    weight += LEFT_OVER * sum(min(w, LEFT_OVER_MOST) for w in left_a + left_b)
    return pairing.value / weight if weight else 0.0


def _with_merge(parts: tuple[Part, ...], i: int, j: int) -> tuple[Part, ...]:
    rest = tuple(p for n, p in enumerate(parts) if n not in (i, j))
    return (merged(parts[i], parts[j]), *rest)


def _options(
    parts: tuple[Part, ...], others: tuple[Part, ...], fams: frozenset[str]
) -> list[tuple[Part, ...]]:
    """The parts with two of them written together, in either order: two that match none of
    the other name's parts well (MIN and JUN against MINJUN)."""
    if len(parts) > 5:
        return []
    loose = [
        n for n, p in enumerate(parts)
        if not p.initial and max(compare(p, o, fams).similarity for o in others) < _LOOSE
    ]  # fmt: skip
    return [_with_merge(parts, i, j) for i in loose for j in loose if i != j]


def score(a: Name | str, b: Name | str, families: frozenset[str] | None = None) -> Match:
    """How alike names a and b are: a score in 0..1 and each part's match. Strings are read
    with no nationality (every romanization, Han as Chinese)."""
    name_a = parse(a, None, True) if isinstance(a, str) else a
    name_b = parse(b, None, True) if isinstance(b, str) else b
    if not name_a.parts or not name_b.parts:
        return Match(0.0, (), False, name_a.text, name_b.text)
    fams = families if families is not None else name_a.families | name_b.families
    best = _best(name_a.parts, name_b.parts, fams)
    return _match(name_a, name_b, *best)


def _best(
    a: tuple[Part, ...], b: tuple[Part, ...], fams: frozenset[str]
) -> tuple[tuple[Part, ...], tuple[Part, ...], _Pairing, float]:
    pairing = _pairing(a, b, fams)
    best = (a, b, pairing, _score(a, b, pairing))
    if best[3] >= _MERGE_BELOW or (
        len(a) == len(b)
        and len(pairing.pairs) == len(a)
        and all(m.similarity >= VARIANT_SIM for *_, m in pairing.pairs)
    ):
        return best  # fmt: skip
    # Only the name of more parts may have two written apart that the other writes as one.
    options = (
        [(o, b) for o in _options(a, b, fams)] if len(a) > len(b)
        else [(a, o) for o in _options(b, a, fams)] if len(b) > len(a)
        else []
    )  # fmt: skip
    for option_a, option_b in options:
        pairing = _pairing(option_a, option_b, fams)
        # A joined part's pairs are a little less sure than the parts written alike.
        joined_value = sum(
            m.similarity * (1 - JOINED) * (option_a[i].weight + option_b[j].weight)
            for i, j, m in pairing.pairs
            if (i == 0 and option_a is not a) or (j == 0 and option_b is not b)
        )
        pairing.value -= joined_value
        value = _score(option_a, option_b, pairing)
        if value > best[3] + 1e-9:
            best = (option_a, option_b, pairing, value)
    return best


def _match(
    name_a: Name,
    name_b: Name,
    a: tuple[Part, ...],
    b: tuple[Part, ...],
    pairing: _Pairing,
    value: float,
) -> Match:
    joined_a, joined_b = a is not name_a.parts, b is not name_b.parts
    parts: list[PartMatch] = []
    for i, j, m in sorted(pairing.pairs):
        joined = (joined_a and i == 0) or (joined_b and j == 0)
        parts.append(_joined(m) if joined else m)
    paired_a = {i for i, _, _ in pairing.pairs}
    paired_b = {j for _, j, _ in pairing.pairs}
    parts += [PartMatch(p.raw, "", MISSING, 0.0) for n, p in enumerate(a) if n not in paired_a]
    parts += [PartMatch("", p.raw, MISSING, 0.0) for n, p in enumerate(b) if n not in paired_b]
    at_a, at_b = _positions(name_a.parts), _positions(name_b.parts)
    order = sorted((at_a.get(a[i].raw.split(" ")[0], 0), at_b.get(b[j].raw.split(" ")[0], 0))
                   for i, j, _ in pairing.pairs)  # fmt: skip
    reordered = any(x[1] > y[1] for x, y in pairwise(order))
    return Match(round(min(1.0, value), 4), tuple(parts), reordered, name_a.text, name_b.text)


def _joined(m: PartMatch) -> PartMatch:
    return PartMatch(m.a, m.b, m.how, m.similarity * JOINED, m.system, m.distance, True)


def _positions(parts: tuple[Part, ...]) -> dict[str, int]:
    """Where each part stands in the name as written (a joined part by its first)."""
    return {p.raw: n for n, p in reversed(list(enumerate(parts)))}
