"""Customs' risk rules: versions, the draft editor, a test on recent declarations, activation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.values import Plain
from kouan.services.cargo import risk_rules
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1/risk-rules", tags=["risk rules"])
Version = Annotated[int, Path(ge=1, le=1_000_000)]


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Plain, Field(max_length=500)] = ""


@router.get("")
def list_versions(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return risk_rules.list_versions(ctx, actor)


@router.get("/active")
def active(ctx: Ctx, actor: ApiActor) -> dict[str, Any]:
    """The active version whole, each rule with its hits so far."""
    return risk_rules.get_version(ctx, actor)


@router.get("/{version}")
def get_version(ctx: Ctx, actor: ApiActor, version: Version) -> dict[str, Any]:
    return risk_rules.get_version(ctx, actor, version)


@router.post("/drafts", status_code=201)
def create_draft(ctx: Ctx, actor: ApiActor, body: DraftIn | None = None) -> dict[str, Any]:
    return risk_rules.create_draft(ctx, actor, body.note if body else "")


@router.put("/{version}")
def save_draft(
    ctx: Ctx, actor: ApiActor, version: Version, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Replace a draft's rules, random rates and seed (checked whole)."""
    return risk_rules.save_draft(ctx, actor, version, document)


@router.post("/{version}/rules")
def add_rule(
    ctx: Ctx, actor: ApiActor, version: Version, rule: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Add a rule to a draft (or replace the rule of the same code)."""
    return risk_rules.add_rule(ctx, actor, version, rule)


@router.delete("/{version}/rules/{code}")
def remove_rule(
    ctx: Ctx, actor: ApiActor, version: Version, code: Annotated[Plain, Path(max_length=40)]
) -> dict[str, Any]:
    return risk_rules.remove_rule(ctx, actor, version, code)


@router.post("/{version}/test")
def test_version(
    ctx: Ctx,
    actor: ApiActor,
    version: Version,
    last: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> dict[str, Any]:
    """Re-assess the last N declarations with this version beside the active one."""
    return risk_rules.test_version(ctx, actor, version, last)


@router.post("/{version}/activate")
def activate(ctx: Ctx, actor: ApiActor, version: Version) -> dict[str, Any]:
    return risk_rules.activate(ctx, actor, version)
