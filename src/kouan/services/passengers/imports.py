"""A person list as it arrives, in any of its forms: a PAXLST interchange (answered with a
CONTRL), a spreadsheet (the bilingual template), or JSON with the travellers' health
declarations. One reader per form makes one kind of result (kouan.domain.person_list); one use
case keeps it (kouan.services.passengers.lists)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kouan.adapters import paxlst, person_sheet
from kouan.domain.errors import ValidationFailed
from kouan.domain.health import HealthDeclaration, Stay
from kouan.domain.person_list import ListKind, read_json
from kouan.services.passengers import lists
from kouan.services.platform.permissions import Action, Actor, require
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT, airport

# Who Kouan is in the interchanges it answers (UNB sender of a CONTRL).
KOUAN_ID = "KOUAN"


def here() -> tuple[str, ...]:
    """The codes of this port and airport, which tell arriving lists from departing ones."""
    return (PORT, airport().iata, airport().icao)


def import_paxlst(ctx: ServiceContext, actor: Actor, data: bytes) -> dict[str, Any]:
    """A PAXLST interchange; the answer carries the CONTRL sent back (accepted or with errors)."""
    require(actor, Action.PERSON_LIST_FILE)
    result = lists.checked(paxlst.read_paxlst(paxlst.decode(data), here=here()))
    reference = f"K{ctx.clock():%y%m%d%H%M%S}"[:14]
    contrl = paxlst.write_contrl(result, sender=KOUAN_ID, reference=reference, when=ctx.clock())
    answer = lists.receive(ctx, actor, result, data, answer=contrl)
    return {**answer, "contrl": contrl}


def import_sheet(
    ctx: ServiceContext, actor: Actor, data: bytes, filename: str = "", kind: ListKind | None = None
) -> dict[str, Any]:
    """A spreadsheet (XLSX or CSV) made from the bilingual template."""
    require(actor, Action.PERSON_LIST_FILE)
    result = person_sheet.read_sheet(data, filename=filename, kind=kind, sender=actor.org_name)
    return lists.receive(ctx, actor, result, data)


def import_json(
    ctx: ServiceContext, actor: Actor, body: Mapping[str, Any], raw: bytes
) -> dict[str, Any]:
    """A list as JSON (the shape lists are shown in), with optional `health_declarations`:
    [{"person": N, "temperature", "symptoms", "ill_contact", "stays": [{"place", "first_day",
    "last_day"}]}], N the person's place in the list from 1."""
    require(actor, Action.PERSON_LIST_FILE)
    result = read_json(body)
    health = health_declarations(body.get("health_declarations") or [])
    return lists.receive(ctx, actor, result, raw, health=health)


def health_declarations(items: Any) -> dict[int, HealthDeclaration]:
    """The declarations of a JSON body by person; a malformed one is refused naming its field."""
    if not isinstance(items, list):
        raise ValidationFailed.one("health_declarations", str(items)[:80], "a list of declarations")
    declared = {}
    for n, item in enumerate(items):
        where = f"health_declarations[{n}]"
        try:
            seq = int(item["person"])
            declared[seq] = HealthDeclaration(
                person_id=seq,
                temperature=None if item.get("temperature") is None else float(item["temperature"]),
                symptoms=tuple(str(s) for s in item.get("symptoms") or ()),
                ill_contact=bool(item.get("ill_contact", False)),
                stays=tuple(_stay(s) for s in item.get("stays") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed.one(
                where,
                str(item)[:120],
                "{person: N from 1, temperature in °C, symptoms: [...], stays: "
                "[{place, first_day: YYYY-MM-DD, last_day}]}",
            ) from exc
    return declared


def _stay(item: Mapping[str, Any]) -> Stay:
    first = date.fromisoformat(str(item["first_day"]))
    last = date.fromisoformat(str(item["last_day"])) if item.get("last_day") else None
    return Stay(str(item["place"]), first, last)
