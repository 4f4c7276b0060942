"""The four agencies' rules in one place: build a versioned rule set from tuned parameters.

A port stores only what it changed (parameters, disabled rules); the defaults fill in the rest,
and a parameter or rule code the agency does not have is refused rather than silently ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kouan.domain import identifiers
from kouan.domain.agency import AGENCIES, Agency, Phase
from kouan.domain.errors import FieldErrors, ValidationFailed
from kouan.rules import border, ciq, customs, msa
from kouan.rules.base import Rule, RuleSet
from kouan.rules.risk import hs_prefix

AGENCY_RULES: dict[Agency, tuple[Rule, ...]] = {
    Agency.CUSTOMS: customs.RULES,
    Agency.CIQ: ciq.RULES,
    Agency.BORDER: border.RULES,
    Agency.MSA: msa.RULES,
}

DEFAULT_PARAMS: dict[Agency, dict[str, Any]] = {
    Agency.CUSTOMS: customs.DEFAULT_PARAMS,
    Agency.CIQ: ciq.DEFAULT_PARAMS,
    Agency.BORDER: border.DEFAULT_PARAMS,
    Agency.MSA: msa.DEFAULT_PARAMS,
}

# Parameters the rules parse; the parser raises ValidationFailed naming each unusable item.
PARSERS: dict[str, Callable[[Any], object]] = {"watch_list": border.parse_watch_list}

# List parameters whose items must be codes a filing can hold: any other code could never match.
ITEM_VALIDATORS: dict[str, Callable[[str], str]] = {
    "epidemic_ports": identifiers.validate_locode,
    "sensitive_ports": identifiers.validate_locode,
    "epidemic_countries": identifiers.validate_country,
    "legal_inspection": hs_prefix,
}


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


def _check_params(agency: Agency, params: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    defaults = DEFAULT_PARAMS[agency]
    for name, value in params.items():
        if name not in defaults:
            errors.add(f"params.{name}", value, f"one of {', '.join(sorted(defaults))}")
            continue
        expected = _kind(defaults[name])
        if _kind(value) != expected:
            errors.add(f"params.{name}", value, expected)
        elif name in ITEM_VALIDATORS:
            _check_items(name, value, ITEM_VALIDATORS[name], errors)
        elif name in PARSERS:
            try:
                PARSERS[name](value)
            except ValidationFailed as failed:
                errors.errors.extend(failed.fields)
    if isinstance(params.get("time_zone"), str):
        try:
            ZoneInfo(params["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors.add(
                "params.time_zone", params["time_zone"], "an IANA time zone like Asia/Shanghai"
            )
    errors.raise_if_any(f"{agency.value} rule parameters")


def _check_codes(agency: Agency, disabled: frozenset[str]) -> None:
    known = {rule.code for rule in AGENCY_RULES[agency]}
    errors = FieldErrors()
    for code in sorted(disabled - known):
        errors.add("disabled", code, f"a {agency.value} rule code: {', '.join(sorted(known))}")
    errors.raise_if_any(f"{agency.value} disabled rules")


def build_rule_set(
    agency: Agency,
    version: int,
    params: Mapping[str, Any] | None = None,
    disabled: Iterable[str] = (),
) -> RuleSet:
    """The agency's rule set at `version`: its default parameters overridden by `params`."""
    if version < 1:
        raise ValidationFailed.one("version", version, "a rule set version of 1 or more")
    # Copies, so that neither the defaults nor the caller's mapping change under a rule set.
    merged = copy.deepcopy({**DEFAULT_PARAMS[agency], **(params or {})})
    _check_params(agency, merged)
    codes = frozenset(disabled)
    _check_codes(agency, codes)
    return RuleSet(agency, version, AGENCY_RULES[agency], merged, codes)


def default_rule_sets() -> dict[Agency, RuleSet]:
    """Version 1 of each agency's rule set with the default parameters: a fresh port's rules."""
    return {agency: build_rule_set(agency, 1) for agency in AGENCIES}


def describe(agency: Agency) -> list[dict[str, Any]]:
    """The agency's rules for display: code, titles, action and the phases each applies to."""
    return [
        {
            "code": rule.code,
            "title": rule.title,
            "title_zh": rule.title_zh,
            "action": rule.action.name,
            "phases": [phase.value for phase in Phase if phase in rule.phases],
        }
        for rule in AGENCY_RULES[agency]
    ]
