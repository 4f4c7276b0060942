"""The one store of rule sets: a version per (subject kind, agency), drafted, activated, retired.

Every agency's rules for every kind of subject are kept here alike: customs' risk rules for
declarations, CIQ's legal-inspection list, the four agencies' port-call rules. The active versions
decide; they are loaded from the database and cached while unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from kouan.adapters.db import plain
from kouan.adapters.db.tables import RuleSetRow
from kouan.domain.agency import Agency, Phase
from kouan.domain.errors import InvalidTransition, NotFound, ValidationFailed
from kouan.rules.base import Evaluator
from kouan.rules.registry import BOOKS, book
from kouan.services.platform.permissions import (
    Action,
    Actor,
    may_read_rule_set,
    require,
    require_rule_set_edit,
    require_rule_set_read,
)
from kouan.services.platform.unit_of_work import ServiceContext, UnitOfWork
from kouan.services.review.subjects import kind_of, subject_id

DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"
RuleSets = dict[tuple[str, Agency], Evaluator]
_TABLE = RuleSetRow.__table__


@lru_cache(maxsize=4)
def _active_ids(dialect: Dialect) -> plain.PlainStatement:
    """The ids of the active versions: asked on every filing, so run on the driver."""
    query = select(_TABLE.c.id).where(_TABLE.c.status == ACTIVE).order_by(_TABLE.c.id)
    return plain.compile_plain(query, dialect)


def ensure_defaults(session: Session, now: Any) -> None:
    """Version 1, active, of every rule set a fresh database lacks (kouan db upgrade)."""
    present = set(session.execute(select(RuleSetRow.subject_kind, RuleSetRow.agency)).all())
    for (kind, agency), rule_book in BOOKS.items():
        if (kind, agency.value) not in present:
            document = rule_book.default_document()
            rule_book.build(1, document)  # the shipped rules must themselves be valid
            session.add(
                RuleSetRow(
                    subject_kind=kind,
                    agency=agency.value,
                    version=1,
                    status=ACTIVE,
                    document=document,
                    note="",
                    created_at=now,
                    activated_at=now,
                )
            )


def active_rule_sets(conn: Connection, cache: dict[str, Any]) -> RuleSets:
    """Every active rule set: one cheap query for their ids; rebuilt only when one changed."""
    ids = tuple(row[0] for row in plain.fetch(conn, _active_ids(conn.dialect), {}))
    cached = cache.get("rule_sets")
    if isinstance(cached, tuple) and cached[0] == ids:
        rule_sets: RuleSets = cached[1]
        return rule_sets
    columns = (RuleSetRow.subject_kind, RuleSetRow.agency, RuleSetRow.version, RuleSetRow.document)
    rows = conn.execute(select(*columns).where(RuleSetRow.status == ACTIVE)).all()
    rule_sets = {
        (kind, Agency(agency)): book(kind, Agency(agency)).build(version, document)
        for kind, agency, version, document in rows
    }
    cache["rule_sets"] = (ids, rule_sets)
    return rule_sets


def summary(row: RuleSetRow) -> dict[str, Any]:
    return {
        "subject_kind": row.subject_kind,
        "agency": row.agency,
        "version": row.version,
        "status": row.status,
        "note": row.note,
        "created_at": row.created_at.isoformat(),
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
    }


def find_version(
    uow: UnitOfWork, kind: str, agency: Agency, version: int | None, for_update: bool = False
) -> RuleSetRow:
    """A version of the rule set (the active one when `version` is None); NotFound otherwise."""
    query = select(RuleSetRow).where(
        RuleSetRow.subject_kind == kind, RuleSetRow.agency == agency.value
    )
    query = query.where(
        RuleSetRow.status == ACTIVE if version is None else RuleSetRow.version == version
    )
    row = uow.session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        what = "active" if version is None else f"version {version}"
        raise NotFound(f"{agency.value} rule set for {kind}: {what} not found")
    return row


def versions(uow: UnitOfWork, kind: str, agency: Agency) -> list[RuleSetRow]:
    """Every version of the rule set, newest first."""
    query = select(RuleSetRow).where(
        RuleSetRow.subject_kind == kind, RuleSetRow.agency == agency.value
    )
    return list(uow.session.scalars(query.order_by(RuleSetRow.version.desc())))


def draft(uow: UnitOfWork, kind: str, agency: Agency, note: str = "") -> RuleSetRow:
    """The open draft of the rule set, or a new one copied from the active version."""
    require_rule_set_edit(uow.actor, kind, agency)
    # Drafts asked for at once: the active row's lock makes the second find the first's.
    active = find_version(uow, kind, agency, None, for_update=True)
    existing = uow.session.scalar(
        select(RuleSetRow).where(
            RuleSetRow.subject_kind == kind,
            RuleSetRow.agency == agency.value,
            RuleSetRow.status == DRAFT,
        )
    )
    if existing is not None:
        return existing
    latest = uow.session.scalar(
        select(func.max(RuleSetRow.version)).where(
            RuleSetRow.subject_kind == kind, RuleSetRow.agency == agency.value
        )
    )
    row = RuleSetRow(
        subject_kind=kind,
        agency=agency.value,
        version=(latest or 0) + 1,
        status=DRAFT,
        document=dict(active.document),
        note=note.strip()[:500],
        created_by=uow.actor.user_id or None,
        created_at=uow.now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit("rule_set.draft", "rule_set", row.id, None, summary(row))
    return row


def edit(uow: UnitOfWork, kind: str, agency: Agency, version: int) -> RuleSetRow:
    """The draft `version`, locked for a change; only a draft can change."""
    require_rule_set_edit(uow.actor, kind, agency)
    row = find_version(uow, kind, agency, version, for_update=True)
    if row.status != DRAFT:
        raise InvalidTransition(
            f"{agency.value} rule set for {kind} version {version} is {row.status}; only a draft "
            "can be changed"
        )
    return row


def save(uow: UnitOfWork, row: RuleSetRow, document: Mapping[str, Any]) -> None:
    """Replace a draft's document, checked whole before it is stored."""
    book(row.subject_kind, Agency(row.agency)).build(row.version, document)
    before = {"version": row.version, "document": row.document}
    row.document = dict(document)
    uow.audit("rule_set.edited", "rule_set", row.id, before, {"document": row.document})


def activate(uow: UnitOfWork, row: RuleSetRow) -> RuleSetRow | None:
    """The draft decides from now on; the version it replaces is retired (kept for the record)
    and returned."""
    book(row.subject_kind, Agency(row.agency)).build(row.version, row.document)
    current = uow.session.scalar(
        select(RuleSetRow)
        .where(
            RuleSetRow.subject_kind == row.subject_kind,
            RuleSetRow.agency == row.agency,
            RuleSetRow.status == ACTIVE,
        )
        .with_for_update()
    )
    if current is not None:
        current.status = RETIRED
        uow.session.flush()  # one active version at every moment
    row.status, row.activated_at = ACTIVE, uow.now
    uow.audit(
        "rule_set.activated",
        "rule_set",
        row.id,
        {"active": current.version if current else None},
        {"subject_kind": row.subject_kind, "agency": row.agency, "active": row.version},
    )
    return current


def _owner(agency: Agency, params: Mapping[str, Any]) -> str:
    """The kind of subject whose rule set of the agency has these parameters (port calls when
    none is named): CIQ's legal-inspection list belongs to its declaration rules."""
    kinds = {
        kind
        for (kind, owner), rule_book in BOOKS.items()
        if owner is agency and set(params) & set(rule_book.default_document().get("params", {}))
    }
    if len(kinds) > 1:
        raise ValidationFailed.one("params", sorted(params), "parameters of one rule set at a time")
    return kinds.pop() if kinds else "port_call"


def publish(
    ctx: ServiceContext,
    actor: Actor,
    agency: Agency,
    params: Mapping[str, Any],
    disabled: list[str] | None = None,
    subject_kind: str | None = None,
) -> int:
    """An agency publishes a new version of a parameter rule set at once (draft and activation
    in one step); the parameters given replace those of the active one. Returns the version."""
    kind = subject_kind or _owner(agency, params)
    _known(kind, agency)
    with ctx.uow(actor) as uow:
        row = draft(uow, kind, agency)
        current = find_version(uow, kind, agency, None)
        kept = disabled if disabled is not None else current.document.get("disabled", [])
        merged = {**current.document.get("params", {}), **params}
        save(uow, row, {**current.document, "params": merged, "disabled": list(kept)})
        activate(uow, row)
        version = row.version
        uow.commit()
    return version


def active_versions(ctx: ServiceContext, actor: Actor) -> list[dict[str, Any]]:
    """Every active rule set: kind, agency, version, parameters (defaults filled in), disabled
    rules and what the rules are, for agencies and the port office to read."""
    require(actor, Action.REVIEW_READ)
    with ctx.uow(actor, write=False) as uow:
        rows = uow.session.scalars(
            select(RuleSetRow)
            .where(RuleSetRow.status == ACTIVE)
            .order_by(RuleSetRow.subject_kind.desc(), RuleSetRow.agency)
        ).all()
        return [
            version_view(row)
            for row in rows
            if may_read_rule_set(actor, row.subject_kind, Agency(row.agency))
        ]


def version_view(row: RuleSetRow) -> dict[str, Any]:
    """A version whole: its summary, parameters (defaults filled in), switched-off rules, what its
    rules are, and the document as stored."""
    rule_book = book(row.subject_kind, Agency(row.agency))
    defaults = rule_book.default_document().get("params", {})
    return {
        **summary(row),
        "params": {**defaults, **row.document.get("params", {})},
        "disabled": row.document.get("disabled", []),
        "rules": rule_book.describe(row.document),
        "document": row.document,
    }


# --- the one editor: any rule set's versions, drafts and activation ----------------------------


def _known(kind: str, agency: Agency) -> None:
    if (kind, agency) not in BOOKS:
        raise NotFound(f"{agency.value} has no rule set for {kind}")


def list_versions(
    ctx: ServiceContext, actor: Actor, kind: str, agency: Agency
) -> list[dict[str, Any]]:
    """Every version of a rule set, newest first."""
    _known(kind, agency)
    require_rule_set_read(actor, kind, agency)
    with ctx.uow(actor, write=False) as uow:
        return [summary(row) for row in versions(uow, kind, agency)]


def get_version(
    ctx: ServiceContext, actor: Actor, kind: str, agency: Agency, version: int | None = None
) -> dict[str, Any]:
    """One version whole (the active one when none is named)."""
    _known(kind, agency)
    require_rule_set_read(actor, kind, agency)
    with ctx.uow(actor, write=False) as uow:
        return version_view(find_version(uow, kind, agency, version))


def create_draft(
    ctx: ServiceContext, actor: Actor, kind: str, agency: Agency, note: str = ""
) -> dict[str, Any]:
    """A draft copied from the active version; the open draft if there is one already."""
    _known(kind, agency)
    with ctx.uow(actor) as uow:
        view = version_view(draft(uow, kind, agency, note))
        uow.commit()
    return view


def save_draft(
    ctx: ServiceContext,
    actor: Actor,
    kind: str,
    agency: Agency,
    version: int,
    document: Mapping[str, Any],
) -> dict[str, Any]:
    """Replace a draft's document, checked whole (every bad field named) before it is stored."""
    _known(kind, agency)
    with ctx.uow(actor) as uow:
        row = edit(uow, kind, agency, version)
        save(uow, row, document)
        view = version_view(row)
        uow.commit()
    return view


def activate_draft(
    ctx: ServiceContext, actor: Actor, kind: str, agency: Agency, version: int
) -> dict[str, Any]:
    """The draft decides from now on; the version it replaces is retired."""
    _known(kind, agency)
    with ctx.uow(actor) as uow:
        row = edit(uow, kind, agency, version)
        activate(uow, row)
        view = version_view(row)
        uow.commit()
    return view


def recent_facts(
    uow: UnitOfWork, kind: str, phase: Phase, last: int
) -> tuple[list[Any], list[Any]]:
    """The last `last` subjects of the kind (newest first) and what the rules look at for each."""
    subject_kind = kind_of(uow, kind)
    id_column = subject_kind.table.__table__.c.id
    rows = list(
        uow.session.scalars(select(subject_kind.table).order_by(id_column.desc()).limit(last))
    )
    return rows, subject_kind.facts_of(uow, rows, phase)


def test_version(
    ctx: ServiceContext,
    actor: Actor,
    kind: str,
    agency: Agency,
    version: int,
    last: int = 1000,
) -> dict[str, Any]:
    """Evaluate the last N subjects of the kind with this version beside the active one: the
    statuses each would give, how many change, and how often each rule hits. Nothing is stored."""
    _known(kind, agency)
    require_rule_set_read(actor, kind, agency)
    if not 1 <= last <= 100_000:
        raise ValidationFailed.one("last", last, "a number of subjects from 1 to 100000")
    with ctx.uow(actor, write=False) as uow:
        stored = find_version(uow, kind, agency, version)
        candidate = book(kind, agency).build(version, stored.document)
        active = active_rule_sets(uow.connection(), ctx.cache)[(kind, agency)]
        phase = kind_of(uow, kind).phases[0]
        rows, facts = recent_facts(uow, kind, phase, last)
        ids = [subject_id(row) for row in rows]
    statuses: Counter[str] = Counter()
    active_statuses: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    changed = []
    for subject, fact in zip(ids, facts, strict=True):
        new, old = candidate.evaluate(fact, phase), active.evaluate(fact, phase)
        statuses[new.status.value] += 1
        active_statuses[old.status.value] += 1
        hits.update(new.rules_hit)
        if new.status is not old.status:
            changed.append(
                {
                    "id": subject,
                    "from": old.status.value,
                    "to": new.status.value,
                    "rules": new.rules_hit,
                }
            )
    return {
        "subject_kind": kind,
        "agency": agency.value,
        "version": version,
        "against": active.label,
        "phase": phase.value,
        "subjects": len(ids),
        "statuses": dict(statuses),
        "active_statuses": dict(active_statuses),
        "changed": len(changed),
        "examples": changed[:20],
        "hits": dict(hits),
    }
