"""Refuse text no database keeps (NUL, unpaired surrogates) in a request before a route sees
it: the query string, form fields and JSON bodies, the field named.

The documents' own types refuse the same (kouan.domain.values), and so do the path parameters'
(each is typed: a number, a code, a kouan.domain.values.Plain); this guard covers what no type
checks: search words, usernames at login, filters, free-form JSON such as rule parameters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kouan.domain.errors import FieldError
from kouan.domain.values import unfit_character
from kouan.web.errors import error_body

# A refusal on a page: the request and the field, rendered for people.
HtmlRefusal = Callable[[Request, FieldError], Response]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A NUL or a surrogate escaped in JSON; a pair (an emoji) is decoded and found fine later.
_JSON_ESCAPE = re.compile(rb"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_FORM_NUL = re.compile(rb"%00|\x00")


class InputGuard:
    """ASGI middleware: a request holding unfit text answers 422 naming where, nothing else runs."""

    def __init__(self, app: ASGIApp, html: HtmlRefusal | None = None) -> None:
        self.app = app
        self.html = html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = _in_query(scope.get("query_string", b""))
        if found is None and scope["method"] in _BODY_METHODS:
            body = await _read_body(receive)
            found = await _in_body(scope, body)
            receive = _replay(body, receive)
        if found is None:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, receive, found)(scope, receive, send)

    def _refuse(self, scope: Scope, receive: Receive, found: FieldError) -> Response:
        request = Request(scope, receive)
        if self.html is not None and not request.url.path.startswith("/api"):
            return self.html(request, found)
        message = f"request: {found.field} {found.value!r}: expected {found.expected}"
        return JSONResponse(error_body("validation_failed", message, [found]), status_code=422)


def _unfit(field: str, value: str) -> FieldError | None:
    expected = unfit_character(value)
    return FieldError(field, value, expected) if expected else None


def _in_query(query: bytes) -> FieldError | None:
    if not _FORM_NUL.search(query):
        return None
    return _first_unfit(parse_qsl(query.decode("latin-1"), keep_blank_values=True))


def _first_unfit(pairs: Iterable[tuple[str, Any]]) -> FieldError | None:
    for name, value in pairs:
        found = _unfit(name, name) or (_unfit(name, value) if isinstance(value, str) else None)
        if found:
            return found
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read here, handed on whole to the application; then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _in_body(scope: Scope, body: bytes) -> FieldError | None:
    kind = Request(scope).headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        if not _FORM_NUL.search(body):
            return None
        return _first_unfit(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    if kind == "multipart/form-data":
        return await _in_multipart(scope, body) if b"\x00" in body else None
    if kind == "application/json" or kind.endswith("+json"):
        return _in_json(body)
    # EDIFACT and NMEA are their readers' to check: they name the segment or the line.
    return None


async def _in_multipart(scope: Scope, body: bytes) -> FieldError | None:
    """The form's text fields; an uploaded file is its reader's to check."""
    request = Request(scope, _replay(body, _no_more))
    try:
        form = await request.form()
    except (HTTPException, MultiPartException):  # malformed: the route refuses it in its words
        return None
    try:
        pairs = [(k, v) for k, v in form.multi_items() if not isinstance(v, UploadFile)]
        return _first_unfit(pairs)
    finally:
        await form.close()


async def _no_more() -> Message:
    return {"type": "http.disconnect"}


def _in_json(body: bytes) -> FieldError | None:
    if not _JSON_ESCAPE.search(body):
        return None
    try:
        document = json.loads(body)
    except ValueError:  # not JSON: the route names it
        return None
    return next(_unfit_strings(document, ""), None)


def _unfit_strings(value: Any, where: str) -> Iterator[FieldError]:
    """Every unfit string of a JSON document, named like the documents' errors ("crew[0].name")."""
    if isinstance(value, str):
        found = _unfit(where or "body", value)
        if found:
            yield found
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else key
            found = _unfit(name, key)
            if found:
                yield found
            yield from _unfit_strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unfit_strings(item, f"{where}[{index}]")
