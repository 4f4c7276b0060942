"""Health and joint prevention (联防联控): epidemic alerts, travellers' health declarations and the
rules that refer a traveller to CIQ for quarantine.

Pure functions over plain values. Each referral says why as a message key with parameters
(`kouan.domain.reasons.Reason`); the health domain's templates (these and the contact list's,
see kouan.domain.contacts) live in `TEMPLATES` below and are added to the reasons' catalogue by
`register_templates()`, which Kouan calls once at start and which the builders here call too
(it is idempotent), so that a reason made here is never refused as unknown.

Areas of an alert are codes of three forms, told apart by their length: a country (ISO 3166
alpha-2, "MX"), a place (UN/LOCODE, "MXVER") or an airport (IATA, "MEX"). A stay matches a
country area when it is in that country, and a place or airport area only when it names that
very place: a stay declared as a whole country ("US") is not taken to be in one city of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kouan.domain import reasons
from kouan.domain.errors import ValidationFailed
from kouan.domain.reasons import Reason

# Fever for screening at the border: 37.3 °C and above (China's port health screening of 2009).
FEVER_AT = 37.3
LEVELS = (1, 2, 3, 4)  # 1 watch, 2 warning, 3 serious, 4 the most severe
_COUNTRY = re.compile(r"[A-Z]{2}")
_AIRPORT = re.compile(r"[A-Z]{3}")
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")

# The health domain's messages: English templates with {named} parameters, translated in
# locale/*/LC_MESSAGES/health.po.
TEMPLATES: dict[str, str] = {
    # referral to CIQ
    "health.fever": "temperature {temperature} °C, at or above {threshold} °C",
    "health.symptoms": "symptoms declared: {symptoms}",
    "health.ill_contact": "declared contact with ill persons",
    "health.alert_area_visited": (
        "declared a stay in {place} ({area}: {disease} alert, level {level}) on {day}, "
        "{days} day(s) before arrival, within the {incubation}-day incubation period"
    ),
    "health.alert_area_route": (
        "travelled via {place} ({area}: {disease} alert, level {level}) on {day}, "
        "{days} day(s) before arrival, within the {incubation}-day incubation period"
    ),
    # symptoms a declaration ticks
    "symptom.fever": "fever",
    "symptom.cough": "cough",
    "symptom.sore_throat": "sore throat",
    "symptom.headache": "headache",
    "symptom.muscle_ache": "muscle aches",
    "symptom.runny_nose": "runny nose",
    "symptom.breathing": "difficulty breathing",
    "symptom.diarrhoea": "diarrhoea",
    "symptom.vomiting": "vomiting",
    # the contact list of a confirmed case (kouan.domain.contacts)
    "contact.same_row": "seat {seat}, in the case's row ({case_seat})",
    "contact.seat_rows": "seat {seat}, {rows} row(s) from the case's seat {case_seat}",
    "contact.booking": "same booking {booking}",
    "contact.party": "same travelling party {party}",
    "contact.crew_zone": "cabin crew of the case's zone {zone}",
    "contact.crew_zone_unknown": "cabin crew (the case's cabin zone is not known)",
    "contact.served_by_case": "seated in zone {zone}, which the case served as cabin crew",
    "contact.cabin": "same cabin {cabin}",
    "contact.deck": "same deck {deck}",
    "contact.dining_group": "same dining group {group}",
    # the joint alert CIQ raises on a confirmed case (title and body)
    "alert.epidemic_case": "Joint epidemic alert: confirmed {disease} case {case} on {transport}",
    "alert.epidemic_contacts": "{contacts} contact(s) are listed for the information co-check",
}
SYMPTOMS = frozenset(
    key.removeprefix("symptom.") for key in TEMPLATES if key.startswith("symptom.")
)


def register_templates() -> None:
    """Add the health domain's templates to the reasons' catalogue (idempotent)."""
    reasons.register(TEMPLATES)


def reason(key: str, **params: Any) -> Reason:
    """A reason of the health domain (its templates registered first)."""
    if key not in reasons.TEMPLATES:
        register_templates()
    return Reason(key, params)


# --- epidemic alerts --------------------------------------------------------------------------


def _area_code(value: str, field_name: str) -> str:
    code = value.strip().upper()
    if not (_COUNTRY.fullmatch(code) or _AIRPORT.fullmatch(code) or _LOCODE.fullmatch(code)):
        raise ValidationFailed.one(
            field_name, value, "a country (MX), a UN/LOCODE (MXVER) or an airport's IATA code (MEX)"
        )
    return code


@dataclass(frozen=True)
class AlertArea:
    """One area of an epidemic alert and its level (1 watch ... 4 the most severe)."""

    code: str
    level: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", _area_code(self.code, "areas.code"))
        if self.level not in LEVELS:
            raise ValidationFailed.one("areas.level", self.level, "a level from 1 to 4")

    @property
    def is_country(self) -> bool:
        return len(self.code) == 2


@dataclass(frozen=True)
class EpidemicAlert:
    """An epidemic alert: a disease, its areas, the period it holds (both days included; no end
    while it lasts) and the incubation period that counts a stay before arrival as a risk."""

    disease: str
    areas: tuple[AlertArea, ...]
    starts: date
    ends: date | None
    incubation_days: int
    disease_zh: str = ""

    def __post_init__(self) -> None:
        if not self.areas:
            raise ValidationFailed.one("areas", [], "at least one area")
        if self.ends is not None and self.ends < self.starts:
            raise ValidationFailed.one("ends", str(self.ends), f"a day from {self.starts} on")
        if not 0 <= self.incubation_days <= 60:
            raise ValidationFailed.one("incubation_days", self.incubation_days, "0 to 60 days")

    @property
    def level(self) -> int:
        """The alert's level: its most severe area's."""
        return max(area.level for area in self.areas)

    def active_on(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)

    def area_of(self, stay: Stay) -> AlertArea | None:
        """The area the stay is in: the place itself before its country, then the higher level."""
        matching = [area for area in self.areas if _in_area(area, stay)]
        if not matching:
            return None
        return max(matching, key=lambda area: (not area.is_country, area.level))


def _in_area(area: AlertArea, stay: Stay) -> bool:
    if area.is_country:
        return stay.country == area.code
    return stay.place == area.code


# --- stays, declarations and the rules --------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    """Somewhere a traveller was, from one day to another (both included): a place of the flight's
    or voyage's route, or one the traveller declared. `country` is needed only for an airport
    code (a UN/LOCODE or a country code says its own)."""

    place: str
    first_day: date
    last_day: date | None = None
    country: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "place", _area_code(self.place, "place"))
        if self.last_day is not None and self.last_day < self.first_day:
            raise ValidationFailed.one("last_day", str(self.last_day), "a day after first_day")
        if self.country is not None:
            country = self.country.strip().upper()
            if not _COUNTRY.fullmatch(country):
                raise ValidationFailed.one("country", self.country, "ISO 3166 alpha-2")
            object.__setattr__(self, "country", country)
        elif len(self.place) != 3:
            object.__setattr__(self, "country", self.place[:2])

    @property
    def until(self) -> date:
        return self.last_day or self.first_day


@dataclass(frozen=True)
class HealthDeclaration:
    """A traveller's health declaration (健康申明卡): temperature taken at the border, symptoms
    ticked (codes of SYMPTOMS; anything else is kept as written), contact with ill persons, and
    the places stayed in."""

    person_id: str | int
    temperature: float | None = None
    symptoms: tuple[str, ...] = ()
    ill_contact: bool = False
    stays: tuple[Stay, ...] = field(default_factory=tuple)


def fever(declaration: HealthDeclaration, fever_at: float = FEVER_AT) -> Reason | None:
    """A temperature at or above the threshold (compared to the tenth of a degree thermometers
    show: 37.3 read back from a float as 37.29999... is fever)."""
    taken = declaration.temperature
    if taken is None or round(taken, 1) < round(fever_at, 1):
        return None
    return reason("health.fever", temperature=f"{taken:.1f}", threshold=f"{fever_at:.1f}")


def symptoms(declaration: HealthDeclaration) -> Reason | None:
    if not declaration.symptoms:
        return None
    named = [_symptom(s) for s in declaration.symptoms]
    return reason("health.symptoms", symptoms=named)


def _symptom(symptom: str) -> Reason:
    code = symptom.strip().lower()
    return reason(f"symptom.{code}") if code in SYMPTOMS else Reason.typed(symptom.strip())


def ill_contact(declaration: HealthDeclaration) -> Reason | None:
    return reason("health.ill_contact") if declaration.ill_contact else None


def alert_area_stays(
    stays: Iterable[Stay], arrival: date, alerts: Sequence[EpidemicAlert], key: str
) -> list[Reason]:
    """A reason for each stay in an alert's area on a day the alert held, within its incubation
    period before arrival (the arrival day included). `key` says where the stay is known from:
    "health.alert_area_visited" or "health.alert_area_route"."""
    found = []
    for stay in stays:
        for alert in alerts:
            hit = _at_risk(stay, arrival, alert)
            if hit is not None:
                area, last = hit
                found.append(_area_reason(key, stay, area, alert, last, arrival))
    return found


def _at_risk(stay: Stay, arrival: date, alert: EpidemicAlert) -> tuple[AlertArea, date] | None:
    """The area and the last day of the stay that counts: inside the stay, the alert's period
    and the incubation window before arrival at once."""
    area = alert.area_of(stay)
    if area is None:
        return None
    earliest = max(stay.first_day, alert.starts, arrival - timedelta(days=alert.incubation_days))
    latest = min(stay.until, arrival, alert.ends or arrival)
    return (area, latest) if earliest <= latest else None


def _area_reason(
    key: str, stay: Stay, area: AlertArea, alert: EpidemicAlert, last: date, arrival: date
) -> Reason:
    return reason(
        key,
        place=stay.place,
        area=area.code,
        disease=alert.disease,
        disease_zh=alert.disease_zh,
        level=area.level,
        day=last.isoformat(),
        days=(arrival - last).days,
        incubation=alert.incubation_days,
    )


def referral_reasons(
    declaration: HealthDeclaration,
    arrival: date,
    alerts: Sequence[EpidemicAlert] = (),
    route: Sequence[Stay] = (),
    fever_at: float = FEVER_AT,
) -> list[Reason]:
    """Why the traveller is referred to CIQ for quarantine; none, they are not. `route` is the
    stops of the flight or voyage the traveller was aboard for (boarding point onwards)."""
    found = [r for r in (fever(declaration, fever_at), symptoms(declaration)) if r is not None]
    if (contact := ill_contact(declaration)) is not None:
        found.append(contact)
    found += alert_area_stays(declaration.stays, arrival, alerts, "health.alert_area_visited")
    found += alert_area_stays(route, arrival, alerts, "health.alert_area_route")
    return found


# --- the demo's alert -------------------------------------------------------------------------

# Influenza A(H1N1), 2009: WHO declared it a public health emergency of international concern on
# 25 April 2009 and the pandemic over on 10 August 2010. China's ports watched travellers from
# Mexico (the first outbreak) most closely, then the United States and Canada, then Japan; close
# contacts were observed for 7 days.
H1N1_STARTS = date(2009, 4, 25)
H1N1_ENDS = date(2010, 8, 10)
H1N1_AREAS: Mapping[str, int] = {"MX": 4, "MEX": 4, "US": 3, "CA": 3, "JP": 2}


def h1n1_2009(starts: date | None = None) -> EpidemicAlert:
    """The demo's alert: H1N1 as of 2009, or moved to begin on `starts` (for a demo's current
    week), lasting as long."""
    begins = starts or H1N1_STARTS
    return EpidemicAlert(
        disease="Influenza A(H1N1)",
        disease_zh="甲型H1N1流感",
        areas=tuple(AlertArea(code, level) for code, level in H1N1_AREAS.items()),
        starts=begins,
        ends=begins + (H1N1_ENDS - H1N1_STARTS),
        incubation_days=7,
    )
