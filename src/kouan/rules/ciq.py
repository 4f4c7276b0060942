"""Inspection and quarantine (检验检疫): radio pratique or boarding quarantine for an arriving ship.

A ship with no health risk gets radio pratique (电讯检疫): no rule hits and the review is approved.
Illness, a death, a suspected infection or a recent call in an epidemic area order boarding
quarantine (登轮检疫); a sanitation certificate missing or expired at ETA goes to an officer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kouan.rules.base import Action, Finding, Rule, codes, found, port_date
from kouan.rules.portcall import CallFacts
from kouan.site import PORT_TIME_ZONE

DEFAULT_PARAMS: dict[str, Any] = {
    # How many of the last ports of call (most recent first) count as recent: about the
    # incubation period of a liner's or tramp's last two weeks.
    "recent_ports": 3,
    "epidemic_ports": [],  # UN/LOCODEs, e.g. "MXVER"
    "epidemic_countries": [],  # ISO 3166 alpha-2, e.g. "MX"
    "time_zone": PORT_TIME_ZONE,
}


def _ill_persons(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if ill := subject.arrival.health.ill_persons:
        yield found("ciq.ill_persons", "health", count=ill)


def _deaths(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if deaths := subject.arrival.health.deaths:
        yield found("ciq.deaths", "health", count=deaths)


def _suspected_infectious(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    if subject.arrival.health.suspected_infectious:
        yield found("ciq.suspected_infectious", "health")


def _epidemic_port(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    ports = codes(params["epidemic_ports"])
    countries = codes(params["epidemic_countries"])
    recent = int(params["recent_ports"])
    for n, port in enumerate(subject.arrival.last_ports[:recent], start=1):
        target = f"last_ports[{n - 1}]"
        if port in ports:
            yield found("ciq.epidemic_port", target, port=port, n=n, recent=recent)
        elif port[:2] in countries:
            yield found(
                "ciq.epidemic_country", target, port=port, n=n, recent=recent, country=port[:2]
            )


def _sanitation_certificate(subject: CallFacts, params: Mapping[str, Any]) -> Iterator[Finding]:
    expiry = subject.arrival.health.sanitation_certificate_expiry
    if expiry is None:
        yield found("ciq.no_sanitation_certificate", "health")
        return
    arrival_day = port_date(subject.arrival.eta, params)
    if expiry < arrival_day:
        yield found(
            "ciq.sanitation_certificate_expired",
            "health",
            expiry=expiry.isoformat(),
            day=arrival_day.isoformat(),
        )


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
