"""Errors the domain raises, each of a kind (`code`); the web layer maps kinds to 4xx answers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One bad field: where it is, what it held and what was expected."""

    field: str
    value: object
    expected: str

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "value": self.value, "expected": self.expected}


class DomainError(Exception):
    """Base of every error a user can act on."""

    code = "invalid"

    def __init__(self, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


class ValidationFailed(DomainError):
    """Input that does not fit: one or more fields are wrong."""

    code = "validation_failed"

    @classmethod
    def one(cls, field: str, value: object, expected: str) -> ValidationFailed:
        return cls(f"{field}: {value!r} is not {expected}", [FieldError(field, value, expected)])


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """The state changed under the caller (for example another officer decided first)."""

    code = "conflict"


class InvalidTransition(DomainError):
    """The requested step is not allowed from the current state."""

    code = "invalid_transition"


@dataclass
class FieldErrors:
    """Collects field errors so a whole document is checked before it is refused."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field: str, value: object, expected: str) -> None:
        self.errors.append(FieldError(field, value, expected))

    def raise_if_any(self, what: str = "input") -> None:
        if self.errors:
            first = self.errors[0]
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise ValidationFailed(
                f"{what}: {first.field} {first.value!r} is not {first.expected}{more}", self.errors
            )
