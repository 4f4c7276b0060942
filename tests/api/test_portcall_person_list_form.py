"""The arrival-notice form takes the crew and passenger list as a PAXLST, an XLSX or a CSV of the
template: the hint and the template links beside the file field, the list kept across a refused
attempt (an XLSX too), and a file that is no list refused beside the field in the reader's
language, naming the forms it takes."""

from __future__ import annotations

import random
import re

from fastapi.testclient import TestClient
from httpx import Response

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from tests.api.test_pages import arrival_form, signed_in, text_of, texts_of, token_of
from tests.conftest import Clock, People
from tests.unit.test_person_lists import KIM, LI, SANTOS, WANG, template_csv, template_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def submit(
    client: TestClient, data: dict[str, str], upload: tuple[str, bytes, str] | None = None
) -> Response:
    page = client.get("/port-calls/new")
    files = {"paxlst": upload or ("", b"", "application/octet-stream")}
    return client.post("/port-calls/new", data={**data, "csrf_token": token_of(page)}, files=files)


def filed_persons(ctx: ServiceContext, people: People, answer: Response) -> dict[str, list[str]]:
    assert answer.status_code == 303, answer.text
    call_id = int(answer.headers["location"].rsplit("/", 1)[1])
    arrival = portcalls.get_port_call(ctx, people["agent"], call_id)["arrival"]
    return {
        "crew": [f"{p['family_name']} {p.get('rank') or ''}".strip() for p in arrival["crew"]],
        "passengers": [p["family_name"] for p in arrival["passengers"]],
    }


def test_the_form_names_the_forms_it_takes_and_links_the_template(ctx: ServiceContext) -> None:
    chinese = signed_in(ctx, "agent").get("/port-calls/new")
    assert "Excel（.xlsx）或 CSV" in chinese.text
    assert "“身份”列区分船员和旅客" in text_of(chinese, "paxlst-hint")
    assert "船员和旅客名单（Excel）" in text_of(chinese, "person-templates")
    english = signed_in(ctx, "agent", lang="en").get("/port-calls/new")
    assert "PAXLST (UN/EDIFACT), Excel (.xlsx) or CSV" in english.text
    assert "Role column says crew or passenger" in text_of(english, "paxlst-hint")
    links = re.findall(r'href="(/api/v1/person-lists/template[^"]*)"', english.text)
    assert links and all(link.startswith("/api/v1/person-lists/template?kind=") for link in links)
    client = signed_in(ctx, "agent")
    for link in links:
        template = client.get(link.replace("&amp;", "&"))
        assert template.status_code == 200 and template.content


def test_an_agent_files_with_a_csv_crew_and_passenger_list(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    upload = ("crew.csv", template_csv([WANG, SANTOS, LI, KIM]), "text/csv")
    answer = submit(client, arrival_form(clock.now), upload)
    assert filed_persons(ctx, people, answer) == {
        "crew": ["WANG Master", "SANTOS Chief Officer", "LI Cook"],
        "passengers": ["KIM"],
    }


def test_an_xlsx_is_kept_across_a_refused_attempt_and_filed_without_uploading_it_again(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    upload = ("crew.xlsx", template_xlsx([WANG | {"role": None}, KIM]), XLSX)
    refused = submit(client, arrival_form(clock.now, voyage=""), upload)
    assert refused.status_code == 422
    assert "船员 1 人，旅客 1 人" in text_of(refused, "paxlst-kept")
    kept = re.search(r'<textarea name="paxlst_kept" hidden>(.*?)</textarea>', refused.text, re.S)
    assert kept and kept.group(1).startswith("data:application/vnd.openxmlformats")
    answer = submit(client, arrival_form(clock.now, paxlst_kept=kept.group(1)))
    assert filed_persons(ctx, people, answer) == {"crew": ["WANG Master"], "passengers": ["KIM"]}


def test_a_sheet_missing_a_column_is_refused_beside_the_file_field_in_chinese(
    ctx: ServiceContext, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    upload = ("crew.csv", template_csv([WANG], drop="nationality"), "text/csv")
    answer = submit(client, arrival_form(clock.now), upload)
    assert answer.status_code == 422
    said = text_of(answer, "error-paxlst")
    assert "line 1, column 国籍 / Nationality" in said and "表格缺少列 国籍" in said


def test_a_file_that_is_no_list_is_refused_naming_the_forms_without_its_bytes(
    ctx: ServiceContext, clock: Clock
) -> None:
    junk = random.Random(5).randbytes(3000)
    chinese = submit(
        signed_in(ctx, "agent"), arrival_form(clock.now), ("crew.pdf", junk, "application/pdf")
    )
    assert chinese.status_code == 422
    assert text_of(chinese, "error-paxlst") == (
        "二进制数据：不是可读取的船员或旅客名单。请选择 PAXLST 报文（UN/EDIFACT，以 UNA 或 UNB "
        "开头）、Excel 工作簿（.xlsx）或按模板列填写的 CSV 文件。"
    )
    english = submit(
        signed_in(ctx, "agent", lang="en"),
        arrival_form(clock.now),
        ("crew.png", b"\x89PNG\r\n\x1a\n" + junk, "image/png"),
    )
    assert english.status_code == 422
    [said] = texts_of(english, "error-paxlst")
    assert said.startswith("an image: not a crew or passenger list Kouan reads.")
    assert "PAXLST" in said and "(.xlsx)" in said and "CSV" in said
    assert "\ufffd" not in english.text and 'aria-invalid="true"' in english.text
