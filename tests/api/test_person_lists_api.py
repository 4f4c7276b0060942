"""Person lists over HTTP: PAXLST, JSON and the spreadsheet template in, the contract's answer
out; refusals name segment and element; who may see what."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient

from kouan.adapters.paxlst import write_person_list
from kouan.domain.person_list import Direction, Leg, ListedPerson, PersonList, TravelDocument
from tests.api.conftest import Tokens
from tests.conftest import Clock

EDIFACT = {"Content-Type": "application/edifact"}
LATER = date(2031, 1, 1)


def _flight(clock: Clock, persons: int = 3) -> PersonList:
    arrival = (clock.now + timedelta(hours=30)).replace(tzinfo=None, microsecond=0)
    listed = [
        ListedPerson(
            family_name=f"TANAKA{chr(65 + n)}",
            given_names="HIROSHI",
            nationality="JP",
            date_of_birth=date(1980, 1, 1 + n),
            sex="M",
            documents=[TravelDocument("P", f"TK{1000 + n}", "JP", LATER)],
        )
        for n in range(persons)
    ]
    return PersonList(
        carrier="NH",
        transport_id="NH935",
        legs=[Leg("NH935", "NRT", arrival - timedelta(hours=3), "TAO", arrival)],
        direction=Direction.ARRIVING,
        persons=listed,
    )


def _paxlst(clock: Clock, persons: int = 3, part_size: int | None = None) -> str:
    when = datetime(2026, 11, 27, 8, 0)
    return write_person_list(
        _flight(clock, persons), sender="NH", recipient="KOUAN", reference="NH1", when=when,
        part_size=part_size,
    )  # fmt: skip


def test_a_paxlst_list_is_accepted_with_the_contracts_answer(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    answer = client.post(
        "/api/v1/person-lists",
        content=_paxlst(clock, 5, part_size=2),
        headers={**auth("airline"), **EDIFACT},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "accepted" and body["persons"] == 5 and body["errors"] == []
    assert body["contrl"].startswith("UNA") and "UCI+" in body["contrl"]
    shown = client.get(f"/api/v1/person-lists/{body['list_id']}", headers=auth("airline")).json()
    assert shown["persons_count"] == 5 and shown["status"] == "settled"


def test_a_list_whose_counts_disagree_is_refused_naming_segment_and_element(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    text = _paxlst(clock, 3).replace("CNT+42:3'", "CNT+42:7'")
    answer = client.post(
        "/api/v1/person-lists", content=text, headers={**auth("airline"), **EDIFACT}
    )
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert error["segment"].startswith("segment") and "CNT" in error["segment"]
    assert error["element"] and error["code"] == "list.person_count"
    assert "UCI+" in answer.json()["contrl"]
    kept = client.get(f"/api/v1/person-lists/{answer.json()['list_id']}", headers=auth("airline"))
    assert kept.json()["status"] == "rejected" and "persons" not in kept.json()


def test_json_with_health_declarations_refers_the_unwell_to_ciq(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    body = _flight(clock).as_dict()
    body["health_declarations"] = [{"person": 2, "temperature": 38.6, "symptoms": ["cough"]}]
    answer = client.post("/api/v1/person-lists", json=body, headers=auth("airline"))
    assert answer.status_code == 201, answer.text
    list_id = answer.json()["list_id"]
    screening = client.get(f"/api/v1/person-lists/{list_id}/screening", headers=auth("ciq"))
    statuses = [p["status"] for p in screening.json()["persons"]]
    assert statuses == ["cleared", "referred", "cleared"]
    queue = client.get("/api/v1/reviews", headers=auth("ciq")).json()
    (review,) = [r for r in queue if r["subject_type"] == "person_list"]
    assert [t["label"] for t in review["targets"]] == ["TANAKAB HIROSHI"]


def test_the_template_comes_back_as_a_list(client: TestClient, auth: Tokens) -> None:
    template = client.get("/api/v1/person-lists/template?fmt=csv", headers=auth("cruise"))
    assert template.status_code == 200 and "text/csv" in template.headers["content-type"]
    header = template.content.decode("utf-8-sig").splitlines()[0]
    assert "姓" in header and "Family name" in header


def test_a_sender_sees_its_own_lists_and_only_agencies_see_the_screening(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    sent = client.post(
        "/api/v1/person-lists", content=_paxlst(clock), headers={**auth("airline"), **EDIFACT}
    ).json()
    path = f"/api/v1/person-lists/{sent['list_id']}"
    assert client.get(path, headers=auth("cruise")).status_code == 404
    assert client.get(path + "/screening", headers=auth("airline")).status_code == 403
    assert client.get(path + "/screening", headers=auth("border")).status_code == 200
    assert client.get("/api/v1/person-lists", headers=auth("cruise")).json() == []
    assert (
        client.post("/api/v1/person-lists", content="UNA", headers=auth("broker")).status_code
        == 403
    )


def test_the_watch_list_is_border_inspections_and_a_bad_line_refuses_it(
    client: TestClient, auth: Tokens
) -> None:
    good = (
        "id,name,aliases,date_of_birth,nationality,document_number,reason\n"
        "W1,山田 太郎,やまだ たろう,1970,JP,,x\n"
    )
    csv = {"Content-Type": "text/csv"}
    assert (
        client.post(
            "/api/v1/watchlist", content=good, headers={**auth("airline"), **csv}
        ).status_code
        == 403
    )
    made = client.post("/api/v1/watchlist", content=good, headers={**auth("border"), **csv})
    assert made.status_code == 201 and made.json()["entries"] == 1
    bad = good + "W2,,,,,,\n"
    refused = client.post("/api/v1/watchlist", content=bad, headers={**auth("border"), **csv})
    assert refused.status_code == 422
    assert any("line 3" in f["field"] for f in refused.json()["error"]["fields"])
    assert (
        client.get("/api/v1/watchlist", headers=auth("border")).json()["version"]
        == made.json()["version"]
    )


def test_passenger_figures_by_nationality_with_the_watched_shares(
    client: TestClient, auth: Tokens, clock: Clock
) -> None:
    headers = {**auth("airline"), **EDIFACT}
    client.post("/api/v1/person-lists", content=_paxlst(clock, 4), headers=headers)
    day = clock.now.date()
    params = {"from": day.isoformat(), "to": (day + timedelta(days=3)).isoformat()}
    answer = client.get(
        "/api/v1/passenger-figures",
        params={**params, "by": "nationality"},
        headers=auth("port_office"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["rows"] == [{"key": "JP", "label": "JP", "arriving": 4, "departing": 0, "total": 4}]
    assert body["shares"] == {"JP": 1.0, "KR": 0.0}
    by_flight = client.get(
        "/api/v1/passenger-figures", params={**params, "by": "journey"}, headers=auth("customs")
    ).json()
    assert [row["label"] for row in by_flight["rows"]] == ["NH935 NRT-TAO"]
    refused = client.get(
        "/api/v1/passenger-figures", params={**params, "by": "journey"}, headers=auth("airline")
    )
    assert refused.status_code == 403
