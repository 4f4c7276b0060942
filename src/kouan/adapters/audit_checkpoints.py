"""Where the audit chain's checkpoints are kept outside the database: an append-only file of JSON
lines, and a NATS JetStream subject whose stream refuses deletes and purges.

Each checkpoint is read back with where it came from (`file:line`, `stream#seq`), so that verify
can name the one that does not hold. A line or message that is not a checkpoint is returned as
unreadable rather than skipped: whoever can write the file must not hide a line by garbling it.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from kouan.adapters import blocking
from kouan.adapters.db.audit import Checkpoint

# How long one NATS operation may take before the job or verify gives up on it.
TIMEOUT_S = 5.0


@dataclass
class Read:
    """Checkpoints read from one place, and what there was not a checkpoint."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    # (where, why) of each line or message that is not a checkpoint.
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def take(self, text: str, source: str) -> None:
        try:
            self.checkpoints.append(Checkpoint.from_json(text, source))
        except ValueError as error:
            self.unreadable.append((source, str(error)))


def append_to_file(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable; a lock keeps two writers' lines whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        out.write(checkpoint.to_json() + "\n")
        out.flush()
        os.fsync(out.fileno())


def read_file(path: Path) -> Read:
    read = Read()
    if path.exists():
        for number, line in enumerate(_lines(path), start=1):
            if line.strip():
                read.take(line, f"{path}:{number}")
    return read


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        yield from lines


def last_in_file(path: Path) -> Checkpoint | None:
    """The file's last checkpoint, read from its end (the file grows for as long as Kouan runs)."""
    if not path.exists():
        return None
    with path.open("rb") as data:
        size = data.seek(0, os.SEEK_END)
        data.seek(max(0, size - 16_384))
        tail = data.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(tail):
        try:
            return Checkpoint.from_json(line, f"{path}:end")
        except ValueError:
            continue
    return None


def stream_name(subject: str) -> str:
    """The stream created for `subject` where none holds it yet: KOUAN_AUDIT_CHECKPOINT for the
    default subject."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", subject).upper()


def publish(url: str, subject: str, checkpoint: Checkpoint) -> int:
    """Publish to JetStream (the stream made if missing); the message's sequence in its stream.
    Raises nats' errors when the server is unreachable or refuses."""
    return blocking.run(_publish(url, subject, checkpoint))


async def _publish(url: str, subject: str, checkpoint: Checkpoint) -> int:
    client = await nats.connect(url, connect_timeout=TIMEOUT_S, max_reconnect_attempts=0)
    try:
        js = client.jetstream(timeout=TIMEOUT_S)
        stream = await _stream_for(js, subject)
        # The same checkpoint sent twice (a retry) is kept once.
        key = f"{checkpoint.epoch}:{checkpoint.seq}:{checkpoint.hash}"
        ack = await js.publish(
            subject, checkpoint.to_json().encode(), stream=stream, headers={"Nats-Msg-Id": key}
        )
        return ack.seq
    finally:
        await client.close()


async def _stream_for(js: JetStreamContext, subject: str) -> str:
    """The stream that holds `subject`, created append-only if there is none."""
    try:
        return await js.find_stream_name_by_subject(subject)
    except NotFoundError:
        name = stream_name(subject)
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=[subject],
                storage=StorageType.FILE,
                deny_delete=True,
                deny_purge=True,
            )
        )
        return name


def read_stream(url: str, subject: str) -> Read:
    """Every checkpoint on `subject`, oldest first; none when no stream holds it yet."""
    return blocking.run(_read_stream(url, subject))


async def _read_stream(url: str, subject: str) -> Read:
    read = Read()
    client = await nats.connect(url, connect_timeout=TIMEOUT_S, max_reconnect_attempts=0)
    try:
        js = client.jetstream(timeout=TIMEOUT_S)
        try:
            stream = await js.find_stream_name_by_subject(subject)
        except NotFoundError:
            return read
        consumer = ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.NONE,
            filter_subject=subject,
            inactive_threshold=60.0,
        )
        subscription = await js.pull_subscribe(subject, stream=stream, config=consumer)
        remaining = (await subscription.consumer_info()).num_pending or 0
        while remaining > 0:
            for message in await subscription.fetch(min(remaining, 1000), timeout=TIMEOUT_S):
                read.take(
                    message.data.decode("utf-8", errors="replace"),
                    f"{stream}#{message.metadata.sequence.stream}",
                )
                remaining -= 1
        await subscription.unsubscribe()
        return read
    finally:
        await client.close()
