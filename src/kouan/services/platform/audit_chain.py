"""Holding the audit chain to account from outside the database: the one checkpoint job that
signs where the chain stands, verify against those checkpoints, and the new epoch a restore
from backup begins (see kouan.adapters.db.audit for the chain itself)."""

from __future__ import annotations

import logging
import threading

from kouan.adapters import audit_checkpoints
from kouan.adapters.audit_checkpoints import Read
from kouan.adapters.db import audit
from kouan.adapters.db.audit import Break, Checkpoint, Report
from kouan.config import audit_key
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext

log = logging.getLogger(__name__)


def checkpoint(ctx: ServiceContext) -> Checkpoint | None:
    """Sign where the chain ends and append it to the checkpoint file, then publish it on NATS
    when configured; None when the chain is empty or has not moved since the file's last one.
    Raises nats' error when NATS cannot take it (the file has it by then)."""
    settings = ctx.settings
    key = audit_key(settings)
    with ctx.sessions() as session:
        last = audit.last_row(session)
        if last is None:
            return None
        epoch, seq, hash_ = last
        start = audit.epoch_record(session, epoch) if epoch else None
    previous = audit_checkpoints.last_in_file(settings.audit_checkpoint_file)
    if previous is not None and (previous.epoch, previous.seq, previous.hash) == last:
        return None
    statement = Checkpoint(
        epoch, seq, hash_, ctx.clock().isoformat(), audit.chain_key(key).key_id, start
    ).signed(key)
    audit_checkpoints.append_to_file(settings.audit_checkpoint_file, statement)
    if settings.nats_url:
        audit_checkpoints.publish(settings.nats_url, settings.audit_checkpoint_subject, statement)
    return statement


def run_checkpoints(ctx: ServiceContext, every: float, stop: threading.Event) -> None:
    """The checkpoint job: a checkpoint every `every` seconds until `stop` is set. A failure
    is logged and the next round tries again: the job outlives a NATS outage."""
    while not stop.is_set():
        try:
            made = checkpoint(ctx)
            if made is not None:
                log.info("audit checkpoint: row %s of epoch %s", made.seq, made.epoch)
        except Exception:
            log.exception("audit checkpoint failed; trying again in %s s", every)
        stop.wait(every)


def verify(ctx: ServiceContext) -> Report:
    """Verify the chain against every checkpoint in the file and on NATS (when configured).
    Its notes say where the checkpoints came from."""
    settings = ctx.settings
    path = settings.audit_checkpoint_file
    in_file = audit_checkpoints.read_file(path)
    problems: list[Break] = []
    on_stream = Read()
    if settings.nats_url:
        try:
            on_stream = audit_checkpoints.read_stream(
                settings.nats_url, settings.audit_checkpoint_subject
            )
        except Exception as error:
            problems.append(
                Break(f"NATS {settings.nats_url}", f"its checkpoints could not be read ({error})")
            )
    checkpoints = _merged(in_file, on_stream, problems, file_kept=path.exists())
    with ctx.sessions() as session:
        report = audit.verify(session, audit_key(settings), checkpoints)
    report.problems[:0] = problems
    report.notes.insert(
        0,
        f"{len(in_file.checkpoints)} checkpoints in {path}"
        + (
            f", {len(on_stream.checkpoints)} on NATS subject {settings.audit_checkpoint_subject}"
            if settings.nats_url
            else " (NATS not configured)"
        ),
    )
    return report


def _merged(
    in_file: Read, on_stream: Read, problems: list[Break], file_kept: bool
) -> list[Checkpoint]:
    """The file's checkpoints and the stream's not already in the file. Every checkpoint is
    written to the file before it is published, so one on the stream alone means lines were
    cut from the file."""
    problems += [Break(f"checkpoint {where}", why) for where, why in in_file.unreadable]
    problems += [Break(f"checkpoint {where}", why) for where, why in on_stream.unreadable]
    written = {c.to_json() for c in in_file.checkpoints}
    only_on_stream = [c for c in on_stream.checkpoints if c.to_json() not in written]
    if file_kept:
        problems += [
            Break(
                f"checkpoint {c.source}",
                f"names row {c.seq} of epoch {c.epoch} ({c.at}) but is missing from the "
                "checkpoint file: lines were cut from it",
            )
            for c in only_on_stream
        ]
    return [*in_file.checkpoints, *only_on_stream]


def start_epoch(ctx: ServiceContext, reason: str) -> int:
    """Begin a new epoch, as a restore from backup must: recorded in the chain with `reason`
    and the last checkpoint before it (so that rows the restore lost show as this boundary),
    then checkpointed at once. The new epoch's number."""
    settings = ctx.settings
    last = audit_checkpoints.last_in_file(settings.audit_checkpoint_file)
    if last is None and settings.nats_url:
        read = audit_checkpoints.read_stream(settings.nats_url, settings.audit_checkpoint_subject)
        last = read.checkpoints[-1] if read.checkpoints else None
    with ctx.uow(SYSTEM) as uow:
        epoch = audit.start_epoch(
            uow.connection(),
            audit_key(settings),
            reason,
            uow.now,
            None if last is None else {k: v for k, v in last.body().items() if k != "epoch_start"},
        )
        uow.commit()
    checkpoint(ctx)
    return epoch
