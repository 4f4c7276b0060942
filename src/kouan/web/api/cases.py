"""Confirmed epidemic cases: CIQ confirms a traveller's case and, at once, the joint alert with
the contact list goes to CIQ, border inspection, customs and the port office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from kouan.domain.values import Plain, Whole
from kouan.services.passengers import cases
from kouan.web.api.alerts import AlertDetail
from kouan.web.deps import ApiActor, Ctx, Id

router = APIRouter(prefix="/api/v1", tags=["alerts"])


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[Plain, Field(max_length=cases.MAX_NOTE)] = ""
    rows: Annotated[Whole, Field(ge=0, le=cases.MAX_ROWS)] | None = Field(
        None, description="rows either side of the case's seat whose passengers are contacts"
    )


@router.post(
    "/persons/{person_id}/confirm-case",
    status_code=201,
    response_model=AlertDetail,
    responses={409: {"description": "the person is already a confirmed case"}},
)
def confirm_case(ctx: Ctx, actor: ApiActor, person_id: Id, body: CaseIn) -> dict[str, Any]:
    """CIQ confirms the person a case: the person is marked a case and one joint alert, its
    payload the contact list (same flight or voyage: seats within N rows, same booking or
    party, the cabin crew; on a cruise the same cabin, deck and dining group), is raised to
    CIQ, border inspection, customs and the port office. Answers the alert."""
    return cases.confirm_case(ctx, actor, person_id, body.note, body.rows)
