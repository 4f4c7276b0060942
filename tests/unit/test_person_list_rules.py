"""The rules of a person list, person by person: documents, visas, check digits, watch-list hits
and health referrals, each naming its person as the target."""

from __future__ import annotations

from datetime import date

from kouan.domain.agency import Agency, Phase
from kouan.domain.health import AlertArea, EpidemicAlert, HealthDeclaration, Stay, h1n1_2009
from kouan.domain.person_list import Direction, ListedPerson, Role, TravelDocument
from kouan.domain.reasons import Reason
from kouan.rules.person_list import ListFacts, WatchHit
from kouan.rules.registry import PERSON_LIST, build_rule_set

DAY = date(2026, 11, 27)
LATER = date(2030, 1, 1)


def _person(nationality: str = "KR", *documents: TravelDocument, **fields: object) -> ListedPerson:
    documents = documents or (TravelDocument("P", "M1234567", nationality, LATER),)
    return ListedPerson(
        family_name="KIM", given_names="MINJUN", nationality=nationality, documents=list(documents),
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def _hits(agency: Agency, facts: ListFacts, phase: Phase = Phase.ENTRY) -> dict[str, list[str]]:
    outcome = build_rule_set(PERSON_LIST, agency, 1).evaluate(facts, phase)
    found: dict[str, list[str]] = {}
    for hit in outcome.hits:
        assert hit.target is not None  # every finding names its person
        found.setdefault(hit.target, []).append(hit.code)
    return found


def _facts(*persons: ListedPerson, **kwargs: object) -> ListFacts:
    return ListFacts(list(persons), kwargs.pop("direction", Direction.ARRIVING), DAY, **kwargs)  # type: ignore[arg-type]


def test_a_clean_list_opens_nothing_to_decide() -> None:
    assert _hits(Agency.BORDER, _facts(_person("KR"), _person("JP"), _person("CN"))) == {}


def test_documents_missing_without_expiry_or_expired_are_referred() -> None:
    facts = _facts(
        _person("KR", TravelDocument("P", None, "KR", None)),
        _person("KR", TravelDocument("P", "M1", "KR", None)),
        _person("KR", TravelDocument("P", "M2", "KR", date(2026, 11, 26))),
        _person("KR", TravelDocument("P", "M3", "KR", DAY)),  # valid on the day itself
    )
    assert _hits(Agency.BORDER, facts) == {
        "persons[1]": ["BORDER-LIST-NO-DOCUMENT"],
        "persons[2]": ["BORDER-LIST-NO-EXPIRY"],
        "persons[3]": ["BORDER-LIST-EXPIRED"],
    }


def test_a_visa_is_asked_of_arriving_passengers_of_nationalities_without_a_waiver() -> None:
    visa = TravelDocument("V", "V998877", "CN", LATER)
    passport = TravelDocument("P", "561234567", "US", LATER)
    facts = _facts(
        _person("US", passport),
        _person("US", passport, visa),
        _person("US", passport, role=Role.CREW),
        _person("US", passport, transit=True),
        _person("JP"),
    )
    assert _hits(Agency.BORDER, facts) == {"persons[1]": ["BORDER-LIST-VISA"]}
    departing = _facts(_person("US", passport), direction=Direction.DEPARTING)
    assert _hits(Agency.BORDER, departing, Phase.DEPARTURE) == {}


def test_a_mainland_identity_card_number_must_pass_its_check_digit() -> None:
    good = TravelDocument("I", "11010519491231002X", "CN", LATER)
    bad = TravelDocument("I", "110105194912310021", "CN", LATER)
    facts = _facts(_person("CN", good), _person("CN", bad))
    assert _hits(Agency.BORDER, facts) == {"persons[2]": ["BORDER-LIST-CHECK-DIGIT"]}


def test_watch_list_hits_refer_at_the_threshold_and_not_below() -> None:
    reason = Reason("text", {"text": "name"})
    hits = {1: [WatchHit("W-1", 0.97, reason)], 2: [WatchHit("W-2", 0.6, reason)]}
    facts = _facts(_person("KR"), _person("KR"), hits=hits)
    assert _hits(Agency.BORDER, facts) == {"persons[1]": ["BORDER-LIST-WATCH"]}


def test_fever_symptoms_and_declared_stays_refer_to_ciq() -> None:
    alert = h1n1_2009(starts=date(2026, 11, 1))  # MX level 4, JP level 2
    health = {
        1: HealthDeclaration(1, temperature=38.2),
        2: HealthDeclaration(2, stays=(Stay("MXMEX", date(2026, 11, 22), date(2026, 11, 24)),)),
        3: HealthDeclaration(3, temperature=36.6),
    }
    facts = _facts(_person("KR"), _person("KR"), _person("KR"), health=health, alerts=[alert])
    assert _hits(Agency.CIQ, facts) == {
        "persons[1]": ["CIQ-LIST-HEALTH"],
        "persons[2]": ["CIQ-LIST-HEALTH"],
    }


def test_a_flight_from_an_alert_area_refers_only_the_unwell_below_the_top_level() -> None:
    japan = (Stay("NRT", DAY, DAY, country="JP"),)
    alert = h1n1_2009(starts=date(2026, 11, 1))
    well, unwell = HealthDeclaration(1), HealthDeclaration(2, symptoms=("cough",))
    facts = _facts(
        _person("JP"), _person("JP"), health={1: well, 2: unwell}, route=japan, alerts=[alert]
    )
    assert _hits(Agency.CIQ, facts) == {"persons[2]": ["CIQ-LIST-HEALTH"]}
    severe = EpidemicAlert("X", (AlertArea("JP", 4),), date(2026, 11, 1), None, 7)
    everyone = _facts(_person("JP"), _person("JP"), route=japan, alerts=[severe])
    assert sorted(_hits(Agency.CIQ, everyone)) == ["persons[1]", "persons[2]"]
