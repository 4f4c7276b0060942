"""The watch-list index (blocking, then scoring) and the watch list's CSV file."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from kouan.adapters.watchlist_csv import read_bytes, read_text
from kouan.domain.errors import ValidationFailed
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
