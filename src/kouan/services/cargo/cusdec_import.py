"""A broker's system sends a CUSDEC interchange of many declarations; Kouan files the good ones in
one transaction and answers every one with a CUSRES: accepted with its lane (and its release when
green), or rejected with the errors. Nothing of a rejected declaration is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from kouan.adapters import cusdec
from kouan.adapters.cusdec import CusresResponse
from kouan.adapters.db.tables import DeclarationRow
from kouan.adapters.edifact_envelope import cycle_collection_paused
from kouan.domain.declaration import Declaration
from kouan.domain.errors import FieldError
from kouan.services.cargo import declarations, queries
from kouan.services.platform.permissions import Action, Actor, declaration_scope, require
from kouan.services.platform.unit_of_work import ServiceContext

KOUAN_ID = "KOUAN"


@dataclass(frozen=True)
class ImportResult:
    cusres: str  # the CUSRES interchange answering every declaration
    summary: dict[str, Any]


def _prefixed(number: int, errors: list[FieldError]) -> list[FieldError]:
    """Errors of one message named as the message's: "message 3 trader"."""
    prefix = f"message {number} "
    return [
        e if e.field.startswith(prefix) else FieldError(prefix + e.field, e.value, e.expected)
        for e in errors
    ]


def import_interchange(ctx: ServiceContext, actor: Actor, text: str) -> ImportResult:
    require(actor, Action.DECLARATION_FILE)
    # A large interchange makes hundreds of thousands of short-lived objects: see the adapter.
    with cycle_collection_paused():
        return _import(ctx, actor, text)


def _import(ctx: ServiceContext, actor: Actor, text: str) -> ImportResult:
    interchange = cusdec.parse_cusdec(text)  # a broken envelope refuses the whole interchange
    checked = cusdec.validate_messages(interchange)
    good: list[Declaration] = [d for _, d, errors in checked if d is not None and not errors]
    with ctx.uow(actor) as uow:
        filed = iter(declarations.file_batch(uow, ctx, good, "cusdec"))
        responses = []
        for message, declaration, errors in checked:
            if declaration is None or errors:
                responses.append(_rejected(message, errors, uow.now))
                continue
            result = next(filed)
            if result.stored is None:
                responses.append(
                    _rejected(message, _prefixed(message.number, result.errors), uow.now)
                )
            else:
                responses.append(_accepted(result.stored, message.message_ref))
        uow.commit()
    text_out = cusdec.write_cusres(
        responses, KOUAN_ID, interchange.sender, interchange.control_ref, ctx.clock()
    )
    return ImportResult(text_out, _summary(interchange, responses))


def _rejected(message: cusdec.CusdecMessage, errors: list[FieldError], now: Any) -> CusresResponse:
    return CusresResponse(
        message_ref=message.message_ref,
        reference=message.reference,
        status="rejected",
        declaration_id=None,
        lane=None,
        errors=errors,
        at=now,
    )


def _accepted(row: dict[str, Any], message_ref: str) -> CusresResponse:
    """The CUSRES of a declaration just stored (its row as inserted)."""
    return CusresResponse(
        message_ref=message_ref,
        reference=row["reference"],
        status=row["status"],
        declaration_id=row["id"],
        lane=row["lane"],
        errors=[],
        at=row["changed_at"],
    )


def answer(row: Any, message_ref: str) -> CusresResponse:
    """The CUSRES of a stored declaration as it stands now (accepted, released, held, ...)."""
    return CusresResponse(
        message_ref=message_ref,
        reference=row.reference,
        status=row.status,
        declaration_id=row.id,
        lane=row.lane,
        errors=[],
        at=row.changed_at,
    )


def _summary(
    interchange: cusdec.CusdecInterchange, responses: list[CusresResponse]
) -> dict[str, Any]:
    accepted = [r for r in responses if r.declaration_id is not None]
    return {
        "control_ref": interchange.control_ref,
        "messages": len(responses),
        "accepted": len(accepted),
        "rejected": len(responses) - len(accepted),
        "declarations": [
            {
                "message_ref": r.message_ref,
                "reference": r.reference,
                "id": r.declaration_id,
                "status": r.status,
                "lane": r.lane,
                "errors": [e.as_dict() for e in r.errors],
            }
            for r in responses
        ],
    }


def cusres_for(ctx: ServiceContext, actor: Actor, declaration_id: int) -> str:
    """The CUSRES of one declaration as it stands now: the later answers (release, hold...)."""
    with ctx.uow(actor, write=False) as uow:
        row = queries.find_declaration(uow, declaration_id)
        response = answer(row, str(row.id))
    return cusdec.write_cusres([response], KOUAN_ID, actor.org_name[:35], f"R{row.id}", ctx.clock())


# A broker's system polls for what changed; one answer holds at most this many declarations.
POLL_LIMIT = 1000


@dataclass(frozen=True)
class Poll:
    """A CUSRES interchange of changed declarations and where the next poll starts: the last
    change it holds (instant and declaration id, since a batch changes many at one instant)."""

    cusres: str
    count: int
    next_since: datetime | None
    next_after_id: int | None


def cusres_since(ctx: ServiceContext, actor: Actor, since: datetime, after_id: int = 0) -> Poll:
    """The declarations in the actor's scope that changed after (`since`, `after_id`), oldest
    change first, each answered as it stands now."""
    later = or_(
        DeclarationRow.changed_at > since,
        and_(DeclarationRow.changed_at == since, DeclarationRow.id > after_id),
    )
    query = (
        select(DeclarationRow)
        .where(declaration_scope(actor), later)
        .order_by(DeclarationRow.changed_at, DeclarationRow.id)
        .limit(POLL_LIMIT)
    )
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(query).all()
        responses = [answer(row, str(row.id)) for row in rows]
    now = ctx.clock()
    text = cusdec.write_cusres(
        responses, KOUAN_ID, actor.org_name[:35], f"P{now:%y%m%d%H%M%S}", now
    )
    last = rows[-1] if rows else None
    return Poll(text, len(rows), last.changed_at if last else None, last.id if last else None)
