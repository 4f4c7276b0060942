"""The one person model of a list: its strict Person where possible, its issues in both
languages, its JSON form, and the border rules that refer what carriers' lists lack."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pydantic
import pytest
from babel.messages.pofile import read_po

from kouan import domain
from kouan.adapters import edifact_envelope, paxlst, person_sheet
from kouan.domain import person_list
from kouan.domain.agency import Agency, ReviewStatus
from kouan.domain.filing import Document, Person
from kouan.domain.person_list import (
    Leg,
    ListedPerson,
    ListKind,
    ListResult,
    PersonList,
    Role,
    TravelDocument,
    error,
    listed_person,
    read_json,
    warning,
)
from kouan.domain.reasons import TEMPLATES, render
from kouan.web.ui.i18n import translations
from tests.unit.test_rules import crew_with, entry, evaluate

LOCALE = Path(domain.__file__).parents[1] / "locale"


def listed(**changes: object) -> ListedPerson:
    fields: dict[str, object] = {
        "family_name": "PARK",
        "given_names": "JISOO",
        "date_of_birth": date(1988, 4, 9),
        "sex": "M",
        "nationality": "KR",
        "documents": [TravelDocument("P", "M71234567", "KR", date(2031, 6, 30))],
    }
    return ListedPerson(**{**fields, **changes})  # type: ignore[arg-type]


# --- The strict Person ---------------------------------------------------------------------------


def test_a_complete_person_becomes_the_strict_person() -> None:
    person = listed(embarkation="KRPUS", disembarkation="TAO").to_person()
    assert person.document == Document(
        type="P", number="M71234567", issuing_state="KR", expiry=date(2031, 6, 30)
    )
    # TAO is an IATA airport code, not a UN/LOCODE of the reference data.
    assert (person.port_of_embarkation, person.port_of_disembarkation) == ("KRPUS", None)


def test_the_travel_document_is_the_first_that_is_not_a_visa() -> None:
    visa = TravelDocument("V", "V0001", "CN", date(2027, 1, 1))
    passport = TravelDocument("P", "M7", "KR", None)
    person = listed(documents=[visa, passport])
    assert person.travel_document() is passport
    assert person.to_person().document == Document(number="M7", issuing_state="KR")


@pytest.mark.parametrize(
    "documents",
    [[], [TravelDocument("P", None, "KR", None)], [TravelDocument("P", "M7", None, None)]],
    ids=["none", "no-number", "no-issuing-state"],
)
def test_a_person_without_a_whole_document_is_a_person_without_one(
    documents: list[TravelDocument],
) -> None:
    assert listed(documents=documents).to_person().document is None


def test_a_person_without_a_date_of_birth_is_no_strict_person() -> None:
    with pytest.raises(pydantic.ValidationError, match="date_of_birth"):
        listed(date_of_birth=None).to_person()


def test_a_strict_person_listed_and_back_is_the_same() -> None:
    person = Person(
        family_name="WANG",
        given_names="Jianguo",
        nationality="CN",
        date_of_birth=date(1972, 3, 14),
        sex="M",
        document=Document(number="E1", issuing_state="CN"),
        rank="Master",
        port_of_embarkation="CNTAO",
    )
    again = listed_person(person, "crew")
    assert again.role is Role.CREW
    assert again.to_person() == person


# --- Issues --------------------------------------------------------------------------------------


def test_an_issue_answers_segment_element_code_and_message() -> None:
    issue = warning("segment 12 (DTM+36)", "C507/2380", "list.date_out_of_years", "99991231")
    assert issue.as_dict() == {
        "segment": "segment 12 (DTM+36)",
        "element": "C507/2380",
        "code": "list.date_out_of_years",
        "message": "99991231 is not a date in the years 2000 to 2099",
        "params": {"value": "99991231"},
        "value": "99991231",
    }


def test_an_issue_is_rendered_in_chinese() -> None:
    issue = error(
        "segment 40 (CNT+42)", "C270/6066", "list.person_count", "3", qualifier="42", actual=2
    )
    chinese = render(issue.key, issue.params, translations("zh").gettext)
    assert chinese == "CNT+42 计 3 人，但名单共 2 人"


def test_an_unknown_message_key_fails_where_it_is_written() -> None:
    with pytest.raises(KeyError):
        warning("line 2", "姓", "list.no_such_thing")


def _keys_used() -> set[str]:
    """The message keys the readers of lists write, found in their source."""
    found = {f"list.kind.{kind.value}" for kind in ListKind}
    for module in (paxlst, person_sheet, edifact_envelope, person_list):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        found |= set(re.findall(r'"((?:list|edifact|sheet)\.[a-z_.]+[a-z])"', source))
    return found


def test_every_message_of_the_lists_has_a_chinese_translation() -> None:
    keys = _keys_used()
    assert len(keys) > 50 and all(key in TEMPLATES for key in keys)
    with (LOCALE / "zh_CN" / "LC_MESSAGES" / "paxlst.po").open("rb") as po:
        chinese = {m.id: m.string for m in read_po(po) if m.id}
    with (LOCALE / "en" / "LC_MESSAGES" / "paxlst.po").open("rb") as po:
        english = {m.id for m in read_po(po) if m.id}
    assert {TEMPLATES[k] for k in keys} == set(chinese) == english
    for msgid, msgstr in chinese.items():
        assert msgstr and sorted(re.findall(r"\{\w+\}", msgid)) == sorted(
            re.findall(r"\{\w+\}", msgstr)
        )


def test_the_result_answers_as_the_cli_contract_says() -> None:
    person = listed(warnings=[warning("line 3", "姓", "list.no_family_name")])
    result = ListResult([PersonList(reference="L1", transport_id="CA931", persons=[person])])
    answer = result.as_dict()
    assert list(answer)[:5] == ["status", "list_id", "persons", "errors", "warnings"]
    assert (answer["status"], answer["list_id"], answer["persons"]) == ("accepted", "L1", 1)
    refused = ListResult(result.lists, [error("UNT", "", "edifact.no_unt", opened=3)]).refused()
    assert refused.lists == [] and refused.as_dict()["status"] == "rejected"


# --- JSON ----------------------------------------------------------------------------------------


def test_a_list_as_json_reads_back_the_same() -> None:
    original = PersonList(
        kind=ListKind.CREW,
        sender="PENAVICO",
        reference="R1",
        transport_id="0521-012W",
        legs=[Leg("0521-012W", "KRPUS", datetime(2026, 12, 1, 8), "CNTAO", None)],
        persons=[
            listed(role=Role.CREW, qualifier="crew", rank="Master", cabin="A1", source="persons[0]")
        ],
    )
    result = read_json(original.as_dict())
    assert result.status == "accepted"
    [again] = result.lists
    assert again.persons == original.persons and again.legs == original.legs
    assert (again.kind, again.reference, again.source) == (ListKind.CREW, "R1", "JSON")


def test_json_keeps_an_odd_person_with_warnings() -> None:
    body = {
        "transport_id": "CA931",
        "persons": [
            {"family_name": "LI", "date_of_birth": "1990-02-30", "nationality": "XX", "sex": "Q"},
            "not a person",
        ],
    }
    result = read_json(body)
    assert result.status == "accepted" and result.persons == 2
    first = result.lists[0].persons[0]
    assert [(w.segment, w.element, w.code) for w in first.warnings] == [
        ("persons[0]", "date_of_birth", "list.json_not_a_date"),
        ("persons[0]", "sex", "list.unknown_sex"),
        ("persons[0]", "nationality", "list.unknown_country"),
        ("persons[0]", "documents", "list.no_document"),
    ]


@pytest.mark.parametrize(
    ("body", "element"),
    [({"transport_id": "CA931"}, "persons"), ({"persons": []}, "transport_id")],
)
def test_json_without_persons_or_journey_is_refused(body: object, element: str) -> None:
    [issue] = read_json(body).errors
    assert (issue.segment, issue.element) == ("body", element)


# --- The border rules refer what the lists lack ---------------------------------------------------


def test_a_crew_member_without_a_travel_document_is_referred() -> None:
    outcome = evaluate(Agency.BORDER, entry(crew=crew_with(document=None)))
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["BORDER-NO-DOCUMENT"]
    assert "crew member SANTOS" in outcome.reason and "no travel document" in outcome.reason
    [hit] = outcome.hits
    assert hit.target == "crew[1]"


def test_a_document_without_expiry_is_referred_not_refused() -> None:
    document = {**crew_with()[1]["document"], "expiry": None}
    outcome = evaluate(Agency.BORDER, entry(crew=crew_with(document=document)))
    assert outcome.status is ReviewStatus.PENDING
    assert outcome.rules_hit == ["BORDER-NO-EXPIRY"]
    assert "expiry date is not declared" in outcome.reason


def test_persons_without_documents_are_not_one_document_declared_twice() -> None:
    crew = crew_with(document=None)
    crew[2] = {**crew[2], "document": None}
    outcome = evaluate(Agency.BORDER, entry(crew=crew))
    assert outcome.rules_hit == ["BORDER-NO-DOCUMENT"]
    assert [hit.target for hit in outcome.hits] == ["crew[1]", "crew[2]"]
