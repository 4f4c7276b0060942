"""Customs' selection of checked bags, as pure functions: the owner's risk, the route and the
random rate (the same bags on every run), each reason a message key rendered in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import kouan
from kouan.domain import reasons
from kouan.domain.reasons import render
from kouan.services.passengers import baggage
from kouan.services.passengers.baggage import Owner, random_pick, selection_reasons
from kouan.web.ui.i18n import translations

KEY = "KE845@2026-11-27T06:00Z"
TAGS = [f"0180{n:06d}" for n in range(20_000)]
PARAMS = {"owner_statuses": ["referred", "refused", "held"], "routes": ["BKK"], "random_rate": 0.0}

baggage.register_templates()


def _zh(reason: reasons.Reason) -> str:
    return render(reason.key, reason.params, translations("zh").gettext, zh=True)


def test_the_random_rate_selects_the_same_bags_on_every_run() -> None:
    first = [tag for tag in TAGS if random_pick(tag, KEY, 0.03)]
    again = [tag for tag in TAGS if random_pick(tag, KEY, 0.03)]
    assert first == again
    # A fair share: 3% of 20,000 is 600 (the hash is fixed, so is the count).
    assert 540 <= len(first) <= 660
    other_flight = [tag for tag in TAGS if random_pick(tag, "KE845@2026-11-28T06:00Z", 0.03)]
    assert other_flight != first  # the flight is part of the draw, not the tag alone
    assert not any(random_pick(tag, KEY, 0.0) for tag in TAGS[:1000])
    assert all(random_pick(tag, KEY, 1.0) for tag in TAGS[:1000])
    # A higher rate keeps every bag a lower one selected: raising it only adds bags.
    assert set(first) <= {tag for tag in TAGS if random_pick(tag, KEY, 0.05)}


def test_a_referred_owner_selects_the_bag_naming_the_agencies() -> None:
    owner = Owner("PARK JI HOON", "referred", ("BORDER", "CIQ"))
    (reason,) = selection_reasons(TAGS[0], KEY, ["ICN"], owner, PARAMS)
    assert reason.key == "baggage.owner_referred"
    assert (
        reason.text
        == "owner PARK JI HOON is referred by border inspection, inspection and quarantine"
    )
    assert _zh(reason) == "旅客 PARK JI HOON 被边检, 检验检疫列为待查"
    refused = selection_reasons(TAGS[0], KEY, [], Owner("X Y", "refused"), PARAMS)
    assert refused[0].text == "owner X Y is refused by an agency"


def test_a_cleared_owner_an_owner_off_the_list_and_other_routes_select_nothing() -> None:
    for owner in (Owner("KIM MINJUN", "cleared"), Owner("SOMEONE"), None):
        assert selection_reasons(TAGS[0], KEY, ["ICN"], owner, PARAMS) == []


def test_a_route_selects_by_any_place_the_bag_came_through() -> None:
    (reason,) = selection_reasons(TAGS[0], KEY, ["ICN", "bkk"], Owner("KIM MINJUN"), PARAMS)
    assert reason.key == "baggage.route" and reason.params == {"place": "bkk"}
    assert _zh(reason) == "航班来自 bkk，属海关布控航线"


def test_the_random_rate_draws_only_among_bags_no_rule_selected() -> None:
    drawn = next(tag for tag in TAGS if random_pick(tag, KEY, 0.03))
    params = {**PARAMS, "random_rate": 0.03}
    (reason,) = selection_reasons(drawn, KEY, [], None, params)
    assert reason.text == "random selection at a rate of 3%"
    assert _zh(reason) == "随机抽中（抽查率 3%）"
    risky = Owner("PARK JI HOON", "held", ("BORDER",))
    assert [r.key for r in selection_reasons(drawn, KEY, ["BKK"], risky, params)] == [
        "baggage.owner_held",
        "baggage.route",
    ]


def test_the_default_parameters_select_by_every_rule() -> None:
    params = baggage.CUSTOMS_BAG_SELECTION
    assert 0 < params["random_rate"] < 1 and params["routes"]
    for status in params["owner_statuses"]:
        assert f"baggage.owner_{status}" in baggage.TEMPLATES


def test_registering_twice_is_harmless_and_a_clash_stops_the_start() -> None:
    baggage.register_templates()
    reasons.TEMPLATES["baggage.route"] = "something else"
    try:
        with pytest.raises(RuntimeError, match=r"baggage\.route"):
            baggage.register_templates()
    finally:
        reasons.TEMPLATES["baggage.route"] = baggage.TEMPLATES["baggage.route"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_template_is_in_the_baggage_catalogue(locale: str) -> None:
    path = Path(kouan.__file__).parent / "locale" / locale / "LC_MESSAGES" / "baggage.po"
    with path.open("rb") as po:
        messages = {str(m.id): str(m.string) for m in read_po(po) if m.id}
    assert set(messages) == set(baggage.TEMPLATES.values())
    for msgid, msgstr in messages.items():
        if locale == "zh_CN":
            assert msgstr, msgid
        if msgstr:
            assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", msgstr))
