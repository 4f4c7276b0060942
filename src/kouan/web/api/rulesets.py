"""The agencies' rule sets for port calls and cargo (customs' risk rules have their own editor):
read the active versions, publish a new one (e.g. CIQ's legal-inspection list)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.agency import Agency
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
