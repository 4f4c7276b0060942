"""The site a Kouan installation serves by default: its port (UN/LOCODE), airport, time zone, port
areas, terminals and berths, read once from reference data (reference/site.json) or from the file
KOUAN_SITE_FILE names. Records name their port; the site is only the default one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kouan.domain.geo import PortArea


@dataclass(frozen=True)
class Airport:
    icao: str
    iata: str
    name: str
    name_zh: str


@cache
def site_data() -> dict[str, Any]:
    """The site file as data (the shipped Qingdao site unless KOUAN_SITE_FILE names another)."""
    configured = os.environ.get("KOUAN_SITE_FILE")
    if configured:
        text = Path(configured).read_text("utf-8")
    else:
        text = resources.files("kouan.reference").joinpath("site.json").read_text("utf-8")
    return dict(json.loads(text))


def port_areas() -> tuple[PortArea, ...]:
    """The port's areas: the whole port first, then its terminals' areas."""
    return tuple(
        PortArea(a["code"], a["name"], a["name_zh"], tuple((lon, lat) for lon, lat in a["polygon"]))
        for a in site_data()["areas"]
    )


def airport() -> Airport:
    return Airport(**site_data()["airport"])


# Calendar days (expiry dates, "today" of a schedule) and the times the pages show are the port's.
PORT = str(site_data()["port"])
PORT_TIME_ZONE = str(site_data()["time_zone"])
PORT_ZONE = ZoneInfo(PORT_TIME_ZONE)
