"""What a shipping agent files for a port call: the arrival notice (IMO FAL forms), the departure.

These are value objects: validated on construction (identifiers, dates, counts), immutable after.
Unknown fields are refused so that a typo in a field name is never silently dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from kouan.domain import identifiers
from kouan.domain.values import (
    BirthDate,
    Flag,
    Plain,
    PortDate,
    PortTime,
    Real,
    Whole,
    not_a_bool,
)

# Unknown fields are refused; NaN and infinities are not numbers anyone can file.
DOCUMENT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

Imo = Annotated[str, AfterValidator(identifiers.validate_imo)]
Mmsi = Annotated[str, AfterValidator(identifiers.validate_mmsi)]
Country = Annotated[str, AfterValidator(identifiers.validate_country)]
Locode = Annotated[str, AfterValidator(identifiers.validate_locode)]
Text = Annotated[Plain, Field(min_length=1, max_length=200)]
# ISPS security levels; true is not level 1.
SecurityLevel = Annotated[Literal[1, 2, 3], BeforeValidator(not_a_bool)]


class Document(BaseModel):
    """A travel document. Carriers' lists do not always give its expiry: a document without one
    is kept, and the border rules refer its holder."""

    model_config = DOCUMENT

    type: Annotated[Plain, Field(min_length=1, max_length=3)] = "P"
    number: Annotated[Plain, Field(min_length=1, max_length=35)]
    issuing_state: Country
    expiry: PortDate | None = None


class Person(BaseModel):
    """A crew member (FAL 5, with rank) or a passenger (FAL 6).

    A person without a travel document (`document` None) is kept, as carriers' lists have them:
    the border rules refer them rather than the list being refused.
    """

    model_config = DOCUMENT

    family_name: Text
    given_names: Annotated[Plain, Field(max_length=200)] = ""
    nationality: Country
    date_of_birth: BirthDate
    sex: Literal["M", "F", "U"] | None = None
    document: Document | None = None
    rank: Annotated[Plain, Field(max_length=60)] | None = None
    port_of_embarkation: Locode | None = None
    port_of_disembarkation: Locode | None = None

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_names}".strip()


class Ship(BaseModel):
    model_config = DOCUMENT

    imo: Imo
    mmsi: Mmsi
    name: Text
    call_sign: Annotated[Plain, Field(min_length=1, max_length=12)]
    flag: Country
    gross_tonnage: Annotated[Real, Field(gt=0)] | None = None
    ship_type: Annotated[Plain, Field(max_length=60)] | None = None


class CargoItem(BaseModel):
    model_config = DOCUMENT

    description: Text
    packages: Annotated[Whole, Field(ge=0)] = 0
    gross_tonnes: Annotated[Real, Field(ge=0)] = 0.0
    teu: Annotated[Whole, Field(ge=0)] = 0
    bill_of_lading: Annotated[Plain, Field(max_length=35)] | None = None


class CargoSummary(BaseModel):
    """FAL 2: the cargo aboard, with the totals the agent declares."""

    model_config = DOCUMENT

    items: list[CargoItem] = []
    total_packages: Annotated[Whole, Field(ge=0)] = 0
    total_gross_tonnes: Annotated[Real, Field(ge=0)] = 0.0
    total_teu: Annotated[Whole, Field(ge=0)] = 0

    def discrepancies(self) -> list[str]:
        """Which declared totals do not equal the sum of the items."""
        out = []
        if sum(i.packages for i in self.items) != self.total_packages:
            out.append("total_packages")
        if abs(sum(i.gross_tonnes for i in self.items) - self.total_gross_tonnes) > 0.001:
            out.append("total_gross_tonnes")
        if sum(i.teu for i in self.items) != self.total_teu:
            out.append("total_teu")
        return out


class DangerousGood(BaseModel):
    """FAL 7: one dangerous-goods entry (IMDG)."""

    model_config = DOCUMENT

    un_number: Annotated[Plain, Field(pattern=r"^(UN)?\d{4}$")]
    imdg_class: Annotated[Plain, Field(pattern=r"^[1-9](\.[1-6])?$")]
    proper_shipping_name: Text
    quantity_kg: Annotated[Real, Field(gt=0)]
    packing_group: Literal["I", "II", "III"] | None = None
    stowage: Annotated[Plain, Field(max_length=35)] | None = None

    @property
    def main_class(self) -> int:
        return int(self.imdg_class.split(".")[0])


class HealthDeclaration(BaseModel):
    """Maritime Declaration of Health (IHR 2005), the questions that drive quarantine."""

    model_config = DOCUMENT

    ill_persons: Annotated[Whole, Field(ge=0)] = 0
    deaths: Annotated[Whole, Field(ge=0)] = 0
    suspected_infectious: Flag = False
    sanitation_certificate_expiry: PortDate | None = None
    notes: Annotated[Plain, Field(max_length=2000)] = ""


class GeneralDeclaration(BaseModel):
    """FAL 1: the general declaration (what the other forms do not already say)."""

    model_config = DOCUMENT

    master_name: Annotated[Plain, Field(max_length=120)] = ""
    net_tonnage: Annotated[Real, Field(ge=0)] | None = None
    next_port: Locode | None = None
    cargo_brief: Annotated[Plain, Field(max_length=500)] = ""
    remarks: Annotated[Plain, Field(max_length=2000)] = ""


class ArrivalNotice(BaseModel):
    """Everything the agent files once, for all four agencies, before the ship arrives."""

    model_config = DOCUMENT

    ship: Ship
    voyage: Annotated[Plain, Field(min_length=1, max_length=35)]
    port: Locode
    berth: Annotated[Plain, Field(max_length=35)] | None = None
    eta: PortTime
    etd: PortTime
    last_ports: Annotated[list[Locode], Field(max_length=10)] = []
    general_declaration: GeneralDeclaration = GeneralDeclaration()
    cargo: CargoSummary = CargoSummary()
    crew: list[Person] = []
    passengers: list[Person] = []
    dangerous_goods: list[DangerousGood] = []
    health: HealthDeclaration = HealthDeclaration()
    security_level: SecurityLevel = 1

    @field_validator("etd")
    @classmethod
    def _etd_after_eta(cls, etd: datetime, info: ValidationInfo) -> datetime:
        eta = info.data.get("eta")  # absent when eta itself was refused
        if eta is not None and etd <= eta:
            raise ValueError(f"a time after eta {eta.isoformat()}")
        return etd


class DepartureNotice(BaseModel):
    """The departure the agent files while the ship works; the agencies pre-approve it."""

    model_config = DOCUMENT

    etd: PortTime
    next_port: Locode
    crew: list[Person] | None = None  # None: same crew as on arrival
    passengers: list[Person] | None = None
    cargo: CargoSummary = CargoSummary()
    dangerous_goods: list[DangerousGood] = []


# Which agencies must look again when a section of the arrival notice is amended.
SECTION_AGENCIES: dict[str, frozenset[str]] = {
    "ship": frozenset({"CUSTOMS", "CIQ", "BORDER", "MSA"}),
    "voyage": frozenset({"CUSTOMS", "MSA"}),
    "port": frozenset({"CUSTOMS", "CIQ", "BORDER", "MSA"}),
    "berth": frozenset({"MSA"}),
    "eta": frozenset({"MSA"}),
    "etd": frozenset({"MSA"}),
    "last_ports": frozenset({"CIQ", "MSA"}),
    "general_declaration": frozenset({"CUSTOMS", "MSA"}),
    "cargo": frozenset({"CUSTOMS"}),
    "crew": frozenset({"BORDER", "CIQ"}),
    "passengers": frozenset({"BORDER", "CIQ"}),
    "dangerous_goods": frozenset({"MSA"}),
    "health": frozenset({"CIQ"}),
    "security_level": frozenset({"MSA", "BORDER"}),
}


def affected_agencies(before: ArrivalNotice, after: ArrivalNotice) -> frozenset[str]:
    """The agencies whose review an amendment from `before` to `after` re-opens."""
    changed: set[str] = set()
    for section, agencies in SECTION_AGENCIES.items():
        if getattr(before, section) != getattr(after, section):
            changed |= agencies
    return frozenset(changed)
