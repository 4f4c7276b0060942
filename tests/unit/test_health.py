"""Referral to CIQ from a health declaration: fever, symptoms, contact with the ill, and a stay in
an epidemic alert's area within the incubation period before arrival (H1N1, 2009)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

import kouan
from kouan.domain import health, reasons
from kouan.domain.errors import ValidationFailed
from kouan.domain.health import (
    AlertArea,
    EpidemicAlert,
    HealthDeclaration,
    Stay,
    h1n1_2009,
    referral_reasons,
)
from kouan.domain.reasons import render
from kouan.web.ui.i18n import translations

H1N1 = h1n1_2009()
ARRIVAL = date(2009, 5, 10)


def declared(**kw: object) -> HealthDeclaration:
    return HealthDeclaration(person_id="p1", **kw)  # type: ignore[arg-type]


def keys(found: list[reasons.Reason]) -> list[str]:
    return [r.key for r in found]


# --- fever, symptoms, the ill -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [(36.6, False), (37.2, False), (37.3, True), (37.29999999, True), (39.1, True), (None, False)],
)
def test_fever_is_37_3_and_above(temperature: float | None, fever: bool) -> None:
    found = referral_reasons(declared(temperature=temperature), ARRIVAL)
    assert keys(found) == (["health.fever"] if fever else [])


def test_the_fever_threshold_is_configurable() -> None:
    assert referral_reasons(declared(temperature=37.8), ARRIVAL, fever_at=38.0) == []
    (found,) = referral_reasons(declared(temperature=38.0), ARRIVAL, fever_at=38.0)
    assert found.text == "temperature 38.0 °C, at or above 38.0 °C"


def test_symptoms_and_contact_with_the_ill() -> None:
    found = referral_reasons(
        declared(symptoms=("cough", "Sore_Throat", "rash on the arms"), ill_contact=True), ARRIVAL
    )
    assert keys(found) == ["health.symptoms", "health.ill_contact"]
    assert found[0].text == "symptoms declared: cough, sore throat, rash on the arms"
    zh = translations("zh").gettext
    assert render(found[0].key, found[0].as_dict()["params"], zh, zh=True) == (
        "申报症状：咳嗽, 咽痛, rash on the arms"
    )


def test_nothing_declared_refers_no_one() -> None:
    assert referral_reasons(declared(temperature=36.5), ARRIVAL, alerts=[H1N1]) == []


# --- alert areas ------------------------------------------------------------------------------


def test_a_declared_stay_in_mexico_within_seven_days_refers() -> None:
    stay = Stay("MX", date(2009, 5, 1), date(2009, 5, 5))
    (found,) = referral_reasons(declared(stays=(stay,)), ARRIVAL, alerts=[H1N1])
    assert found.key == "health.alert_area_visited"
    assert found.text == (
        "declared a stay in MX (MX: Influenza A(H1N1) alert, level 4) on 2009-05-05, "
        "5 day(s) before arrival, within the 7-day incubation period"
    )
    zh = translations("zh").gettext
    assert render(found.key, found.as_dict()["params"], zh, zh=True) == (
        "申报 2009-05-05 曾在 MX（MX：甲型H1N1流感 疫情警示，等级 4），"
        "为入境前 5 天，在 7 天潜伏期内"
    )


@pytest.mark.parametrize(
    ("first", "last", "refers"),
    [
        (date(2009, 5, 3), None, True),  # 7 days before: the incubation period's first day
        (date(2009, 5, 2), None, False),  # 8 days before
        (date(2009, 4, 20), date(2009, 5, 2), False),  # left 8 days before
        (date(2009, 4, 20), date(2009, 5, 3), True),
        (date(2009, 5, 10), None, True),  # left on the day of arrival
        (date(2009, 5, 11), None, False),  # declared after arrival: not before it
    ],
)
def test_the_incubation_window_counts_days_before_arrival(
    first: date, last: date | None, refers: bool
) -> None:
    found = referral_reasons(declared(stays=(Stay("MX", first, last),)), ARRIVAL, alerts=[H1N1])
    assert bool(found) is refers


def test_a_stay_before_the_alert_began_or_after_it_ended_does_not_refer() -> None:
    early = Stay("MX", date(2009, 4, 20), date(2009, 4, 24))  # the alert began on 25 April
    assert referral_reasons(declared(stays=(early,)), date(2009, 4, 26), alerts=[H1N1]) == []
    late = Stay("US", date(2010, 8, 11))  # it ended on 10 August 2010
    assert referral_reasons(declared(stays=(late,)), date(2010, 8, 13), alerts=[H1N1]) == []
    last = Stay("US", date(2010, 8, 10))
    assert len(referral_reasons(declared(stays=(last,)), date(2010, 8, 13), alerts=[H1N1])) == 1


def test_the_route_of_the_flight_refers_every_one_aboard() -> None:
    route = (Stay("MEX", date(2009, 5, 9), country="MX"), Stay("LAX", date(2009, 5, 9)))
    (found,) = referral_reasons(declared(), ARRIVAL, alerts=[H1N1], route=route)
    assert found.key == "health.alert_area_route"
    # the airport itself is named before its country; LAX without its country matches nothing
    assert found.params["place"] == "MEX" and found.params["area"] == "MEX"
    with_country = (Stay("LAX", date(2009, 5, 9), country="us"),)
    (via_us,) = referral_reasons(declared(), ARRIVAL, alerts=[H1N1], route=with_country)
    assert via_us.params["area"] == "US" and via_us.params["level"] == 3


def test_places_by_un_locode_and_areas_of_one_place() -> None:
    assert referral_reasons(
        declared(stays=(Stay("USNYC", date(2009, 5, 8)),)), ARRIVAL, alerts=[H1N1]
    )
    veracruz = EpidemicAlert(
        "Dengue", (AlertArea("MXVER", 3),), date(2009, 1, 1), None, incubation_days=14
    )
    at_port = Stay("MXVER", date(2009, 5, 8))
    in_country = Stay("MX", date(2009, 5, 8))  # somewhere in Mexico: not known to be Veracruz
    assert keys(referral_reasons(declared(stays=(at_port,)), ARRIVAL, alerts=[veracruz])) == [
        "health.alert_area_visited"
    ]
    assert referral_reasons(declared(stays=(in_country,)), ARRIVAL, alerts=[veracruz]) == []


def test_codes_and_levels_are_checked() -> None:
    with pytest.raises(ValidationFailed):
        AlertArea("MEXICO", 4)
    with pytest.raises(ValidationFailed):
        AlertArea("MX", 5)
    with pytest.raises(ValidationFailed):
        Stay("L4X", date(2009, 5, 1))
    with pytest.raises(ValidationFailed):
        Stay("MX", date(2009, 5, 2), date(2009, 5, 1))
    with pytest.raises(ValidationFailed):
        EpidemicAlert("x", (), date(2009, 1, 1), None, 7)
    with pytest.raises(ValidationFailed):
        EpidemicAlert("x", (AlertArea("MX", 1),), date(2009, 1, 2), date(2009, 1, 1), 7)


@given(
    stay_day=st.dates(date(2009, 3, 1), date(2009, 7, 1)),
    arrival=st.dates(date(2009, 4, 1), date(2009, 7, 1)),
    incubation=st.integers(0, 21),
)
def test_a_stay_refers_exactly_within_the_window(
    stay_day: date, arrival: date, incubation: int
) -> None:
    alert = EpidemicAlert("H1N1", (AlertArea("MX", 4),), H1N1.starts, None, incubation)
    found = referral_reasons(declared(stays=(Stay("MXMEX", stay_day),)), arrival, alerts=[alert])
    before = (arrival - stay_day).days
    expected = 0 <= before <= incubation and stay_day >= alert.starts
    assert bool(found) is expected


# --- the demo's alert and the messages --------------------------------------------------------


def test_h1n1_2009_and_moved_to_a_demo_week() -> None:
    assert H1N1.level == 4 and H1N1.incubation_days == 7
    assert H1N1.active_on(date(2009, 6, 11)) and not H1N1.active_on(date(2009, 4, 24))
    assert {a.code for a in H1N1.areas} >= {"MX", "US", "CA", "JP"}
    week = h1n1_2009(starts=date(2026, 11, 23))
    assert week.active_on(date(2026, 11, 27)) and not week.active_on(date(2026, 11, 22))
    assert week.ends - week.starts == H1N1.ends - H1N1.starts  # type: ignore[operator]


def test_templates_register_once_and_clash_loudly() -> None:
    health.register_templates()
    health.register_templates()
    assert all(reasons.TEMPLATES[k] == v for k, v in health.TEMPLATES.items())
    reasons.TEMPLATES["contact.deck"] = "something else"
    try:
        with pytest.raises(RuntimeError, match=r"contact\.deck"):
            health.register_templates()
    finally:
        reasons.TEMPLATES["contact.deck"] = health.TEMPLATES["contact.deck"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_template_is_in_the_health_catalogue(locale: str) -> None:
    path = Path(kouan.__file__).parent / "locale" / locale / "LC_MESSAGES" / "health.po"
    with path.open("rb") as po:
        messages = {m.id: m.string for m in read_po(po) if m.id}
    assert set(messages) == set(health.TEMPLATES.values())
    for msgid, msgstr in messages.items():
        if locale == "zh_CN":
            assert msgstr, msgid
        if msgstr:
            placeholders = sorted(re.findall(r"\{\w+\}", msgid))
            assert placeholders == sorted(re.findall(r"\{\w+\}", msgstr))


def test_days_in_the_reason_count_back_from_arrival() -> None:
    day = ARRIVAL - timedelta(days=3)
    (found,) = referral_reasons(declared(stays=(Stay("JP", day),)), ARRIVAL, alerts=[H1N1])
    assert found.params["days"] == 3 and found.params["level"] == 2
