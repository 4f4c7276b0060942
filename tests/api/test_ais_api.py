"""POST /api/v1/ais over HTTP: position reports bring awaited ships in (ATA), nothing else does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import (
    DONGJIAKOU,
    QIANWAN,
    Tokens,
    file_call,
    notice_data,
    position_report,
)
from tests.conftest import Clock, shared_data

EVER_DIADEM_MMSI = "351759000"


def _post_ais(client: TestClient, auth: Tokens, text: str, who: str = "terminal") -> Any:
    response = client.post(
        "/api/v1/ais",
        content=text.encode("ascii"),
        headers=auth(who) | {"Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _call(client: TestClient, auth: Tokens, call_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/port-calls/{call_id}", headers=auth("port_office"))
    assert response.status_code == 200, response.text
    call: dict[str, Any] = response.json()
    return call


@pytest.mark.parametrize("msg_type", [1, 18], ids=["class-A", "class-B"])
@pytest.mark.parametrize("who", ["terminal", "port_office"])
def test_position_inside_the_port_area_brings_the_ship_in(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock, msg_type: int, who: str
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    clock.advance(hours=71)
    answer = _post_ais(client, auth, position_report(EVER_DIADEM_MMSI, *QIANWAN, msg_type), who)
    assert answer == {"accepted": 1, "rejected": [], "arrivals": [call["id"]]}
    arrived = _call(client, auth, call["id"])
    assert arrived["status"] == "arrived" and arrived["ata_source"] == "AIS"
    assert datetime.fromisoformat(arrived["timestamps"]["ATA"]) == clock.now


def test_a_ship_already_in_is_not_brought_in_twice(
    client: TestClient, auth: Tokens, ctx: ServiceContext, clock: Clock
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    sentence = position_report(EVER_DIADEM_MMSI, *QIANWAN)
    first_at = clock.advance(hours=70)
    assert _post_ais(client, auth, sentence)["arrivals"] == [call["id"]]
    clock.advance(minutes=6)
    assert _post_ais(client, auth, sentence) == {"accepted": 1, "rejected": [], "arrivals": []}
    assert datetime.fromisoformat(_call(client, auth, call["id"])["timestamps"]["ATA"]) == first_at


@pytest.mark.parametrize(
    ("mmsi", "place"),
    [(EVER_DIADEM_MMSI, DONGJIAKOU), ("412345678", QIANWAN)],
    ids=["outside-the-port-area", "another-ship"],
)
def test_other_positions_change_nothing(
    client: TestClient,
    auth: Tokens,
    ctx: ServiceContext,
    mmsi: str,
    place: tuple[float, float],
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    answer = _post_ais(client, auth, position_report(mmsi, *place))
    assert answer == {"accepted": 1, "rejected": [], "arrivals": []}
    still = _call(client, auth, call["id"])
    assert still["status"] == "cleared" and still["timestamps"]["ATA"] is None


def test_good_and_bad_lines_in_one_batch(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    call = file_call(client, auth, notice_data(ctx))
    good = position_report(EVER_DIADEM_MMSI, *QIANWAN)
    wrong_sum = good[:-2] + ("00" if not good.endswith("00") else "01")
    lines = ["# a comment", wrong_sum, "", "$GPGGA,not,ais*00", good]
    answer = _post_ais(client, auth, "\r\n".join(lines) + "\r\n")
    assert answer["accepted"] == 1 and answer["arrivals"] == [call["id"]]
    rejected = {r["line"]: r for r in answer["rejected"]}
    assert sorted(rejected) == [2, 4]
    assert rejected[2]["sentence"] == wrong_sum and "checksum" in rejected[2]["reason"]
    assert rejected[4]["sentence"] == lines[3] and "AIVDM" in rejected[4]["reason"]


def test_a_real_feed_is_taken_line_by_line(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    """898 lines of a live feed (pyais' sample): no ship near Qingdao, some lines broken."""
    call = file_call(client, auth, notice_data(ctx))
    lines = shared_data("ais", "pyais_nmea_data_sample.txt").read_text("ascii").splitlines()
    answer = _post_ais(client, auth, "\n".join(lines))
    assert answer["accepted"] > 500 and answer["rejected"] and answer["arrivals"] == []
    for rejected in answer["rejected"]:
        assert rejected["sentence"] == lines[rejected["line"] - 1].rstrip()
        assert rejected["reason"]
    assert _call(client, auth, call["id"])["status"] == "cleared"
