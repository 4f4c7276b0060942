"""A person against a watch-list entry: the best of their names' scores, moved by the date or
year of birth, the nationality and the document number, each with its reason. The weights and
the threshold are a `Policy`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz.distance import OSA

from kouan.domain.names import messages
from kouan.domain.names.model import Name, country, parse
from kouan.domain.names.score import Match, score
from kouan.domain.reasons import Reason

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# Letters and digits that documents' OCR and typists confuse.
_CONFUSED = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2",
                           "S": "5", "B": "8"})  # fmt: skip


@dataclass(frozen=True)
class Policy:
    """How a person's score is made and where a hit begins (tuned on the labelled pairs)."""

    threshold: float = 0.85
    # Agreement moves the score toward 1 by this share of what it lacks.
    dob_exact: float = 0.5
    dob_year: float = 0.2
    dob_swapped: float = 0.3
    nationality_same: float = 0.1
    document_near: float = 0.4
    # Disagreement multiplies the score: born years apart, or on full dates more than one
    # slip (day, month or year) apart, rules a name match out.
    dob_apart: float = 0.75
    dob_tolerance_years: int = 1
    nationality_differs: float = 0.97
    # The same document number is a hit whatever the name.
    document_same: float = 0.97

    def most_when_born_apart(self) -> float:
        """The highest score of a person whose year of birth is apart from the entry's and whose
        document does not match: below the threshold, such an entry need not be scored."""
        best = 1.0 * self.dob_apart
        return best + (1 - best) * self.nationality_same


@dataclass(frozen=True, slots=True)
class Birth:
    """A date of birth, or a year alone."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def of(cls, value: date | str | None) -> Birth | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip()
        if len(text) == 4 and text.isdecimal():  # a year alone (isdecimal: what \d matches)
            return cls(int(text))
        day = date.fromisoformat(text)  # ValueError for anything else
        return cls(day.year, day.month, day.day)

    def __str__(self) -> str:
        if self.month is None or self.day is None:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def document_key(number: str | None) -> str:
    """A document number as compared: upper case, letters and digits only."""
    return _NOT_ALNUM.sub("", (number or "").upper())


@dataclass(frozen=True)
class Identity:
    """Who is compared: names (a watch-list entry's name and aliases), birth, nationality
    (alpha-2) and document number (as `document_key` gives it)."""

    names: tuple[Name, ...]
    birth: Birth | None = None
    nationality: str | None = None
    document: str = ""

    @classmethod
    def of(
        cls,
        names: str | list[str] | tuple[str, ...],
        date_of_birth: date | str | None = None,
        nationality: str | None = None,
        document_number: str | None = None,
        chinese_name: bool | None = None,
    ) -> Identity:
        texts = [names] if isinstance(names, str) else list(names)
        cc = country(nationality)
        parsed = tuple(parse(t, cc, chinese_name) for t in texts if t and t.strip())
        return cls(parsed, Birth.of(date_of_birth), cc, document_key(document_number))


@dataclass(frozen=True)
class PersonMatch:
    """A person's score against an entry, its name match and every reason."""

    score: float
    name: Match
    reasons: list[Reason] = field(default_factory=list)
    hit: bool = False


def _toward(value: float, share: float) -> float:
    return value + (1 - value) * share


_SCORED: dict[tuple[Name, Name], Match] = {}


def _score(mine: Name, listed: Name) -> Match:
    """The names' score, kept: lists repeat names and many entries share one."""
    found = _SCORED.get((mine, listed))
    if found is None:
        if len(_SCORED) > 200_000:
            _SCORED.clear()
        found = _SCORED[(mine, listed)] = score(mine, listed)
    return found


def best_name(person: Identity, entry: Identity) -> Match:
    """The best match of any of the person's names with any of the entry's."""
    best = Match(0.0)
    for mine in person.names:
        for listed in entry.names:
            found = _score(mine, listed)
            if found.score > best.score:
                best = found
                if found.score >= 1.0:
                    return best
    return best


def match(
    person: Identity, entry: Identity, policy: Policy | None = None, explain: bool | None = None
) -> PersonMatch:
    """The person against the entry: name, then birth, nationality and document. The reasons
    are given for a hit, or always with `explain=True` (never with False)."""
    policy = policy or Policy()
    name = best_name(person, entry)
    value = _moved(person, entry, name.score, None, policy)
    hit = value >= policy.threshold
    if not (explain or (explain is None and hit)):
        return PersonMatch(value, name, [], hit)
    said: Said = []
    _moved(person, entry, name.score, said, policy)
    reasons = [
        messages.reason("screening.name", name=name.a, listed=name.b, score=f"{name.score:.3f}"),
        *name.reasons(),
        *(messages.reason(key, **params) for key, params in said),
    ]
    return PersonMatch(value, name, reasons, hit)


def most(person: Identity, entry: Identity, policy: Policy | None = None) -> float:
    """The highest score the person can have against the entry whatever their names: a name
    score of 1 moved by birth, nationality and document. Each of them moves a lower name score
    no higher, so below the threshold here the names need not be scored."""
    return _moved(person, entry, 1.0, None, policy or Policy())


Said = list[tuple[str, dict[str, Any]]]


def _moved(
    person: Identity, entry: Identity, value: float, said: Said | None, policy: Policy
) -> float:
    """A name score moved by birth, nationality and document (each saying why, to `said`)."""
    value = _birth(person.birth, entry.birth, value, said, policy)
    value = _nationality(person.nationality, entry.nationality, value, said, policy)
    value = _document(person.document, entry.document, value, said, policy)
    return round(min(1.0, max(0.0, value)), 4)


def _birth(
    mine: Birth | None, listed: Birth | None, value: float, said: Said | None, policy: Policy
) -> float:
    if mine is None or listed is None:
        return value
    how = _births(mine, listed, policy.dob_tolerance_years)
    if said is not None:
        said.append(_birth_said(how, mine, listed))
    if how == "near":
        return value
    if how == "differs":
        return value * policy.dob_apart
    share = {"year": policy.dob_year, "exact": policy.dob_exact, "swapped": policy.dob_swapped}
    return _toward(value, share[how])


def _births(mine: Birth, listed: Birth, tolerance: int) -> str:
    """How two births agree: the same year (of a year alone), the same date, day and month
    swapped, near (one slip, or a year alone within the tolerance) or not (differs)."""
    years = abs(mine.year - listed.year)
    if listed.month is None or mine.month is None:
        if years == 0:
            return "year"
        if years <= tolerance:
            return "near"
    elif (mine.year, mine.month, mine.day) == (listed.year, listed.month, listed.day):
        return "exact"
    elif (mine.year, mine.month, mine.day) == (listed.year, listed.day, listed.month):
        return "swapped"
    elif _one_slip(mine, listed, tolerance):
        return "near"
    # Two full dates that differ by more than one slip, or years far apart: not the person.
    return "differs"


def _birth_said(how: str, mine: Birth, listed: Birth) -> tuple[str, dict[str, Any]]:
    if how == "year":
        return "screening.dob.year", {"year": mine.year}
    if how == "exact":
        return "screening.dob.exact", {"date": str(mine)}
    dates = {"date": str(mine), "listed": str(listed)}
    if how == "near":
        return "screening.dob.near", {"years": abs(mine.year - listed.year), **dates}
    return f"screening.dob.{how}", dates


def _one_slip(mine: Birth, listed: Birth, tolerance: int) -> bool:
    """Two full dates one slip apart: the day, the month or the year alone (within
    `tolerance` years) differs."""
    same = [mine.year == listed.year, mine.month == listed.month, mine.day == listed.day]
    if sum(same) < 2:
        return False
    return same[0] or abs(mine.year - listed.year) <= tolerance


def _nationality(
    mine: str | None, listed: str | None, value: float, said: Said | None, policy: Policy
) -> float:
    if not mine or not listed:
        return value
    if mine == listed:
        if said is not None:
            said.append(("screening.nationality.same", dict(nationality=mine)))
        return _toward(value, policy.nationality_same)
    if said is not None:
        said.append(("screening.nationality.differs", {"nationality": mine, "listed": listed}))
    return value * policy.nationality_differs


def documents_near(mine: str, listed: str) -> bool:
    """Two document numbers one typing or reading slip apart (O for 0, a letter left out)."""
    if len(mine) < 5 or len(listed) < 5:
        return False
    if mine.translate(_CONFUSED) == listed.translate(_CONFUSED):
        return True
    return OSA.distance(mine, listed) <= 1


def _document(mine: str, listed: str, value: float, said: Said | None, policy: Policy) -> float:
    if not mine or not listed:
        return value
    if mine == listed:
        how, value = "exact", max(_toward(value, policy.document_near), policy.document_same)
    elif documents_near(mine, listed):
        how, value = "near", _toward(value, policy.document_near)
    else:
        how = "differs"
    if said is not None:
        params = {"number": mine} if how == "exact" else {"number": mine, "listed": listed}
        said.append((f"screening.document.{how}", params))
    return value
