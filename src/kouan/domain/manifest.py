"""The cargo manifest (舱单) a carrier or its agent files for one voyage's import or export cargo:
bills of lading with their parties, goods and containers; what makes one inconsistent (a B/L
repeated, a container on two lines, weights that do not add up); what changed between two
versions; and a declaration's write-off (核销) against the B/L it names.

Value objects like the declaration: validated on construction, immutable, unknown fields refused.
`problems` finds what single fields cannot: each error names its JSON field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from kouan.domain.declaration import Code, Container, Direction, HsCode
from kouan.domain.errors import FieldError
from kouan.domain.filing import DOCUMENT, Imo, Text
from kouan.domain.identifiers import MAX_ID
from kouan.domain.values import Amount, Flag, Plain, PortTime, Whole

Weight = Annotated[Amount, Field(gt=0, le=Decimal("1e9"))]
UnNumber = Annotated[Plain, Field(pattern=r"^UN[0-9]{4}$")]
# How far a B/L's gross weight may differ from the sum of its containers' (rounding by lines).
WEIGHT_TOLERANCE_KG = Decimal("1")
WEIGHT_TOLERANCE_SHARE = Decimal("0.001")


class ContainerLine(BaseModel):
    """One container of a bill of lading, with its seal and the gross weight it carries."""

    model_config = DOCUMENT

    number: Container
    seal: Annotated[Plain, Field(min_length=1, max_length=35)] | None = None
    gross_weight_kg: Weight


class Bill(BaseModel):
    """One bill of lading (提单): who ships to whom, what, how many packages, how heavy, in which
    containers; dangerous goods flagged (with their UN number where known)."""

    model_config = DOCUMENT

    number: Code
    shipper: Text
    consignee: Text
    notify_party: Text | None = None
    goods_description: Text
    hs_code: HsCode | None = None
    packages: Annotated[Whole, Field(gt=0, le=10**9)]
    package_type: Annotated[Plain, Field(pattern=r"^[A-Z0-9]{2,3}$")] | None = None
    gross_weight_kg: Weight
    dangerous_goods: Flag = False
    un_number: UnNumber | None = None
    containers: list[ContainerLine] = []


class ManifestDocument(BaseModel):
    """The manifest of one voyage's import or export cargo, linked to the ship's port call by its
    id or by the ship's IMO number and the voyage."""

    model_config = DOCUMENT

    direction: Direction
    port_call_id: Annotated[Whole, Field(ge=1, le=MAX_ID)] | None = None
    imo: Imo | None = None
    voyage: Code | None = None
    reference: Code | None = None  # the carrier's own number for the manifest
    carrier: Text | None = None
    # Export: when loading begins (the deadline counts back from it); the call's ETA if omitted.
    loading_at: PortTime | None = None
    bills_of_lading: Annotated[list[Bill], Field(min_length=1, max_length=20_000)]

    @model_validator(mode="after")
    def _names_its_call(self) -> ManifestDocument:
        if self.port_call_id is None and (self.imo is None or self.voyage is None):
            raise ValueError("port_call_id, or imo and voyage, naming the ship's port call")
        return self

    @property
    def gross_weight_kg(self) -> Decimal:
        return sum((b.gross_weight_kg for b in self.bills_of_lading), Decimal(0))

    @property
    def container_count(self) -> int:
        return sum(len(b.containers) for b in self.bills_of_lading)


def weights_add_up(declared: Decimal, lines: Iterable[Decimal]) -> bool:
    """Whether a B/L's gross weight is the sum of its containers', within rounding."""
    total = sum(lines, Decimal(0))
    tolerance = max(WEIGHT_TOLERANCE_KG, declared * WEIGHT_TOLERANCE_SHARE)
    return abs(declared - total) <= tolerance


def problems(document: ManifestDocument, field_of: Any = None) -> list[FieldError]:
    """What the manifest's fields cannot say alone: a B/L number repeated, a container on two
    lines, a B/L whose gross weight is not its containers' sum. `field_of(b, name, c=None)` names
    the place (a JSON path by default; a sheet's line or a CUSCAR's segment)."""
    where = field_of or _json_field
    errors: list[FieldError] = []
    bills: dict[str, int] = {}
    containers: dict[str, tuple[int, int]] = {}
    for b, bill in enumerate(document.bills_of_lading):
        if bill.number in bills:
            errors.append(
                FieldError(
                    where(b, "number"),
                    bill.number,
                    f"a B/L number not repeated (already at bills_of_lading[{bills[bill.number]}])",
                )
            )
        bills.setdefault(bill.number, b)
        for c, line in enumerate(bill.containers):
            if line.number in containers:
                first_b, first_c = containers[line.number]
                errors.append(
                    FieldError(
                        where(b, "number", c),
                        line.number,
                        "a container on one line of the manifest only (already at "
                        f"bills_of_lading[{first_b}].containers[{first_c}])",
                    )
                )
            containers.setdefault(line.number, (b, c))
        if bill.containers and not weights_add_up(
            bill.gross_weight_kg, (line.gross_weight_kg for line in bill.containers)
        ):
            total = sum((line.gross_weight_kg for line in bill.containers), Decimal(0))
            errors.append(
                FieldError(
                    where(b, "gross_weight_kg"),
                    str(bill.gross_weight_kg),
                    f"the sum of its containers' gross weights, {_kg(total)} kg",
                )
            )
    return errors


def _json_field(b: int, name: str, c: int | None = None) -> str:
    if c is None:
        return f"bills_of_lading[{b}].{name}"
    return f"bills_of_lading[{b}].containers[{c}].{name}"


def _kg(value: Decimal) -> str:
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


# --- amendments --------------------------------------------------------------------------------

_BILL_FIELDS = (
    "shipper",
    "consignee",
    "notify_party",
    "goods_description",
    "hs_code",
    "packages",
    "package_type",
    "gross_weight_kg",
    "dangerous_goods",
    "un_number",
)
_HEAD_FIELDS = ("reference", "carrier", "loading_at")


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two versions of a manifest (their JSON documents): its own fields,
    B/Ls added and removed, and per B/L kept its changed fields and containers added, removed
    or changed (seal, weight)."""
    old = {b["number"]: b for b in before.get("bills_of_lading", [])}
    new = {b["number"]: b for b in after.get("bills_of_lading", [])}
    changed = []
    for number in (n for n in new if n in old):
        change = _bill_diff(old[number], new[number])
        if change:
            changed.append({"number": number, **change})
    head = {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in _HEAD_FIELDS
        if before.get(name) != after.get(name)
    }
    return {
        "fields": head,
        "added": [n for n in new if n not in old],
        "removed": [n for n in old if n not in new],
        "changed": changed,
    }


def _bill_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        name: {"before": old.get(name), "after": new.get(name)}
        for name in _BILL_FIELDS
        if old.get(name) != new.get(name)
    }
    before = {c["number"]: c for c in old.get("containers", [])}
    after = {c["number"]: c for c in new.get("containers", [])}
    lines = []
    for number in (n for n in after if n in before):
        was, now = before[number], after[number]
        for name in ("seal", "gross_weight_kg"):
            if was.get(name) != now.get(name):
                lines.append(
                    {
                        "number": number,
                        "field": name,
                        "before": was.get(name),
                        "after": now.get(name),
                    }
                )
    out: dict[str, Any] = {}
    if fields:
        out["fields"] = fields
    added = [n for n in after if n not in before]
    removed = [n for n in before if n not in after]
    if added:
        out["containers_added"] = added
    if removed:
        out["containers_removed"] = removed
    if lines:
        out["containers_changed"] = lines
    return out


def is_empty(change: Mapping[str, Any]) -> bool:
    return not (change["fields"] or change["added"] or change["removed"] or change["changed"])


# --- write-off ---------------------------------------------------------------------------------

# Units whose quantity is a mass, in kilograms per unit (UN/ECE Recommendation 20, and customs'
# numeric codes 035 kilogram and 036 gram).
MASS_UNITS = {
    "KGM": Decimal(1),
    "035": Decimal(1),
    "TNE": Decimal(1000),
    "GRM": Decimal("0.001"),
    "036": Decimal("0.001"),
}


@dataclass(frozen=True)
class Claim:
    """What one declaration takes off a bill of lading: its mass (the items declared in a unit of
    mass) and the containers it names."""

    declaration_id: int
    kilograms: Decimal
    containers: tuple[str, ...]
    packages: int = 0  # 0: the declaration does not say


@dataclass(frozen=True)
class BillHeld:
    """What a bill of lading holds, as the manifest says."""

    bl_id: int
    number: str
    gross_weight_kg: Decimal
    containers: frozenset[str]
    packages: int = 0


def claim_of(declaration_id: int, document: Mapping[str, Any]) -> Claim:
    """A stored declaration's claim on its B/L (its document as filed, JSON): the header's gross
    weight, or else the items declared in a unit of mass; the header's packages."""
    containers = tuple(document.get("containers", []))
    packages = int(document.get("packages") or 0)
    if document.get("gross_weight_kg") is not None:
        weight = Decimal(str(document["gross_weight_kg"]))
        return Claim(declaration_id, weight, containers, packages)
    kilograms = Decimal(0)
    for item in document.get("items", []):
        per_unit = MASS_UNITS.get(str(item.get("unit", "")))
        if per_unit is not None:
            kilograms += Decimal(str(item.get("quantity", "0"))) * per_unit
    return Claim(declaration_id, kilograms, containers, packages)


def write_off(bill: BillHeld | None, claims: Sequence[Claim]) -> dict[int, list[dict[str, Any]]]:
    """Each claim's problems against the bill (in the claims' order: the earlier filed first):
    the bill missing; containers it does not hold; the mass or the packages declared so far,
    this claim's included, above the bill's. [] when the claim fits."""
    out: dict[int, list[dict[str, Any]]] = {}
    taken = Decimal(0)
    counted = 0
    for claim in claims:
        found: list[dict[str, Any]] = []
        if bill is None:
            out[claim.declaration_id] = [{"code": "no_manifest"}]
            continue
        strangers = [c for c in claim.containers if c not in bill.containers]
        if strangers:
            found.append({"code": "containers_not_on_bl", "containers": strangers})
        taken += claim.kilograms
        if claim.kilograms and taken > bill.gross_weight_kg:
            found.append(
                {
                    "code": "weight_exceeds_bl",
                    "declared_kg": float(taken),
                    "bl_kg": float(bill.gross_weight_kg),
                }
            )
        counted += claim.packages
        if claim.packages and bill.packages and counted > bill.packages:
            found.append(
                {"code": "packages_exceed_bl", "declared": counted, "bl_packages": bill.packages}
            )
        out[claim.declaration_id] = found
    return out
