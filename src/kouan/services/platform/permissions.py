"""Who may do what: the one place where permissions are decided.

Routes and pages name an action; `require` refuses it with 403. What a user may *see* is scoped
here too (`port_call_scope`, `review_scope`), and anything outside the scope answers 404, so an
enterprise cannot even learn that another's filing exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, select, true

from kouan.adapters.db.alert_tables import Alert, AlertRecipient
from kouan.adapters.db.passenger_tables import PersonListRow
from kouan.adapters.db.tables import DeclarationRow, PortCall, Review
from kouan.adapters.db.transit_tables import TransitRow
from kouan.domain.agency import AGENCIES, ENTERPRISE_TYPES, Agency, OrgType
from kouan.domain.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The signed-in user and the organisation they act for."""

    user_id: int
    username: str
    org_id: int
    org_type: OrgType
    org_name: str

    @property
    def is_agency(self) -> bool:
        return self.org_type.value in {a.value for a in AGENCIES}


SYSTEM = Actor(0, "system", 0, OrgType.PORT_OFFICE, "Kouan")


class Action(StrEnum):
    PORT_CALL_FILE = "port_call.file"
    PORT_CALL_READ = "port_call.read"
    PORT_CALL_EVENT = "port_call.event"
    REVIEW_READ = "review.read"
    REVIEW_DECIDE = "review.decide"
    AIS_INGEST = "ais.ingest"
    AUDIT_READ = "audit.read"
    BOARD_READ = "board.read"
    RULES_PUBLISH = "rules.publish"
    DECLARATION_FILE = "declaration.file"
    DECLARATION_READ = "declaration.read"
    DECLARATION_SEIZE = "declaration.seize"
    GATE_OUT = "declaration.gate_out"
    RISK_RULES_READ = "risk_rules.read"
    RISK_RULES_EDIT = "risk_rules.edit"
    INSPECTION_READ = "inspection.read"
    INSPECTION_RECORD = "inspection.record"
    TRADERS_READ = "traders.read"
    TRADERS_EDIT = "traders.edit"
    CLEARANCE_READ = "clearance.read"
    WEBHOOKS_MANAGE = "webhooks.manage"
    ALERTS_READ = "alerts.read"
    ALERTS_ACKNOWLEDGE = "alerts.acknowledge"
    ALERTS_RAISE = "alerts.raise"
    PERSON_LIST_FILE = "person_list.file"
    PERSON_LIST_READ = "person_list.read"
    PERSON_READ = "person.read"
    WATCHLIST_MANAGE = "watchlist.manage"
    CASE_CONFIRM = "case.confirm"
    BAGGAGE_SEND = "baggage.send"
    BAGGAGE_READ = "baggage.read"
    BAGGAGE_DECIDE = "baggage.decide"
    CROSSING_RECORD = "crossing.record"
    CROSSING_READ = "crossing.read"
    CRUISE_RELEASE = "cruise.release"
    STATS_IMPORT = "stats.import"
    STATS_READ = "stats.read"
    DUTIES_READ = "duties.read"
    TARIFF_EDIT = "tariff.edit"
    GUARANTEE_EDIT = "guarantee.edit"
    PAYMENT_RECORD = "payment.record"
    TONNAGE_DUES = "tonnage_dues.assess"
    TERMINAL_REPORT = "terminal.report"
    TERMINAL_READ = "terminal.read"
    DISCREPANCY_READ = "terminal.discrepancies"
    TRANSIT_READ = "transit.read"
    TRANSIT_OPEN = "transit.open"
    TRANSIT_DEPART = "transit.depart"
    TRANSIT_ARRIVE = "transit.arrive"
    MANIFEST_FILE = "manifest.file"
    MANIFEST_READ = "manifest.read"
    WRITEOFF_READ = "writeoff.read"
    GATE_CHECK = "gate.check"
    GATE_REFUSALS_READ = "gate.refusals_read"


_AGENCY_TYPES = frozenset(OrgType(a.value) for a in AGENCIES)
ALLOWED: dict[Action, frozenset[OrgType]] = {
    Action.PORT_CALL_FILE: frozenset({OrgType.SHIPPING_AGENT}),
    Action.PORT_CALL_READ: frozenset(OrgType),
    Action.PORT_CALL_EVENT: frozenset({OrgType.TERMINAL, OrgType.PORT_OFFICE}),
    Action.REVIEW_READ: _AGENCY_TYPES | {OrgType.PORT_OFFICE},
    Action.REVIEW_DECIDE: _AGENCY_TYPES,
    Action.AIS_INGEST: frozenset({OrgType.TERMINAL, OrgType.PORT_OFFICE}),
    Action.AUDIT_READ: frozenset({OrgType.PORT_OFFICE}),
    Action.BOARD_READ: _AGENCY_TYPES | {OrgType.TERMINAL, OrgType.PORT_OFFICE},
    Action.RULES_PUBLISH: _AGENCY_TYPES,
    Action.DECLARATION_FILE: frozenset({OrgType.CUSTOMS_BROKER}),
    Action.DECLARATION_READ: frozenset(
        {
            OrgType.CUSTOMS_BROKER,
            OrgType.CUSTOMS,
            OrgType.CIQ,
            OrgType.TERMINAL,
            OrgType.PORT_OFFICE,
        }
    ),
    Action.DECLARATION_SEIZE: frozenset({OrgType.CUSTOMS}),
    Action.GATE_OUT: frozenset({OrgType.TERMINAL}),
    Action.RISK_RULES_READ: frozenset({OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.RISK_RULES_EDIT: frozenset({OrgType.CUSTOMS}),
    Action.INSPECTION_READ: frozenset({OrgType.CUSTOMS, OrgType.CIQ, OrgType.PORT_OFFICE}),
    Action.INSPECTION_RECORD: frozenset({OrgType.CUSTOMS, OrgType.CIQ}),
    Action.TRADERS_READ: frozenset({OrgType.CUSTOMS, OrgType.PORT_OFFICE, OrgType.CUSTOMS_BROKER}),
    Action.TRADERS_EDIT: frozenset({OrgType.CUSTOMS}),
    Action.CLEARANCE_READ: frozenset(
        {OrgType.CUSTOMS_BROKER, OrgType.CUSTOMS, OrgType.PORT_OFFICE}
    ),
    # An enterprise's webhooks receive its own filings' events (only the filer's, see outbox).
    Action.WEBHOOKS_MANAGE: ENTERPRISE_TYPES,
    # Anyone an alert is addressed to reads and acknowledges it (alert_scope says which); the
    # agencies and the port office raise them (rules and events raise them as SYSTEM).
    Action.ALERTS_READ: frozenset(OrgType),
    Action.ALERTS_ACKNOWLEDGE: frozenset(OrgType),
    Action.ALERTS_RAISE: _AGENCY_TYPES | {OrgType.PORT_OFFICE},
    # Airlines and cruise lines send passenger and crew lists (a ship's crew lists come with
    # its port call).
    Action.PERSON_LIST_FILE: frozenset({OrgType.AIRLINE, OrgType.CRUISE_LINE}),
    Action.PERSON_LIST_READ: frozenset({OrgType.AIRLINE, OrgType.CRUISE_LINE, OrgType.PORT_OFFICE})
    | _AGENCY_TYPES,
    # A person's record (screening results, health) is for the agencies alone; the port office
    # sees figures, a sender its list as sent.
    Action.PERSON_READ: _AGENCY_TYPES,
    Action.WATCHLIST_MANAGE: frozenset({OrgType.BORDER}),
    # CIQ confirms an epidemic case (and so raises the joint alert with its contact list).
    Action.CASE_CONFIRM: frozenset({OrgType.CIQ}),
    # Airlines send their flights' baggage messages and see those bags (their handlers put the
    # selected ones on the X-ray belt); customs selects and decides; the port office watches.
    Action.BAGGAGE_SEND: frozenset({OrgType.AIRLINE}),
    Action.BAGGAGE_READ: frozenset({OrgType.AIRLINE, OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.BAGGAGE_DECIDE: frozenset({OrgType.CUSTOMS}),
    # Border inspection records each crossing at its counters and gates and lets a pre-cleared
    # cruise ship's passengers ashore by group; the measured figures are for every agency and
    # the port office.
    Action.CROSSING_RECORD: frozenset({OrgType.BORDER}),
    Action.CROSSING_READ: _AGENCY_TYPES | {OrgType.PORT_OFFICE},
    Action.CRUISE_RELEASE: frozenset({OrgType.BORDER}),
    # The port office imports the port's statistical returns.
    Action.STATS_IMPORT: frozenset({OrgType.PORT_OFFICE}),
    # Figures over the whole port (statistics, the Time Release Study): port office, agencies.
    Action.STATS_READ: _AGENCY_TYPES | {OrgType.PORT_OFFICE},
    # Duties (kouan.services.duties): a broker sees its own declarations' and its traders'
    # guarantees, customs and the port office all; customs keeps the tariff and the guarantees;
    # a bank's notification of payment comes in through customs' (or the port office's)
    # integration account; agents ask for their calls' tonnage dues.
    Action.DUTIES_READ: frozenset({OrgType.CUSTOMS_BROKER, OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.TARIFF_EDIT: frozenset({OrgType.CUSTOMS}),
    Action.GUARANTEE_EDIT: frozenset({OrgType.CUSTOMS}),
    Action.PAYMENT_RECORD: frozenset({OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.TONNAGE_DUES: frozenset({OrgType.SHIPPING_AGENT, OrgType.CUSTOMS}),
    # Terminals report what they discharged, loaded and took into the yard (for their own
    # terminals: kouan.services.terminal.operators); customs and the port office read the moves,
    # customs the discrepancies with the manifests.
    Action.TERMINAL_REPORT: frozenset({OrgType.TERMINAL}),
    Action.TERMINAL_READ: frozenset({OrgType.TERMINAL, OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.DISCREPANCY_READ: frozenset({OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    # Transit under customs seal: customs at the port opens it, customs or the terminal
    # records the departure under seal, the inland office's customs acknowledges the arrival
    # (transit.require_office checks which office); the broker follows its own.
    Action.TRANSIT_READ: frozenset(
        {OrgType.CUSTOMS, OrgType.TERMINAL, OrgType.PORT_OFFICE, OrgType.CUSTOMS_BROKER}
    ),
    Action.TRANSIT_OPEN: frozenset({OrgType.CUSTOMS}),
    Action.TRANSIT_DEPART: frozenset({OrgType.CUSTOMS, OrgType.TERMINAL}),
    Action.TRANSIT_ARRIVE: frozenset({OrgType.CUSTOMS}),
    # Carriers' agents file cargo manifests and read their own; customs, the port office and the
    # terminals read all. Customs reads the write-off and undeclared goods; only the terminal's
    # gate clerks and customs ask the gate, whose refusals customs and the port office read (a
    # terminal its own).
    Action.MANIFEST_FILE: frozenset({OrgType.SHIPPING_AGENT}),
    Action.MANIFEST_READ: frozenset(
        {OrgType.SHIPPING_AGENT, OrgType.CUSTOMS, OrgType.PORT_OFFICE, OrgType.TERMINAL}
    ),
    Action.WRITEOFF_READ: frozenset({OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
    Action.GATE_CHECK: frozenset({OrgType.TERMINAL, OrgType.CUSTOMS}),
    Action.GATE_REFUSALS_READ: frozenset({OrgType.TERMINAL, OrgType.CUSTOMS, OrgType.PORT_OFFICE}),
}


def allowed(actor: Actor, action: Action) -> bool:
    return actor.org_type in ALLOWED[action]


def require(actor: Actor, action: Action) -> None:
    if not allowed(actor, action):
        raise Forbidden(f"{actor.org_type.value} users may not {action.value.replace('.', ' ')}")


def require_rule_set_edit(actor: Actor, subject_kind: str, agency: Agency) -> None:
    """An agency edits only its own rule sets; customs' risk rules for declarations are the risk
    officers' (RISK_RULES_EDIT), the others each agency's publishers (RULES_PUBLISH)."""
    risk = subject_kind == "declaration" and agency is Agency.CUSTOMS
    require(actor, Action.RISK_RULES_EDIT if risk else Action.RULES_PUBLISH)
    if actor.org_type.value != agency.value:
        raise Forbidden(f"{actor.org_type.value} may change only its own rule sets, not {agency}")


def may_read_rule_set(actor: Actor, subject_kind: str, agency: Agency) -> bool:
    """Customs' risk rules are for customs and the port office alone (a trader who learnt them
    could route around them); every other rule set is for the agencies and the port office."""
    risk = subject_kind == "declaration" and agency is Agency.CUSTOMS
    return allowed(actor, Action.RISK_RULES_READ if risk else Action.REVIEW_READ)


def require_rule_set_read(actor: Actor, subject_kind: str, agency: Agency) -> None:
    if not may_read_rule_set(actor, subject_kind, agency):
        raise Forbidden(
            f"{actor.org_type.value} users may not read {agency} rules for {subject_kind}"
        )


def port_call_scope(actor: Actor) -> ColumnElement[bool]:
    """The port calls this actor may see: an enterprise those it filed; agencies, terminals and the
    port office all (every call is routed to all four agencies and concerns the whole port)."""
    require(actor, Action.PORT_CALL_READ)
    if actor.org_type in ENTERPRISE_TYPES:
        return PortCall.agent_org_id == actor.org_id
    return true()


def review_scope(actor: Actor) -> ColumnElement[bool]:
    """The reviews this actor may see: an agency its own; the port office all."""
    require(actor, Action.REVIEW_READ)
    if actor.org_type is OrgType.PORT_OFFICE:
        return true()
    return Review.agency == actor.org_type.value


# What a terminal sees of declarations: the release notices it lets goods out on.
_AT_THE_GATE = ("released", "gated_out")


def declaration_scope(actor: Actor) -> ColumnElement[bool]:
    """The declarations this actor may see: a broker those it filed; customs and the port office
    all; CIQ those on the legal-inspection list (routed to it); a terminal the released ones."""
    require(actor, Action.DECLARATION_READ)
    match actor.org_type:
        case OrgType.CUSTOMS_BROKER:
            return DeclarationRow.broker_org_id == actor.org_id
        case OrgType.CIQ:
            return DeclarationRow.needs_ciq.is_(True)
        case OrgType.TERMINAL:
            return DeclarationRow.status.in_(_AT_THE_GATE)
    return true()


def broker_scope(actor: Actor) -> ColumnElement[bool]:
    """For figures over declarations (clearance times): a broker its own, customs and the port
    office all."""
    require(actor, Action.CLEARANCE_READ)
    if actor.org_type is OrgType.CUSTOMS_BROKER:
        return DeclarationRow.broker_org_id == actor.org_id
    return true()


# --- alerts (kouan.services.platform.alerts) --------------------------------------------------


def addressed_to(actor: Actor) -> ColumnElement[bool]:
    """The recipient rows that are the actor's: its organisation's, or one of its type that no
    organisation has taken yet (addressed before any of that type existed)."""
    return or_(
        AlertRecipient.org_id == actor.org_id,
        and_(AlertRecipient.org_id.is_(None), AlertRecipient.org_type == actor.org_type.value),
    )


def alert_scope(actor: Actor) -> ColumnElement[bool]:
    """The alerts this actor may see: the port office all (it coordinates the port's joint
    response), everyone else, enterprises included, those addressed to it."""
    require(actor, Action.ALERTS_READ)
    if actor.org_type is OrgType.PORT_OFFICE:
        return true()
    return Alert.id.in_(select(AlertRecipient.alert_id).where(addressed_to(actor)))


def person_list_scope(actor: Actor) -> ColumnElement[bool]:
    """The person lists this actor may see: a sender those it sent; agencies and the port
    office all."""
    require(actor, Action.PERSON_LIST_READ)
    if actor.org_type in ENTERPRISE_TYPES:
        return PersonListRow.owner_org_id == actor.org_id
    return true()


def transit_scope(actor: Actor) -> ColumnElement[bool]:
    """The transits this actor may see: a broker those of its declarations; customs, the
    terminals (which let the goods out under seal) and the port office all."""
    require(actor, Action.TRANSIT_READ)
    if actor.org_type is OrgType.CUSTOMS_BROKER:
        return TransitRow.broker_org_id == actor.org_id
    return true()
