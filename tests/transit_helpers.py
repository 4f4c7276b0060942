"""What the transit tests share: Jinan's customs (an inland office) and an inland-declared
import released at Qingdao."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kouan.domain.agency import OrgType
from kouan.services.duties import guarantees
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM, Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.transit import transits
from tests.conftest import PASSWORD, People, file_declaration
from tests.factories import trader

JINAN_CUSTOMS = "Jinan Customs"
TRADER = trader("AA")["trader"]


def jinan_customs(ctx: ServiceContext) -> Actor:
    """A customs officer of the inland office CNJNA (registered as that office)."""
    user_id = users.create_user(ctx, "jncustoms", PASSWORD, OrgType.CUSTOMS, JINAN_CUSTOMS)
    transits.register_office(ctx, SYSTEM, "CNJNA", JINAN_CUSTOMS)
    return users.actor_for(ctx, user_id)


def inland_import(ctx: ServiceContext, people: People, reference: str) -> dict[str, Any]:
    """An import the Jinan broker declared at CNJNA, released at CNTAO in the green lane."""
    # Imports wait for their duties unless secured: the trader's guarantee covers them.
    guarantees.set_guarantee(ctx, people["customs"], TRADER, Decimal("10000000"), "Bank")
    view = file_declaration(
        ctx, people, "broker2", reference=reference, direction="import", **trader("AA")
    )
    assert (view["status"], view["declaration_office"]) == ("released", "CNJNA"), view
    return view
