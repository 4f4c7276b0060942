"""Kouan's AIS decoder against GPSD's expected decode and pyais's live-feed sample."""

from __future__ import annotations

import json
import re
from functools import reduce
from operator import xor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyais import encode_dict

from kouan.adapters.ais import AisDecoder, AisReport, Rejected, decode_lines
from tests.conftest import shared_data

GPSD_SAMPLE = shared_data("ais", "gpsd_sample.aivdm")
GPSD_EXPECTED = shared_data("ais", "gpsd_sample.aivdm.js.chk")
PYAIS_SAMPLE = shared_data("ais", "pyais_nmea_data_sample.txt")
COMPARED_TYPES = {1, 2, 3, 5, 18, 19}


def sentences(path: Any) -> list[str]:
    """The sentence lines of a sample file (no comments, no blank lines)."""
    return [line for line in path.read_text().splitlines() if line.startswith("!")]


def gpsd_line(prefix: str) -> str:
    """The one sentence of the GPSD sample that starts with prefix."""
    (line,) = [line for line in sentences(GPSD_SAMPLE) if line.startswith(prefix)]
    return line


def with_checksum(body: str) -> str:
    """A sentence from its body (between '!' and '*'), with the NMEA checksum appended."""
    return f"!{body}*{reduce(xor, body.encode(), 0):02X}"


EVER_DIADEM = (gpsd_line("!AIVDM,2,1,1,A,55?MbV"), gpsd_line("!AIVDM,2,2,1,A,8888"))
TYPE_1 = gpsd_line("!AIVDM,1,1,,A,15RTgt")


def test_gpsd_sample_decodes_as_gpsd_does() -> None:
    expected = [
        message
        for message in map(json.loads, GPSD_EXPECTED.read_text().splitlines())
        if message["type"] in COMPARED_TYPES
    ]
    reports, _ = decode_lines(GPSD_SAMPLE.read_text().splitlines())
    decoded = [report for report in reports if report.msg_type in COMPARED_TYPES]

    assert len(decoded) == len(expected)
    for report, message in zip(decoded, expected, strict=True):
        assert report.msg_type == message["type"]
        assert report.mmsi == f"{message['mmsi']:09d}"
        assert_same_position(report, message)
        assert report.imo == (str(message["imo"]) if message.get("imo") else None)
        assert report.name == (message.get("shipname") or None)
        assert report.call_sign == (message.get("callsign") or None)
        assert report.destination == (message.get("destination") or None)
        if "speed" in message:
            assert report.speed_knots == pytest.approx(message["speed"], abs=0.05)


def assert_same_position(report: AisReport, message: dict[str, Any]) -> None:
    if "lat" not in message:
        assert (report.lat, report.lon) == (None, None)
        return
    assert report.lat == pytest.approx(message["lat"], abs=1e-4)
    assert report.lon == pytest.approx(message["lon"], abs=1e-4)


def test_all_three_static_and_voyage_messages_of_the_gpsd_sample_are_decoded() -> None:
    expected_count = sum(
        json.loads(line)["type"] == 5 for line in GPSD_EXPECTED.read_text().splitlines()
    )
    reports, _ = decode_lines(GPSD_SAMPLE.read_text().splitlines())
    static = [report for report in reports if report.msg_type == 5]
    assert len(static) == expected_count == 3
    ever_diadem = next(report for report in static if report.imo == "9134270")
    assert (ever_diadem.name, ever_diadem.call_sign) == ("EVER DIADEM", "3FOF8")
    assert ever_diadem.raw == list(EVER_DIADEM)


def test_a_changed_checksum_character_rejects_the_sentence() -> None:
    given_checksum = TYPE_1[-2:]
    wrong = "0" if given_checksum[-1] != "0" else "1"
    line = TYPE_1[:-1] + wrong

    (result,) = AisDecoder().feed(line, line_no=7)

    assert isinstance(result, Rejected)
    assert (result.line_no, result.line) == (7, line)
    assert (
        result.reason == f"bad checksum: expected {given_checksum}, got {given_checksum[0]}{wrong}"
    )


def test_a_changed_payload_character_fails_the_checksum() -> None:
    index = TYPE_1.index(",0*") - 1
    line = TYPE_1[:index] + ("A" if TYPE_1[index] != "A" else "B") + TYPE_1[index + 1 :]
    (result,) = AisDecoder().feed(line)
    assert isinstance(result, Rejected)
    assert result.reason.startswith("bad checksum")


def test_an_orphaned_first_half_is_reported_at_the_end_of_the_stream() -> None:
    decoder = AisDecoder()
    assert decoder.feed(EVER_DIADEM[0], line_no=1) == []
    (position,) = decoder.feed(TYPE_1, line_no=2)
    assert isinstance(position, AisReport)

    (orphan,) = decoder.finish()

    assert (orphan.line_no, orphan.line) == (1, EVER_DIADEM[0])
    assert orphan.reason.startswith("orphaned fragment 1 of 2")
    assert decoder.finish() == []


def test_a_new_first_half_with_the_same_id_orphans_the_old_one() -> None:
    decoder = AisDecoder()
    decoder.feed(EVER_DIADEM[0], line_no=1)

    (orphan,) = decoder.feed(EVER_DIADEM[0], line_no=2)
    (report,) = decoder.feed(EVER_DIADEM[1], line_no=3)

    assert isinstance(orphan, Rejected)
    assert orphan.line_no == 1
    assert orphan.reason.startswith("orphaned fragment 1 of 2")
    assert isinstance(report, AisReport)
    assert report.imo == "9134270"


def test_a_second_half_without_its_first_is_orphaned() -> None:
    (orphan,) = AisDecoder().feed(EVER_DIADEM[1], line_no=4)
    assert isinstance(orphan, Rejected)
    assert orphan.reason.startswith("orphaned fragment 2 of 2")


def test_fragments_on_another_channel_do_not_join() -> None:
    other_channel = with_checksum(EVER_DIADEM[1][1:-3].replace(",A,", ",B,"))
    reports, rejected = decode_lines([EVER_DIADEM[0], other_channel])
    assert reports == []
    assert [reject.line_no for reject in rejected] == [2, 1]
    assert all(reject.reason.startswith("orphaned fragment") for reject in rejected)


def test_a_single_message_between_two_halves_leaves_them_joined() -> None:
    reports, rejected = decode_lines([EVER_DIADEM[0], TYPE_1, EVER_DIADEM[1]])
    assert rejected == []
    assert [report.msg_type for report in reports] == [1, 5]


def test_tag_blocks_receiver_metadata_and_line_ends_are_accepted() -> None:
    (plain,) = AisDecoder().feed(TYPE_1)
    assert isinstance(plain, AisReport)
    variants = [
        f"\\s:2573535,c:1671533231*08\\{TYPE_1}",
        f"{TYPE_1},s28089,d-103,T39.44353985",
        f"{TYPE_1}\r\n",
    ]
    for line in variants:
        (report,) = AisDecoder().feed(line)
        assert isinstance(report, AisReport)
        assert report.mmsi == plain.mmsi
        assert report.raw == [line.rstrip()]


def test_blank_and_comment_lines_are_ignored() -> None:
    decoder = AisDecoder()
    assert decoder.feed("") == []
    assert decoder.feed("   \r\n") == []
    assert decoder.feed("# Type 1: from Kurt Schwehr") == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2009-05-21 12:00:00 " + TYPE_1, "not an AIVDM/AIVDO sentence"),
        ("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", "not an AIVDM"),
        (TYPE_1[1:], "not an AIVDM/AIVDO sentence"),
        (TYPE_1[:-3], "no checksum"),
        (TYPE_1 + "garbage", "unexpected text after the checksum"),
        ("\\s:2573535" + TYPE_1, "tag block not closed"),
        (with_checksum("AIVDM,1,1,,A,,0"), "payload ''"),
        (with_checksum("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ"), "expected 7 fields"),
        (with_checksum("AIVDM,1,2,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), "greater than the"),
        (with_checksum("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,6"), "fill bits '6'"),
        (with_checksum("AIVDM,1,1,,A,15RTgt0PAso;xyz,0"), "payload '15RTgt0PAso;xyz'"),
        (with_checksum("AIVDM,1,1,,A,15RTgt,0"), "type 1 message too short: 36 bits"),
        (with_checksum("AIVDM,1,1,,A,w5RTgt0PAso;90TKcjM8h6g208CQ,0"), "type 63 does not exist"),
    ],
)
def test_bad_lines_are_rejected_with_a_reason(line: str, reason: str) -> None:
    (result,) = AisDecoder().feed(line, line_no=3)
    assert isinstance(result, Rejected)
    assert result.line == line.rstrip()
    assert reason in result.reason


def test_unavailable_position_and_speed_become_none() -> None:
    fields = {"mmsi": 2734450, "lat": 91, "lon": 181}
    lines = [
        *encode_dict({"type": 1, **fields, "speed": 102.3}),
        *encode_dict({"type": 18, **fields, "speed": 102.3}),
        *encode_dict({"type": 27, **fields, "speed": 63}),
    ]
    reports, rejected = decode_lines(lines)
    assert rejected == []
    assert [report.msg_type for report in reports] == [1, 18, 27]
    for report in reports:
        assert (report.mmsi, report.lat, report.lon, report.speed_knots) == (
            "002734450",
            None,
            None,
            None,
        )


def test_other_message_types_are_skipped_not_rejected() -> None:
    base_station = gpsd_line("!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO")
    assert AisDecoder().feed(base_station) == []


def test_pyais_live_feed_sample_decodes_every_single_position_report() -> None:
    lines = PYAIS_SAMPLE.read_text().splitlines()
    single_positions = [
        line for line in lines if re.match(r"!AIVDM,1,1,\d?,[AB],[13B][^,]+,\d\*[0-9A-F]{2}$", line)
    ]
    first_halves = [line for line in lines if line.startswith("!AIVDM,2,1,")]
    empty_payloads = [line for line in lines if re.match(r"!AIVDM,1,1,\d?,[AB]?,,", line)]
    assert not any(line.startswith("!AIVDM,2,2,") for line in lines)

    reports, rejected = decode_lines(lines)

    assert len([r for r in reports if r.msg_type in {1, 3, 18}]) >= len(single_positions) > 700
    orphans = [r for r in rejected if r.reason.startswith("orphaned fragment 1 of 2")]
    assert sorted(r.line_no for r in orphans) == [
        number for number, line in enumerate(lines, start=1) if line.startswith("!AIVDM,2,1,")
    ]
    assert len(rejected) == len(first_halves) + len(empty_payloads)
    assert all(report.lat is None or -90 <= report.lat <= 90 for report in reports)
    assert all(re.fullmatch(r"\d{9}", report.mmsi) for report in reports)


@given(st.lists(st.text(max_size=120), max_size=20))
def test_garbage_never_raises(lines: list[str]) -> None:
    results = [result for line in lines for result in AisDecoder().feed(line)]
    assert all(isinstance(result, Rejected) for result in results)


NMEA_FIELD = st.text(alphabet="0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw,")


@given(
    st.lists(
        st.tuples(st.sampled_from(["1", "2", "3"]), st.sampled_from(["1", "2", "3"]), NMEA_FIELD),
        max_size=12,
    )
)
def test_well_formed_sentences_with_random_payloads_never_raise(
    parts: list[tuple[str, str, str]],
) -> None:
    lines = [with_checksum(f"AIVDM,{count},{number},1,A,{rest},0") for count, number, rest in parts]
    reports, rejected = decode_lines(lines)
    reported_lines = sum(len(report.raw) for report in reports)
    assert reported_lines + len(rejected) <= len(lines)
    assert all(report.msg_type in {1, 2, 3, 5, 18, 19, 24, 27} for report in reports)
