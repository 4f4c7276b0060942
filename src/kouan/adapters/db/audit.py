"""The audit log: every state change appended in the writer's transaction, each row chained to the
one before by an HMAC-SHA256 whose key is kept apart from the database, so that whoever can write
the database but lacks the key cannot edit a row and rehash the rows after it unseen.

The chain is cut into epochs. Epoch 0 holds the rows written before keys (unkeyed SHA-256, as
they were); every later epoch begins with an `audit.epoch_started` row naming its reason, its
key's id and where the chain stood before it: the first keyed write, or a restore from backup
(`start_epoch`), whose lost rows then show as that boundary rather than as a silent gap.

The head row (`audit_head`) names the chain's last row; locking it serialises appends. Rows cut
from the end with the head moved back leave no trace in the database: the signed checkpoints
written outside it (see kouan.services.platform.audit_chain) are what `verify` finds them by.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from kouan.adapters.db import plain
from kouan.adapters.db.tables import AuditEntry, AuditHead
from kouan.config import audit_key, get_settings
from kouan.domain.canonical import canonical_json, digest

GENESIS = "0" * 64
EPOCH_STARTED = "audit.epoch_started"
HEAD_MISSING = "audit.head_missing"
# Why epoch 1 began, where the chain was keyed for the first time.
KEYS_BEGIN = "the chain is keyed from here on; the rows before are epoch 0, unkeyed SHA-256"

# Built once, and run on the driver (see plain): SQLAlchemy's execution costs more than SQLite's.
_LOCK_HEAD = (
    select(AuditHead.epoch, AuditHead.seq, AuditHead.hash)
    .where(AuditHead.id == 1)
    .with_for_update()
)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(epoch=bindparam("new_epoch"), seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_LAST_ROW = (
    select(AuditEntry.epoch, AuditEntry.seq, AuditEntry.hash)
    .order_by(AuditEntry.seq.desc())
    .limit(1)
)


class ChainKey:
    """The chain's HMAC key, prepared once; `key_id` names it without revealing it."""

    def __init__(self, key: bytes) -> None:
        self._base = hmac.new(key, digestmod=hashlib.sha256)
        self.key_id = self.mac("kouan audit key id")[:16]

    def mac(self, text: str) -> str:
        keyed = self._base.copy()
        keyed.update(text.encode())
        return keyed.hexdigest()


@lru_cache(maxsize=8)
def chain_key(key: bytes) -> ChainKey:
    return ChainKey(key)


def _fields(entry: Row[Any] | dict[str, Any]) -> dict[str, Any]:
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    at = get("at")
    assert isinstance(at, datetime)
    fields = {
        "seq": get("seq"),
        # Hashed as stored: in UTC, whatever zone the writer's clock gave.
        "at": at.astimezone(UTC).isoformat(),
        "actor_user_id": get("actor_user_id"),
        "actor": get("actor"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": get("entity_id"),
        "before": get("before"),
        "after": get("after"),
    }
    epoch = get("epoch")
    if epoch:
        # Keyed rows bind their epoch too; epoch 0's rows keep the hashes they were written with.
        fields["epoch"] = epoch
    return fields


def row_hash(key: ChainKey, epoch: int, prev_hash: str, fields: dict[str, Any]) -> str:
    """A row's link: keyed from epoch 1 on, unkeyed SHA-256 in epoch 0."""
    if epoch == 0:
        return digest(fields, prev_hash)
    return key.mac(prev_hash + canonical_json(fields))


def append_many(conn: Connection, entries: list[dict[str, Any]], key: bytes) -> None:
    """Chain and insert a transaction's entries at once, just before it commits.

    Locking the head row last keeps the time other writers wait for the chain short.
    """
    _append(conn, chain_key(key), entries, None, None)


def start_epoch(
    conn: Connection,
    key: bytes,
    reason: str,
    at: datetime,
    last_checkpoint: dict[str, Any] | None = None,
) -> int:
    """Begin a new epoch (after a restore from backup, say), recorded in the chain itself with
    `reason` and the last checkpoint known before it; the new epoch's number. The caller commits."""
    return _append(conn, chain_key(key), [], (reason, last_checkpoint), at)


def _append(
    conn: Connection,
    key: ChainKey,
    entries: list[dict[str, Any]],
    new_epoch: tuple[str, dict[str, Any] | None] | None,
    at: datetime | None,
) -> int:
    lock_head, insert_entries, move_head, last_row = _statements(conn.dialect)
    head = plain.fetch(conn, lock_head, {})
    at = at or entries[0]["at"]
    notes = []
    if not head:
        head, missing = _establish_head(conn, lock_head, last_row)
        if missing is not None:
            notes.append(_head_missing(missing, at))
    epoch, seq, prev_hash = head[0]
    if epoch == 0 and new_epoch is None:
        new_epoch = (KEYS_BEGIN, None)
    if new_epoch is not None:
        follows = {"epoch": epoch, "seq": seq, "hash": prev_hash}
        epoch += 1
        notes.insert(0, _epoch_started(epoch, key.key_id, follows, *new_epoch, at))
    rows = []
    for entry in (*notes, *entries):
        seq += 1
        row = {
            **entry,
            "epoch": epoch,
            "seq": seq,
            "entity_id": str(entry["entity_id"]),
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = row_hash(key, epoch, prev_hash, _fields(row))
        rows.append(row)
    plain.run(conn, insert_entries, rows)
    plain.run(conn, move_head, [{"new_epoch": epoch, "new_seq": seq, "new_hash": prev_hash}])
    return epoch


def _establish_head(
    conn: Connection, lock_head: plain.PlainStatement, last_row: plain.PlainStatement
) -> tuple[list[Any], dict[str, Any] | None]:
    """Create the head where there is none: at the chain's last row, or at its start when there
    are no rows. What the head was made from when rows exist (the head was deleted), else None.

    Writers that race to create it on PostgreSQL: the second waits for the first to commit,
    inserts nothing and locks the head the first left."""
    last = plain.fetch(conn, last_row, {})
    epoch, seq, hash_ = last[0] if last else (0, 0, GENESIS)
    statement = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(AuditHead)
    created = conn.execute(
        statement.values(id=1, epoch=epoch, seq=seq, hash=hash_).on_conflict_do_nothing()
    ).rowcount
    missing = {"epoch": epoch, "seq": seq, "hash": hash_} if created and last else None
    return plain.fetch(conn, lock_head, {}), missing


def _system_entry(
    action: str, entity_type: str, entity_id: str, after: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "at": at,
        "actor_user_id": None,
        "actor": "system",
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": None,
        "after": after,
    }


def _epoch_started(
    epoch: int,
    key_id: str,
    follows: dict[str, Any],
    reason: str,
    last_checkpoint: dict[str, Any] | None,
    at: datetime,
) -> dict[str, Any]:
    after = {
        "epoch": epoch,
        "reason": reason,
        "key_id": key_id,
        "follows": follows,
        "last_checkpoint": last_checkpoint,
    }
    return _system_entry(EPOCH_STARTED, "audit_epoch", str(epoch), after, at)


def _head_missing(found: dict[str, Any], at: datetime) -> dict[str, Any]:
    return _system_entry(HEAD_MISSING, "audit_chain", "head", {"re_established_at": found}, at)


@lru_cache(maxsize=64)
def _statements(dialect: Dialect) -> tuple[plain.PlainStatement, ...]:
    """Locking the head, inserting entries, moving the head and reading the last row, compiled
    for `dialect`."""
    entries = plain.insert_statement(AuditEntry.__table__, dialect, returning_id=False)
    return (
        plain.compile_plain(_LOCK_HEAD, dialect),
        entries,
        plain.compile_plain(_MOVE_HEAD, dialect),
        plain.compile_plain(_LAST_ROW, dialect),
    )


def last_row(session: Session) -> tuple[int, int, str] | None:
    """The chain's last row as (epoch, seq, hash); None for an empty chain."""
    row = session.execute(_LAST_ROW).first()
    return None if row is None else (row.epoch, row.seq, row.hash)


def epoch_record(session: Session, epoch: int) -> dict[str, Any] | None:
    """What the row that began `epoch` recorded (its `after`, with its seq as `first_seq`)."""
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "audit_epoch",
            AuditEntry.entity_id == str(epoch),
            AuditEntry.action == EPOCH_STARTED,
        )
    ).first()
    return None if entry is None or entry.after is None else {**entry.after, "first_seq": entry.seq}


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement, kept outside the database, that the chain had reached row `seq` of
    `epoch` with `hash` at `at`; `epoch_start` records where that epoch began and why."""

    epoch: int
    seq: int
    hash: str
    at: str
    key_id: str
    epoch_start: dict[str, Any] | None
    mac: str = ""
    # Where it was read (a file's line, a stream's message): named by verify; not signed.
    source: str = field(default="", compare=False)

    def body(self) -> dict[str, Any]:
        statement = asdict(self)
        del statement["mac"], statement["source"]
        return statement

    def signed(self, key: bytes) -> Checkpoint:
        return replace(self, mac=self._mac(chain_key(key)))

    def signature_holds(self, key: ChainKey) -> bool:
        return hmac.compare_digest(self.mac, self._mac(key))

    def _mac(self, key: ChainKey) -> str:
        # A prefix no row's text has (those begin with a hash): a row's link is never a signature.
        return key.mac("checkpoint:" + canonical_json(self.body()))

    def to_json(self) -> str:
        return canonical_json({**self.body(), "mac": self.mac})

    @classmethod
    def from_json(cls, text: str, source: str) -> Checkpoint:
        """Raises ValueError for anything but a checkpoint."""
        try:
            value = json.loads(text)
            return cls(
                epoch=int(value["epoch"]),
                seq=int(value["seq"]),
                hash=str(value["hash"]),
                at=str(value["at"]),
                key_id=str(value["key_id"]),
                epoch_start=value["epoch_start"],
                mac=str(value["mac"]),
                source=source,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a checkpoint ({type(error).__name__}: {error})") from None


@dataclass(frozen=True)
class Break:
    """Where the chain or a checkpoint does not hold (`where`: a row or a checkpoint), and why."""

    where: str
    problem: str


@dataclass
class Epoch:
    """One epoch as verify found it."""

    epoch: int
    first_seq: int
    last_seq: int
    keyed: bool
    checked: bool
    record: dict[str, Any] | None


@dataclass
class Report:
    """What verify found: the breaks, the epochs it walked, the checkpoints it compared."""

    problems: list[Break] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    epochs: list[Epoch] = field(default_factory=list)
    checkpoints: int = 0
    anchored: Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    def __iter__(self) -> Iterator[Break]:
        """The breaks: `list(verify(...))` is empty for an intact chain."""
        return iter(self.problems)


def verify(
    db: Session | Connection,
    key: bytes | None = None,
    checkpoints: Iterable[Checkpoint] = (),
    batch: int = 5000,
) -> Report:
    """Walk the chain from its first row and compare it with the head and with `checkpoints`:
    rows edited, deleted, reordered or rehashed without the key, rows cut from the end, a
    missing head, forged checkpoints. Epoch boundaries and rows a recorded restore lost are
    notes, not breaks. `key` defaults to the configured one (kouan.config.audit_key)."""
    walk = _Walk(chain_key(key or audit_key(get_settings())), checkpoints)
    last_seq = 0
    while True:
        rows = db.execute(
            select(AuditEntry.__table__)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            walk.row(entry)
        last_seq = rows[-1].seq
    walk.end(db.execute(select(AuditHead.__table__).where(AuditHead.id == 1)).first())
    return walk.report


def _short(hash_: str) -> str:
    return hash_[:12] + "…"


class _Walk:
    """The state of one walk along the chain."""

    def __init__(self, key: ChainKey, checkpoints: Iterable[Checkpoint]) -> None:
        self.key = key
        self.report = Report()
        self.prev_hash, self.expected = GENESIS, 1
        self.epoch: Epoch | None = None
        self.pending: dict[int, list[Checkpoint]] = {}
        for checkpoint in self._signed(checkpoints):
            self.pending.setdefault(checkpoint.seq, []).append(checkpoint)

    def _signed(self, checkpoints: Iterable[Checkpoint]) -> Iterable[Checkpoint]:
        """The checkpoints signed with the configured key; a break for each of the others."""
        for checkpoint in checkpoints:
            self.report.checkpoints += 1
            if checkpoint.key_id != self.key.key_id:
                self._problem_at(
                    checkpoint,
                    f"signed with key {checkpoint.key_id}, not the configured {self.key.key_id}",
                )
            elif not checkpoint.signature_holds(self.key):
                self._problem_at(checkpoint, "its signature does not hold: forged or altered")
            else:
                yield checkpoint

    def _problem(self, seq: int, problem: str) -> None:
        self.report.problems.append(Break(f"row {seq}", problem))

    def _problem_at(self, checkpoint: Checkpoint, problem: str) -> None:
        self.report.problems.append(Break(f"checkpoint {checkpoint.source}", problem))

    def row(self, entry: Row[Any]) -> None:
        if entry.seq != self.expected:
            self._problem(self.expected, f"rows {self.expected}..{entry.seq - 1} are missing")
        if entry.prev_hash != self.prev_hash:
            self._problem(entry.seq, "prev_hash does not match the row before")
        epoch = self._epoch_of(entry)
        if (
            epoch.checked
            and row_hash(self.key, entry.epoch, entry.prev_hash, _fields(entry)) != entry.hash
        ):
            how = "rehashed without the key" if entry.epoch else "rehashed"
            self._problem(entry.seq, f"contents do not match the row's hash (edited, or {how})")
        if entry.action == HEAD_MISSING and entry.epoch:
            found = (entry.after or {}).get("re_established_at", {})
            self._problem(
                entry.seq,
                "the head (audit_head) was missing when this row was written; it was "
                f"re-established at row {found.get('seq')}",
            )
        for checkpoint in self.pending.pop(entry.seq, []):
            self._compare(checkpoint, entry)
        epoch.last_seq = entry.seq
        self.prev_hash, self.expected = entry.hash, entry.seq + 1

    def _epoch_of(self, entry: Row[Any]) -> Epoch:
        """The epoch the row belongs to, beginning a new one at an epoch's first row."""
        current = self.epoch
        if current is not None and entry.epoch == current.epoch:
            return current
        if current is not None and entry.epoch < current.epoch:
            self._problem(
                entry.seq,
                f"belongs to epoch {entry.epoch}, but epoch {current.epoch} began at row "
                f"{current.first_seq}",
            )
            return current
        record = entry.after if entry.action == EPOCH_STARTED else None
        if record is not None and record.get("epoch") != entry.epoch:
            record = None
        # The chain begins with epoch 0 (rows from before keys) or with epoch 1's record; each
        # later epoch begins with its own record, next in line.
        due = (0, 1) if current is None else (current.epoch + 1,)
        if entry.epoch not in due or (entry.epoch > 0 and record is None):
            self._problem(entry.seq, f"begins epoch {entry.epoch} without an epoch record")
        key_id = (record or {}).get("key_id")
        # An epoch whose record is gone is still checked with the configured key.
        checked = entry.epoch == 0 or record is None or key_id == self.key.key_id
        if not checked:
            self._problem(
                entry.seq,
                f"epoch {entry.epoch} was keyed with key {key_id}, not the configured "
                f"{self.key.key_id}: its rows cannot be checked",
            )
        self.epoch = Epoch(entry.epoch, entry.seq, entry.seq, entry.epoch > 0, checked, record)
        self.report.epochs.append(self.epoch)
        return self.epoch

    def _compare(self, checkpoint: Checkpoint, entry: Row[Any]) -> None:
        """A checkpoint naming a row the chain holds."""
        if checkpoint.epoch == entry.epoch:
            if checkpoint.hash == entry.hash:
                self.report.anchored = checkpoint
            else:
                self._problem(
                    entry.seq,
                    f"checkpoint {checkpoint.source} ({checkpoint.at}) names hash "
                    f"{_short(checkpoint.hash)} for it, the row has {_short(entry.hash)}: this "
                    "row, or rows before it, were replaced",
                )
        elif checkpoint.epoch < entry.epoch:
            self._lost(checkpoint)
        else:
            self._problem(
                entry.seq,
                f"checkpoint {checkpoint.source} names row {checkpoint.seq} of epoch "
                f"{checkpoint.epoch}, the chain's row is of epoch {entry.epoch}: the database was "
                "replaced by an older copy without recording an epoch",
            )

    def _lost(self, checkpoint: Checkpoint) -> None:
        """A checkpoint of an epoch a later one (a recorded restore) cut short: a note."""
        after = next(e for e in self.report.epochs if e.epoch > checkpoint.epoch)
        reason = (after.record or {}).get("reason", "")
        self.report.notes.append(
            f"epoch {after.epoch} began at row {after.first_seq} ({reason}): rows "
            f"{after.first_seq}..{checkpoint.seq} of epoch {checkpoint.epoch}, up to checkpoint "
            f"{checkpoint.source} ({checkpoint.at}), were lost with it"
        )

    def end(self, head: Row[Any] | None) -> None:
        last_seq, last_epoch = self.expected - 1, self.epoch.epoch if self.epoch else 0
        for checkpoint in (c for seq in sorted(self.pending) for c in self.pending[seq]):
            if checkpoint.epoch < last_epoch:
                self._lost(checkpoint)
            else:
                self._problem_at(
                    checkpoint,
                    f"names row {checkpoint.seq} of epoch {checkpoint.epoch} ({checkpoint.at}), "
                    f"but the chain ends at row {last_seq} of epoch {last_epoch}: rows cut from "
                    "the end",
                )
        if head is None:
            if last_seq:
                self.report.problems.append(
                    Break(
                        "head",
                        f"the head (audit_head) is missing; the chain's last row is {last_seq} "
                        "(the next write re-establishes it and records that it was missing)",
                    )
                )
        elif (head.epoch, head.seq, head.hash) != (last_epoch, last_seq, self.prev_hash):
            self._problem(
                last_seq + 1,
                f"the chain ends at row {last_seq}, but the head names row {head.seq} of epoch "
                f"{head.epoch}",
            )
