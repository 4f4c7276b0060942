"""Customs' risk rules: the rule set's versions with the active one's rules and hit rates, and one
version read as it stands or, a draft, edited (rules, random rates), tested and activated."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kouan.domain.errors import DomainError, FieldError, NotFound
from kouan.services.cargo import risk_rules
from kouan.services.platform.permissions import Action, Actor, allowed, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.deps import Ctx
from kouan.web.errors import http_status
from kouan.web.ui import forms, words
from kouan.web.ui.forms import Forms, FormState
from kouan.web.ui.render import Page, address_params, language, redirect, show
from kouan.web.ui.session import PageActor, PostedForm

router = APIRouter(include_in_schema=False)

MAX_VERSION = 1_000_000
TEST_LAST, TEST_MOST = 1000, 100_000
SORTS = ("order", "hits", "code")
RULE_FIELDS = (
    "rule.code", "rule.title", "rule.title_zh", "rule.lane", "rule.kind", "rule.values",
    "rule.hs_prefix", "rule.low", "rule.high",
)  # fmt: skip
RATE_LANES = ("document", "inspection")
RATE_FIELDS = tuple(f"random_rates.{lane}" for lane in RATE_LANES)
# Values of a rule typed one per line or separated by commas (Chinese ones too) or semicolons.
_SEPARATORS = re.compile(r"[\n,;，、；]")


def _version(version: int) -> int:
    if not 1 <= version <= MAX_VERSION:
        raise NotFound(f"risk rule set version {version} not found")
    return version


# --- the versions and the active one's rules with their hit rates -----------------------------


def _rules_sorted(rules: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "hits":
        return sorted(rules, key=lambda r: (-r["hits"], r["code"]))
    if sort == "code":
        return sorted(rules, key=lambda r: r["code"])
    return rules


def rules_page(request: Request, ctx: ServiceContext, actor: Actor) -> Page:
    """The versions, and the active version's rules sorted as the address asks."""
    params = address_params(request)
    versions = risk_rules.list_versions(ctx, actor)
    active = risk_rules.get_version(ctx, actor)
    sort = params.get("sort", "order")
    sort = sort if sort in SORTS else "order"
    # Said only while it is true: an old address does not announce a retired version.
    activated = params.get("activated") == str(active["version"])
    context = {
        "versions": versions,
        "active": active,
        "rules": _rules_sorted(active["rules"], sort),
        "sort": sort,
        "draft": next((v for v in versions if v["status"] == risk_rules.DRAFT), None),
        "activated": active["version"] if activated else None,
        "can_edit": allowed(actor, Action.RISK_RULES_EDIT),
    }
    return Page("risk_rules.html", context, url="/risk-rules", current="risk")


@router.get("/risk-rules")
def rules_view(request: Request, ctx: Ctx, actor: PageActor) -> HTMLResponse:
    return show(request, actor, rules_page(request, ctx, actor))


@router.post("/risk-rules/drafts")
def new_draft(request: Request, ctx: Ctx, actor: PageActor, form: PostedForm) -> Response:
    values = forms.typed(form, ("note",))
    try:
        draft = risk_rules.create_draft(ctx, actor, values.get("note", ""))
    except DomainError as exc:
        state = forms.refused(exc, values, ("note",), language(request))
        return show(
            request, actor, rules_page(request, ctx, actor), {"draft": state}, http_status(exc)
        )
    return redirect(f"/risk-rules/{draft['version']}")


# --- one version: the draft editor, or a version read as it stands ----------------------------


@dataclass(frozen=True)
class Tested:
    """A test of the version on the last declarations, or the test form refused."""

    result: dict[str, Any] | None = None
    state: FormState | None = None
    last: int = TEST_LAST


def _tested(request: Request, ctx: ServiceContext, actor: Actor, version: int) -> Tested:
    """Run the test the address asks for (?last=N); nothing is stored, so a GET may run it."""
    text = address_params(request).get("last")
    if text is None:
        return Tested()
    lang = language(request)
    last = forms.whole_in(text.strip(), 1, TEST_MOST)
    if last is None:
        errors = {"last": words.EXPECTATIONS["last"]}
        return Tested(state=forms.refused_by_checks({"last": text}, errors, lang))
    try:
        return Tested(risk_rules.test_version(ctx, actor, version, last), last=last)
    except DomainError as exc:
        return Tested(state=forms.refused(exc, {"last": text}, ("last",), lang), last=last)


def _percent(share: float) -> str:
    """A share as the percentage a person types: 0.03 -> "3"."""
    return f"{share * 100:g}"


def version_page(
    ctx: ServiceContext, actor: Actor, version: int, tested: Tested | None = None
) -> Page:
    """A version's rules and random rates; a draft with the editor's forms for customs."""
    found = risk_rules.get_version(ctx, actor, _version(version))
    tested = tested or Tested()
    context = {
        "version": found,
        "rules": found["rules"],
        "editable": found["status"] == risk_rules.DRAFT and allowed(actor, Action.RISK_RULES_EDIT),
        "percents": {lane: _percent(found["random_rates"].get(lane, 0)) for lane in RATE_LANES},
        "test": tested.result,
        "last": tested.last,
        "lanes": ("green", "document", "inspection"),
    }
    return Page("risk_version.html", context, url=f"/risk-rules/{version}", current="risk")


@router.get("/risk-rules/{version:int}")
def version_view(request: Request, ctx: Ctx, actor: PageActor, version: int) -> HTMLResponse:
    tested = _tested(request, ctx, actor, _version(version))
    page = version_page(ctx, actor, version, tested)
    if tested.state is not None:
        return show(request, actor, page, {"test": tested.state}, 422)
    return show(request, actor, page)


def _again(
    request: Request, ctx: ServiceContext, actor: Actor, version: int, shown: Forms, status: int
) -> HTMLResponse:
    """The version's page again with a refused form."""
    return show(request, actor, version_page(ctx, actor, version), shown, status)


def rule_of(values: dict[str, str]) -> dict[str, Any]:
    """The rule as the editor's form gives it: values split at commas and line ends, or the
    HS prefix and reference range of a unit-value rule."""
    rule: dict[str, Any] = {
        name: values[f"rule.{name}"]
        for name in ("code", "title", "title_zh", "lane", "kind")
        if values.get(f"rule.{name}")
    }
    if values.get("rule.kind") == "unit_value":
        for name in ("hs_prefix", "low", "high"):
            rule[name] = values.get(f"rule.{name}", "")
    else:
        typed = _SEPARATORS.split(values.get("rule.values", ""))
        rule["values"] = [v.strip() for v in typed if v.strip()]
    return rule


def _is_number(value: object) -> bool:
    try:
        return math.isfinite(float(str(value)))
    except ValueError:
        return False


def _rule_message(kind: str, fe: FieldError) -> str | None:
    """What a field of the rule editor expects (its values: by the rule's kind)."""
    name = re.sub(r"\[\d+\]$", "", fe.field)
    if name == "rule.values":
        return words.RULE_VALUES_MESSAGES.get(kind)
    if name == "rule.high" and _is_number(fe.value) and float(str(fe.value)) >= 0:
        return words.RULE_HIGH_BELOW_LOW
    return words.RULE_MESSAGES.get(name)


@router.post("/risk-rules/{version:int}/rules")
def add_rule(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, version: int
) -> Response:
    values = forms.typed(form, RULE_FIELDS)
    rule = rule_of(values)
    try:
        risk_rules.add_rule(ctx, actor, _version(version), rule)
    except DomainError as exc:
        explain = partial(_rule_message, values.get("rule.kind", ""))
        state = forms.refused(exc, values, RULE_FIELDS, language(request), explain)
        return _again(request, ctx, actor, version, {"rule": state}, http_status(exc))
    return redirect(f"/risk-rules/{version}#rule-{str(rule.get('code', '')).strip().upper()}")


@router.post("/risk-rules/{version:int}/rules/{code}/delete")
def remove_rule(request: Request, ctx: Ctx, actor: PageActor, version: int, code: str) -> Response:
    try:
        risk_rules.remove_rule(ctx, actor, _version(version), code)
    except DomainError as exc:
        state = forms.refused(exc, {}, (), language(request))
        return _again(request, ctx, actor, version, {"rules": state}, http_status(exc))
    return redirect(f"/risk-rules/{version}#rules")


def _rates(values: dict[str, str]) -> tuple[dict[str, float], dict[str, str]]:
    """The random rates typed as percentages, as shares; and the fields that are not one."""
    rates, errors = {}, {}
    for name in RATE_FIELDS:
        text = values.get(name, "").replace("%", "").replace("，", ".").replace(",", ".").strip()
        share = float(text) / 100 if _is_number(text) else -1.0
        if 0 <= share <= 1:
            rates[name.removeprefix("random_rates.")] = round(share, 6)
        else:
            errors[name] = words.PERCENT
    if not errors and sum(rates.values()) > 1:
        errors["random_rates.inspection"] = words.EXPECTATIONS["random_rates"]
    return rates, errors


def _save_rates(ctx: ServiceContext, actor: Actor, version: int, rates: dict[str, float]) -> None:
    """The draft as it stands with the new random rates (its rules' hit counts left out)."""
    found = risk_rules.get_version(ctx, actor, _version(version))
    rules = [{k: v for k, v in r.items() if k != "hits"} for r in found["rules"]]
    document = {"rules": rules, "random_rates": rates, "seed": found.get("seed", 0)}
    risk_rules.save_draft(ctx, actor, version, document)


@router.post("/risk-rules/{version:int}/rates")
def set_rates(
    request: Request, ctx: Ctx, actor: PageActor, form: PostedForm, version: int
) -> Response:
    require(actor, Action.RISK_RULES_EDIT)  # a reader is refused before the form is checked
    values, lang = forms.typed(form, RATE_FIELDS), language(request)
    rates, errors = _rates(values)
    if errors:
        state = forms.refused_by_checks(values, errors, lang)
        return _again(request, ctx, actor, version, {"rates": state}, 422)
    try:
        _save_rates(ctx, actor, version, rates)
    except DomainError as exc:
        state = forms.refused(exc, values, RATE_FIELDS, lang, fallback="random_rates.inspection")
        return _again(request, ctx, actor, version, {"rates": state}, http_status(exc))
    return redirect(f"/risk-rules/{version}#rates")


@router.post("/risk-rules/{version:int}/activate")
def activate(request: Request, ctx: Ctx, actor: PageActor, version: int) -> Response:
    try:
        risk_rules.activate(ctx, actor, _version(version))
    except DomainError as exc:
        state = forms.refused(exc, {}, (), language(request))
        return _again(request, ctx, actor, version, {"activate": state}, http_status(exc))
    return redirect(f"/risk-rules?activated={version}")
