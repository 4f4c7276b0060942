"""CSV downloads of the pages' lists: rows fetched a page at a time and sent as they come, with
every cell made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi.responses import StreamingResponse

PAGE = 500
# A cell starting like a formula would run as one in a spreadsheet; a quote keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def cell(value: Any) -> str:
    """One value as a cell: nothing for None, true/false for a flag, a formula quoted."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def pages(fetch: Callable[[int, int], Sequence[T]], size: int = PAGE) -> Iterator[Sequence[T]]:
    """Everything fetch(limit, offset) finds, a page at a time, until a page comes short."""
    offset = 0
    while True:
        page = fetch(size, offset)
        yield page
        if len(page) < size:
            return
        offset += size


def _chunks(head: Sequence[str], rows: Iterable[Iterable[Sequence[Any]]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    for page in rows:
        writer.writerows([cell(c) for c in row] for row in page)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no pages at all: the head alone
        yield buffer.getvalue()


def download(
    head: Sequence[str], rows: Iterable[Iterable[Sequence[Any]]], filename: str
) -> StreamingResponse:
    """The CSV file of the head and the rows, given page by page (a lazy iterable is read while
    it is sent). The first page is read before answering, so a refusal (403) is a page, not a
    cut stream."""
    chunks = _chunks(head, rows)
    first = next(chunks)
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def listing(
    head: Sequence[str],
    fetch: Callable[[int, int], Sequence[T]],
    row: Callable[[T], Sequence[Any]],
    filename: str,
) -> StreamingResponse:
    """A whole list as a CSV file: fetch(limit, offset) read a page at a time while it is sent,
    each item made a row by `row`."""
    rows = ([row(item) for item in page] for page in pages(fetch))
    return download(head, rows, filename)
