"""The passengers' tables: flights and cruise calls, the person lists carriers send for them and
the persons on those lists, the watch list's versions, epidemic alerts, checked bags, each
person's crossing at a counter or gate, and the figures that outlive the persons' purge
(kouan.services.passengers).

Imported at the end of kouan.adapters.db.tables, so that `Base.metadata` holds these tables
wherever the others are known (migrations, the tests' cleaning).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kouan.adapters.db.tables import Base


class Flight(Base):
    """A flight arriving at or departing from the airport: `port` is the airport's IATA code.
    Times in UTC; `route` the legs as the airline's list gave them."""

    __tablename__ = "flights"

    id: Mapped[int] = mapped_column(primary_key=True)
    port: Mapped[str] = mapped_column(String(5))
    airline_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(String(10))  # "KE845": carrier and number
    direction: Mapped[str] = mapped_column(String(10))  # arriving / departing
    origin: Mapped[str] = mapped_column(String(5))
    destination: Mapped[str] = mapped_column(String(5))
    route: Mapped[list[Any]]
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    actual_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("number", "direction", "scheduled_at"),)


class CruiseCall(Base):
    """A cruise ship's call, linked to its ship's port call when the agent has filed it; its
    passengers come from the cruise line's list, which the port call's FAL 6 points to."""

    __tablename__ = "cruise_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    port: Mapped[str] = mapped_column(String(5))  # UN/LOCODE of the seaport
    cruise_line_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    port_call_id: Mapped[int | None] = mapped_column(ForeignKey("port_calls.id"), index=True)
    ship_name: Mapped[str] = mapped_column(String(100))
    voyage: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(5), default="")
    eta: Mapped[datetime] = mapped_column(index=True)
    etd: Mapped[datetime | None]
    released_at: Mapped[datetime | None]  # the whole ship pre-cleared: groups may go ashore
    created_at: Mapped[datetime]


class PersonListRow(Base):
    """One person list as received: for a flight, a cruise call or a ship's port call. A refused
    list keeps nothing but its refusal (`errors`, `answer`: the CONTRL sent back)."""

    __tablename__ = "person_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(12))  # passengers / crew / master_crew
    function: Mapped[str] = mapped_column(String(10))  # original / add / delete / change
    direction: Mapped[str] = mapped_column(String(10))  # arriving / departing
    source: Mapped[str] = mapped_column(String(20))  # "PAXLST D:05B", "XLSX", "CSV", "JSON", "FAL"
    reference: Mapped[str] = mapped_column(String(35), default="")  # the sender's
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flights.id"), index=True)
    cruise_call_id: Mapped[int | None] = mapped_column(ForeignKey("cruise_calls.id"), index=True)
    port_call_id: Mapped[int | None] = mapped_column(ForeignKey("port_calls.id"), index=True)
    # received → screened (every person cleared or referred) → settled; or rejected
    status: Mapped[str] = mapped_column(String(10), index=True)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    referred: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any]]
    errors: Mapped[list[Any]]
    answer: Mapped[str] = mapped_column(Text, default="")
    watchlist_version_id: Mapped[int | None] = mapped_column(ForeignKey("watchlist_versions.id"))
    input_sha256: Mapped[str] = mapped_column(String(64), default="")
    purged_at: Mapped[datetime | None]


class ListedPersonRow(Base):
    """A person on a list, as the sender gave them (what is missing is NULL and warned about),
    with the screening's result. Purged after the retention period unless referred."""

    __tablename__ = "listed_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("person_lists.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # from 1, in the list's order
    role: Mapped[str] = mapped_column(String(10))
    family_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    nationality: Mapped[str | None] = mapped_column(String(2), index=True)
    document_number: Mapped[str | None] = mapped_column(String(35), index=True)
    documents: Mapped[list[Any]]
    seat: Mapped[str | None] = mapped_column(String(8))
    booking_reference: Mapped[str | None] = mapped_column(String(35))
    party: Mapped[str | None] = mapped_column(String(35))
    deck: Mapped[str | None] = mapped_column(String(10))
    cabin: Mapped[str | None] = mapped_column(String(10))
    dining_group: Mapped[str | None] = mapped_column(String(20))
    tour_group: Mapped[str | None] = mapped_column(String(35))
    details: Mapped[dict[str, Any]]  # rank, places, transit, bag tags, the role as sent...
    health: Mapped[dict[str, Any] | None]  # the health declaration, when one came
    warnings: Mapped[list[Any]]
    # pending → cleared / referred; a referred person then cleared, refused or quarantined
    status: Mapped[str] = mapped_column(String(12), default="pending")
    hits: Mapped[list[Any]]  # the watch-list entries that matched, with score and reasons

    __table_args__ = (UniqueConstraint("list_id", "seq"),)


class WatchlistVersion(Base):
    """One version of border inspection's watch list: an imported file, active until the next."""

    __tablename__ = "watchlist_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    entries: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=False, index=True)
    warnings: Mapped[list[Any]]


class WatchlistEntry(Base):
    __tablename__ = "watchlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("watchlist_versions.id"), index=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[Any]]
    date_of_birth: Mapped[str] = mapped_column(String(10), default="")  # YYYY-MM-DD or YYYY
    nationality: Mapped[str] = mapped_column(String(3), default="")
    document_number: Mapped[str] = mapped_column(String(35), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(60), default="")


class EpidemicAlertRow(Base):
    """An epidemic alert CIQ declares: the areas (countries, UN/LOCODEs, airports) where a
    disease circulates, its level, its period and its incubation period."""

    __tablename__ = "epidemic_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    disease: Mapped[str] = mapped_column(String(60))
    disease_zh: Mapped[str] = mapped_column(String(60), default="")
    level: Mapped[int] = mapped_column(Integer)
    areas: Mapped[list[Any]]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    incubation_days: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Bag(Base):
    """A checked bag from the airline's baggage message: selected for X-ray behind the belt or
    not; its owner called by name at the exit when it was."""

    __tablename__ = "bags"

    id: Mapped[int] = mapped_column(primary_key=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"), index=True)
    tag: Mapped[str] = mapped_column(String(12))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("listed_persons.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    # unseen → selected (to X-ray) / released; selected → called → cleared / held
    status: Mapped[str] = mapped_column(String(10), default="unseen")
    reasons: Mapped[list[Any]]
    received_at: Mapped[datetime]
    selected_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("flight_id", "tag"),)


class Crossing(Base):
    """A person's actual crossing at a border counter or e-gate: measured clearance."""

    __tablename__ = "crossings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("listed_persons.id"), index=True)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("person_lists.id"), index=True)
    port: Mapped[str] = mapped_column(String(5))
    counter: Mapped[str] = mapped_column(String(20))  # "E-GATE-03", "COUNTER-12"
    direction: Mapped[str] = mapped_column(String(10))
    queued_at: Mapped[datetime | None]
    crossed_at: Mapped[datetime] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(10))  # passed / held
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PassengerFigure(Base):
    """Persons counted by day, port, direction, journey, route and nationality: written as lists
    are screened, kept when the persons are purged, so statistics rebuilt later agree."""

    __tablename__ = "passenger_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    port: Mapped[str] = mapped_column(String(5))
    direction: Mapped[str] = mapped_column(String(10))
    journey: Mapped[str] = mapped_column(String(10))  # flight / cruise / ship
    journey_id: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(12))  # "ICN-TAO"
    role: Mapped[str] = mapped_column(String(10))
    nationality: Mapped[str] = mapped_column(String(2))  # "" when the list did not say
    persons: Mapped[int] = mapped_column(Integer)
    minutes_total: Mapped[float] = mapped_column(Float, default=0.0)  # crossing times, summed

    __table_args__ = (
        Index("ix_passenger_figures_key", "day", "port", "direction", "journey", "journey_id"),
    )
