"""The CSV downloads' shared streaming: pages fetched until one comes short, cells made safe."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.responses import StreamingResponse

from kouan.adapters import blocking
from kouan.domain.errors import Forbidden
from kouan.web.ui import csvexport


def _body(answer: StreamingResponse) -> str:
    async def read() -> str:
        return "".join([str(chunk) async for chunk in answer.body_iterator])

    return blocking.run(read())


def test_pages_are_fetched_until_one_comes_short() -> None:
    asked: list[tuple[int, int]] = []

    def fetch(limit: int, offset: int) -> list[int]:
        asked.append((limit, offset))
        return list(range(offset, min(offset + limit, 5)))

    assert [list(p) for p in csvexport.pages(fetch, size=2)] == [[0, 1], [2, 3], [4]]
    assert asked == [(2, 0), (2, 2), (2, 4)]


def test_cells_are_text_and_a_formula_is_quoted() -> None:
    assert [csvexport.cell(v) for v in (None, True, False, 3, "=1+1", "-2", "@x", "ok")] == [
        "", "true", "false", "3", "'=1+1", "'-2", "'@x", "ok",
    ]  # fmt: skip


def test_a_download_holds_the_head_and_every_page_with_its_filename() -> None:
    answer = csvexport.download(("a", "b"), [[(1, "=x")], [(2, None)]], "things.csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="things.csv"'
    assert answer.media_type == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(_body(answer))))
    assert rows == [["a", "b"], ["1", "'=x"], ["2", ""]]


def test_a_download_without_pages_holds_the_head() -> None:
    assert _body(csvexport.download(("a", "b"), [], "none.csv")).splitlines() == ["a,b"]


def test_a_refusal_on_the_first_page_comes_before_the_answer() -> None:
    def fetch(limit: int, offset: int) -> list[int]:
        raise Forbidden("not yours")

    rows = ([(n,) for n in page] for page in csvexport.pages(fetch))
    with pytest.raises(Forbidden):
        csvexport.download(("a",), rows, "x.csv")
