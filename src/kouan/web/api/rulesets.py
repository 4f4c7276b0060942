"""The agencies' rule sets for every kind of subject: read the active versions, publish a new
parameter version at once (e.g. CIQ's legal-inspection list), and the one editor of any rule set's
versions (draft, save, activate). Customs' risk rules also have their rule-by-rule editor under
/api/v1/risk-rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi import Path as ApiPath
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.agency import Agency
from kouan.domain.values import Plain
from kouan.services.review import rulesets
from kouan.web.deps import ApiActor, Ctx

router = APIRouter(prefix="/api/v1/rule-sets", tags=["rule sets"])


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] = {}
    disabled: Annotated[list[str], Field(max_length=100)] | None = None


@router.get("")
def active(ctx: Ctx, actor: ApiActor) -> list[dict[str, Any]]:
    return rulesets.active_versions(ctx, actor)


@router.post("/{agency}", status_code=201)
def publish(ctx: Ctx, actor: ApiActor, agency: Agency, body: PublishIn) -> dict[str, Any]:
    """The agency publishes a new version: the parameters given replace those of the active one."""
    version = rulesets.publish(ctx, actor, agency, body.params, body.disabled)
    return {"agency": agency.value, "version": version}


# --- the one editor: any agency's rule set for any kind of subject -----------------------------

Kind = Literal["port_call", "declaration"]
Version = Annotated[int, ApiPath(ge=1, le=1_000_000)]


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Plain, Field(max_length=500)] = ""


@router.get("/{subject_kind}/{agency}")
def versions(ctx: Ctx, actor: ApiActor, subject_kind: Kind, agency: Agency) -> list[dict[str, Any]]:
    """Every version of the agency's rule set for the kind, newest first."""
    return rulesets.list_versions(ctx, actor, subject_kind, agency)


@router.get("/{subject_kind}/{agency}/active")
def active_version(ctx: Ctx, actor: ApiActor, subject_kind: Kind, agency: Agency) -> dict[str, Any]:
    return rulesets.get_version(ctx, actor, subject_kind, agency)


@router.get("/{subject_kind}/{agency}/{version}")
def version(
    ctx: Ctx, actor: ApiActor, subject_kind: Kind, agency: Agency, version: Version
) -> dict[str, Any]:
    return rulesets.get_version(ctx, actor, subject_kind, agency, version)


@router.post("/{subject_kind}/{agency}/drafts", status_code=201)
def create_draft(
    ctx: Ctx, actor: ApiActor, subject_kind: Kind, agency: Agency, body: DraftIn | None = None
) -> dict[str, Any]:
    """A draft copied from the active version (the open draft, if there is one)."""
    return rulesets.create_draft(ctx, actor, subject_kind, agency, body.note if body else "")


@router.put("/{subject_kind}/{agency}/{version}")
def save_draft(
    ctx: Ctx,
    actor: ApiActor,
    subject_kind: Kind,
    agency: Agency,
    version: Version,
    document: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Replace a draft's document (parameters and switched-off rules, or customs' risk rules),
    checked whole."""
    return rulesets.save_draft(ctx, actor, subject_kind, agency, version, document)


@router.post("/{subject_kind}/{agency}/{version}/activate")
def activate(
    ctx: Ctx, actor: ApiActor, subject_kind: Kind, agency: Agency, version: Version
) -> dict[str, Any]:
    return rulesets.activate_draft(ctx, actor, subject_kind, agency, version)


@router.post("/{subject_kind}/{agency}/{version}/test")
def test_version(
    ctx: Ctx,
    actor: ApiActor,
    subject_kind: Kind,
    agency: Agency,
    version: Version,
    last: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> dict[str, Any]:
    """Evaluate the last N subjects of the kind with this version beside the active one:
    statuses, how many change, hits per rule. Nothing is stored."""
    return rulesets.test_version(ctx, actor, subject_kind, agency, version, last)
