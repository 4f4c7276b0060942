"""Which of the site's terminals (reference/site.json) a terminal operator reports for, and which
terminal a berth belongs to.

Settings.terminal_operators names them by username or organisation name
("qqct=QQCT,QQCTU;dagang=DGGEN,DGCRU"); an organisation not named there reports for the terminals
whose codes its name holds as a word ("Qingdao Qianwan Container Terminal (QQCT)").
"""

from __future__ import annotations

import re
from functools import cache

from kouan.config import Settings
from kouan.domain.agency import OrgType
from kouan.domain.errors import Forbidden
from kouan.services.platform.permissions import Actor
from kouan.site import site_data


@cache
def berth_terminals() -> dict[str, str]:
    """Each berth's terminal code."""
    return {
        berth[0]: terminal["code"]
        for terminal in site_data()["terminals"]
        for berth in terminal["berths"]
    }


def site_terminals() -> tuple[str, ...]:
    return tuple(terminal["code"] for terminal in site_data()["terminals"])


@cache
def _configured(text: str) -> dict[str, tuple[str, ...]]:
    named: dict[str, tuple[str, ...]] = {}
    for part in text.split(";"):
        name, _, codes = part.partition("=")
        if name.strip():
            named[name.strip().casefold()] = tuple(
                c.strip().upper() for c in codes.split(",") if c.strip()
            )
    return named


def terminals_of(settings: Settings, actor: Actor) -> tuple[str, ...]:
    """The site terminals this actor reports for (none for anyone but a terminal operator)."""
    if actor.org_type is not OrgType.TERMINAL:
        return ()
    named = _configured(settings.terminal_operators)
    for key in (actor.username, actor.org_name):
        if key.casefold() in named:
            return tuple(code for code in named[key.casefold()] if code in site_terminals())
    words = set(re.findall(r"[A-Z0-9]+", actor.org_name.upper()))
    return tuple(code for code in site_terminals() if code in words)


def require_terminals(settings: Settings, actor: Actor) -> tuple[str, ...]:
    terminals = terminals_of(settings, actor)
    if not terminals:
        raise Forbidden(f"{actor.org_name} operates none of the port's terminals")
    return terminals
