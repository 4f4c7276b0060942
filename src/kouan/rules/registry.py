"""Every rule set Kouan has, one per (subject kind, agency): how each is stored, checked, built
and described. A port stores only what it changed; the defaults fill in the rest, and a parameter
or rule code the rule set does not have is refused rather than silently ignored.

Two forms are stored: parameter rule sets ({"params": {...}, "disabled": [...]}, rules in code)
and customs' risk rules for declarations (rules as data, edited by risk officers).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kouan.domain import identifiers
from kouan.domain.agency import Agency, Phase
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.rules import border, ciq, customs, legal_inspection, msa, person_list
from kouan.rules.base import Evaluator, Rule, RuleSet
from kouan.rules.risk import RiskRuleSet, engine_from_document, hs_prefix, rule_from_dict
from kouan.rules.risk_defaults import DEFAULT_DOCUMENT

PORT_CALL = "port_call"
DECLARATION = "declaration"
PERSON_LIST = "person_list"

# List parameters whose items must be codes a filing can hold: any other code could never match.
ITEM_VALIDATORS: dict[str, Callable[[str], str]] = {
    "epidemic_ports": identifiers.validate_locode,
    "sensitive_ports": identifiers.validate_locode,
    "epidemic_countries": identifiers.validate_country,
    "visa_exempt": identifiers.validate_country,
    "legal_inspection": hs_prefix,
}


@dataclass(frozen=True)
class RuleBook:
    """One agency's rules for one kind of subject: its default document, how a stored document
    becomes a rule set, and what its rules are for display."""

    subject_kind: str
    agency: Agency
    default_document: Callable[[], dict[str, Any]]
    build: Callable[[int, Mapping[str, Any]], Evaluator]  # ValidationFailed names bad fields
    describe: Callable[[Mapping[str, Any]], list[dict[str, Any]]]
    # "always": the agency reviews every subject of the kind; "on_hit": only those its rules hit
    # (CIQ sees only declarations of goods on its legal-inspection list).
    opens: str = "always"

    @property
    def key(self) -> tuple[str, Agency]:
        return (self.subject_kind, self.agency)


def _kind(value: object) -> str:
    """A parameter's kind as stored (JSON), to check a value against its default's."""
    if isinstance(value, bool):  # before int: a bool is an int in Python, never a number here
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _check_items(
    name: str, items: Iterable[Any], validate: Callable[[str], str], errors: FieldErrors
) -> None:
    for n, item in enumerate(items):
        try:
            validate(item)
        except ValueError as error:
            errors.add(f"params.{name}[{n}]", item, str(error))


def _check_params(what: str, defaults: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    for name, value in params.items():
        if name not in defaults:
            errors.add(f"params.{name}", value, f"one of {', '.join(sorted(defaults))}")
            continue
        expected = _kind(defaults[name])
        if _kind(value) != expected:
            errors.add(f"params.{name}", value, expected)
        elif name in ITEM_VALIDATORS:
            _check_items(name, value, ITEM_VALIDATORS[name], errors)
    if isinstance(params.get("time_zone"), str):
        try:
            ZoneInfo(params["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors.add(
                "params.time_zone", params["time_zone"], "an IANA time zone like Asia/Shanghai"
            )
    errors.raise_if_any(f"{what} rule parameters")


def _check_codes(what: str, rules: Iterable[Rule], disabled: frozenset[str]) -> None:
    known = {rule.code for rule in rules}
    errors = FieldErrors()
    for code in sorted(disabled - known):
        errors.add("disabled", code, f"a {what} rule code: {', '.join(sorted(known))}")
    errors.raise_if_any(f"{what} disabled rules")


def build_rule_set(
    subject_kind: str,
    agency: Agency,
    version: int,
    params: Mapping[str, Any] | None = None,
    disabled: Iterable[str] = (),
) -> RuleSet:
    """The agency's parameter rule set for the kind at `version`: its default parameters
    overridden by `params`."""
    if version < 1:
        raise ValidationFailed.one("version", version, "a rule set version of 1 or more")
    rules, defaults = PARAMETER_RULES[(subject_kind, agency)]
    # Copies, so that neither the defaults nor the caller's mapping change under a rule set.
    merged = copy.deepcopy({**defaults, **(params or {})})
    _check_params(agency.value, defaults, merged)
    codes = frozenset(disabled)
    _check_codes(agency.value, rules, codes)
    return RuleSet(subject_kind, agency, version, rules, merged, codes)


def _described(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    return [
        {
            "code": rule.code,
            "title": rule.title,
            "title_zh": rule.title_zh,
            "action": rule.action.name,
            "phases": [phase.value for phase in Phase if phase in rule.phases],
        }
        for rule in rules
    ]


def _parameter_book(subject_kind: str, agency: Agency, opens: str = "always") -> RuleBook:
    rules, defaults = PARAMETER_RULES[(subject_kind, agency)]

    def build(version: int, document: Mapping[str, Any]) -> Evaluator:
        return build_rule_set(
            subject_kind,
            agency,
            version,
            document.get("params") or {},
            disabled=document.get("disabled") or (),
        )

    return RuleBook(
        subject_kind,
        agency,
        lambda: {"params": copy.deepcopy(defaults), "disabled": []},
        build,
        lambda document: _described(rules),
        opens,
    )


def _risk_rules(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    errors = FieldErrors()
    described = []
    for n, data in enumerate(document.get("rules", [])):
        rule = rule_from_dict(data, f"rules[{n}]", errors)
        if rule is not None:
            described.append(
                {
                    "code": rule.code,
                    "title": rule.title,
                    "title_zh": rule.title_zh,
                    "action": rule.lane.value,
                    "phases": [Phase.CARGO.value],
                }
            )
    return described


PARAMETER_RULES: dict[tuple[str, Agency], tuple[tuple[Rule, ...], dict[str, Any]]] = {
    (PORT_CALL, Agency.CUSTOMS): (customs.RULES, customs.DEFAULT_PARAMS),
    (PORT_CALL, Agency.CIQ): (ciq.RULES, ciq.DEFAULT_PARAMS),
    (PORT_CALL, Agency.BORDER): (border.RULES, border.DEFAULT_PARAMS),
    (PORT_CALL, Agency.MSA): (msa.RULES, msa.DEFAULT_PARAMS),
    (DECLARATION, Agency.CIQ): (legal_inspection.RULES, legal_inspection.DEFAULT_PARAMS),
    (PERSON_LIST, Agency.BORDER): (person_list.BORDER_RULES, person_list.BORDER_PARAMS),
    (PERSON_LIST, Agency.CIQ): (person_list.CIQ_RULES, person_list.CIQ_PARAMS),
}

BOOKS: dict[tuple[str, Agency], RuleBook] = {
    book.key: book
    for book in (
        _parameter_book(PORT_CALL, Agency.CUSTOMS),
        _parameter_book(PORT_CALL, Agency.CIQ),
        _parameter_book(PORT_CALL, Agency.BORDER),
        _parameter_book(PORT_CALL, Agency.MSA),
        RuleBook(
            DECLARATION,
            Agency.CUSTOMS,
            lambda: copy.deepcopy(DEFAULT_DOCUMENT),
            lambda version, document: RiskRuleSet(engine_from_document(version, document)),
            _risk_rules,
        ),
        _parameter_book(DECLARATION, Agency.CIQ, opens="on_hit"),
        # Border inspection screens every list; CIQ sees a list only when a traveller is unwell
        # or came from an epidemic area.
        _parameter_book(PERSON_LIST, Agency.BORDER),
        _parameter_book(PERSON_LIST, Agency.CIQ, opens="on_hit"),
    )
}


def book(subject_kind: str, agency: Agency) -> RuleBook:
    return BOOKS[(subject_kind, agency)]
