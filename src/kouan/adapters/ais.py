"""Kouan's AIS decoder: NMEA 0183 AIVDM/AIVDO lines in, ship reports or rejections out.

pyais 3.3.1 decodes the payloads; this adapter checks the sentence around them first (pyais
accepts a wrong checksum and skips bad lines silently), joins multi-sentence messages and
reports every bad line with a reason a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import xor
from typing import Any

from pyais import decode

# Class A (1-3), class B (18, 19) and long-range (27) position reports.
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
# Static and voyage data (5) and class B static data (24).
STATIC_TYPES = frozenset({5, 24})
REPORTED_TYPES = POSITION_TYPES | STATIC_TYPES
_DEFINED_TYPES = range(1, 28)

# Shortest message accepted, in bits: the ITU-R M.1371 length, except where real transmitters
# send less and GPSD accepts it too: types 1-3 (168) without the last 5 bits of radio status,
# type 5 (424) without its last 4. Type 24 part A has 160 bits, part B 168.
_MIN_BITS = {1: 163, 2: 163, 3: 163, 5: 420, 18: 168, 19: 312, 24: 160, 27: 96}
# Speed over ground that means "not available": 1023 tenths of a knot, or 63 knots for type 27.
_SPEED_NOT_AVAILABLE = {27: 63.0}
_SPEED_NOT_AVAILABLE_TENTHS = 102.3

_SENTENCE = re.compile(r"!(?P<body>[^*]*)\*(?P<checksum>[0-9A-Fa-f]{2})(?P<rest>.*)", re.DOTALL)
_ADDRESS = re.compile(r"[A-Z]{2}VD[MO]")
_FIELD_RULES = (
    (1, "fragment count", re.compile(r"[1-9]"), "a digit 1-9"),
    (2, "fragment number", re.compile(r"[1-9]"), "a digit 1-9"),
    (3, "sequential message id", re.compile(r"[0-9]?"), "empty or a digit 0-9"),
    (4, "channel", re.compile(r"[A-Za-z0-9]?"), "empty or one letter or digit (A, B, 1, 2)"),
    (5, "payload", re.compile(r"[0-W`-w]+"), "one or more six-bit characters '0'-'W', '`'-'w'"),
    (6, "fill bits", re.compile(r"[0-5]"), "a digit 0-5"),
)
_FIELD_NAMES = "!AIVDM,fragment count,fragment number,sequential id,channel,payload,fill bits"


@dataclass(frozen=True)
class AisReport:
    """What one AIS message says about a ship: where it is, or who it is."""

    mmsi: str
    msg_type: int
    lat: float | None
    lon: float | None
    imo: str | None
    name: str | None
    call_sign: str | None
    destination: str | None
    speed_knots: float | None
    raw: list[str]


@dataclass(frozen=True)
class Rejected:
    """A line that did not become part of a report, and why."""

    line_no: int
    line: str
    reason: str


@dataclass(frozen=True)
class _Fragment:
    """One checked sentence: a whole message or one part of a multi-sentence message."""

    line_no: int
    line: str
    sentence: str
    count: int
    number: int
    seq_id: str
    channel: str
    payload: str
    fill_bits: int

    @property
    def key(self) -> tuple[int, str, str]:
        # Field validation bounds the key space (8 counts x 11 ids x 63 channels), and so the
        # number of messages the decoder can hold pending.
        return (self.count, self.seq_id, self.channel)


class _Refused(Exception):
    """A line fails a check; the message is the reason."""


class AisDecoder:
    """Turns a stream of NMEA lines into ship reports, joining multi-sentence messages.

    Reports come from position reports (types 1, 2, 3, 18, 19, 27) and static data (5, 24).
    Other AIS types (base stations, aids to navigation, binary and safety messages) pass the
    sentence checks and are then skipped: neither reported nor rejected. Blank lines and
    '#' comments are ignored. A leading NMEA 4.10 tag block is accepted and not used, and so
    is receiver metadata after the checksum (',s36310,d-081,...'); other text around the
    sentence, such as a timestamp prefix, makes the line rejected.
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str, str], list[_Fragment]] = {}

    def feed(self, line: str, line_no: int = 0) -> list[AisReport | Rejected]:
        """What this line completes (a report) or rejects (it, or fragments it orphans)."""
        text = line.rstrip()
        if not text.strip() or text.lstrip().startswith("#"):
            return []
        try:
            fragment = _parse(line_no, text)
        except _Refused as refusal:
            return [Rejected(line_no, text, str(refusal))]
        if fragment.count == 1:
            return _complete([fragment])
        return self._assemble(fragment)

    def finish(self) -> list[Rejected]:
        """Rejects the fragments of messages still incomplete at the end of the stream."""
        pending, self._pending = self._pending, {}
        return [
            rejected
            for parts in pending.values()
            for rejected in _orphaned(parts, "the stream ended before the message was complete")
        ]

    def _assemble(self, fragment: _Fragment) -> list[AisReport | Rejected]:
        if fragment.number == 1:
            replaced = self._pending.pop(fragment.key, [])
            self._pending[fragment.key] = [fragment]
            return list(
                _orphaned(replaced, f"a new fragment 1 with its id came on line {fragment.line_no}")
            )
        parts = self._pending.get(fragment.key, [])
        if fragment.number != len(parts) + 1:
            expected = f"fragment {len(parts) + 1} was expected" if parts else "no fragment 1"
            return list(_orphaned([fragment], f"{expected} on this channel and id"))
        parts.append(fragment)
        if fragment.number < fragment.count:
            return []
        del self._pending[fragment.key]
        return _complete(parts)


def decode_lines(lines: Iterable[str]) -> tuple[list[AisReport], list[Rejected]]:
    """Decodes a whole stream (line numbers from 1): the reports and the rejected lines."""
    decoder = AisDecoder()
    results = [
        result
        for line_no, line in enumerate(lines, start=1)
        for result in decoder.feed(line, line_no)
    ]
    results.extend(decoder.finish())
    reports = [result for result in results if isinstance(result, AisReport)]
    rejected = [result for result in results if isinstance(result, Rejected)]
    return reports, rejected


def _parse(line_no: int, text: str) -> _Fragment:
    """Checks one line's sentence: shape, checksum and fields."""
    sentence = _without_tag_block(text)
    address = sentence.split(",", 1)[0]
    if not (address.startswith("!") and _ADDRESS.fullmatch(address[1:])):
        raise _Refused(
            f"not an AIVDM/AIVDO sentence: expected it to start with '!AIVDM,' or '!AIVDO,' "
            f"(any talker), got {sentence[:16]!r}"
        )
    match = _SENTENCE.fullmatch(sentence)
    if match is None:
        raise _Refused("no checksum: expected '*' and two hex digits after the fill bits")
    body, given, rest = match["body"], match["checksum"].upper(), match["rest"]
    if rest and not rest.startswith(","):
        raise _Refused(f"unexpected text after the checksum: {rest!r}")
    if not body.isascii():
        raise _Refused("non-ASCII characters in the sentence: NMEA 0183 is ASCII")
    expected = f"{reduce(xor, body.encode('ascii'), 0):02X}"
    if given != expected:
        raise _Refused(f"bad checksum: expected {expected}, got {given}")
    fields = _checked_fields(body)
    return _Fragment(
        line_no=line_no,
        line=text,
        sentence=sentence[: match.end("checksum")],
        count=int(fields[1]),
        number=int(fields[2]),
        seq_id=fields[3],
        channel=fields[4],
        payload=fields[5],
        fill_bits=int(fields[6]),
    )


def _without_tag_block(text: str) -> str:
    if not text.startswith("\\"):
        return text
    end = text.find("\\", 1)
    if end < 0:
        raise _Refused("tag block not closed: expected '\\...\\' before the sentence")
    return text[end + 1 :]


def _checked_fields(body: str) -> list[str]:
    fields = body.split(",")
    if len(fields) != 7:
        raise _Refused(f"expected 7 fields ({_FIELD_NAMES}), got {len(fields)}")
    for index, name, pattern, expectation in _FIELD_RULES:
        if not pattern.fullmatch(fields[index]):
            raise _Refused(f"{name} {fields[index]!r} is not {expectation}")
    if int(fields[2]) > int(fields[1]):
        raise _Refused(
            f"fragment number {fields[2]} is greater than the fragment count {fields[1]}"
        )
    return fields


def _orphaned(parts: list[_Fragment], why: str) -> list[Rejected]:
    return [
        Rejected(part.line_no, part.line, f"orphaned fragment {part.number} of {part.count}: {why}")
        for part in parts
    ]


def _complete(parts: list[_Fragment]) -> list[AisReport | Rejected]:
    """The report of a whole message, nothing for a type Kouan skips, or its lines rejected."""
    payload = "".join(part.payload for part in parts)
    msg_type = _six_bit(payload[0])
    bits = 6 * len(payload) - parts[-1].fill_bits
    if msg_type not in _DEFINED_TYPES:
        reason = f"AIS message type {msg_type} does not exist (types are 1-27)"
    elif msg_type not in REPORTED_TYPES:
        return []
    elif bits < _MIN_BITS[msg_type]:
        reason = f"type {msg_type} message too short: {bits} bits, expected {_MIN_BITS[msg_type]}"
    else:
        try:
            return [_report(decode(*(part.sentence for part in parts)), parts)]
        except Exception as error:  # pyais raises assorted types on odd payloads; a stream goes on
            reason = f"pyais cannot decode the payload: {error}"
    return [Rejected(part.line_no, part.line, reason) for part in parts]


def _six_bit(char: str) -> int:
    """The value of one payload character in AIS six-bit armouring."""
    value = ord(char) - 48
    return value - 8 if value > 40 else value


def _report(message: Any, parts: list[_Fragment]) -> AisReport:
    lat, lon = _position(message)
    imo = getattr(message, "imo", None)
    return AisReport(
        mmsi=f"{message.mmsi:09d}",
        msg_type=message.msg_type,
        lat=lat,
        lon=lon,
        imo=str(imo) if imo else None,
        name=_text(message, "shipname"),
        call_sign=_text(message, "callsign"),
        destination=_text(message, "destination"),
        speed_knots=_speed(message),
        raw=[part.line for part in parts],
    )


def _position(message: Any) -> tuple[float | None, float | None]:
    """Latitude and longitude, or (None, None) when not available (AIS sends 91 and 181)."""
    lat, lon = getattr(message, "lat", None), getattr(message, "lon", None)
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None, None
    return float(lat), float(lon)


def _speed(message: Any) -> float | None:
    speed = getattr(message, "speed", None)
    limit = _SPEED_NOT_AVAILABLE.get(message.msg_type, _SPEED_NOT_AVAILABLE_TENTHS)
    if speed is None or speed >= limit:
        return None
    return float(speed)


def _text(message: Any, field: str) -> str | None:
    value = getattr(message, field, None)
    if not isinstance(value, str):
        return None
    return value.strip() or None
