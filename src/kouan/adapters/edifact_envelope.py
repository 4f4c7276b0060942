"""The envelope of a UN/EDIFACT interchange, shared by the PAXLST and CUSDEC/CUSRES adapters.

pydifact 0.2.3 tokenises and serialises but checks no envelope counts, so the envelope (UNA, UNB,
UNG, UNH, UNT, UNE, UNZ) is checked here. Segments are pydifact's own: numbered by their position
in the text from 1 (UNA included, so with one segment a line N is the line number), wrapped in a
`Seg` only where a reader wants its place for an error ("segment N (TAG+QUALIFIER)").
"""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from pydifact.constants import Element
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment, SegmentFactory

from kouan.domain.errors import FieldError, ValidationFailed
from kouan.domain.person_list import Issue, error

# Tags that end the body of a message (None: the end of the text).
_ENVELOPE_END = {None, "UNT", "UNH", "UNE", "UNZ", "UNG"}


class SegmentLike(Protocol):
    """pydifact's Segment, or the lighter Piece of `tokenise`: a tag and its data elements."""

    tag: str
    elements: list[Element]


def value(segment: SegmentLike, index: int, position: int = 0) -> str:
    """One component of one data element, "" when absent."""
    elements = segment.elements
    if index >= len(elements):
        return ""
    element = elements[index]
    if isinstance(element, str):
        return element if position == 0 else ""
    return element[position] if position < len(element) else ""


def components(segment: SegmentLike, index: int) -> list[str]:
    """The components of one data element (one for a simple element), [] when absent."""
    elements = segment.elements
    if index >= len(elements):
        return []
    element = elements[index]
    return [element] if isinstance(element, str) else list(element)


def place(number: int, segment: SegmentLike) -> str:
    """Where a segment is, for an error: "segment 12 (LOC+22)", "segment 40 (UNT)"."""
    qualifier = value(segment, 0)
    if segment.tag.startswith("UN") or not qualifier:
        return f"segment {number} ({segment.tag})"
    return f"segment {number} ({segment.tag}+{qualifier})"


@dataclass(frozen=True)
class Seg:
    """A segment with its number in the text, so that errors can point at it."""

    number: int
    segment: SegmentLike

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


# --- A fast tokeniser and a tolerant walk of the envelope (the PAXLST reader's) ------------------
#
# pydifact's tokeniser reads a character at a time: a 100,000-passenger PAXLST takes it minutes.
# Splitting on the separators with str.split, and undoing the release character only in the
# segments that have one, reads the same text many times faster, into the same shape of elements
# (a simple element a str, a composite a list of its components).


@dataclass(frozen=True)
class Separators:
    """The service characters (UNA, or ISO 9735's defaults)."""

    component: str = ":"
    data: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "  # "reserved" in syntax 3, the repetition separator in 4
    terminator: str = "'"

    @classmethod
    def of_una(cls, chars: str) -> Separators | None:
        """The separators a UNA declares, None when its six characters cannot be them."""
        if len(chars) != 6:
            return None
        separators = cls(*chars)
        special = (separators.component, separators.data, separators.terminator)
        if len(set(special)) < 3 or any(c.isalnum() for c in special):
            return None
        # A line break may end segments; a space or a line break cannot separate values.
        if separators.terminator == " " or any(c.isspace() for c in special[:2]):
            return None
        return separators

    @property
    def una(self) -> str:
        return "UNA" + self.chars

    @property
    def chars(self) -> str:
        return (
            f"{self.component}{self.data}{self.decimal}{self.release}{self.repetition}"
            f"{self.terminator}"
        )

    def escape(self, text: str) -> str:
        """Text as a value of a segment: every service character released."""
        release = self.release
        if not any(c in text for c in self._special):
            return text
        return "".join(release + c if c in self._special else c for c in text)

    @property
    def _special(self) -> str:
        chars = (self.component, self.data, self.release, self.terminator, self.repetition)
        return "".join(c for c in chars if c != " ")


class Piece:
    """One segment as `tokenise` reads it: lighter than pydifact's Segment, same attributes."""

    __slots__ = ("elements", "tag")

    def __init__(self, tag: str, elements: list[Element]) -> None:
        self.tag = tag
        self.elements = elements

    def __repr__(self) -> str:
        return f"Piece({self.tag!r}, {self.elements!r})"


@dataclass
class Tokens:
    """The segments of a text, its separators, and what followed the last terminator."""

    pieces: list[Piece]
    separators: Separators
    rest: str  # text after the last segment terminator that is not blank: a cut or garbage
    una_ok: bool = True


def tokenise(text: str) -> Tokens:
    """The segments of an interchange, numbered as `place` numbers them (UNA, when there is one,
    is segment 1). Never raises: what cannot be segments is left in `rest` for the walk."""
    text = text.lstrip(" \t\r\n\ufeff")
    separators, pieces, una_ok = Separators(), [], True
    if text.startswith("UNA"):
        declared = Separators.of_una(text[3:9])
        una_ok = declared is not None
        separators = declared or separators
        pieces.append(Piece("UNA", [text[3:9]]))
        text = text[9:].lstrip(" \r\n")
    release = separators.release if separators.release != " " else ""
    raw = text.split(separators.terminator)
    if release and release in text:
        raw = _rejoin(raw, separators.terminator, release)
    rest = raw.pop().strip()
    pieces.extend(_pieces(raw, separators, release))
    return Tokens(pieces, separators, rest, una_ok)


def _pieces(raw: list[str], separators: Separators, release: str) -> Iterator[Piece]:
    component, data = separators.component, separators.data
    for text in raw:
        text = text.lstrip(" \r\n")  # line breaks between segments, as pydifact skips them
        if not text:
            continue
        if release and release in text:
            yield _released_piece(text, component, data, release)
            continue
        fields = text.split(data)
        tag = fields[0]
        yield Piece(
            tag.split(component)[0] if component in tag else tag,
            [f.split(component) if component in f else f for f in fields[1:]],
        )


def _released_piece(text: str, component: str, data: str, release: str) -> Piece:
    fields = _rejoin(text.split(data), data, release)
    elements: list[Element] = []
    for raw in fields[1:]:
        parts = _rejoin(raw.split(component), component, release) if component in raw else [raw]
        values = [_unrelease(part, release) for part in parts]
        elements.append(values if len(values) > 1 else values[0])
    tag = _unrelease(fields[0].split(component)[0], release)
    return Piece(tag, elements)


def _rejoin(parts: list[str], separator: str, release: str) -> list[str]:
    """Parts of a split joined again where the separator was released (an odd run of release
    characters before it)."""
    joined: list[str] = []
    pending: str | None = None
    for part in parts:
        if pending is not None:
            part = pending + separator + part
        run = len(part) - len(part.rstrip(release))
        if run % 2:
            pending = part
            continue
        pending = None
        joined.append(part)
    if pending is not None:
        joined.append(pending)
    return joined


def _unrelease(text: str, release: str) -> str:
    if release not in text:
        return text
    out, chars, n = [], text, 0
    while n < len(chars):
        if chars[n] == release and n + 1 < len(chars):
            n += 1
        out.append(chars[n])
        n += 1
    return "".join(out)


# Names of the data elements of the segments the readers look at, by (tag, element position):
# a simple element's id, or a composite's id and its components' ids.
_ELEMENT_IDS: dict[tuple[str, int], tuple[str, ...]] = {
    ("UNB", 1): ("S001", "0001", "0002"),
    ("UNB", 2): ("S002", "0004", "0007"),
    ("UNB", 3): ("S003", "0010", "0007"),
    ("UNB", 4): ("S004", "0017", "0019"),
    ("UNB", 5): ("0020",),
    ("UNG", 5): ("0048",),
    ("UNE", 1): ("0060",),
    ("UNE", 2): ("0048",),
    ("UNZ", 1): ("0036",),
    ("UNZ", 2): ("0020",),
    ("UNH", 1): ("0062",),
    ("UNH", 2): ("S009", "0065", "0052", "0054", "0051", "0057"),
    ("UNH", 3): ("0068",),
    ("UNH", 4): ("S010", "0070", "0073"),
    ("UNT", 1): ("0074",),
    ("UNT", 2): ("0062",),
    ("BGM", 1): ("C002", "1001", "1131", "3055", "1000"),
    ("BGM", 2): ("C106", "1004", "1056", "1060"),
    ("BGM", 3): ("1225",),
    ("RFF", 1): ("C506", "1153", "1154", "1156", "4000", "1060"),
    ("TDT", 1): ("8051",),
    ("TDT", 2): ("8028",),
    ("TDT", 5): ("C040", "3127", "1131", "3055", "3128"),
    ("TDT", 8): ("C222", "8213", "1131", "3055", "8212", "8453"),
    ("DTM", 1): ("C507", "2005", "2380", "2379"),
    ("LOC", 1): ("3227",),
    ("LOC", 2): ("C517", "3225", "1131", "3055", "3224"),
    ("NAD", 1): ("3035",),
    ("NAD", 2): ("C082", "3039", "1131", "3055"),
    ("NAD", 4): ("C080", "3036", "3036", "3036", "3036", "3036", "3045"),
    ("ATT", 1): ("9017",),
    ("ATT", 3): ("C956", "9019", "1131", "3055", "9018"),
    ("NAT", 1): ("3493",),
    ("NAT", 2): ("C042", "3293", "1131", "3055", "3292"),
    ("DOC", 1): ("C002", "1001", "1131", "3055", "1000"),
    ("DOC", 2): ("C503", "1004", "1373", "1366", "3453"),
    ("CNT", 1): ("C270", "6069", "6066", "6411"),
    ("FTX", 1): ("4451",),
    ("FTX", 4): ("C108", "4440", "4440", "4440", "4440", "4440"),
}


def element_id(tag: str, element: int, component: int = 1) -> str:
    """A data element's name for an error: "C507/2380", "0074"; positions when unknown ("3:1")."""
    ids = _ELEMENT_IDS.get((tag, element))
    if ids is None:
        return f"{element}:{component}"
    if len(ids) == 1:
        return ids[0]
    return f"{ids[0]}/{ids[component] if component < len(ids) else component}"


@dataclass
class Span:
    """One message of a walked interchange: its UNH at `start` (an index into the pieces) to its
    last segment before `end`, a UNT when `closed`."""

    start: int
    end: int
    closed: bool


@dataclass
class Walked:
    spans: list[Span]
    errors: list[Issue]
    unb: SegmentLike | None


def walk(tokens: Tokens) -> Walked:
    """The messages of an interchange and every problem of its envelope, each an error naming the
    segment and element: nothing raises, so a refusal can list them all."""
    return _TolerantWalk(tokens).interchange()


# Tags that end a message's body.
_BODY_END = frozenset({"UNT", "UNH", "UNE", "UNZ", "UNG"})


class _TolerantWalk:
    def __init__(self, tokens: Tokens) -> None:
        self._tokens = tokens
        self._pieces = tokens.pieces
        self._next = 0
        self._spans: list[Span] = []
        self._errors: list[Issue] = []

    def _peek(self) -> str | None:
        return self._pieces[self._next].tag if self._next < len(self._pieces) else None

    def _here(self) -> str:
        if self._next < len(self._pieces):
            return place(self._next + 1, self._pieces[self._next])
        return "end of text"

    def _take(self) -> Seg:
        seg = Seg(self._next + 1, self._pieces[self._next])
        self._next += 1
        return seg

    def _error(
        self, segment: str, element: str, key: str, value: str = "", **params: object
    ) -> None:
        self._errors.append(error(segment, element, key, value, **params))

    def interchange(self) -> Walked:
        tokens = self._tokens
        if not tokens.una_ok:
            self._error(
                "segment 1 (UNA)", "UNA", "edifact.bad_una", str(self._pieces[0].elements[0])
            )
        if self._peek() == "UNA":
            self._take()
        if self._peek() != "UNB":
            return self._not_edifact()
        unb = self._take()
        counted = self._contents()
        self._trailer_or_missing("UNZ", unb, counted, "edifact.no_unz")
        self._after_unz()
        return Walked(self._spans, self._errors, unb.segment)

    def _not_edifact(self) -> Walked:
        found = self._here() if self._pieces else (self._tokens.rest[:40] or "nothing")
        key = "edifact.no_unb" if self._pieces else "edifact.not_edifact"
        self._error("UNB", "", key, found)
        return Walked([], self._errors, None)

    def _contents(self) -> tuple[int, str]:
        """Groups or messages up to UNZ; (how many, the count's key) for UNZ."""
        groups = 0
        while self._peek() not in (None, "UNZ"):
            tag = self._peek()
            if tag == "UNG":
                self._group()
                groups += 1
            elif tag == "UNH":
                self._message()
            else:
                seg = self._take()
                self._error(seg.place, "", "edifact.outside_message", seg.tag)
        if groups:
            return groups, "edifact.group_count"
        return len(self._spans), "edifact.message_count"

    def _group(self) -> None:
        ung = self._take()
        first = len(self._spans)
        while self._peek() == "UNH":
            self._message()
        counted = (len(self._spans) - first, "edifact.message_count")
        self._trailer_or_missing("UNE", ung, counted, "edifact.no_une")

    def _message(self) -> None:
        unh = self._take()
        pieces, index = self._pieces, self._next
        while index < len(pieces) and pieces[index].tag not in _BODY_END:
            index += 1
        self._next = index
        closed = self._peek() == "UNT"
        if closed:
            unt = self._take()
            counted = (self._next - unh.number + 1, "edifact.segment_count")
            self._check_trailer(unt, unh, counted, unh.value(0))
        elif not self._tokens.rest:  # a cut text says so once, not again for each trailer
            issue = error("UNT", "", "edifact.no_unt", self._here(), opened=unh.number)
            # Numbered as its message's UNH, so that an answer reports it with the message.
            self._errors.append(dataclasses.replace(issue, number=unh.number))
        self._spans.append(Span(unh.number - 1, self._next, closed))

    def _trailer_or_missing(
        self, tag: str, header: Seg, counted: tuple[int, str], missing: str
    ) -> None:
        if self._peek() != tag:
            # A cut text says so once: the missing trailers are its consequence.
            if not self._tokens.rest:
                self._error(tag, "", missing, self._here(), opened=header.number)
            return
        reference = header.value(4)
        self._check_trailer(self._take(), header, counted, reference)

    def _check_trailer(
        self, trailer: Seg, header: Seg, counted: tuple[int, str], reference: str
    ) -> None:
        """A UNT, UNE or UNZ counts what it closes and repeats its header's reference."""
        actual, key = counted
        declared = trailer.value(0)
        if not (declared.isdigit() and int(declared) == actual):
            element = element_id(trailer.tag, 1)
            self._errors.append(
                _at(
                    error(trailer.place, element, key, declared, tag=trailer.tag, actual=actual),
                    trailer.number,
                    1,
                )
            )
        if trailer.value(1) != reference:
            found = trailer.value(1)
            params = {"tag": trailer.tag, "reference": reference, "header": header.tag}
            issue = error(
                trailer.place,
                element_id(trailer.tag, 2),
                "edifact.reference",
                found,
                opened=header.number,
                **params,
            )
            self._errors.append(_at(issue, trailer.number, 2))

    def _after_unz(self) -> None:
        rest = self._tokens.rest
        if self._peek() is not None:
            seg = self._take()
            self._error(seg.place, "", "edifact.after_unz", seg.tag)
        elif rest and self._next and self._pieces[self._next - 1].tag == "UNZ":
            self._error("end of interchange", "", "edifact.after_unz", rest[:40])
        elif rest:
            terminator = self._tokens.separators.terminator
            self._error(
                "end of interchange", "", "edifact.cut_off", rest[-40:], terminator=terminator
            )


def located(issue: Issue, number: int, element: int, component: int = 1) -> Issue:
    """The issue with its segment number and element position (0: the segment as a whole), for
    a CONTRL answer."""
    return dataclasses.replace(issue, number=number, at=(element, component))


_at = located
