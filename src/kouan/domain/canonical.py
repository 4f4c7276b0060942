"""One canonical JSON form and its SHA-256 digest: what the audit chain, the filed documents'
digests and idempotency keys are computed over."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces; values JSON does not know (dates) as their str()."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any, prefix: str = "") -> str:
    """The hex SHA-256 of `prefix` followed by the value's canonical JSON."""
    return hashlib.sha256((prefix + canonical_json(value)).encode()).hexdigest()
