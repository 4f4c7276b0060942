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


def test_a_published_watch_list_holds_the_next_filing(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    _, before = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    assert _border(before)["rule_set"] == "BORDER v1" and _border(before)["status"] == "approved"
    watched = {"document_number": "P4521873A", "issuing_state": "PH"}  # SANTOS, chief officer
    version = rulesets.publish(ctx, people["border"], Agency.BORDER, {"watch_list": [watched]})
    assert version == 2
    _, after = portcalls.file_arrival(ctx, people["agent"], arrival_notice(clock.now))
    review = _border(after)
    assert review["rule_set"] == "BORDER v2"
    assert review["status"] == "hold" and review["rules_hit"] == ["BORDER-WATCH-LIST"]
    assert "SANTOS" in review["reason"]


def test_only_the_agency_itself_publishes_its_rules(ctx: ServiceContext, people: People) -> None:
    with pytest.raises(Forbidden):
        rulesets.publish(ctx, people["customs"], Agency.BORDER, {"watch_list": []})
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
