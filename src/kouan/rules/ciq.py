"""Inspection and quarantine (检验检疫): radio pratique or boarding quarantine for an arriving ship.

A ship with no health risk gets radio pratique (电讯检疫): no rule hits and the review is approved.
Illness, a death, a suspected infection or a recent call in an epidemic area order boarding
quarantine (登轮检疫); a sanitation certificate missing or expired at ETA goes to an officer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kouan.rules.base import PORT_TIME_ZONE, Action, Rule, Subject, codes, port_date

DEFAULT_PARAMS: dict[str, Any] = {
    # How many of the last ports of call (most recent first) count as recent: about the
    # incubation period of a liner's or tramp's last two weeks.
    "recent_ports": 3,
    "epidemic_ports": [],  # UN/LOCODEs, e.g. "MXVER"
    "epidemic_countries": [],  # ISO 3166 alpha-2, e.g. "MX"
    "time_zone": PORT_TIME_ZONE,
    # The legal-inspection list (法检目录) by HS chapter or heading: goods under it get a CIQ review
    # beside customs'. Food and farm produce, logs, cosmetics, household appliances, cars, toys.
    "legal_inspection": [
        *("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "16"),
        *("3304", "4403", "8516", "8703", "9503"),
    ],
}


def legal_inspection_hits(hs_codes: Iterable[str], params: Mapping[str, Any]) -> list[str]:
    """The items' HS codes on the legal-inspection list, each with the list entry it falls under
    ("020130 under 02"), in item order; empty when no item needs a CIQ review."""
    entries = sorted(params["legal_inspection"], key=len, reverse=True)
    hits = []
    for code in hs_codes:
        entry = next((e for e in entries if code.startswith(e)), None)
        if entry is not None:
            hits.append(f"{code} under {entry}")
    return hits


def _ill_persons(subject: Subject, params: Mapping[str, Any]) -> str | None:
    ill = subject.arrival.health.ill_persons
    return f"health.ill_persons: {ill} ill person(s) aboard" if ill else None


def _deaths(subject: Subject, params: Mapping[str, Any]) -> str | None:
    deaths = subject.arrival.health.deaths
    return f"health.deaths: {deaths} death(s) aboard during the voyage" if deaths else None


def _suspected_infectious(subject: Subject, params: Mapping[str, Any]) -> str | None:
    if subject.arrival.health.suspected_infectious:
        return "health.suspected_infectious: the master suspects an infectious disease aboard"
    return None


def _epidemic_port(subject: Subject, params: Mapping[str, Any]) -> str | None:
    ports = codes(params["epidemic_ports"])
    countries = codes(params["epidemic_countries"])
    recent = int(params["recent_ports"])
    found = []
    for n, port in enumerate(subject.arrival.last_ports[:recent], start=1):
        if port in ports:
            found.append(f"{port} (port of call {n} of the last {recent}) is an epidemic port")
        elif port[:2] in countries:
            found.append(
                f"{port} (port of call {n} of the last {recent}) is in epidemic country {port[:2]}"
            )
    return "; ".join(found) or None


def _sanitation_certificate(subject: Subject, params: Mapping[str, Any]) -> str | None:
    expiry = subject.arrival.health.sanitation_certificate_expiry
    if expiry is None:
        return "health.sanitation_certificate_expiry: no ship sanitation certificate declared"
    arrival_day = port_date(subject.arrival.eta, params)
    if expiry < arrival_day:
        return f"ship sanitation certificate expired on {expiry}, before ETA {arrival_day}"
    return None


RULES: tuple[Rule, ...] = (
    Rule("CIQ-ILL-ABOARD", "Ill persons aboard", "船上有患病人员", Action.INSPECT, _ill_persons),
    Rule("CIQ-DEATH-ABOARD", "Death aboard", "航行途中有人员死亡", Action.INSPECT, _deaths),
    Rule(
        "CIQ-SUSPECTED-INFECTIOUS",
        "Suspected infectious disease",
        "疑似传染病",
        Action.INSPECT,
        _suspected_infectious,
    ),
    Rule(
        "CIQ-EPIDEMIC-PORT",
        "Recent call in an epidemic area",
        "近期挂靠疫区港口",
        Action.INSPECT,
        _epidemic_port,
    ),
    Rule(
        "CIQ-SANITATION-CERT",
        "Ship sanitation certificate missing or expired",
        "船舶卫生证书缺失或过期",
        Action.REFER,
        _sanitation_certificate,
    ),
)
