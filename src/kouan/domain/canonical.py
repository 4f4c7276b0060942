"""One canonical JSON form and its SHA-256 digest: what the audit chain, the filed documents'
digests and idempotency keys are computed over."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces; values JSON does not know (dates) as their str()."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any, prefix: str = "") -> str:
    """The hex SHA-256 of `prefix` followed by the value's canonical JSON."""
    return hashlib.sha256((prefix + canonical_json(value)).encode()).hexdigest()


class JsonText(str):
    """A document already serialised to JSON: JSON columns store it as it is instead of
    serialising it again."""


def stored_json(model: BaseModel) -> tuple[JsonText, str]:
    """A filed document as Kouan stores it (pydantic's JSON of the model, fields in their
    declared order) and the hex SHA-256 of exactly that text, which the audit records: one
    serialisation serves both, where a sorted form would cost a second one for every filing."""
    text = JsonText(model.model_dump_json())
    return text, hashlib.sha256(text.encode()).hexdigest()
