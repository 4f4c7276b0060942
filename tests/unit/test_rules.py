"""The four agencies' rules on realistic arrival and departure notices."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from kouan.domain.agency import AGENCIES, Agency, Phase, ReviewStatus
from kouan.domain.errors import ValidationFailed
from kouan.domain.filing import DepartureNotice
from kouan.rules.base import Outcome, RuleSet
from kouan.rules.portcall import CallFacts as Subject
from kouan.rules.registry import BOOKS, PARAMETER_RULES, PORT_CALL
from kouan.rules.registry import build_rule_set as build_for_kind
from kouan.services.screening.watchlist import Entry, WatchListIndex
from kouan.services.ships.portcalls import screened
from tests.factories import (
    NOW,
    arrival_notice,
    arrival_notice_data,
    crew_data,
    dangerous_good_data,
    departure_notice,
    person_data,
)

AGENCY_RULES = {agency: PARAMETER_RULES[(PORT_CALL, agency)][0] for agency in AGENCIES}
DEFAULT_PARAMS = {agency: PARAMETER_RULES[(PORT_CALL, agency)][1] for agency in AGENCIES}


def build_rule_set(agency: Agency, *args: Any, **kwargs: Any) -> RuleSet:
    """The agency's port-call rule set."""
    return build_for_kind(PORT_CALL, agency, *args, **kwargs)


def default_rule_sets() -> dict[Agency, Any]:
    books = {agency: BOOKS[(PORT_CALL, agency)] for agency in AGENCIES}
    return {agency: book.build(1, book.default_document()) for agency, book in books.items()}


def describe(agency: Agency) -> list[dict[str, Any]]:
    return BOOKS[(PORT_CALL, agency)].describe({})


FIREWORKS = dangerous_good_data(
    un_number="UN0336", imdg_class="1.4", proper_shipping_name="FIREWORKS", quantity_kg=500.0
)
RADIOACTIVE = dangerous_good_data(
    un_number="UN2915",
    imdg_class="7",
    proper_shipping_name="RADIOACTIVE MATERIAL, TYPE A PACKAGE",
    quantity_kg=80.0,
    packing_group=None,
)
BIOLOGICAL = dangerous_good_data(
    un_number="UN3373",
    imdg_class="6.2",
    proper_shipping_name="BIOLOGICAL SUBSTANCE, CATEGORY B",
    quantity_kg=4.0,
    packing_group=None,
)
NEW_HAND = person_data(
    "ZHAO", "Lei", "CN", date(1996, 8, 8), "E90112233", date(2031, 1, 1), rank="Ordinary Seaman"
)


def entry(**overrides: Any) -> Subject:
    """The entry review's subject for the factory's arrival notice with `overrides`."""
    return Subject(arrival=arrival_notice(**overrides), phase=Phase.ENTRY, now=NOW)


def leaving(departure: DepartureNotice | None = None, **overrides: Any) -> Subject:
    """The departure review's subject; the departure notice is the factory's unless given."""
    return Subject(
        arrival=arrival_notice(**overrides),
        phase=Phase.DEPARTURE,
        now=NOW,
        departure=departure_notice() if departure is None else departure,
    )


def evaluate(
    agency: Agency,
    subject: Subject,
    params: Mapping[str, Any] | None = None,
    disabled: Iterable[str] = (),
) -> Outcome:
    return build_rule_set(agency, 1, params, disabled).evaluate(subject, subject.phase)


def crew_with(**changes: Any) -> list[dict[str, Any]]:
    """The factory's crew with the chief officer (SANTOS, index 1) changed."""
    crew = crew_data()
    crew[1] = {**crew[1], **changes}
    return crew


# --- the factory and a clean call -------------------------------------------------------------


def test_factory_is_deterministic_json_with_eta_three_days_after_now() -> None:
    data = arrival_notice_data()
    assert json.loads(json.dumps(data)) == data == arrival_notice_data()
    notice = arrival_notice()
    assert notice.eta == NOW + timedelta(days=3)
    assert notice.etd == notice.eta + timedelta(days=2)
    assert notice.cargo.discrepancies() == []
    assert [g.main_class for g in notice.dangerous_goods] == [3]
    assert all(p.rank for p in notice.crew) and notice.passengers


def test_factory_merges_nested_overrides_and_replaces_lists() -> None:
    data = arrival_notice_data(ship={"name": "EVER DELIGHT"}, last_ports=["USLAX"])
    assert data["ship"]["name"] == "EVER DELIGHT"
    assert data["ship"]["imo"] == "9134270"
    assert data["last_ports"] == ["USLAX"]


@pytest.mark.parametrize("agency", AGENCIES)
def test_clean_arrival_is_approved_by_every_agency(agency: Agency) -> None:
    outcome = evaluate(agency, entry())
    assert outcome.status is ReviewStatus.APPROVED
    assert outcome.hits == ()
    assert outcome.rule_set == f"{agency.value} v1"


@pytest.mark.parametrize("agency", AGENCIES)
def test_clean_departure_is_approved_by_every_agency(agency: Agency) -> None:
    assert evaluate(agency, leaving()).status is ReviewStatus.APPROVED


# --- CIQ ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("health", "code", "words"),
    [
        ({"ill_persons": 2}, "CIQ-ILL-ABOARD", "2 ill person"),
        ({"deaths": 1}, "CIQ-DEATH-ABOARD", "1 death"),
        ({"suspected_infectious": True}, "CIQ-SUSPECTED-INFECTIOUS", "infectious"),
    ],
)
def test_health_declaration_orders_boarding_quarantine(
    health: dict[str, Any], code: str, words: str
) -> None:
    outcome = evaluate(Agency.CIQ, entry(health=health))
    assert outcome.status is ReviewStatus.INSPECT
    assert outcome.rules_hit == [code]
    assert words in outcome.reason


def test_recent_epidemic_port_orders_boarding_quarantine() -> None:
    outcome = evaluate(Agency.CIQ, entry(), {"epidemic_ports": ["cn sha"]})
    assert outcome.status is ReviewStatus.INSPECT
    assert outcome.rules_hit == ["CIQ-EPIDEMIC-PORT"]
    assert "CNSHA (port of call 2 of the last 3)" in outcome.reason


def test_epidemic_port_outside_the_recent_window_does_not_hit() -> None:
    # SGSIN is the fourth port of call, KRPUS the first.
    assert evaluate(Agency.CIQ, entry(), {"epidemic_ports": ["SGSIN"]}).hits == ()
    narrow = {"epidemic_ports": ["CNSHA"], "recent_ports": 1}
    assert evaluate(Agency.CIQ, entry(), narrow).hits == ()
    wide = {"epidemic_ports": ["SGSIN"], "recent_ports": 4}
    assert evaluate(Agency.CIQ, entry(), wide).rules_hit == ["CIQ-EPIDEMIC-PORT"]


def test_recent_port_in_epidemic_country_orders_boarding_quarantine() -> None:
    outcome = evaluate(Agency.CIQ, entry(), {"epidemic_countries": ["hk"]})
    assert outcome.rules_hit == ["CIQ-EPIDEMIC-PORT"]
    assert "HKHKG" in outcome.reason and "country HK" in outcome.reason
    assert evaluate(Agency.CIQ, entry(), {"epidemic_countries": ["US", "MX"]}).hits == ()


def test_missing_sanitation_certificate_is_referred() -> None:
    outcome = evaluate(Agency.CIQ, entry(health={"sanitation_certificate_expiry": None}))
    assert outcome.status is ReviewStatus.PENDING
    assert not outcome.decided
    assert outcome.rules_hit == ["CIQ-SANITATION-CERT"]
    assert "no ship sanitation certificate" in outcome.reason


def test_sanitation_certificate_expired_at_eta_is_referred_valid_on_its_last_day() -> None:
    eta_day = (NOW + timedelta(days=3)).date()
    expired = entry(health={"sanitation_certificate_expiry": str(eta_day - timedelta(days=1))})
    outcome = evaluate(Agency.CIQ, expired)
    assert outcome.rules_hit == ["CIQ-SANITATION-CERT"]
    assert f"before ETA {eta_day}" in outcome.reason
    last_day = entry(health={"sanitation_certificate_expiry": str(eta_day)})
    assert evaluate(Agency.CIQ, last_day).hits == ()


def test_certificate_expiry_is_judged_by_the_date_at_the_port() -> None:
    # 20:00 UTC on 3 December is 04:00 on 4 December in Qingdao.
    late_eta = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    subject = entry(
        eta=late_eta.isoformat(),
        etd=(late_eta + timedelta(days=2)).isoformat(),
        health={"sanitation_certificate_expiry": "2026-12-03"},
    )
    assert evaluate(Agency.CIQ, subject).rules_hit == ["CIQ-SANITATION-CERT"]
    assert evaluate(Agency.CIQ, subject, {"time_zone": "UTC"}).hits == ()


def test_ciq_has_no_departure_rules() -> None:
    sick = leaving(health={"ill_persons": 3, "sanitation_certificate_expiry": None})
    assert evaluate(Agency.CIQ, sick).status is ReviewStatus.APPROVED


# --- BORDER ------------------------------------------------------------------------------------


def watched(subject: Subject, *entries: Entry) -> Subject:
    """The subject screened against a watch list of `entries`, as filing screens it."""
    return screened(subject, WatchListIndex(entries, freeze=False))


@pytest.mark.parametrize(
    "listed",
    [
        Entry("W-1", "", document_number=" p452 1873a ", nationality="PH", reason="lost"),
        Entry("W-1", "Santos MARK anthony", date_of_birth="1985-07-02"),
        Entry("W-1", "MARK ANTHONY SANTOS", date_of_birth="1985", nationality="PH"),
    ],
)
def test_watch_list_match_holds_the_ship(listed: Entry) -> None:
    outcome = evaluate(Agency.BORDER, watched(entry(), listed))
    assert outcome.status is ReviewStatus.HOLD
    assert outcome.rules_hit == ["BORDER-WATCH-LIST"]
    assert "crew member SANTOS Mark Anthony (document P4521873A, PH)" in outcome.reason
    assert "watch-list entry W-1" in outcome.reason


def test_a_crew_member_is_found_from_the_native_script_of_the_list() -> None:
    listed = Entry("W-7", "王建国", date_of_birth="1972-03-14", nationality="CN")
    outcome = evaluate(Agency.BORDER, watched(entry(), listed))
    assert outcome.rules_hit == ["BORDER-WATCH-LIST"]
    assert "WANG Jianguo" in outcome.reason


@pytest.mark.parametrize(
    "listed",
    [
        Entry("W-1", "SANTOS Mark Anthony", date_of_birth="1961-03-09"),
        Entry("W-1", "SANTOS Marco Antonio", date_of_birth="1985-07-02"),
        Entry("W-1", "SANTOS Maria Luisa", date_of_birth="1985-07-02", nationality="PH"),
    ],
)
def test_near_miss_on_the_watch_list_does_not_hit(listed: Entry) -> None:
    assert evaluate(Agency.BORDER, watched(entry(), listed)).hits == ()


def test_a_match_below_the_rule_sets_threshold_does_not_hold() -> None:
    subject = watched(entry(), Entry("W-1", "SANTOS Mark", date_of_birth="1985-07-02"))
    assert evaluate(Agency.BORDER, subject).rules_hit == ["BORDER-WATCH-LIST"]
    assert evaluate(Agency.BORDER, subject, {"ship_watch_threshold": 0.95}).hits == ()


def test_watch_list_screens_passengers() -> None:
    listed = Entry("W-2", "", document_number="M35207841")
    outcome = evaluate(Agency.BORDER, watched(entry(), listed))
    assert "passenger KIM Minji" in outcome.reason


def test_the_watch_list_is_no_longer_a_rule_set_parameter() -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_rule_set(Agency.BORDER, 2, {"watch_list": []})
    assert [f.field for f in caught.value.fields] == ["params.watch_list"]


def test_document_expiring_before_etd_holds_the_ship() -> None:
    etd_day = (NOW + timedelta(days=5)).date()
    expiring = crew_with(
        document={**crew_data()[1]["document"], "expiry": str(etd_day - timedelta(days=1))}
    )
    outcome = evaluate(Agency.BORDER, entry(crew=expiring))
    assert outcome.status is ReviewStatus.HOLD
    assert outcome.rules_hit == ["BORDER-DOCUMENT-EXPIRED"]
    assert "SANTOS" in outcome.reason and f"before ETD {etd_day}" in outcome.reason


def test_document_valid_on_the_day_of_departure_does_not_hit() -> None:
    etd_day = (NOW + timedelta(days=5)).date()
    last_day = crew_with(document={**crew_data()[1]["document"], "expiry": str(etd_day)})
    assert evaluate(Agency.BORDER, entry(crew=last_day)).hits == ()


def test_same_document_declared_twice_is_referred() -> None:
    twin = {**crew_data()[0], "rank": None}
    outcome = evaluate(Agency.BORDER, entry(passengers=[twin]))
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["BORDER-DUPLICATE-DOCUMENT"]
    assert "passenger WANG Jianguo" in outcome.reason and "crew member WANG" in outcome.reason


def test_missing_crew_list_is_referred() -> None:
    outcome = evaluate(Agency.BORDER, entry(crew=[]))
    assert outcome.rules_hit == ["BORDER-NO-CREW-LIST"]


@pytest.mark.parametrize(("level", "hit"), [(1, False), (2, False), (3, True)])
def test_border_refers_security_level_three(level: int, hit: bool) -> None:
    outcome = evaluate(Agency.BORDER, entry(security_level=level))
    assert outcome.rules_hit == (["BORDER-SECURITY-LEVEL"] if hit else [])


def test_crew_change_at_departure_is_referred_naming_who_signs_on_and_off() -> None:
    changed = [*crew_data()[:3], NEW_HAND]
    outcome = evaluate(Agency.BORDER, leaving(departure_notice(crew=changed)))
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["BORDER-CREW-CHANGE"]
    assert "signing on: ZHAO Lei" in outcome.reason
    assert "signing off: DELA CRUZ Juan Miguel" in outcome.reason


def test_departure_watch_list_screens_the_departure_crew() -> None:
    listed = Entry("W-3", "", document_number="E90112233")
    departure = departure_notice(crew=[*crew_data(), NEW_HAND])
    outcome = evaluate(Agency.BORDER, watched(leaving(departure), listed))
    assert outcome.status is ReviewStatus.HOLD
    assert outcome.rules_hit == ["BORDER-WATCH-LIST", "BORDER-CREW-CHANGE"]
    assert evaluate(Agency.BORDER, watched(entry(), listed)).hits == ()


def test_departure_without_a_crew_list_screens_the_arrival_crew() -> None:
    listed = Entry("W-4", "", document_number="E48203316")
    outcome = evaluate(Agency.BORDER, watched(leaving(departure_notice(crew=None)), listed))
    assert outcome.rules_hit == ["BORDER-WATCH-LIST"]
    assert "LI Hong" in outcome.reason


def test_departure_checks_documents_against_the_departure_etd() -> None:
    later = departure_notice(etd=(NOW + timedelta(days=9)).isoformat())
    expiry = str((NOW + timedelta(days=7)).date())
    crew = crew_with(document={**crew_data()[1]["document"], "expiry": expiry})
    assert evaluate(Agency.BORDER, entry(crew=crew)).hits == ()
    outcome = evaluate(Agency.BORDER, leaving(later, crew=crew))
    assert outcome.rules_hit == ["BORDER-DOCUMENT-EXPIRED"]


# --- MSA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("good", "words"), [(FIREWORKS, "UN0336"), (RADIOACTIVE, "UN2915")])
def test_officer_classes_of_dangerous_goods_are_referred(good: dict[str, Any], words: str) -> None:
    outcome = evaluate(Agency.MSA, entry(dangerous_goods=[dangerous_good_data(), good]))
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["MSA-DG-OFFICER-CLASS"]
    assert words in outcome.reason and "UN1263" not in outcome.reason


def test_officer_classes_can_name_a_division_or_another_class() -> None:
    goods = entry(dangerous_goods=[dangerous_good_data(), BIOLOGICAL])
    assert evaluate(Agency.MSA, goods).hits == ()
    outcome = evaluate(Agency.MSA, goods, {"officer_classes": ["6.2", 3]})
    assert "UN3373" in outcome.reason and "UN1263" in outcome.reason


@pytest.mark.parametrize(
    ("detentions", "params", "hit"),
    [(0, {}, False), (1, {}, True), (2, {"refer_detentions": 3}, False)],
)
def test_detention_record_is_referred(detentions: int, params: dict[str, int], hit: bool) -> None:
    subject = Subject(
        arrival=arrival_notice(), phase=Phase.ENTRY, now=NOW, ship_detentions=detentions
    )
    outcome = evaluate(Agency.MSA, subject, params)
    assert outcome.rules_hit == (["MSA-DETENTION-RECORD"] if hit else [])
    if hit:
        assert "IMO 9134270 has 1 detention" in outcome.reason


@pytest.mark.parametrize(("level", "hit"), [(1, False), (2, True), (3, True)])
def test_msa_refers_raised_security_level(level: int, hit: bool) -> None:
    outcome = evaluate(Agency.MSA, entry(security_level=level))
    assert outcome.rules_hit == (["MSA-SECURITY-LEVEL"] if hit else [])


@pytest.mark.parametrize(
    ("days", "params", "hit"), [(30, {}, False), (31, {}, True), (31, {"max_stay_days": 45}, False)]
)
def test_implausibly_long_stay_is_referred(days: int, params: dict[str, int], hit: bool) -> None:
    eta = NOW + timedelta(days=3)
    subject = entry(etd=(eta + timedelta(days=days)).isoformat())
    outcome = evaluate(Agency.MSA, subject, params)
    assert outcome.rules_hit == (["MSA-STAY-IMPLAUSIBLE"] if hit else [])
    if hit:
        assert "31.0 days" in outcome.reason


def test_departure_dangerous_goods_are_checked_not_the_arrival_ones() -> None:
    arrived_with_fireworks = leaving(dangerous_goods=[FIREWORKS])
    assert evaluate(Agency.MSA, arrived_with_fireworks).hits == ()
    leaves_with_isotopes = leaving(departure_notice(dangerous_goods=[RADIOACTIVE]))
    outcome = evaluate(Agency.MSA, leaves_with_isotopes)
    assert outcome.rules_hit == ["MSA-DG-OFFICER-CLASS"]
    assert "UN2915" in outcome.reason


# --- CUSTOMS -----------------------------------------------------------------------------------


def test_cargo_totals_that_do_not_add_up_are_referred_by_how_much() -> None:
    subject = entry(cargo={"total_packages": 2520, "total_gross_tonnes": 8583.0})
    outcome = evaluate(Agency.CUSTOMS, subject)
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["CUSTOMS-CARGO-TOTALS"]
    assert "total_packages declared 2520 but the items add up to 2500 (difference 20)" in (
        outcome.reason
    )
    assert (
        "total_gross_tonnes declared 8583 but the items add up to 8583.25 (difference -0.25)"
        in (outcome.reason)
    )
    assert "total_teu" not in outcome.reason


def test_call_at_a_sensitive_port_is_referred() -> None:
    outcome = evaluate(Agency.CUSTOMS, entry(), {"sensitive_ports": ["hkhkg", "USLAX"]})
    assert outcome.rules_hit == ["CUSTOMS-SENSITIVE-PORT"]
    assert "HKHKG (port of call 3)" in outcome.reason and "USLAX" not in outcome.reason
    assert evaluate(Agency.CUSTOMS, entry(), {"sensitive_ports": ["USLAX"]}).hits == ()


def test_departure_cargo_is_checked_not_the_arrival_cargo() -> None:
    bad_arrival_cargo = leaving(cargo={"total_teu": 1})
    assert evaluate(Agency.CUSTOMS, bad_arrival_cargo).hits == ()
    bad_departure = departure_notice(cargo={"total_teu": 650})
    outcome = evaluate(Agency.CUSTOMS, leaving(bad_departure))
    assert outcome.rules_hit == ["CUSTOMS-CARGO-TOTALS"]
    assert "total_teu declared 650 but the items add up to 640 (difference 10)" in outcome.reason


# --- aggregation, parameters and the registry --------------------------------------------------


def test_strongest_hit_decides_and_every_hit_is_recorded() -> None:
    subject = entry(
        security_level=3, health={"ill_persons": 1, "sanitation_certificate_expiry": None}
    )
    ciq = evaluate(Agency.CIQ, subject)
    assert ciq.status is ReviewStatus.INSPECT
    assert ciq.rules_hit == ["CIQ-ILL-ABOARD", "CIQ-SANITATION-CERT"]
    border = evaluate(
        Agency.BORDER, watched(subject, Entry("W-5", "", document_number="E23815467"))
    )
    assert border.status is ReviewStatus.HOLD
    assert border.rules_hit == ["BORDER-WATCH-LIST", "BORDER-SECURITY-LEVEL"]
    assert border.decided


def test_disabled_rule_does_not_hit() -> None:
    subject = entry(health={"ill_persons": 1, "sanitation_certificate_expiry": None})
    outcome = evaluate(Agency.CIQ, subject, disabled=["CIQ-ILL-ABOARD"])
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["CIQ-SANITATION-CERT"]


def test_disabling_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_rule_set(Agency.MSA, 1, disabled=["CIQ-ILL-ABOARD"])
    assert caught.value.fields[0].value == "CIQ-ILL-ABOARD"
    assert "MSA-DG-OFFICER-CLASS" in caught.value.fields[0].expected


def test_params_override_defaults_and_keep_the_rest() -> None:
    rule_set = build_rule_set(Agency.CIQ, 4, {"recent_ports": 5})
    assert rule_set.params["recent_ports"] == 5
    assert rule_set.params["epidemic_ports"] == DEFAULT_PARAMS[Agency.CIQ]["epidemic_ports"]
    assert rule_set.label == "CIQ v4"


def test_a_rule_set_does_not_share_its_lists_with_the_defaults() -> None:
    rule_set = build_rule_set(Agency.CUSTOMS, 1)
    rule_set.params["sensitive_ports"].append("HKHKG")
    assert DEFAULT_PARAMS[Agency.CUSTOMS]["sensitive_ports"] == []


@pytest.mark.parametrize(
    ("agency", "params", "field"),
    [
        (Agency.MSA, {"max_stay_day": 10}, "params.max_stay_day"),
        (Agency.MSA, {"max_stay_days": "ten"}, "params.max_stay_days"),
        (Agency.MSA, {"officer_classes": 7}, "params.officer_classes"),
        (Agency.MSA, {"refer_detentions": True}, "params.refer_detentions"),
        (Agency.CIQ, {"epidemic_ports": ["CNSHA", "CNQQQ"]}, "params.epidemic_ports[1]"),
        (Agency.CIQ, {"epidemic_countries": ["XX"]}, "params.epidemic_countries[0]"),
        (Agency.CUSTOMS, {"sensitive_ports": ["Hong Kong"]}, "params.sensitive_ports[0]"),
        (Agency.BORDER, {"ship_watch_threshold": "high"}, "params.ship_watch_threshold"),
    ],
)
def test_unusable_params_are_refused(agency: Agency, params: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_rule_set(agency, 1, params)
    assert [f.field for f in caught.value.fields] == [field]


def test_unknown_time_zone_and_version_zero_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        build_rule_set(Agency.CIQ, 1, {"time_zone": "Asia/Qingdao"})
    with pytest.raises(ValidationFailed):
        build_rule_set(Agency.CIQ, 0)


def test_default_rule_sets_are_version_one_with_default_params() -> None:
    rule_sets = default_rule_sets()
    assert list(rule_sets) == list(AGENCIES)
    for agency, rule_set in rule_sets.items():
        assert rule_set.version == 1
        assert rule_set.rules == AGENCY_RULES[agency]
        assert dict(rule_set.params) == DEFAULT_PARAMS[agency]
        assert rule_set.disabled == frozenset()


def test_rule_codes_are_unique_and_name_their_agency() -> None:
    codes = [rule.code for rules in AGENCY_RULES.values() for rule in rules]
    assert len(codes) == len(set(codes))
    for agency, rules in AGENCY_RULES.items():
        assert all(rule.code.startswith(f"{agency.value}-") for rule in rules)


@pytest.mark.parametrize("agency", AGENCIES)
def test_describe_lists_each_rule_for_the_ui(agency: Agency) -> None:
    described = describe(agency)
    assert [d["code"] for d in described] == [r.code for r in AGENCY_RULES[agency]]
    for d in described:
        assert set(d) == {"code", "title", "title_zh", "action", "phases"}
        assert d["title"] and any("\u4e00" <= ch <= "\u9fff" for ch in d["title_zh"])
        assert d["action"] in {"REFER", "INSPECT", "HOLD", "REJECT"}
        assert d["phases"] and set(d["phases"]) <= {"entry", "departure"}


def test_describe_gives_phases_in_order_and_the_action_name() -> None:
    watch = next(d for d in describe(Agency.BORDER) if d["code"] == "BORDER-WATCH-LIST")
    assert watch["phases"] == ["entry", "departure"]
    assert watch["action"] == "HOLD"
    change = next(d for d in describe(Agency.BORDER) if d["code"] == "BORDER-CREW-CHANGE")
    assert change["phases"] == ["departure"]
