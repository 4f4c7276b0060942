"""The watch-list index (blocking, then scoring) and the watch list's CSV file."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from kouan.adapters.watchlist_csv import read_bytes, read_text
from kouan.domain.errors import ValidationFailed
from kouan.domain.names.person import Policy, match, most
from kouan.services.screening.synthetic import flight, watch_list
from kouan.services.screening.watchlist import Entry, Traveller, WatchListIndex

ENTRIES = [
    Entry("W1", "张伟", (), "1980-05-04", "CN", None, "wanted", "test"),
    Entry("W2", "김민준", (), "1992", "KR", None, "wanted", "test"),
    Entry("W3", "Иванов Сергей", (), "1975-11-02", "RU", None, "wanted", "test"),
    Entry("W4", "山田太郎", ("やまだ たろう",), "1968-03-09", "JP", None, "wanted", "test"),
    Entry("W5", "Hans Müller", (), None, "DE", "C01X00T47", "stolen document", "test"),
    Entry("W6", "山田花子", (), "1970", "JP", None, "wanted", "test"),
    Entry("W7", "MADONNA", (), "1958-08-16", "US", None, "wanted", "test"),
]


@pytest.fixture(scope="module")
def index() -> WatchListIndex:
    # The listed people among a few thousand others, so that blocking has work to do.
    return WatchListIndex([*ENTRIES, *watch_list(3000, seed=7)])


@pytest.mark.parametrize(
    ("name", "born", "nationality", "listed"),
    [
        ("ZHANG WEI", date(1980, 5, 4), "CN", "W1"),
        ("WEI ZHANG", date(1980, 5, 4), "CN", "W1"),
        ("CHANG WEI", date(1980, 5, 4), "TW", "W1"),
        ("KIM MIN-JUN", date(1992, 7, 1), "KR", "W2"),
        ("KIM MINJOON", date(1992, 7, 1), "US", "W2"),
        ("GIM MIN JUN", date(1992, 7, 1), "KR", "W2"),
        ("IVANOV SERGEI", date(1975, 11, 2), "RU", "W3"),
        ("SERGEY IVANOV", date(1975, 11, 2), "RU", "W3"),
        ("YAMADA TARO", date(1968, 3, 9), "JP", "W4"),
        ("YAMADA TAROH", date(1968, 3, 9), "JP", "W4"),
        ("HANS MUELLER", date(1961, 1, 1), "DE", "W5"),
        ("MADONNA", date(1958, 8, 16), "US", "W7"),
    ],
)
def test_a_listed_person_is_found_from_the_passport_spelling(
    index: WatchListIndex, name: str, born: date, nationality: str, listed: str
) -> None:
    hits = index.screen(Traveller(name, born, nationality, "X99999999"))
    assert listed in [h.entry_id for h in hits]
    hit = next(h for h in hits if h.entry_id == listed)
    assert hit.reasons and hit.reason().text.startswith(f"watch-list entry {listed}")


def test_a_typo_in_the_passport_spelling_is_found(index: WatchListIndex) -> None:
    hits = index.screen(Traveller("IVANOV SERGIE", "1975-11-02", "RU"))
    assert hits and hits[0].entry_id == "W3"


def _ids(index: WatchListIndex, person: Traveller) -> list[str]:
    return [h.entry_id for h in index.screen(person)]


def test_born_years_apart_is_no_hit(index: WatchListIndex) -> None:
    assert "W1" not in _ids(index, Traveller("ZHANG WEI", "1990-01-01", "CN"))
    assert "W1" not in _ids(index, Traveller("ZHANG WEI", "1980-09-21", "CN"))


def test_a_name_a_letter_apart_is_a_hit_only_on_the_same_date_of_birth(
    index: WatchListIndex,
) -> None:
    assert "W1" in _ids(index, Traveller("ZHANG WEN", "1980-05-04", "CN"))
    assert "W1" not in _ids(index, Traveller("ZHANG WEN", "1980-06-04", "CN"))


def test_a_document_on_the_list_is_a_hit_whatever_the_name(index: WatchListIndex) -> None:
    hits = index.screen(Traveller("JOHN DOE", "1990-01-01", "GB", "C01X00T47"))
    assert [h.entry_id for h in hits] == ["W5"]
    assert "screening.document.exact" in [r.key for r in hits[0].reasons]


def test_kanji_without_a_reading_is_not_found(index: WatchListIndex) -> None:
    assert not [h for h in index.screen(Traveller("YAMADA HANAKO", "1970-02-02", "JP"))
                if h.entry_id == "W6"]  # fmt: skip


def test_blocking_scores_few_entries(index: WatchListIndex) -> None:
    people, _ = flight(__import__("random").Random(3), index.entries, 100, 0)
    sizes = [len(index.candidates(p.identity())) for p in people]
    assert sum(sizes) / len(sizes) < 20


def test_the_index_pickles_as_its_entries_and_is_rebuilt() -> None:
    small = WatchListIndex(ENTRIES)
    again = pickle.loads(pickle.dumps(small))
    assert len(again) == len(ENTRIES)
    assert [h.entry_id for h in again.screen(Traveller("ZHANG WEI", "1980-05-04", "CN"))] == ["W1"]


def test_a_flight_finds_its_planted_passengers(index: WatchListIndex) -> None:
    import random

    people, planted = flight(random.Random(11), index.entries, 200, 5)
    results = index.screen_all(people)
    assert all(results[n] for n in planted)


# --- postings by year of birth ----------------------------------------------------------------

BORN = [
    Entry("Y1", "Петров Олег", (), "1980", "RU"),
    Entry("Y2", "Петров Олег", (), "1980-12-31", "RU"),
    Entry("Y3", "Петров Олег", (), None, "RU"),
    Entry("Y4", "WANG FANG", (), "1990", "CN"),
    Entry("Y5", "WANG FANG", (), None, "CN"),
]


@pytest.fixture(scope="module")
def by_year() -> WatchListIndex:
    return WatchListIndex([*BORN, *watch_list(2000, seed=5)], freeze=False)


def _candidates(index: WatchListIndex, person: Traveller) -> list[str]:
    found = (index.entries[n].id for n in index.candidates(person.identity()))
    return sorted(e for e in found if e.startswith("Y"))


@pytest.mark.parametrize(
    ("born", "candidates"),
    [
        ("1981-12-31", ["Y1", "Y2", "Y3"]),  # the next year: the year alone, or one slip
        ("1979-06-15", ["Y1", "Y3"]),  # the year before, but a full date two slips apart
        ("1982-01-01", ["Y3"]),  # years apart: only the entry born we don't know when
        (None, ["Y1", "Y2", "Y3"]),  # the person's birth not known: any year
    ],
)
def test_a_name_is_looked_up_in_the_years_next_to_the_persons(
    by_year: WatchListIndex, born: str | None, candidates: list[str]
) -> None:
    person = Traveller("PETROV OLEG", born, "RU")
    assert _candidates(by_year, person) == candidates
    assert sorted(h.entry_id for h in by_year.screen(person) if h.entry_id[0] == "Y") == candidates


@pytest.mark.parametrize(
    ("born", "candidates"),
    [
        ("1990-03-03", ["Y4"]),  # a typo is looked up in the person's year of birth alone
        ("1991-03-03", []),
        ("1989-03-03", []),
        (None, []),
    ],
)
def test_a_short_name_with_a_typo_is_looked_up_in_the_year_of_birth_alone(
    by_year: WatchListIndex, born: str | None, candidates: list[str]
) -> None:
    person = Traveller("WANG FANF", born, "CN")
    assert _candidates(by_year, person) == candidates
    assert [h.entry_id for h in by_year.screen(person) if h.entry_id[0] == "Y"] == candidates
    # Spelled alike, the entries of the next year and of no year are found.
    assert _candidates(by_year, Traveller("WANG FANG", "1991-03-03", "CN")) == ["Y4", "Y5"]


def test_a_policy_that_lets_names_match_across_years_looks_in_every_year() -> None:
    index = WatchListIndex([*BORN, *watch_list(500, seed=5)], Policy(dob_apart=0.95))
    person = Traveller("PETROV OLEG", "1990-01-01", "RU")
    assert _candidates(index, person) == ["Y1", "Y2", "Y3"]
    assert {h.entry_id for h in index.screen(person)} >= {"Y1", "Y2", "Y3"}


def test_an_entry_is_scored_only_when_birth_nationality_and_document_let_it_hit(
    index: WatchListIndex,
) -> None:
    import random

    people, _ = flight(random.Random(5), index.entries, 300, 10)
    for person in (p.identity() for p in people):
        candidates = index.candidates(person)
        for n in random.Random(1).sample(range(len(index)), 30) + sorted(candidates):
            listed = index._identities[n]
            # The bound holds for every entry, and no entry below it is a candidate.
            assert match(person, listed).score <= most(person, listed)
            if most(person, listed) < index.policy.threshold and n in candidates:
                assert listed.document and listed.document == person.document


# --- the CSV file -----------------------------------------------------------------------------

HEADER = "id,name,aliases,date_of_birth,nationality,document_number,reason\n"


def test_a_watch_list_file_is_read_with_its_warnings() -> None:
    text = (
        HEADER
        + "W1,张伟,ZHANG WEI,1980-05-04,CHN,E1234567,wanted\n"
        + "W2,山田太郎,,1975,JPN,,wanted\n"
        + 'W3,김민준,"KIM MINJUN;KIM MIN-JUN",,KR,,\n'
        + "\n"
        + "W4,山田花子,やまだ はなこ,1970,JP,,\n"
    )
    read = read_text(text, "list.csv")
    assert [e.id for e in read.entries] == ["W1", "W2", "W3", "W4"]
    assert read.entries[2].aliases == ("KIM MINJUN", "KIM MIN-JUN")
    assert read.entries[0].nationality == "CN" and read.entries[0].source == "list.csv"
    assert [(line, w.key) for line, w in read.warnings] == [(3, "screening.warning.kanji")]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("W9,,x,,,,", "line 3: name"),
        (",NAME,,,,,", "line 3: id"),
        ("W9,NAME,,1980-13-01,,,", "line 3: date_of_birth"),
        ("W9,NAME,,80,,,", "line 3: date_of_birth"),
        ("W9,NAME,,,XX,,", "line 3: nationality"),
        ("W9,NAME,,,", "line 3"),
        ("W1,NAME,,,,,", "line 3: id"),
    ],
)
def test_a_file_with_a_bad_row_is_refused_whole_naming_the_line(row: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_text(HEADER + "W1,ZHANG WEI,,1980,CN,,\n" + row + "\n")
    assert refused.value.code == "validation_failed"
    assert [f.field for f in refused.value.fields] == [field]


def test_a_file_without_the_header_or_not_utf8_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="line 1"):
        read_text("id,name\nW1,ZHANG WEI\n")
    with pytest.raises(ValidationFailed, match="UTF-8"):
        read_bytes((HEADER + "W1,M\xfcller,,,,,\n").encode("latin-1"))


def test_a_hong_kong_entry_in_characters_is_found_from_its_cantonese_passport_spelling() -> None:
    index = WatchListIndex(
        [Entry("W-1", "陳大文", date_of_birth="1970", nationality="HK"), Entry("W-2", "劉德華")],
        freeze=False,
    )
    assert [h.entry_id for h in index.screen(Traveller("CHAN TAI MAN", "1970-05-01", "HK"))] == [
        "W-1"
    ]
    # Without a Hong Kong or Macao nationality the characters are read as Mandarin only.
    assert index.screen(Traveller("LAU TAK WAH", None, "HK")) == []
