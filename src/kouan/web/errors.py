"""Every error answers JSON {"error": {"code", "message", "fields"}} with a 4xx status."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from kouan.domain.errors import DomainError, FieldError


def error_body(code: str, message: str, fields: list[FieldError] | None = None) -> dict[str, Any]:
    """The error as JSON carries it: whatever was echoed from the input made encodable."""
    return {
        "error": {
            "code": code,
            "message": encodable(message),
            "fields": [_encodable_all(f.as_dict()) for f in fields or []],
        }
    }


def encodable(text: str) -> str:
    """Text any UTF-8 encoder takes: an unpaired surrogate echoed from the input (JSON can send
    "\\ud800") is shown as its escape, so the answer that names it can be sent."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable_all(value: Any) -> Any:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {encodable(str(k)): _encodable_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable_all(v) for v in value]
    return value


# Tagged unions put the tag in an error's location ("transport", "sea", "imo"); the field a
# user filled is "transport.imo".
_UNION_TAGS = {"transport": frozenset({"sea", "air"})}


def _location(loc: tuple[Any, ...]) -> str:
    """("body", "crew", 2, "document", "expiry") -> "crew[2].document.expiry"."""
    out = ""
    for part in loc:
        if part in ("body", "query", "path", "header") and not out:
            continue
        if part in _UNION_TAGS.get(out, ()):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-plain")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def _expected(error: dict[str, Any]) -> str:
    message = str(error.get("msg", ""))
    kind = error.get("type")
    if kind == "extra_forbidden":
        return "no such field (unknown fields are refused)"
    if kind == "json_invalid":
        detail = (error.get("ctx") or {}).get("error", "") or error.get("msg", "")
        # FastAPI's body errors locate the character; a TypeAdapter's name no place at all.
        where = error.get("loc") or ()
        at = f" at character {where[-1]}" if where and isinstance(where[-1], int) else ""
        return f"valid JSON ({detail}{at})"
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def printable(value: Any) -> Any:
    """A value as the error body can carry it: JSON-safe, and short when it was sent as text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return encodable(value[:200] + "..." if len(value) > 200 else value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {encodable(str(k)): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def fields_from_pydantic(errors: list[dict[str, Any]]) -> list[FieldError]:
    out = []
    for error in errors:
        invalid_json = error.get("type") == "json_invalid"
        field = "body" if invalid_json else _location(tuple(error.get("loc", ())))
        # A missing field's "input" is the object around it: it was not given, so no value.
        missing = invalid_json or error.get("type") == "missing"
        value = None if missing else printable(error.get("input"))
        out.append(FieldError(field, value, _expected(error)))
    return out


def validation_body(errors: list[dict[str, Any]], what: str = "request") -> dict[str, Any]:
    fields = fields_from_pydantic(errors)
    first = fields[0] if fields else FieldError("body", None, "valid JSON")
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    value = first.value if isinstance(first.value, str | int | float | None) else "..."
    message = f"{what}: {first.field} {value!r}: expected {first.expected}{more}"
    return error_body("validation_failed", message, fields)


HtmlRenderer = Callable[[Request, int, str], Response]

# The HTTP status of each kind of domain error (a kind not listed is bad input: 422).
STATUS_OF_KIND = {
    "validation_failed": 422,
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "invalid_transition": 409,
    "not_authenticated": 401,
    "too_many_attempts": 429,
}
# RFC 6750: an answer that asks for credentials says which scheme.
_HEADERS_OF_KIND = {"not_authenticated": {"WWW-Authenticate": "Bearer"}}


def http_status(exc: DomainError) -> int:
    return STATUS_OF_KIND.get(exc.code, 422)


def install(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Errors on /api answer JSON; on pages, `html` renders them for people."""

    def answer(
        request: Request, status: int, body: dict[str, Any], headers: Any = None
    ) -> Response:
        if html is not None and not request.url.path.startswith("/api"):
            return html(request, status, str(body["error"]["message"]))
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        body = error_body(exc.code, exc.message, exc.fields)
        return answer(request, http_status(exc), body, _HEADERS_OF_KIND.get(exc.code))

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, 422, validation_body([dict(e) for e in exc.errors()]))

    @app.exception_handler(ValidationError)
    async def _pydantic(request: Request, exc: ValidationError) -> Response:
        return answer(request, 422, validation_body([dict(e) for e in exc.errors()]))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
        body = error_body(codes.get(exc.status_code, "http_error"), str(exc.detail))
        return answer(request, exc.status_code, body, exc.headers)
