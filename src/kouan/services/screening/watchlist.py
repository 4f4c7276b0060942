"""The watch list as a precompiled in-memory index: each entry's names read once (every part
with its spellings and keys), postings from keys to the entries that have them, so that a
person is scored only against the few entries that share keys with every part of a name.

Blocking keys of a part: each spelling and its one-letter deletions (a typo on either side
leaves one deletion in common), the keys of the romanization families the entry is read in
(pinyin, Korean, Hepburn, Cyrillic), and joined neighbouring parts (XIAO MING as XIAOMING). An
entry is a candidate when it shares keys with every part of the person's name (one part may
miss when there are three or more), or has the same document number.

Postings are kept by year of birth. When the policy says that a match of people born years
apart cannot reach the threshold, a person is looked up among the entries born within the
tolerance of their year and those whose birth is not known; by typo keys, when a name one typo
away could not reach the threshold otherwise, among those born in their very year. A candidate
whose birth, nationality and document keep even the same name below the threshold (full dates
more than one slip apart) is passed over; the rest are scored (kouan.domain.names.match).

The index pickles as its entries and policy and is rebuilt from them on load.
"""

from __future__ import annotations

import gc
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

from kouan.domain.names import messages
from kouan.domain.names.model import EVERY_FAMILY, Name, Part
from kouan.domain.names.person import Identity, PersonMatch, Policy, match, most
from kouan.domain.names.score import TYPO_COST
from kouan.domain.reasons import Reason

_MAX_SPELLINGS = 6  # of a part, for blocking keys (the later ones are rare spellings)
_DELETIONS_FROM = 3
_JOINS = 5  # shorter spellings get no deletion keys: their neighbours are other names
_KEPT = 200_000  # looked-up postings kept for the next people
_FEW = 4  # postings whose entries of a year are not worth joining and keeping

Years = tuple[int, ...] | None  # years of birth to look in (0: not known); None for any
Postings = dict[int, set[int]]  # a term's entries by year of birth


@dataclass(frozen=True, slots=True)
class Entry:
    """One watch-list entry as imported."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    date_of_birth: str | None = None  # YYYY-MM-DD or YYYY
    nationality: str | None = None
    document_number: str | None = None
    reason: str = ""
    source: str = ""

    def identity(self) -> Identity:
        return Identity.of(
            [self.name, *self.aliases], self.date_of_birth, self.nationality, self.document_number
        )


@dataclass(frozen=True, slots=True)
class Traveller:
    """Who is screened: a passenger's or crew member's name as on the document (family name
    first or not), date of birth, nationality and document number."""

    name: str
    date_of_birth: date | str | None = None
    nationality: str | None = None
    document_number: str | None = None

    @classmethod
    def of(cls, person: Any) -> Traveller:
        """From a filing's person (family_name, given_names, nationality, date_of_birth and a
        document with a number), a person list's (its travel_document()), or anything alike."""
        document = getattr(person, "document", None)
        if document is None and callable(getattr(person, "travel_document", None)):
            document = person.travel_document()
        return cls(
            f"{person.family_name} {getattr(person, 'given_names', '') or ''}".strip(),
            getattr(person, "date_of_birth", None),
            getattr(person, "nationality", None),
            getattr(document, "number", None) if document is not None else None,
        )

    def identity(self) -> Identity:
        return Identity.of(self.name, self.date_of_birth, self.nationality, self.document_number)


@dataclass(frozen=True)
class Hit:
    """A watch-list entry the person matches: its id, the score and why."""

    entry_id: str
    score: float
    reasons: list[Reason]
    entry: Entry
    match: PersonMatch = field(repr=False)

    def reason(self) -> Reason:
        """One reason for the whole hit (entry, source, score and each part's reason)."""
        return messages.reason(
            "screening.hit",
            entry=self.entry_id,
            source=self.entry.source or "-",
            score=f"{self.score:.3f}",
            reasons=self.reasons,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "score": self.score,
            "reasons": [r.as_dict() for r in self.reasons],
            "text": [r.text for r in self.reasons],
            "entry_reason": self.entry.reason,
            "source": self.entry.source,
        }


@dataclass(frozen=True, slots=True)
class _Lookup:
    """What a part (or two neighbouring parts written together) is looked up by: spellings and
    keys per family, and the positions of the parts it stands for."""

    spellings: tuple[str, ...]
    keys: dict[str, tuple[str, ...]]
    positions: tuple[int, ...]
    joined: bool = False


def _pieces(parts: tuple[Part, ...], joins: int = 99) -> list[tuple[int, ...]]:
    """The positions of the parts to look up (initials are not) and of neighbours written
    together (XIAO MING as XIAOMING) when both are at most `joins` letters long."""
    out: list[tuple[int, ...]] = [(n,) for n, p in enumerate(parts) if not p.initial]
    for n in range(len(parts) - 1):
        first, second = parts[n], parts[n + 1]
        if first.initial or second.initial or max(len(first.main), len(second.main)) > joins:
            continue
        out.append((n, n + 1))
    return out


def _lookup(parts: tuple[Part, ...], positions: tuple[int, ...]) -> _Lookup:
    """A part's spellings and keys, or two neighbours' joined without reading the joined word
    again."""
    if len(positions) == 1:
        part = parts[positions[0]]
        keys = {family: tuple(found) for family, found in part.keys.items()}
        return _Lookup(part.spellings[:_MAX_SPELLINGS], keys, positions)
    first, second = parts[positions[0]], parts[positions[1]]
    spellings = tuple(
        a + b for a in first.spellings[:2] for b in second.spellings[:2] if a.isascii()
    )
    joined = {
        family: tuple(a + b for a in list(found)[:3] for b in list(second.keys[family])[:3])
        for family, found in first.keys.items()
        if family in second.keys
    }
    return _Lookup(spellings, joined, positions, joined=True)


def _strong_keys(lookup: _Lookup, families: frozenset[str]) -> list[str]:
    """Keys of the same spelling or of one name in another romanization."""
    keys = ["=" + s for s in lookup.spellings]
    for family, found in lookup.keys.items():
        if family in families:
            keys += [f"{family}:{key}" for key in found]
    return keys


def _typo_keys(lookup: _Lookup) -> list[str]:
    """A spelling and its one-letter deletions: two spellings one edit apart share one."""
    keys: list[str] = []
    if lookup.joined:  # a typo in a word written as two is one too many
        return keys
    for spelling in [s for s in lookup.spellings if s.isascii()][:3]:
        keys.append("-" + spelling)
        if len(spelling) >= _DELETIONS_FROM:
            keys += ["-" + spelling[:i] + spelling[i + 1 :] for i in range(len(spelling))]
    return keys


def _typo_bound(parts: tuple[Part, ...]) -> float:
    """The best name score of a name that matches these parts but for one edit in one of them:
    the other parts alike, the edited part one letter longer (the likeliest such score)."""
    looked = [p for p in parts if not p.initial]
    total = 2 * sum(p.weight for p in looked) + 1
    best = 0.0
    for part in looked:
        lacking = TYPO_COST / (len(part.main) + 1)
        best = max(best, 1 - lacking * (2 * part.weight + 1) / total)
    return best


@dataclass(slots=True)
class _Met:
    """The postings a part's keys meet, and the entries they have born in a year: a set a
    posting when they are few, else one set kept for the next person of that name born in or
    next to that year (the names of many postings are the common ones)."""

    postings: list[Postings]
    joined: dict[int, set[int]] = field(default_factory=dict)

    def born_in(self, years: Years) -> list[set[int]]:
        """The entries born in `years` (in any, for None), empty sets left out."""
        postings = self.postings
        if years is None:
            return [entries for by_year in postings for entries in by_year.values()]
        if len(postings) <= _FEW:
            return [by_year[year] for year in years for by_year in postings if year in by_year]
        out = []
        for year in years:
            found = self.joined.get(year)
            if found is None:
                found = self.joined[year] = set().union(
                    *[by_year[year] for by_year in postings if year in by_year]
                )
            if found:
                out.append(found)
        return out


class WatchListIndex:
    """The watch list, indexed. Build with `WatchListIndex(entries, policy)`; `screen(person)`
    gives the entries the person matches, best first; `screen_all(people)` a list's. With
    `freeze` (the default) the objects of the process, the index's among them, are moved out of
    the garbage collector's reach once built (gc.freeze)."""

    def __init__(
        self, entries: Iterable[Entry], policy: Policy | None = None, freeze: bool = True
    ) -> None:
        self.policy = policy or Policy()
        self.entries: list[Entry] = []
        self._identities: list[Identity] = []
        self._years = array("H")  # an entry's year of birth, 0 when not known
        self._parts = array("B")  # the fewest parts (not initials) of an entry's names
        self._key_terms: dict[str, list[int]] = {}
        self._term_ids: dict[tuple[tuple[str, ...], frozenset[str]], int] = {}
        self._piece_terms: dict[tuple[Any, ...], int] = {}  # (families, *parts) -> term
        self._names: dict[Name, tuple[list[int], int]] = {}  # terms, parts that count
        # A term's entries by year of birth: a person is looked up in a few years only.
        self._postings: list[Postings] = []
        self._documents: dict[str, list[int]] = {}
        self._mononyms: set[int] = set()  # entries with a name of one part
        self._looked_up: dict[tuple[Part, ...], tuple[_Met, _Met]] = {}
        # The collector would walk the growing index again and again: off while it is built.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for entry in entries:
                self._add(entry)
        finally:
            if collecting:
                gc.enable()
        if freeze:
            # The index lives as long as the process screens with it: the collector need not
            # walk its millions of objects at every full collection (it holds no reference
            # cycles). This halves screening time against a large list.
            gc.freeze()

    def __len__(self) -> int:
        return len(self.entries)

    def __getstate__(self) -> dict[str, Any]:
        return {"entries": self.entries, "policy": self.policy}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["entries"], state["policy"])  # type: ignore[misc]

    # --- building -------------------------------------------------------------------------

    def _add(self, entry: Entry) -> None:
        number = len(self.entries)
        identity = entry.identity()
        year = identity.birth.year if identity.birth else 0
        self.entries.append(entry)
        self._identities.append(identity)
        self._years.append(year)
        fewest = 255
        for name in identity.names:
            terms, readable = self._read(name)
            fewest = min(fewest, readable or 255)
            for term in terms:
                by_year = self._postings[term]
                posting = by_year.get(year)
                if posting is None:
                    by_year[year] = {number}
                else:
                    posting.add(number)
        self._parts.append(fewest)
        if fewest == 1:
            self._mononyms.add(number)
        if identity.document:
            self._documents.setdefault(identity.document, []).append(number)

    def _read(self, name: Name) -> tuple[list[int], int]:
        """A listed name's terms and how many parts it has that count, kept: many entries
        share a name, and parsing gives them the same one."""
        found = self._names.get(name)
        if found is None:
            # Parts that only their own script matches (unread kanji) do not count.
            readable = sum(1 for p in name.parts if not p.initial and p.main.isascii())
            found = self._names[name] = (self._name_terms(name), readable)
        return found

    def _name_terms(self, name: Name) -> list[int]:
        """The terms of a listed name's parts and joined neighbours. Parts are shared by the
        names that have them (parsing keeps them): each piece is read once, not per name."""
        families, parts = name.families, name.parts
        known = self._piece_terms
        terms = []
        # Listed parts joined only when syllable-like (MIN JUN, XIAO MING): a passport that
        # writes two long words as one is rare.
        for at in _pieces(parts, _JOINS):
            piece = (families, *parts[at[0] : at[-1] + 1])
            term = known.get(piece)
            if term is None:
                term = known[piece] = self._term(_lookup(parts, at), families)
            terms.append(term)
        return terms

    def _term(self, lookup: _Lookup, families: frozenset[str]) -> int:
        signature = (lookup.spellings, families)
        term = self._term_ids.get(signature)
        if term is None:
            term = self._term_ids[signature] = len(self._postings)
            self._postings.append({})
            for key in {*_strong_keys(lookup, families), *_typo_keys(lookup)}:
                self._key_terms.setdefault(key, []).append(term)
        return term

    # --- screening ------------------------------------------------------------------------

    def screen(self, person: Traveller | Identity) -> list[Hit]:
        """The entries `person` matches at the policy's threshold, best first."""
        identity = person.identity() if isinstance(person, Traveller) else person
        hits = []
        for number in self.candidates(identity):
            found = match(identity, self._identities[number], self.policy)
            if found.hit:
                entry = self.entries[number]
                hits.append(Hit(entry.id, found.score, found.reasons, entry, found))
        hits.sort(key=lambda h: (-h.score, h.entry_id))
        return hits

    def screen_all(self, people: Iterable[Traveller | Identity]) -> list[list[Hit]]:
        """A whole list's hits, person by person."""
        return [self.screen(person) for person in people]

    def candidates(self, identity: Identity) -> set[int]:
        """The entries worth scoring: blocked by name keys and year of birth, then by what
        their birth, nationality and document leave a name to reach; and those of the same
        document."""
        policy = self.policy
        born = identity.birth.year if identity.birth else 0
        near = self._near_years(born)
        found: set[int] = set()
        for name in identity.names:
            typo = self._typo_years(name.parts, born, near)
            found |= self._name_candidates(name.parts, near, typo)
        # Full dates of birth apart (or a nationality and a date ...) keep even the same name
        # below the threshold: cheaper to know than the name's score.
        entries = self._identities
        found = {e for e in found if most(identity, entries[e], policy) >= policy.threshold}
        if identity.document:
            found.update(self._documents.get(identity.document, ()))
        return found

    def _near_years(self, born: int) -> Years:
        """The years of birth a candidate may have: the person's within the tolerance, or none
        given; any when the person's is not known or the policy lets names match across years."""
        policy = self.policy
        if not born or policy.most_when_born_apart() >= policy.threshold:
            return None
        tolerance = policy.dob_tolerance_years
        return (0, *range(born - tolerance, born + tolerance + 1))

    def _typo_years(self, parts: tuple[Part, ...], born: int, near: Years) -> Years:
        """The years of birth of a candidate its typo keys find: a name one typo away scores
        below the threshold unless the birth year agrees (none when it is not known)."""
        most = _typo_bound(parts)
        most += (1 - most) * self.policy.nationality_same
        if most >= self.policy.threshold:
            return near
        return (born,) if born else ()

    def _name_candidates(self, parts: tuple[Part, ...], near: Years, typo: Years) -> set[int]:
        """Entries whose keys meet every part (one may miss of three or more): by spellings
        and romanizations alone among those born in `near` years, and by typos too among those
        born in `typo` years."""
        looked = [n for n, p in enumerate(parts) if not p.initial]
        strong: dict[int, list[set[int]]] = {n: [] for n in looked}
        loose: dict[int, list[set[int]]] = {n: [] for n in looked}
        for at in _pieces(parts):
            by_name, by_typo = self._postings_of(parts[at[0] : at[-1] + 1])
            named = by_name.born_in(near)
            typos = by_typo.born_in(typo)
            for n in at:
                strong[n] += named
                loose[n] += typos
        # A part's postings are joined once (in C), for both coverings.
        joined = {n: _joined(strong[n]) for n in looked}
        sure = self._covering([[joined[n]] for n in looked])
        if typo == ():
            return sure
        # An entry born in a `typo` year that typo keys cover is kept; one born in another
        # of the `near` years is covered here only if it is in `sure` already.
        return sure | self._covering([[joined[n], *loose[n]] for n in looked])

    def _postings_of(self, piece: tuple[Part, ...]) -> tuple[_Met, _Met]:
        """The postings a part's keys (or two neighbours' joined) meet, and those its typo keys
        meet; kept for the next person with the part (common surnames come again and again)."""
        found = self._looked_up.get(piece)
        if found is None:
            lookup = _lookup(piece, tuple(range(len(piece))))
            postings = self._postings
            if len(self._looked_up) > _KEPT:
                self._looked_up.clear()
            found = self._looked_up[piece] = (
                _Met([postings[t] for t in self._terms_of(_strong_keys(lookup, EVERY_FAMILY))]),
                _Met([postings[t] for t in self._terms_of(_typo_keys(lookup))]),
            )
        return found

    def _terms_of(self, keys: list[str]) -> list[int]:
        terms: set[int] = set()
        key_terms = self._key_terms
        for key in keys:
            found = key_terms.get(key)
            if found:
                terms.update(found)
        return list(terms)

    def _covering(self, sets: list[list[set[int]]]) -> set[int]:
        """Entries in the postings of every part (of all but one, for three parts or more)."""
        if not sets:
            return set()
        # A part's many postings are joined first (in C): fewer pairs to intersect after.
        sets = [[set().union(*s)] if len(s) > 2 else s for s in sets]
        if len(sets) == 1:
            return set().union(*sets[0])
        found = self._short_names(sets)
        if len(sets) == 2:
            return found | _intersect(sets[0], sets[1])
        counts: Counter[int] = Counter()
        for i, j in combinations(range(len(sets)), 2):
            counts.update(_intersect(sets[i], sets[j]))
        need = len(sets) - 1
        fewest = self._parts
        for entry, count in counts.items():
            # An entry hit by k parts is in k(k-1)/2 of the pairs' sets.
            hit_by = round((1 + (1 + 8 * count) ** 0.5) / 2)
            if hit_by >= min(need, fewest[entry]):
                found.add(entry)
        return found

    def _short_names(self, sets: list[list[set[int]]]) -> set[int]:
        """Entries with a one-part name that one of the person's parts hits (a mononym)."""
        found: set[int] = set()
        if self._mononyms:
            for postings in sets:
                for s in postings:
                    found |= s & self._mononyms
        return found

    def entries_with_document(self, number: str) -> Iterator[Entry]:
        from kouan.domain.names.person import document_key

        for n in self._documents.get(document_key(number), ()):
            yield self.entries[n]


def _joined(sets: list[set[int]]) -> set[int]:
    """The sets' entries: the one set itself, or their union."""
    return sets[0] if len(sets) == 1 else set().union(*sets)


def _intersect(one: list[set[int]], other: list[set[int]]) -> set[int]:
    """Entries in one of `one`'s sets and in one of `other`'s (each pair intersected in C)."""
    out: set[int] = set()
    for a in one:
        for b in other:
            out |= a & b if len(a) <= len(b) else b & a
    return out
