"""The envelope of a UN/EDIFACT interchange, shared by the PAXLST and CUSDEC/CUSRES adapters.

pydifact 0.2.3 tokenises and serialises but checks no envelope counts, so the envelope (UNA, UNB,
UNG, UNH, UNT, UNE, UNZ) is checked here. Segments are pydifact's own: numbered by their position
in the text from 1 (UNA included, so with one segment a line N is the line number), wrapped in a
`Seg` only where a reader wants its place for an error ("segment N (TAG+QUALIFIER)").
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pydifact.constants import Element
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment, SegmentFactory

from kouan.domain.errors import FieldError, ValidationFailed

# Tags that end the body of a message (None: the end of the text).
_ENVELOPE_END = {None, "UNT", "UNH", "UNE", "UNZ", "UNG"}


def value(segment: Segment, index: int, position: int = 0) -> str:
    """One component of one data element, "" when absent."""
    elements = segment.elements
    if index >= len(elements):
        return ""
    element = elements[index]
    if isinstance(element, str):
        return element if position == 0 else ""
    return element[position] if position < len(element) else ""


def components(segment: Segment, index: int) -> list[str]:
    """The components of one data element (one for a simple element), [] when absent."""
    elements = segment.elements
    if index >= len(elements):
        return []
    element = elements[index]
    return [element] if isinstance(element, str) else list(element)


def place(number: int, segment: Segment) -> str:
    """Where a segment is, for an error: "segment 12 (LOC+22)", "segment 40 (UNT)"."""
    qualifier = value(segment, 0)
    if segment.tag.startswith("UN") or not qualifier:
        return f"segment {number} ({segment.tag})"
    return f"segment {number} ({segment.tag}+{qualifier})"


@dataclass(frozen=True)
class Seg:
    """A segment with its number in the text, so that errors can point at it."""

    number: int
    segment: Segment

    @property
    def tag(self) -> str:
        return self.segment.tag

    def components(self, index: int) -> list[str]:
        return components(self.segment, index)

    def value(self, index: int, position: int = 0) -> str:
        return value(self.segment, index, position)

    @property
    def qualifier(self) -> str:
        return self.value(0)

    @property
    def place(self) -> str:
        return place(self.number, self.segment)


class PlainSegments(SegmentFactory):
    """Generic segments: pydifact 0.2.3 has no schemas to check them and warns once a segment."""

    @staticmethod
    def create_segment(
        name: str,
        *elements: Element,
        validate: bool = True,
        version: str = "",
        directory: str = "",
    ) -> Segment:
        return Segment(name, *elements)


class _CollectionPause:
    """Counts who runs without the cycle collector, so that it comes back as it was only when the
    last of them (nested, or in another thread) is done."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.resume = False


_PAUSE = _CollectionPause()


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Runs a large parse, write or import without Python's cycle collector, then puts it back as
    it was.

    pydifact makes a few objects a token or segment and none of them form cycles, yet each batch
    of new objects sets the collector scanning the objects still alive: a fifth of the parse of a
    large interchange, more when the caller holds many objects. Reference counting still frees
    everything as usual meanwhile. The collector has only a process-wide switch: it stays off
    while any thread is inside.
    """
    with _PAUSE.lock:
        if _PAUSE.running == 0:
            _PAUSE.resume = gc.isenabled()
            gc.disable()
        _PAUSE.running += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.running -= 1
            if _PAUSE.running == 0 and _PAUSE.resume:
                gc.enable()


def read_segments(text: str) -> list[Segment]:
    """The segments of the text, tokenised by pydifact; ValidationFailed when it is not EDIFACT."""
    terminator = text.lstrip()[8:9] if text.lstrip().startswith("UNA") else "'"
    text = text.strip(" \t\r\n\ufeff".replace(terminator, ""))
    _check_not_cut_off(text, terminator)
    try:
        return list(Parser(factory=PlainSegments()).parse(text))
    # pydifact 0.2.3 also fails with IndexError on a UNB without its syntax identifier.
    except (EDISyntaxError, ValueError, IndexError) as exc:
        raise ValidationFailed.one(
            "interchange", text[:60], f"well-formed EDIFACT ({exc})"
        ) from None


def _check_not_cut_off(text: str, terminator: str) -> None:
    release = text[6] if text.startswith("UNA") else "?"
    before = text[:-1]
    released = (len(before) - len(before.rstrip(release))) % 2 == 1
    if text and (not text.endswith(terminator) or released):
        raise ValidationFailed.one(
            "end of interchange",
            text[-40:],
            f"a last segment ended by {terminator!r} (the text looks cut off)",
        )


@dataclass(frozen=True)
class Syntax:
    """What the interchange header says that the messages need."""

    sender: str
    repetition: str | None  # syntax version 4 separates repeated values, "*" by default
    recipient: str = ""
    control_ref: str = ""

    @classmethod
    def of(cls, segments: list[Segment]) -> Syntax:
        una = next((value(s, 0) for s in segments[:1] if s.tag == "UNA"), None)
        unb = next((s for s in segments[:2] if s.tag == "UNB"), None)
        if unb is None:
            return cls("", None)
        repetition = None
        if value(unb, 0, 1) == "4":
            separator = una[4] if una else "*"
            repetition = None if separator == " " else separator
        return cls(value(unb, 1), repetition, value(unb, 2), value(unb, 4))


@dataclass(frozen=True)
class MessageSpan:
    """Where one message (UNH to UNT) lies in the segment list, and what was wrong with its UNT."""

    number: int  # its position in the interchange, from 1
    start: int  # index of its UNH in the list: its segment number is start + 1
    end: int  # index after its last segment, its UNT when it has one
    closed: bool  # whether a UNT closes it
    errors: list[FieldError] = field(default_factory=list)

    def segs(self, segments: list[Segment]) -> list[Seg]:
        """Its segments, UNH to UNT, each with its number."""
        return [Seg(index + 1, segments[index]) for index in range(self.start, self.end)]


def split_messages(segments: list[Segment], *, strict: bool = True) -> list[MessageSpan]:
    """The messages of the interchange, once its envelope has been checked.

    Problems of the interchange (UNB, UNG, UNE, UNZ, anything outside a message) raise
    ValidationFailed. So do problems of a message's own trailer (a UNT missing, miscounting or
    with another reference) when `strict`; otherwise they are kept in the message's `errors`,
    their field prefixed "message N ", and the next message is read.
    """
    return _Walk(segments, strict).interchange()


def _refuse(error: FieldError) -> None:
    """Refuse the whole interchange for one problem."""
    raise ValidationFailed(f"{error.field}: {error.value!r} is not {error.expected}", [error])


class _Walk:
    """Walks the segments of an interchange in order."""

    def __init__(self, segments: list[Segment], strict: bool) -> None:
        self._segments = segments
        self._next = 0
        self._strict = strict
        self._spans: list[MessageSpan] = []

    def peek(self) -> str | None:
        return self._segments[self._next].tag if self._next < len(self._segments) else None

    def here(self) -> str:
        """The place of the next segment, or the end of the text."""
        if self._next < len(self._segments):
            return place(self._next + 1, self._segments[self._next])
        return "end of text"

    def take(self) -> Seg:
        seg = Seg(self._next + 1, self._segments[self._next])
        self._next += 1
        return seg

    def expect(self, tag: str, expected: str) -> Seg:
        if self.peek() != tag:
            raise ValidationFailed.one(tag, self.here(), expected)
        return self.take()

    def interchange(self) -> list[MessageSpan]:
        if self.peek() == "UNA":
            self.take()
        unb = self.expect("UNB", "the interchange header UNB (after an optional UNA)")
        groups = 0
        while self.peek() in ("UNG", "UNH"):
            if self.peek() == "UNG":
                self._group()
                groups += 1
            else:
                self._message()
        unz = self.expect("UNZ", f"UNZ closing the interchange opened at segment {unb.number}")
        counted = "groups" if groups else "messages"
        _raise_first(_trailer_errors(unz, groups or len(self._spans), counted, unb, unb.value(4)))
        if self.peek():
            extra = self.take()
            raise ValidationFailed.one(extra.place, extra.tag, "nothing after UNZ")
        return self._spans

    def _group(self) -> None:
        ung = self.take()
        first = len(self._spans)
        while self.peek() == "UNH":
            self._message()
        une = self.expect("UNE", f"UNE closing the group opened at segment {ung.number}")
        count = len(self._spans) - first
        _raise_first(_trailer_errors(une, count, "messages in the group", ung, ung.value(4)))

    def _message(self) -> None:
        unh = self.take()
        segments, index = self._segments, self._next
        # The body is skipped without wrapping its segments: the readers look at them later.
        while index < len(segments) and segments[index].tag not in _ENVELOPE_END:
            index += 1
        self._next = index
        if self.peek() == "UNT":
            unt = self.take()
            count = self._next - unh.number + 1
            errors = _trailer_errors(unt, count, "segments from UNH to UNT", unh, unh.value(0))
        else:
            # Not taken: a UNH after it opens the next message, anything else is checked above.
            expected = f"UNT closing the message opened at segment {unh.number}"
            errors = [FieldError("UNT", self.here(), expected)]
        if errors and self._strict:
            _refuse(errors[0])
        number = len(self._spans) + 1
        kept = [FieldError(f"message {number} {e.field}", e.value, e.expected) for e in errors]
        closed = self._next > index
        self._spans.append(MessageSpan(number, unh.number - 1, self._next, closed, kept))


def _trailer_errors(
    trailer: Seg, count: int, counted: str, header: Seg, reference: str
) -> list[FieldError]:
    """A UNT, UNE or UNZ must count what it closes and repeat its header's reference."""
    errors = []
    declared = trailer.value(0)
    if not (declared.isdigit() and int(declared) == count):
        errors.append(FieldError(trailer.place, declared, f"{count}, the number of {counted}"))
    if trailer.value(1) != reference:
        expected = f"{reference!r}, the reference of {header.tag} at segment {header.number}"
        errors.append(FieldError(trailer.place, trailer.value(1), expected))
    return errors


def _raise_first(errors: list[FieldError]) -> None:
    if errors:
        _refuse(errors[0])
