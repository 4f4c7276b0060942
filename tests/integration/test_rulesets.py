"""Versioned rule sets: an agency publishes a new version; decisions name the version they used."""

from __future__ import annotations

import pytest

from kouan.domain.agency import Agency
from kouan.domain.errors import Forbidden, ValidationFailed
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import rulesets
from kouan.services.ships import portcalls
from tests.conftest import Clock, People
from tests.factories import arrival_notice


def _border(call: dict) -> dict:
    return next(r for r in call["reviews"] if r["agency"] == "BORDER")


def test_a_published_version_decides_the_next_filing(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now, security_level=2)
    _, before = portcalls.file_arrival(ctx, people["agent"], notice)
    assert _border(before)["rule_set"] == "BORDER v1" and _border(before)["status"] == "approved"
    version = rulesets.publish(ctx, people["border"], Agency.BORDER, {"refer_security_level": 2})
    assert version == 2
    _, after = portcalls.file_arrival(ctx, people["agent"], notice)
    review = _border(after)
    assert review["rule_set"] == "BORDER v2"
    assert review["status"] == "pending" and review["rules_hit"] == ["BORDER-SECURITY-LEVEL"]


def test_only_the_agency_itself_publishes_its_rules(ctx: ServiceContext, people: People) -> None:
    with pytest.raises(Forbidden):
        rulesets.publish(ctx, people["customs"], Agency.BORDER, {"ship_watch_threshold": 0.9})
    with pytest.raises(Forbidden):
        rulesets.publish(ctx, people["agent"], Agency.CUSTOMS, {})


def test_bad_parameters_publish_nothing(ctx: ServiceContext, people: People, clock: Clock) -> None:
    with pytest.raises(ValidationFailed):
        rulesets.publish(ctx, people["ciq"], Agency.CIQ, {"epidemic_ports": ["XXNOPE"]})
    _, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    assert {r["rule_set"] for r in call["reviews"]} == {
        "CUSTOMS v1",
        "CIQ v1",
        "BORDER v1",
        "MSA v1",
    }
