"""A port call's crew and passengers uploaded over HTTP as a spreadsheet of the template (CSV or
XLSX) as well as a PAXLST, at POST /api/v1/port-calls/{id}/paxlst; what cannot be read is a 422
naming the line and column, or the file, and changes nothing."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kouan.adapters.person_lists import ACCEPTED, BINARY
from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.conftest import (
    ALL_TO_OFFICERS,
    Tokens,
    crew_paxlst,
    error_field,
    file_call,
    notice_data,
    stored_counts,
)
from tests.factories import crew_data
from tests.unit.test_person_lists import KIM, LI, SANTOS, WANG, template_csv, template_xlsx

PORT_CALLS = "/api/v1/port-calls"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def filed(client: TestClient, auth: Tokens, ctx: ServiceContext) -> dict[str, Any]:
    """A port call filed with four crew and one passenger, every review waiting for an officer."""
    return file_call(client, auth, notice_data(ctx, **ALL_TO_OFFICERS))


def upload(
    client: TestClient, auth: Tokens, call_id: int, body: bytes, content_type: str
) -> httpx.Response:
    return client.post(
        f"{PORT_CALLS}/{call_id}/paxlst",
        content=body,
        headers=auth("agent") | {"Content-Type": content_type},
    )


def arrival(client: TestClient, auth: Tokens, call_id: int) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(f"{PORT_CALLS}/{call_id}", headers=auth("agent")).json()
    return answer["arrival"]


def test_a_csv_crew_list_replaces_the_crew_with_ranks_and_keeps_the_passengers(
    client: TestClient, auth: Tokens, filed: dict[str, Any]
) -> None:
    before = arrival(client, auth, filed["id"])
    response = upload(client, auth, filed["id"], template_csv([WANG, SANTOS, LI]), "text/csv")
    assert response.status_code == 200, response.text
    after = arrival(client, auth, filed["id"])
    assert [(p["family_name"], p["rank"]) for p in after["crew"]] == [
        ("WANG", "Master"),
        ("SANTOS", "Chief Officer"),
        ("LI", "Cook"),
    ]
    assert after["crew"][1]["nationality"] == "PH"
    assert after["passengers"] == before["passengers"]


def test_an_xlsx_with_crew_and_passengers_replaces_both(
    client: TestClient, auth: Tokens, filed: dict[str, Any]
) -> None:
    body = template_xlsx([WANG | {"role": None}, KIM])
    response = upload(client, auth, filed["id"], body, XLSX)
    assert response.status_code == 200, response.text
    after = arrival(client, auth, filed["id"])
    assert [p["family_name"] for p in after["crew"]] == ["WANG"]
    assert [p["family_name"] for p in after["passengers"]] == ["KIM"]


def test_the_content_decides_the_form_whatever_the_content_type(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    sheet = upload(client, auth, filed["id"], template_csv([LI]), "application/edifact")
    assert sheet.status_code == 200, sheet.text
    assert [p["family_name"] for p in arrival(client, auth, filed["id"])["crew"]] == ["LI"]
    paxlst = crew_paxlst(crew_data(ctx.clock())).encode()
    edifact = upload(client, auth, filed["id"], paxlst, "text/csv")
    assert edifact.status_code == 200, edifact.text
    assert len(arrival(client, auth, filed["id"])["crew"]) == 4


def test_a_csv_without_a_required_column_is_a_422_naming_the_column_and_changes_nothing(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    before, crew = stored_counts(ctx), arrival(client, auth, filed["id"])["crew"]
    body = template_csv([WANG], drop="date_of_birth")
    response = upload(client, auth, filed["id"], body, "text/csv")
    field = error_field(response, 422, "line 1, column 出生日期 / Date of birth")
    assert field["expected"] == "the sheet has no column Date of birth"
    assert stored_counts(ctx) == before
    assert arrival(client, auth, filed["id"])["crew"] == crew


def test_a_bad_cell_is_a_422_naming_line_column_and_value(
    client: TestClient, auth: Tokens, filed: dict[str, Any]
) -> None:
    body = template_csv([WANG, SANTOS | {"date_of_birth": "02/30/1985"}])
    response = upload(client, auth, filed["id"], body, "text/csv")
    field = error_field(response, 422, "line 3, column 出生日期 / Date of birth")
    assert field["value"] == "02/30/1985" and "is not a date" in field["expected"]


def test_an_unknown_binary_is_a_422_naming_the_forms_without_repeating_it(
    client: TestClient, auth: Tokens, ctx: ServiceContext, filed: dict[str, Any]
) -> None:
    before = stored_counts(ctx)
    junk = random.Random(11).randbytes(4096)
    response = upload(client, auth, filed["id"], junk, "application/octet-stream")
    field = error_field(response, 422, "file")
    assert (field["value"], field["expected"]) == (BINARY, ACCEPTED)
    assert len(response.content) < 1000 and "\\u" not in response.text
    assert stored_counts(ctx) == before
