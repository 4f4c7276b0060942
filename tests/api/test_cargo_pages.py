"""The cargo declaration pages through HTTP, on SQLite and PostgreSQL: the broker's form and
CUSDEC upload, the list and its CSV, the declaration page, the officer's queue per lane, deciding,
inspection results, seizure and gate-out (all behind the CSRF check), and each role's home."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kouan.adapters.cusdec import parse_cusres, write_cusdec
from kouan.domain.agency import Decision
from kouan.services.cargo import queries
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from kouan.web.ui.display import PORT_ZONE
from kouan.web.ui.i18n import translations
from tests.api.test_pages import local, post_form, signed_in, text_of, texts_of, token_of
from tests.conftest import Clock, People, file_declaration
from tests.factories import declaration, declaration_item, trader

T = translations("zh").gettext
C_TRADER = trader("C")
D_TRADER = trader("D")
# Toys are on CIQ's legal-inspection list, and no risk rule selects them: green for customs.
TOYS = declaration_item(hs_code="950300", description="plastic toys", value="3000")


def review_of(view: dict, agency: str) -> dict:
    return next(r for r in view["reviews"] if r["agency"] == agency)


def declaration_form(**changes: str) -> dict[str, str]:
    """The declaration form as a broker fills it in: the B-class trader's cotton T-shirts, the
    one line of goods typed into the third row (empty rows are ignored)."""
    form = {
        "reference": "FORM-001",
        "trader": "3702960003",
        "trader_name": "Jinan Machinery Import",
        "direction": "export",
        "trade_mode": "0110",
        "transport.mode": "sea",
        "transport.vessel": "COSCO SHIPPING ARIES",
        "transport.imo": "9783502",
        "transport.voyage": "051E",
        "transport.bill_of_lading": "COSU6300112233",
        "transport.flight": "",
        "transport.air_waybill": "",
        "declaration_office": "cnjna",
        "release_port": "CNTAO",
        "containers": "CSQU3054383\nmscu 1234566",
        "items[2].hs_code": "6109.10",
        "items[2].description": "cotton T-shirts",
        "items[2].quantity": "1000",
        "items[2].unit": "pce",
        "items[2].value": "4500",
        "items[2].currency": "usd",
        "items[2].origin": "cn",
    }
    form.update(changes)
    return form


def submit(client: TestClient, data: dict[str, str]) -> Any:
    return post_form(client, "/declarations/new", "/declarations/new", data)


def ids_of(page: Any, prefix: str) -> list[str]:
    return re.findall(rf'data-testid="{prefix}-(\d+)"', page.text)


# Filing through the form


def test_broker_files_through_the_form_and_a_green_lane_is_released_at_once(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    client = signed_in(registered, "broker")
    form = client.get("/declarations/new")
    assert form.status_code == 200
    assert 'value="CNJNA"' in form.text and 'value="CNTAO"' in form.text
    answer = submit(client, declaration_form())
    assert answer.status_code == 303, answer.text
    declaration_id = int(answer.headers["location"].rsplit("/", 1)[1])
    view = queries.get_declaration(registered, people["broker"], declaration_id)
    assert (view["lane"], view["status"], view["source"]) == ("green", "released", "form")
    document = view["document"]
    assert document["containers"] == ["CSQU3054383", "MSCU1234566"]
    assert document["items"] == [
        {
            "hs_code": "610910",
            "description": "cotton T-shirts",
            "quantity": "1000",
            "unit": "PCE",
            "value": "4500",
            "currency": "USD",
            "origin": "CN",
        }
    ]
    assert document["declaration_office"] == "CNJNA" and document["transport"]["mode"] == "sea"
    page = client.get(answer.headers["location"])
    assert text_of(page, "notice") == T("Declaration filed")
    assert text_of(page, "declaration-reference") == "FORM-001"
    assert text_of(page, "release-number") == f"RN-CNTAO-{declaration_id:08d}"
    released = clock.now.astimezone(PORT_ZONE).strftime("%Y-%m-%d %H:%M")
    assert text_of(page, "released-at") == released
    assert text_of(page, "clearance-time") == "不到 1 分钟"
    assert 'data-testid="lane-badge" data-lane="green"' in page.text
    assert text_of(page, "declaration-status") == "已放行"
    assert "B" in text_of(page, "declaration-trader")
    assert "cotton T-shirts" in text_of(page, "items-table")
    assert "MSCU1234566" in text_of(page, "containers")
    assert T("Declaration filed") in text_of(page, "audit-trail")


def test_form_errors_show_beside_their_fields_and_keep_what_was_typed(
    registered: ServiceContext,
) -> None:
    client = signed_in(registered, "broker")
    data = declaration_form(
        trader="37029600",
        **{
            "transport.vessel": "",
            "containers": "CSQU3054384",
            "release_port": "XXZZZ",
            "items[2].hs_code": "123456",
            "items[2].quantity": "lots",
        },
    )
    answer = submit(client, data)
    assert answer.status_code == 422
    assert text_of(answer, "error-trader") == (
        "“37029600”：10位海关编码，由数字和大写字母组成，如 3702960003。"
    )
    assert text_of(answer, "error-transport.vessel") == "必填。"
    assert text_of(answer, "error-containers").startswith("“CSQU3054384”：ISO 6346 集装箱号")
    assert text_of(answer, "error-release_port").startswith("“XXZZZ”：")
    # The row typed third is the first line of goods: its errors sit beside its cells.
    assert text_of(answer, "error-items[0].hs_code").startswith("“123456”：HS 2022 商品编码")
    assert text_of(answer, "error-items[0].quantity") == "“lots”：请填写数字，如 12.5。"
    assert 'value="37029600"' in answer.text and 'value="lots"' in answer.text
    assert 'value="COSCO SHIPPING ARIES"' not in answer.text  # the vessel was left blank
    assert 'value="cotton T-shirts"' in answer.text and 'value="051E"' in answer.text
    assert ">CSQU3054384</textarea>" in answer.text
    assert "请更正标出的字段" in text_of(answer, "form-message")
    assert 'href="/declarations/new?lang=en"' in answer.text


def test_packages_and_gross_weight_are_filed_shown_and_refused_by_name(
    registered: ServiceContext, people: People
) -> None:
    """The header's packages and gross weight, written off against the manifest's B/L."""
    client = signed_in(registered, "broker")
    answer = submit(client, declaration_form(packages="1,200", gross_weight_kg="12500.5"))
    assert answer.status_code == 303, answer.text
    declaration_id = int(answer.headers["location"].rsplit("/", 1)[1])
    view = queries.get_declaration(registered, people["broker"], declaration_id)
    assert (view["document"]["packages"], view["document"]["gross_weight_kg"]) == (1200, "12500.5")
    packing = text_of(client.get(answer.headers["location"]), "packing")
    assert "件数" in packing and "1,200" in packing and "12500.5" in packing
    refused = submit(client, declaration_form(reference="FORM-002", packages="many"))
    assert refused.status_code == 422
    assert text_of(refused, "error-packages") == "“many”：件数：从 1 起的整数，如 120。"
    assert 'value="many"' in refused.text


def test_form_errors_are_in_english_when_the_reader_reads_english(
    registered: ServiceContext,
) -> None:
    client = signed_in(registered, "broker", lang="en")
    answer = submit(client, declaration_form(**{"items[2].currency": "XYZ", "trade_mode": ""}))
    assert answer.status_code == 422
    assert text_of(answer, "error-items[0].currency") == (
        '"XYZ": An ISO 4217 currency code, e.g. USD or CNY.'
    )
    assert text_of(answer, "error-trade_mode") == "Required."
    assert "Please correct the marked fields." in text_of(answer, "form-message")


def test_a_form_without_goods_is_told_to_add_a_line(registered: ServiceContext) -> None:
    client = signed_in(registered, "broker")
    data = {k: v for k, v in declaration_form().items() if not k.startswith("items")}
    answer = submit(client, data)
    assert answer.status_code == 422
    assert text_of(answer, "error-items") == "请至少填写一行商品。"


def test_an_unregistered_trader_is_refused_beside_the_trader_field(
    ctx: ServiceContext, people: People
) -> None:
    client = signed_in(ctx, "broker")
    answer = submit(client, declaration_form())
    assert answer.status_code == 422
    assert text_of(answer, "error-trader") == (
        "“3702960003”：须为已在海关备案的企业：企业申报前须由海关备案。"
    )
    assert 'value="Jinan Machinery Import"' in answer.text
    assert queries.count_declarations(ctx, people["broker"]) == 0


def test_a_reference_used_before_is_refused_beside_the_reference(
    registered: ServiceContext, people: People
) -> None:
    file_declaration(registered, people, reference="FORM-001")
    answer = submit(signed_in(registered, "broker"), declaration_form())
    assert answer.status_code == 422
    assert text_of(answer, "error-reference") == "“FORM-001”：须为本单位未使用过的编号。"


def test_an_air_declaration_is_filed_with_its_flight(
    registered: ServiceContext, people: People
) -> None:
    data = declaration_form(
        reference="AIR-001",
        containers="",
        **{"transport.mode": "air", "transport.flight": "ca 1234", "release_port": "CNJNA"},
    )
    data["transport.air_waybill"] = "999-12345675"
    answer = submit(signed_in(registered, "broker"), data)
    assert answer.status_code == 303, answer.text
    view = queries.list_declarations(registered, people["broker"])[0]
    assert view["transport"] == "CA1234" and view["transport_document"] == "999-12345675"


def test_only_brokers_file(registered: ServiceContext) -> None:
    for path in ("/declarations/new", "/declarations/upload"):
        page = signed_in(registered, "customs").get(path)
        assert page.status_code == 403 and 'data-status="403"' in page.text


# CUSDEC upload


def test_a_cusdec_upload_answers_each_declaration_and_gives_the_cusres(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    good = declaration(reference="EDI-001")
    unknown = declaration(reference="EDI-002", trader="3702960099", trader_name="Nobody Ltd")
    text = write_cusdec([good, unknown], "QDBROKER", "KOUAN", "IC0001", clock.now)
    client = signed_in(registered, "broker")
    page = client.get("/declarations/upload")
    answer = client.post(
        "/declarations/upload",
        data={"csrf_token": token_of(page)},
        files={"cusdec": ("batch.edi", text.encode(), "text/plain")},
    )
    assert answer.status_code == 200, answer.text
    assert text_of(answer, "count-accepted") == "1" and text_of(answer, "count-rejected") == "1"
    rows = re.findall(r'data-testid="upload-row-([^"]+)" data-result="(\w+)"', answer.text)
    assert [result for _, result in rows] == ["accepted", "rejected"]
    [stored] = queries.list_declarations(registered, people["broker"])
    assert stored["reference"] == "EDI-001" and stored["source"] == "cusdec"
    assert f'href="/declarations/{stored["id"]}"' in answer.text
    rejected = text_of(answer, f"upload-row-{rows[1][0]}")
    assert "trader" in rejected and "3702960099" in rejected
    cusres = re.search(r'<pre class="edifact" data-testid="cusres">(.*?)</pre>', answer.text, re.S)
    assert cusres
    answers = parse_cusres(html.unescape(cusres.group(1)))
    assert [a.status for a in answers][1] == "rejected" and answers[0].lane == "green"
    assert 'data-testid="cusres-download"' in answer.text and "download=" in answer.text


def test_an_upload_that_is_not_cusdec_is_refused_beside_the_file_field(
    registered: ServiceContext,
) -> None:
    client = signed_in(registered, "broker", lang="en")
    page = client.get("/declarations/upload")
    empty = client.post("/declarations/upload", data={"csrf_token": token_of(page)})
    assert empty.status_code == 422
    assert text_of(empty, "error-cusdec") == "Choose a CUSDEC file to upload."
    garbage = client.post(
        "/declarations/upload",
        data={"csrf_token": token_of(page)},
        files={"cusdec": ("x.edi", b"hello, this is not EDIFACT", "text/plain")},
    )
    assert garbage.status_code == 422
    assert texts_of(garbage, "error-cusdec")


# The list and its CSV


def test_the_list_filters_searches_and_pages_on_the_server(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    green = file_declaration(registered, people, reference="LIST-G")
    clock.advance(minutes=5)
    document = file_declaration(registered, people, reference="LIST-C", **C_TRADER)
    clock.advance(minutes=5)
    inspected = file_declaration(registered, people, reference="LIST-D", **D_TRADER)
    client = signed_in(registered, "broker")
    everything = client.get("/declarations")
    rows = ids_of(everything, "declaration-row")
    assert rows == [str(inspected["id"]), str(document["id"]), str(green["id"])]
    assert ids_of(client.get("/declarations?lane=document"), "declaration-row") == [
        str(document["id"])
    ]
    assert ids_of(client.get("/declarations?status=released"), "declaration-row") == [
        str(green["id"])
    ]
    found = client.get("/declarations?q=list-d")
    assert ids_of(found, "declaration-row") == [str(inspected["id"])]
    assert text_of(found, "total") == "共 1 份"
    second = client.get("/declarations?limit=25&offset=1")
    assert ids_of(second, "declaration-row") == [str(document["id"]), str(green["id"])]
    assert 'data-testid="prev-page"' in second.text and 'data-testid="next-page"' not in second.text
    assert client.get("/declarations?lane=nonsense&limit=7&offset=x").status_code == 200


def test_csv_export_holds_the_filtered_list_in_beijing_time(
    registered: ServiceContext, people: People
) -> None:
    green = file_declaration(registered, people, reference="=CSV-G")
    file_declaration(registered, people, reference="CSV-C", **C_TRADER)
    answer = signed_in(registered, "broker").get("/declarations?lane=green&format=csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    assert row["id"] == str(green["id"]) and row["reference"] == "'=CSV-G"
    assert row["status"] == "released" and row["credit_class"] == "B"
    filed = datetime.fromisoformat(row["filed_at"])
    assert filed.utcoffset() == timedelta(hours=8)
    assert filed == datetime.fromisoformat(green["filed_at"])
    assert row["release_notice"] == f"RN-CNTAO-{green['id']:08d}"


def test_a_broker_sees_only_its_own_declarations(
    registered: ServiceContext, people: People
) -> None:
    mine = file_declaration(registered, people, reference="MINE-1")
    other = signed_in(registered, "broker2")
    page = other.get(f"/declarations/{mine['id']}")
    assert page.status_code == 404 and 'data-status="404"' in page.text
    assert other.get(f"/declarations/{mine['id']}/cusres").status_code == 404
    assert f"declaration-row-{mine['id']}" not in other.get("/declarations").text
    assert other.get("/declarations?format=csv").text.splitlines()[1:] == []
    assert other.get("/declarations/99999999999999999999").status_code == 404
    assert signed_in(registered, "broker").get(f"/declarations/{mine['id']}").status_code == 200


# The declaration page


def test_the_page_shows_lane_rules_reviews_inspection_and_trail(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="PAGE-D", **D_TRADER)
    page = signed_in(registered, "customs").get(f"/declarations/{view['id']}")
    assert page.status_code == 200
    assert "CC-D" in text_of(page, "lane-rules") and "严重失信企业" in text_of(page, "lane-rules")
    customs = text_of(page, "agency-card-CUSTOMS")
    assert "查验" in customs and "CC-D" in customs
    assert "未分派本单位" in text_of(page, "agency-card-CIQ")
    [booked] = (
        view["inspections"]
        or queries.get_declaration(registered, people["customs"], view["id"])["inspections"]
    )
    row = text_of(page, f"inspection-row-{booked['id']}")
    assert "CNTAO" in row and booked["day"] in row and "已预约" in row
    assert f'data-testid="inspection-form-{booked["id"]}"' in page.text
    assert 'data-testid="seizure-form"' in page.text
    assert 'data-testid="release-notice"' not in page.text
    trail = text_of(page, "audit-trail")
    assert T("Declaration filed") in trail and T("Inspection booked") in trail
    broker = signed_in(registered, "broker").get(f"/declarations/{view['id']}")
    assert 'data-testid="inspection-form-' not in broker.text
    assert 'data-testid="seizure-form"' not in broker.text
    assert 'data-testid="decide-form-' not in broker.text


def test_customs_records_a_pass_and_the_goods_are_released(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, reference="INSP-1", **D_TRADER)
    booked = queries.get_declaration(registered, people["customs"], view["id"])["inspections"][0]
    client = signed_in(registered, "customs")
    page_url = f"/declarations/{view['id']}"
    action = f"{page_url}/inspections/{booked['id']}/result"
    refused = post_form(client, page_url, action, {"result": "fail", "finding": " "})
    assert refused.status_code == 422
    assert text_of(refused, f"error-finding-{booked['id']}") == T(
        "Say what the inspection found (required on fail)."
    )
    assert re.search(
        rf'value="fail" required data-testid="result-fail-{booked["id"]}" checked', refused.text
    )
    clock.advance(hours=2)
    passed = post_form(
        client, page_url, action, {"result": "pass", "finding": "as declared", "kind": "opened"}
    )
    assert passed.status_code == 303
    assert passed.headers["location"] == f"{page_url}#inspection-{booked['id']}"
    after = queries.get_declaration(registered, people["broker"], view["id"])
    assert after["status"] == "released" and after["clearance_seconds"] == 2 * 3600
    assert after["inspections"][0]["kind"] == "opened"
    page = signed_in(registered, "broker").get(page_url)
    assert text_of(page, "clearance-time") == "2小时00分"


def test_an_officer_decides_on_the_declaration_page(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="DEC-1", **C_TRADER)
    customs = review_of(view, "CUSTOMS")
    client = signed_in(registered, "customs")
    page_url = f"/declarations/{view['id']}"
    action = f"{page_url}/reviews/{customs['id']}/decision"
    fields = {"decision": "hold", "reason": "", "version": str(customs["version"])}
    refused = post_form(client, page_url, action, fields)
    assert refused.status_code == 422
    assert text_of(refused, f"error-reason-{customs['id']}") == T(
        "Give a reason for anything but approve."
    )
    held = post_form(client, page_url, action, {**fields, "reason": "invoice missing"})
    assert held.status_code == 303
    assert held.headers["location"] == f"{page_url}#review-{customs['id']}"
    page = signed_in(registered, "broker").get(page_url)
    assert text_of(page, "status-reason") == "invoice missing"
    assert 'data-status="held"' in page.text
    wrong = post_form(
        client, page_url, f"/declarations/{view['id'] + 1}/reviews/{customs['id']}/decision", fields
    )
    assert wrong.status_code == 404


# The officer's queue


def test_the_queue_lists_each_lane_oldest_first_with_counts(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    first = file_declaration(registered, people, reference="Q-C1", **C_TRADER)
    clock.advance(minutes=30)
    second = file_declaration(registered, people, reference="Q-C2", **C_TRADER)
    inspected = file_declaration(registered, people, reference="Q-D1", **D_TRADER)
    file_declaration(registered, people, reference="Q-G1")
    clock.advance(hours=1, minutes=5)
    client = signed_in(registered, "customs")
    queue = client.get("/declarations/queue")
    assert queue.status_code == 200
    counts = {
        lane: text_of(queue, f"lane-count-{lane}") for lane in ("document", "inspection", "green")
    }
    assert counts == {"document": "2", "inspection": "1", "green": "0"}
    assert ids_of(queue, "cargo-row") == [str(first["id"]), str(second["id"])]
    assert text_of(queue, f"age-{first['id']}") == "1小时35分"
    assert 'aria-current="page"' in re.search(
        r'data-testid="lane-tab-document"[^>]*>', queue.text
    ).group(0)
    review = review_of(first, "CUSTOMS")
    form = re.search(rf'data-testid="decide-form-{review["id"]}">(.*?)</form>', queue.text, re.S)
    assert form and 'name="origin" value="queue"' in form.group(1)
    lane_d = client.get("/declarations/queue?lane=inspection")
    assert ids_of(lane_d, "cargo-row") == [str(inspected["id"])]
    assert 'data-testid="queue-inspection-' in lane_d.text
    green = client.get("/declarations/queue?lane=green")
    assert ids_of(green, "cargo-row") == [] and 'data-testid="cargo-queue-empty"' in green.text


def test_ciq_sees_legally_inspected_goods_in_its_queue(
    registered: ServiceContext, people: People
) -> None:
    toys = file_declaration(registered, people, reference="Q-TOYS", items=[TOYS])
    assert toys["lane"] == "green" and toys["status"] == "under_review"
    file_declaration(registered, people, reference="Q-SHIRTS")
    client = signed_in(registered, "ciq", lang="en")
    queue = client.get("/declarations/queue")
    assert text_of(queue, "lane-count-green") == "1"
    assert ids_of(queue, "cargo-row") == [str(toys["id"])]  # the only tab with any: green
    assert client.get("/declarations/queue?lane=document").status_code == 200


def test_an_officer_approves_from_the_queue_and_the_broker_sees_the_release(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="Q-APPROVE", **C_TRADER)
    customs = review_of(view, "CUSTOMS")
    client = signed_in(registered, "customs")
    answer = post_form(
        client,
        "/declarations/queue?lane=document",
        f"/declarations/{view['id']}/reviews/{customs['id']}/decision",
        {
            "decision": "approve",
            "reason": "",
            "version": str(customs["version"]),
            "origin": "queue",
            "lane": "document",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/declarations/queue?lane=document"
    back = client.get(answer.headers["location"])
    assert text_of(back, "notice") == T("Decision recorded.")
    assert ids_of(back, "cargo-row") == [] and text_of(back, "lane-count-document") == "0"
    page = signed_in(registered, "broker").get(f"/declarations/{view['id']}")
    assert text_of(page, "release-number") == f"RN-CNTAO-{view['id']:08d}"
    assert text_of(page, "officer") == "customs"


def test_a_stale_queue_gets_the_conflict_message_on_the_queue(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="Q-STALE", **C_TRADER)
    customs = review_of(view, "CUSTOMS")
    client = signed_in(registered, "customs", lang="en")
    token = token_of(client.get("/declarations/queue"))
    reviews.decide(registered, people["customs"], customs["id"], Decision.APPROVE, "")
    answer = client.post(
        f"/declarations/{view['id']}/reviews/{customs['id']}/decision",
        data={
            "decision": "reject",
            "reason": "wrong trader",
            "version": str(customs["version"]),
            "origin": "queue",
            "lane": "document",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 409
    assert "Someone changed this" in text_of(answer, "form-message")
    assert 'data-testid="lane-tabs"' in answer.text


def test_only_customs_and_ciq_have_a_cargo_queue(registered: ServiceContext) -> None:
    for who in ("broker", "terminal", "msa"):
        assert signed_in(registered, who).get("/declarations/queue").status_code == 403


# Seizure and gate-out: both need the session's CSRF token


def test_seizure_needs_the_csrf_token_and_a_reason(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="SEIZE-1", **D_TRADER)
    client = signed_in(registered, "customs")
    page_url = f"/declarations/{view['id']}"
    forged = client.post(f"{page_url}/seizure", data={"reason": "smuggled ivory"})
    assert forged.status_code == 403
    assert queries.get_declaration(registered, people["broker"], view["id"])["status"] == (
        "inspection"
    )
    blank = post_form(client, page_url, f"{page_url}/seizure", {"reason": "  "})
    assert blank.status_code == 422
    assert text_of(blank, "error-seizure-reason") == "请填写查扣理由。"
    seized = post_form(client, page_url, f"{page_url}/seizure", {"reason": "smuggled ivory"})
    assert seized.status_code == 303 and seized.headers["location"] == page_url
    page = signed_in(registered, "broker").get(page_url)
    assert text_of(page, "status-reason") == "smuggled ivory"
    assert 'data-status="seized"' in page.text
    assert "货物已扣押" in text_of(page, "audit-trail")
    again = post_form(client, page_url, f"{page_url}/seizure", {"reason": "twice"})
    assert again.status_code == 409  # seized goods cannot be seized again
    assert "cannot be seized" in text_of(again, "form-message")


def test_gate_out_needs_the_csrf_token_and_is_recorded_at_the_time_typed(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    view = file_declaration(registered, people, reference="GATE-1")
    client = signed_in(registered, "terminal")
    page_url = f"/declarations/{view['id']}"
    foreign = token_of(signed_in(registered, "customs").get("/"))
    for data in ({}, {"csrf_token": foreign}):
        refused = client.post(f"{page_url}/gate-out", data=data)
        assert refused.status_code == 403
    assert (
        queries.get_declaration(registered, people["terminal"], view["id"])["gated_out_at"] is None
    )
    early = post_form(
        client, page_url, f"{page_url}/gate-out", {"at": local(clock.now - timedelta(hours=1))}
    )
    assert early.status_code == 409
    assert "before the release" in text_of(early, "form-message")
    clock.advance(hours=3)
    typed = clock.now - timedelta(minutes=20)
    done = post_form(client, page_url, f"{page_url}/gate-out", {"at": local(typed)})
    assert done.status_code == 303 and done.headers["location"] == page_url
    after = queries.get_declaration(registered, people["terminal"], view["id"])
    assert after["status"] == "gated_out"
    assert datetime.fromisoformat(after["gated_out_at"]) == typed.replace(second=0)
    page = client.get(page_url)
    assert text_of(page, "notice") == T("Gate-out recorded")
    assert 'data-testid="gate-out-form-' not in page.text


# Each role's home


def test_broker_home_lists_held_and_rejected_first(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    released = file_declaration(registered, people, reference="H-G")
    waiting = file_declaration(registered, people, reference="H-C1", **C_TRADER)
    rejected = file_declaration(registered, people, reference="H-C2", **C_TRADER)
    reviews.decide(
        registered,
        people["customs"],
        review_of(rejected, "CUSTOMS")["id"],
        Decision.REJECT,
        "trade mode does not fit the goods",
    )
    held = file_declaration(registered, people, reference="H-D", **D_TRADER)
    booked = queries.get_declaration(registered, people["customs"], held["id"])["inspections"][0]
    inspections.record_result(
        registered, people["customs"], booked["id"], False, "200 more cartons"
    )
    page = signed_in(registered, "broker").get("/")
    assert page.status_code == 200
    assert ids_of(page, "declaration-row") == [
        str(held["id"]),
        str(rejected["id"]),
        str(waiting["id"]),
    ]
    assert text_of(page, f"status-reason-{held['id']}") == "inspection failed: 200 more cartons"
    assert ids_of(page, "released-row") == [str(released["id"])]
    assert text_of(page, "count-held") == "暂扣 1" and text_of(page, "count-released") == "已放行 1"
    assert 'data-testid="file-declaration-link"' in page.text
    nav = re.findall(r'data-testid="nav-(\w+)"', page.text)
    assert "declarations" in nav and "declare" in nav and "new" not in nav


def test_officer_home_adds_the_cargo_queue_counts(
    registered: ServiceContext, people: People
) -> None:
    file_declaration(registered, people, reference="O-C", **C_TRADER)
    file_declaration(registered, people, reference="O-D", **D_TRADER)
    page = signed_in(registered, "customs").get("/")
    assert text_of(page, "cargo-count-document").endswith("1")
    assert text_of(page, "cargo-count-inspection").endswith("1")
    assert 'href="/declarations/queue?lane=document"' in page.text
    assert 'data-testid="cargo-counts"' not in signed_in(registered, "msa").get("/").text


def test_terminal_home_lists_released_goods_and_gates_them_out_in_one_click(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    released = file_declaration(registered, people, reference="TERM-G")
    file_declaration(registered, people, reference="T-C", **C_TRADER)
    clock.advance(minutes=45)
    client = signed_in(registered, "terminal")
    home = client.get("/")
    assert ids_of(home, "gate-row") == [str(released["id"])]
    assert f'value="{local(clock.now)}"' in home.text
    answer = post_form(
        client,
        "/",
        f"/declarations/{released['id']}/gate-out",
        {"at": local(clock.now), "origin": "home"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    after = client.get("/")
    assert text_of(after, "notice") == T("Gate-out recorded")
    assert ids_of(after, "gate-row") == [] and 'data-testid="gate-empty"' in after.text


# Both languages, every page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_cargo_page_answers_in_both_languages(
    registered: ServiceContext, people: People, lang: str
) -> None:
    green = file_declaration(registered, people, reference="L-G")
    inspected = file_declaration(registered, people, reference="L-D", **D_TRADER)
    toys = file_declaration(registered, people, reference="L-T", items=[TOYS])
    pages = {
        "broker": ["/", "/declarations", "/declarations/new", "/declarations/upload",
                   f"/declarations/{green['id']}", f"/declarations/{inspected['id']}"],
        "customs": ["/", "/declarations", "/declarations/queue", "/declarations/queue?lane=green",
                    f"/declarations/{inspected['id']}"],
        "ciq": ["/", "/declarations/queue", f"/declarations/{toys['id']}"],
        "terminal": ["/", "/declarations", f"/declarations/{green['id']}"],
        "port_office": ["/declarations", f"/declarations/{inspected['id']}"],
    }  # fmt: skip
    words = {"zh": "报关单", "en": "Declarations"}
    for username, paths in pages.items():
        client = signed_in(registered, username, lang=lang)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (username, path, page.text[:800])
            assert words[lang] in page.text
    assert (
        signed_in(registered, "terminal").get(f"/declarations/{inspected['id']}").status_code == 404
    )
    english = signed_in(registered, "broker", lang="en").get(f"/declarations/{green['id']}")
    assert text_of(english, "declaration-lane") == "Green lane"
    chinese = signed_in(registered, "broker").get(f"/declarations/{green['id']}")
    assert text_of(chinese, "declaration-lane") == "绿色通道"
    assert text_of(chinese, "declaration-status") == "已放行"


def test_the_cusres_of_a_declaration_downloads_as_edifact(
    registered: ServiceContext, people: People
) -> None:
    view = file_declaration(registered, people, reference="RES-1")
    answer = signed_in(registered, "broker").get(f"/declarations/{view['id']}/cusres")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/edifact")
    [response] = parse_cusres(answer.text)
    assert response.declaration_id == view["id"] and response.status == "released"
