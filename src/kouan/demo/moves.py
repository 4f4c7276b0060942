"""The demo's container moves: each container ship's call at a container terminal is discharged
while it works, reported by its terminal as a COARRI at the end of operations (or as the play
ends while it still works). The containers are those its import manifests list, plus one that no
manifest lists (customs sees it among the discrepancies); a call without a manifest discharges a
dozen containers of its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from random import Random

from kouan.adapters import coarri
from kouan.adapters.coarri import Move, Voyage
from kouan.demo import content
from kouan.demo.content import Visit
from kouan.demo.schedule import SEED, Play
from kouan.demo.timeline import timed
from kouan.domain.portcall import TimelineEvent
from kouan.services.ships import portcalls
from kouan.services.terminal import moves
from kouan.site import PORT_ZONE

# Owner codes of the containers a call without a manifest discharges.
_OWNERS = ("COSU", "CBHU", "OOLU", "SITU", "TEMU", "MSKU")
_SIZE_TYPES = ("22G1", "45G1", "42G1", "45G1", "22G1", "L5G1")
_CONTAINER_BERTHS = ("QQCT",)  # QQCT and QQCTU berths


def container_number(owner: str, serial: int) -> str:
    """An ISO 6346 number with its check digit."""
    body = f"{owner}{serial % 1_000_000:06d}"
    for digit in "0123456789":
        if coarri.container_ok(body + digit):
            return body + digit
    raise ValueError(body)  # pragma: no cover: one digit always fits


def _terminal_user(berth: str) -> str:
    return next(user for prefix, user in content.week().terminals if berth.startswith(prefix))


def _report(play: Play, visit: Visit, index: int, start: datetime, end: datetime) -> None:
    """The terminal's COARRI of what it discharged from the call between `start` and `end`."""
    terminal = play.actor(_terminal_user(visit.berth))
    ship = content.ships()[visit.ship]
    calls = portcalls.list_port_calls(play.ctx, terminal, limit=200, order="id")
    call = next(
        (c for c in calls if c["ship"]["name"] == visit.ship and c["berth"] == visit.berth), None
    )
    if call is None:
        return
    rng = Random(SEED * 7000 + index)
    listed = moves.manifested_on_call(play.ctx, terminal, call["id"])
    if listed:
        boxes = [(c["container"], c["gross_kg"], c["seal"]) for c in listed]
        boxes.append((container_number("UNKU", 900_000 + index), 18_500.0, None))
    else:
        owner = _OWNERS[index % len(_OWNERS)]
        boxes = [
            (container_number(owner, 100_000 * index + n), float(rng.randrange(4000, 28000)), None)
            for n in range(12)
        ]
    step = (end - start) / (len(boxes) + 1)
    local = (start + step).astimezone(PORT_ZONE).replace(tzinfo=None)
    batch = [
        Move(
            "discharged",
            number,
            _SIZE_TYPES[n % len(_SIZE_TYPES)],
            coarri.teu_of(_SIZE_TYPES[n % len(_SIZE_TYPES)]),
            True,
            (local + step * n).replace(second=0, microsecond=0),
            kg,
            None,
            [seal or f"CN{rng.randrange(10**6, 10**7)}"],
        )
        for n, (number, kg, seal) in enumerate(boxes)
    ]
    voyage = Voyage(call["voyage"], ship.call_sign, "103", ship.name, "", "CNTAO")
    text = coarri.write_coarri(
        batch, voyage, sender=terminal.username.upper(), reference=f"{call['id']}", prepared=local
    )
    moves.record_coarri(play.ctx, terminal, text)


def stage(play: Play) -> None:
    """Schedule each container ship's discharge report."""
    for index, visit in enumerate(content.week().visits):
        ship = content.ships()[visit.ship]
        if ship.kind.name != "container" or not visit.berth.startswith(_CONTAINER_BERTHS):
            continue
        times = timed(visit, play.now)
        start = times.event(TimelineEvent.OPS_START)
        if start is None or start > play.now:
            continue
        end = times.event(TimelineEvent.OPS_COMPLETE) or play.now
        end = min(end, play.now)
        if end - start < timedelta(minutes=30):
            continue
        play.at(end, partial(_report, play, visit, index, start, end))
