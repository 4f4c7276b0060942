"""The cargo declaration (报关单) a customs broker files for a trader, and the enterprise credit
classes and risk lanes customs decides with.

Value objects like the arrival notice: validated on construction (HS codes, containers, currencies,
countries, places), immutable after, unknown fields refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, Field

from kouan.domain import identifiers
from kouan.domain.filing import DOCUMENT, Country, Imo, Locode, Text
from kouan.domain.values import Amount, Plain, Whole


class Direction(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


class CreditClass(StrEnum):
    """Customs' enterprise credit classes: AA and A are trusted, C and D watched more closely."""

    AA = "AA"
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Lane(StrEnum):
    """Where a declaration goes: release at once, document review, or physical inspection."""

    GREEN = "green"
    DOCUMENT = "document"
    INSPECTION = "inspection"


def validate_currency(value: str) -> str:
    """An ISO 4217 currency code, in any case ("usd" -> "USD")."""
    code = str(value).strip().upper()
    if code not in _currencies():
        raise ValueError("an ISO 4217 currency code: 3 letters, e.g. CNY or USD")
    return code


@cache
def _currencies() -> frozenset[str]:
    # Built once: a pycountry lookup per item would dominate the validation of a large interchange.
    return frozenset(c.alpha_3 for c in pycountry.currencies)


HsCode = Annotated[str, AfterValidator(identifiers.validate_hs)]
Container = Annotated[str, AfterValidator(identifiers.validate_container)]
Currency = Annotated[str, AfterValidator(validate_currency)]
Code = Annotated[Plain, Field(min_length=1, max_length=35)]
# The 10-character customs registration code (海关编码) every trader registers before declaring.
TraderCode = Annotated[Plain, Field(pattern=r"^[0-9A-Z]{10}$")]


class SeaTransport(BaseModel):
    """Goods carried by ship: the vessel, its voyage and the bill of lading."""

    model_config = DOCUMENT

    mode: Literal["sea"]
    vessel: Text
    imo: Imo | None = None
    voyage: Code
    bill_of_lading: Code


class AirTransport(BaseModel):
    """Goods carried by air: the flight and the air waybill."""

    model_config = DOCUMENT

    mode: Literal["air"]
    flight: Annotated[Plain, Field(pattern=r"^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$")]
    air_waybill: Code


class Item(BaseModel):
    """One line of goods: what it is (HS code), how much, what it is worth and where it is from."""

    model_config = DOCUMENT

    hs_code: HsCode
    description: Text
    # Bounded so that every figure derived from them (unit values, CNY totals) stays finite.
    quantity: Annotated[Amount, Field(gt=0, le=Decimal("1e12"))]
    # UN/ECE Recommendation 20 codes (KGM, PCE) or customs' numeric unit codes (035).
    unit: Annotated[Plain, Field(pattern=r"^[A-Z0-9]{1,3}$")]
    value: Annotated[Amount, Field(ge=0, le=Decimal("1e12"))]
    currency: Currency
    origin: Country

    @property
    def unit_value(self) -> Decimal:
        return self.value / self.quantity


class Declaration(BaseModel):
    """The declaration a broker files; the office that takes it may be inland, far from the port
    that releases the goods (declare anywhere, release at the port)."""

    model_config = DOCUMENT

    # The broker's own number for it (BGM in a CUSDEC), echoed in every answer.
    reference: Code | None = None
    # The broker's name as its system sends it; Kouan records the signed-in broker as declarant.
    declarant: Text | None = None
    trader: TraderCode
    trader_name: Text
    direction: Direction
    trade_mode: Annotated[Plain, Field(pattern=r"^[0-9A-Z]{1,10}$")]
    transport: Annotated[SeaTransport | AirTransport, Field(discriminator="mode")]
    declaration_office: Locode
    release_port: Locode
    containers: list[Container] = []
    # The header's packages (件数) and gross weight (毛重), written off against the bill of
    # lading; without a gross weight the items declared in a unit of mass are summed instead.
    packages: Annotated[Whole, Field(gt=0, le=10**9)] | None = None
    gross_weight_kg: Annotated[Amount, Field(gt=0, le=Decimal("1e9"))] | None = None
    items: Annotated[list[Item], Field(min_length=1)]


class DeclarationStatus(StrEnum):
    """Where a declaration stands; derived from its reviews until release, then the gate."""

    UNDER_REVIEW = "under_review"  # an officer is to decide (document lane, legal inspection)
    INSPECTION = "inspection"  # goods to be inspected, or being inspected
    HELD = "held"  # held with a reason; an officer releases, rejects or seizes
    REJECTED = "rejected"
    # The reviews would release it, but the duties are neither paid nor secured by a guarantee
    # (kouan.services.duties); released when paid. Never derived from reviews.
    PAYMENT_DUE = "payment_due"
    RELEASED = "released"  # release notice issued: the terminal may let the goods out
    GATED_OUT = "gated_out"  # the goods have left the terminal
    SEIZED = "seized"


# Terminal states: nothing more happens to the declaration.
FINAL = frozenset(
    {DeclarationStatus.REJECTED, DeclarationStatus.GATED_OUT, DeclarationStatus.SEIZED}
)


def derive_status(review_statuses: Iterable[str]) -> DeclarationStatus:
    """The status the open reviews give: the most serious one wins, release when all approved."""
    statuses = set(review_statuses)
    for review_status, status in _SERIOUSNESS:
        if review_status in statuses:
            return status
    return DeclarationStatus.RELEASED


_SERIOUSNESS = (
    ("rejected", DeclarationStatus.REJECTED),
    ("hold", DeclarationStatus.HELD),
    ("inspect", DeclarationStatus.INSPECTION),
    ("pending", DeclarationStatus.UNDER_REVIEW),
)


class InspectionKind(StrEnum):
    XRAY = "xray"  # non-intrusive: the container through the scanner (机检)
    OPENED = "opened"  # the container opened and the goods examined (人工查验)


class InspectionStatus(StrEnum):
    BOOKED = "booked"
    PASSED = "passed"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the officer decided without it
