"""The cargo-risk pages through HTTP, on SQLite and PostgreSQL: the risk rule versions and the
draft editor (errors beside the fields, the test against recent declarations, activation), the
inspection schedule (capacity and results), the clearance-time panel, traders' credit classes,
the board's cargo panel, who may see and do what, and plotly.js from the installed package."""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib import metadata
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kouan.domain.agency import Decision
from kouan.services.cargo import clearance, queries, risk_rules, traders
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import inspections, reviews
from kouan.web.app import create_app
from kouan.web.ui.display import PORT_ZONE
from tests.api.test_pages import post_form, signed_in, text_of, texts_of, token_of
from tests.conftest import Clock, People, file_declaration
from tests.factories import trader

T_SHIRT_RULE = {
    "rule.code": "HS-TSHIRT",
    "rule.title": "Knitted T-shirts",
    "rule.title_zh": "针织T恤衫",
    "rule.lane": "document",
    "rule.kind": "hs_prefix",
    "rule.values": "6109",
}
# Traders of tests.factories by credit class.
CLASS_B, CLASS_C, CLASS_D = "3702960003", "3702960004", "3702960005"


def customs_review(view: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in view["reviews"] if r["agency"] == "CUSTOMS")


def today(clock: Clock) -> date:
    return clock.now.astimezone(PORT_ZONE).date()


def new_draft(client: TestClient) -> int:
    """Start a draft from the risk rules page; the editor's version number."""
    answer = post_form(client, "/risk-rules", "/risk-rules/drafts", {"note": "T-shirts"})
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/risk-rules/(\d+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return int(found.group(1))


def add_rule(client: TestClient, version: int, **changes: str) -> Response:
    editor = f"/risk-rules/{version}"
    return post_form(client, editor, f"{editor}/rules", {**T_SHIRT_RULE, **changes})


def seconds_shown(page: Response, testid: str) -> float | None:
    """The exact figure behind a shown time (its data-seconds attribute)."""
    found = re.search(rf'data-testid="{re.escape(testid)}" data-seconds="([^"]*)"', page.text)
    assert found, f"no figure {testid}"
    return None if found.group(1) == "None" else float(found.group(1))


# Risk rules: versions, hit rates, the editor


def test_active_rules_show_hits_and_hit_rate_sorted_by_hits(
    registered: ServiceContext, people: People
) -> None:
    file_declaration(registered, people, reference="D-1", **trader("D"))
    file_declaration(registered, people, reference="D-2", **trader("D"))
    file_declaration(registered, people, reference="C-1", **trader("C"))
    file_declaration(registered, people, reference="B-1")
    page = signed_in(registered, "customs", lang="en").get("/risk-rules?sort=hits")
    assert page.status_code == 200
    rows = re.findall(r'data-testid="rule-row-([\w.-]+)"', page.text)
    assert rows[:2] == ["CC-D", "CC-C"] and len(rows) == 25
    assert (text_of(page, "hits-CC-D"), text_of(page, "rate-CC-D")) == ("2", "50%")
    assert (text_of(page, "hits-CC-C"), text_of(page, "rate-CC-C")) == ("1", "25%")
    assert text_of(page, "hits-HS-ARMS") == "0"
    assert "4 declarations assessed" in text_of(page, "active-summary")
    assert text_of(page, "version-row-1").startswith("v1 Active")
    in_order = signed_in(registered, "customs").get("/risk-rules")
    assert re.findall(r'data-testid="rule-row-([\w.-]+)"', in_order.text)[0] == "CC-AA"
    assert 'href="/traders"' in in_order.text


def test_the_editor_shows_each_error_beside_its_field_with_what_was_typed(
    registered: ServiceContext, people: People
) -> None:
    client = signed_in(registered, "customs")
    version = new_draft(client)
    refused = add_rule(
        client, version, **{"rule.code": "T SHIRT!", "rule.title": "", "rule.values": "61X9, 6109"}
    )
    assert refused.status_code == 422
    assert "请更正标出的字段" in text_of(refused, "form-message")
    assert text_of(refused, "error-rule.code") == (
        "“T SHIRT!”：1至40个字母、数字、连字符、下划线或点，如 HS-6109。"
    )
    assert text_of(refused, "error-rule.title") == "名称须为1至200个字符。"
    assert text_of(refused, "error-rule.values") == (
        "“61X9”：2至10位数字的商品编码前缀，如 6109 或 847130。"
    )
    assert 'value="T SHIRT!"' in refused.text and "61X9, 6109</textarea>" in refused.text
    english = signed_in(registered, "customs", lang="en")
    ranged = add_rule(
        english,
        version,
        **{"rule.kind": "unit_value", "rule.hs_prefix": "6109", "rule.low": "20", "rule.high": "5"},
    )
    assert ranged.status_code == 422
    assert text_of(ranged, "error-rule.high") == '"5": At least the low value.'
    assert 'value="20"' in ranged.text
    nothing = add_rule(english, version, **{"rule.values": " , "})
    assert text_of(nothing, "error-rule.values").endswith("e.g. 6109 or 847130.")
    found = risk_rules.get_version(registered, people["customs"], version)
    assert "HS-TSHIRT" not in {r["code"] for r in found["rules"]}


def test_a_draft_is_tested_on_recent_declarations_and_activated(
    registered: ServiceContext, people: People
) -> None:
    earlier = [file_declaration(registered, people, reference=f"B-{n}") for n in range(3)]
    assert {v["lane"] for v in earlier} == {"green"}
    client = signed_in(registered, "customs", lang="en")
    version = new_draft(client)
    added = add_rule(client, version)
    assert added.status_code == 303
    assert added.headers["location"] == f"/risk-rules/{version}#rule-HS-TSHIRT"
    tested = client.get(f"/risk-rules/{version}?last=10")
    assert tested.status_code == 200
    assert text_of(tested, "test-summary") == (
        f"Of the last 3 declarations, 3 would go to another lane with v{version} "
        "than with the active v1."
    )
    assert (text_of(tested, "test-now-green"), text_of(tested, "test-then-green")) == ("3", "0")
    assert text_of(tested, "test-then-document") == "3"
    assert text_of(tested, "test-diff-document") == "+3"
    assert text_of(tested, "test-hits-HS-TSHIRT") == "3"
    for view in earlier:
        assert f'href="/declarations/{view["id"]}"' in tested.text
    activated = post_form(client, f"/risk-rules/{version}", f"/risk-rules/{version}/activate", {})
    assert activated.status_code == 303
    assert activated.headers["location"] == f"/risk-rules?activated={version}"
    after = client.get(activated.headers["location"])
    assert f"Version {version} decides" in text_of(after, "activated")
    assert text_of(after, f"version-row-{version}").startswith(f"v{version} Active")
    assert text_of(after, "version-row-1").startswith("v1 Retired")
    assert 'data-testid="activated"' not in client.get("/risk-rules?activated=1").text
    assert text_of(after, "hits-HS-TSHIRT") == "0"
    view = file_declaration(registered, people, reference="B-after")
    assert (view["lane"], view["rules_hit"]) == ("document", ["HS-TSHIRT"])
    assert text_of(client.get("/risk-rules"), "hits-HS-TSHIRT") == "1"


def test_a_bad_test_size_is_refused_beside_its_field(registered: ServiceContext) -> None:
    client = signed_in(registered, "customs")
    for typed in ("lots", "0", "100001"):
        page = client.get(f"/risk-rules/1?last={typed}")
        assert page.status_code == 422
        assert text_of(page, "error-last") == f"“{typed}”：请填写1至100,000之间的整数。"
        assert f'value="{typed}"' in page.text


def test_rates_and_rule_removal_change_the_draft(
    registered: ServiceContext, people: People
) -> None:
    client = signed_in(registered, "customs", lang="en")
    version = new_draft(client)
    editor = f"/risk-rules/{version}"
    saved = post_form(
        client,
        editor,
        f"{editor}/rates",
        {"random_rates.document": "5", "random_rates.inspection": "0.5"},
    )
    assert saved.status_code == 303
    customs = people["customs"]
    assert risk_rules.get_version(registered, customs, version)["random_rates"] == {
        "document": 0.05,
        "inspection": 0.005,
    }
    refused = post_form(
        client,
        editor,
        f"{editor}/rates",
        {"random_rates.document": "lots", "random_rates.inspection": "2"},
    )
    assert refused.status_code == 422
    assert text_of(refused, "error-random_rates.document") == (
        '"lots": A percentage from 0 to 100, e.g. 3.'
    )
    assert 'value="lots"' in refused.text
    too_much = post_form(
        client,
        editor,
        f"{editor}/rates",
        {"random_rates.document": "80", "random_rates.inspection": "30"},
    )
    assert text_of(too_much, "error-random_rates.inspection") == (
        '"30": The two rates add up to at most 100 %.'
    )
    removed = post_form(client, editor, f"{editor}/rules/HS-ARMS/delete", {})
    assert removed.status_code == 303
    codes = {r["code"] for r in risk_rules.get_version(registered, customs, version)["rules"]}
    assert "HS-ARMS" not in codes and len(codes) == 24
    again = post_form(client, editor, f"{editor}/rules/HS-ARMS/delete", {})
    assert again.status_code == 404
    active = post_form(client, "/risk-rules/1", "/risk-rules/1/rules/CC-D/delete", {})
    assert active.status_code == 409  # only a draft changes
    assert "This is not possible" in text_of(active, "form-message")


def test_who_may_read_and_edit_risk_rules(registered: ServiceContext) -> None:
    customs = signed_in(registered, "customs")
    version = new_draft(customs)
    broker = signed_in(registered, "broker")
    for path in ("/risk-rules", f"/risk-rules/{version}", "/inspections"):
        assert broker.get(path).status_code == 403, path
    port_office = signed_in(registered, "port_office")
    editor = port_office.get(f"/risk-rules/{version}")
    assert editor.status_code == 200
    assert 'data-testid="read-only"' in editor.text
    for form in ("add-rule-form", "rates-form", "activate-form", "delete-form-CC-D"):
        assert f'data-testid="{form}"' not in editor.text
    assert 'data-testid="test-form"' in editor.text  # testing changes nothing: anyone reading may
    assert port_office.get(f"/risk-rules/{version}?last=5").status_code == 200
    assert add_rule(port_office, version).status_code == 403
    rates = {"random_rates.document": "lots", "random_rates.inspection": "1"}
    editor_url = f"/risk-rules/{version}"
    assert post_form(port_office, editor_url, f"{editor_url}/rates", rates).status_code == 403
    listing = port_office.get("/risk-rules")
    assert 'data-testid="new-draft-form"' not in listing.text
    assert post_form(port_office, "/risk-rules", "/risk-rules/drafts", {}).status_code == 403
    assert customs.get("/risk-rules/999999").status_code == 404
    assert customs.get("/risk-rules/99999999999999999999").status_code == 404


# The inspection schedule


def test_the_schedule_shows_bookings_and_officers_record_results(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    held = file_declaration(registered, people, reference="D-1", **trader("D"))
    passed = file_declaration(registered, people, reference="D-2", **trader("D"))
    day = today(clock).isoformat()
    client = signed_in(registered, "customs", lang="en")
    page = client.get("/inspections")
    assert page.status_code == 200
    assert text_of(page, f"load-{day}") == "2 of 40 booked"
    assert re.search(rf'data-testid="bar-{day}" data-full="5"', page.text)
    ids = re.findall(r'data-testid="inspection-(\d+)"', page.text)
    assert len(ids) == 2
    first, second = (int(i) for i in ids)
    assert f'href="/declarations/{held["id"]}"' in page.text
    refused = post_form(client, "/inspections", f"/inspections/{first}/result", {"result": "fail"})
    assert refused.status_code == 422
    assert text_of(refused, f"error-result-{first}-finding") == (
        "Say what the inspection found (required on fail)."
    )
    unchosen = post_form(client, "/inspections", f"/inspections/{first}/result", {"finding": "x"})
    assert text_of(unchosen, f"error-result-{first}-result") == "Choose pass or fail."
    failed = post_form(
        client,
        "/inspections",
        f"/inspections/{first}/result",
        {"result": "fail", "finding": "undeclared cigarettes", "kind": "opened", "site": "CNTAO"},
    )
    assert failed.status_code == 303
    assert failed.headers["location"] == f"/inspections?site=CNTAO#inspection-{first}"
    ok = post_form(client, "/inspections", f"/inspections/{second}/result", {"result": "pass"})
    assert ok.status_code == 303
    after = client.get("/inspections")
    assert texts_of(after, "inspection-status") == ["Failed", "Passed"]
    assert "undeclared cigarettes" in text_of(after, f"inspection-{first}")
    customs = people["customs"]
    assert queries.get_declaration(registered, customs, held["id"])["status"] == "held"
    assert queries.get_declaration(registered, customs, passed["id"])["status"] == "released"
    twice = post_form(client, "/inspections", f"/inspections/{second}/result", {"result": "pass"})
    assert twice.status_code == 409


def test_a_days_capacity_is_set_through_its_form(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    file_declaration(registered, people, reference="D-1", **trader("D"))
    file_declaration(registered, people, reference="D-2", **trader("D"))
    day = today(clock).isoformat()
    client = signed_in(registered, "customs", lang="en")
    fields = {"site": "CNTAO", "day": day}
    saved = post_form(client, "/inspections", "/inspections/capacity", {**fields, "capacity": "4"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert text_of(page, f"load-{day}") == "2 of 4 booked"
    assert re.search(rf'data-testid="bar-{day}" data-full="50"', page.text)
    below = post_form(client, "/inspections", "/inspections/capacity", {**fields, "capacity": "1"})
    assert below.status_code == 409
    assert text_of(below, f"error-capacity-{day}-capacity") == (
        '"1": Not below what is already booked.'
    )
    assert re.search(rf'value="1"\s+data-testid="capacity-{day}-capacity"', below.text)
    bad = post_form(client, "/inspections", "/inspections/capacity", {**fields, "capacity": "x"})
    assert bad.status_code == 422
    assert text_of(bad, f"error-capacity-{day}-capacity") == (
        '"x": A whole number of inspections from 0 to 10,000.'
    )
    plan = inspections.schedule(registered, people["customs"], "CNTAO")
    assert plan["days"][0]["capacity"] == 4
    far = client.get("/inspections?first=9999-12-31&site=cntao")
    assert far.status_code == 200 and f'data-testid="day-{day}"' in far.text


def test_inspection_forms_need_the_csrf_token_and_the_right_agency(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    file_declaration(registered, people, reference="D-1", **trader("D"))
    [booked] = inspections.schedule(registered, people["customs"], "CNTAO")["days"][0][
        "inspections"
    ]
    client = signed_in(registered, "customs")
    day = today(clock).isoformat()
    forged = client.post(
        "/inspections/capacity", data={"site": "CNTAO", "day": day, "capacity": "0"}
    )
    assert forged.status_code == 403
    forged_result = client.post(f"/inspections/{booked['id']}/result", data={"result": "pass"})
    assert forged_result.status_code == 403
    assert inspections.schedule(registered, people["customs"], "CNTAO")["days"][0]["capacity"] == 40
    port_office = signed_in(registered, "port_office").get("/inspections")
    assert f'data-testid="inspection-{booked["id"]}"' in port_office.text
    assert "capacity-form" not in port_office.text and "result-form" not in port_office.text
    reader = signed_in(registered, "port_office")
    capacity = {"site": "CNTAO", "day": day, "capacity": "x"}
    assert post_form(reader, "/inspections", "/inspections/capacity", capacity).status_code == 403
    ciq = signed_in(registered, "ciq")
    assert f'data-testid="inspection-{booked["id"]}"' not in ciq.get("/inspections").text
    answer = post_form(
        ciq, "/inspections", f"/inspections/{booked['id']}/result", {"result": "pass"}
    )
    assert answer.status_code == 404


# The clearance-time panel


def release_some(ctx: ServiceContext, people: People, clock: Clock) -> None:
    """Green at once; documents approved after 25 and 50 minutes; an inspection after 3 h."""
    file_declaration(ctx, people, reference="G-1")
    file_declaration(ctx, people, reference="G-2", declaration_office="CNTAO")
    documents = [file_declaration(ctx, people, reference=f"C-{n}", **trader("C")) for n in range(2)]
    inspected = file_declaration(ctx, people, reference="D-1", **trader("D"))
    for minutes, view in zip((25, 25), documents, strict=True):
        clock.advance(minutes=minutes)
        reviews.decide(ctx, people["customs"], customs_review(view)["id"], Decision.APPROVE, "")
    clock.advance(minutes=130)
    [booked] = queries.get_declaration(ctx, people["customs"], inspected["id"])["inspections"]
    inspections.record_result(ctx, people["customs"], booked["id"], True, "as declared")
    clock.advance(days=1)
    file_declaration(ctx, people, reference="G-3")


def test_the_clearance_panel_shows_the_services_figures(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    release_some(registered, people, clock)
    expected = clearance.clearance_times(registered, people["port_office"])
    client = signed_in(registered, "port_office", lang="en")
    page = client.get("/clearance")
    assert page.status_code == 200
    assert text_of(page, "all-count") == str(expected["all"]["count"]) == "6"
    for key in ("mean", "p50", "p90", "p99"):
        assert seconds_shown(page, f"all-{key}") == expected["all"][f"{key}_s"]
    assert text_of(page, "all-p50") == "under a second"
    assert text_of(page, "all-p90") == "3 h 00 min"
    assert text_of(page, "all-mean") == expected_mean(expected)
    for row in expected["by_lane"]:
        assert text_of(page, f"by-lane-{row['lane']}-count") == str(row["count"])
        assert seconds_shown(page, f"by-lane-{row['lane']}-p90") == row["p90_s"]
    assert text_of(page, "by-lane-document-p50") == "25 min 00 s"
    offices = {row["office"]: row["count"] for row in expected["by_office"]}
    assert offices == {"CNJNA": 5, "CNTAO": 1}
    assert text_of(page, "by-office-CNTAO-count") == "1"
    days = [row["day"] for row in expected["by_day"]]
    assert len(days) == 2
    assert text_of(page, f"by-day-{days[0]}-count") == "5"
    assert 'src="/static-vendor/plotly.min.js"' in page.text
    assert f'"x": ["{days[0]}", "{days[1]}"]' in page.text
    chinese = signed_in(registered, "port_office").get("/clearance")
    assert text_of(chinese, "all-p90") == "3小时00分"
    assert text_of(chinese, "by-lane-document-p50") == "25分00秒"


def expected_mean(expected: dict[str, Any]) -> str:
    """The mean as the page words it in English: minutes and seconds under an hour."""
    total = round(expected["all"]["mean_s"])
    return f"{total // 60} min {total % 60:02d} s"


def test_the_period_filters_and_a_bad_period_is_named(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    release_some(registered, people, clock)
    day = today(clock)
    client = signed_in(registered, "customs", lang="en")
    last_day = client.get(f"/clearance?first={day}&last={day}")
    assert text_of(last_day, "all-count") == "1"
    assert text_of(last_day, "all-p50") == "under a second"
    reversed_period = client.get(f"/clearance?first={day}&last={day - timedelta(days=3)}")
    assert reversed_period.status_code == 422
    assert text_of(reversed_period, "error-first").endswith("A day on or before the last day.")
    beyond = client.get("/clearance?last=9999-12-31")
    assert beyond.status_code == 422
    assert text_of(beyond, "error-last") == '"9999-12-31": A date, e.g. 2027-05-31.'
    not_a_day = client.get("/clearance?first=yesterday")
    assert not_a_day.status_code == 422
    assert text_of(not_a_day, "error-first") == '"yesterday": A date, e.g. 2027-05-31.'
    assert 'value="yesterday"' in not_a_day.text
    exported = client.get(f"/clearance?first={day - timedelta(days=1)}&last={day}&format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "group,key,count,mean_s,p50_s,p90_s,p99_s"
    assert lines[1].startswith("all,,6,")


def test_a_broker_sees_its_own_clearance_times_only(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    release_some(registered, people, clock)
    assert text_of(signed_in(registered, "broker").get("/clearance"), "all-count") == "6"
    other = signed_in(registered, "broker2").get("/clearance")
    assert text_of(other, "all-count") == "0"
    assert 'data-testid="clearance-chart"' not in other.text
    assert signed_in(registered, "terminal").get("/clearance").status_code == 403


# Traders


def test_customs_registers_a_trader_and_changes_a_credit_class(
    registered: ServiceContext, people: People
) -> None:
    client = signed_in(registered, "customs")
    refused = post_form(
        client, "/traders", "/traders", {"code": "37abc", "name": "", "credit_class": "E"}
    )
    assert refused.status_code == 422
    assert text_of(refused, "error-code") == "“37abc”：10位数字或大写字母，如 3702960003。"
    assert text_of(refused, "error-name") == "名称须为1至200个字符。"
    assert text_of(refused, "error-credit_class") == "“E”：须为 AA、A、B、C、D 之一。"
    assert 'value="37abc"' in refused.text
    registered_now = post_form(
        client,
        "/traders",
        "/traders",
        {"code": "3702960077", "name": "Rizhao Steel Export", "credit_class": "A"},
    )
    assert registered_now.status_code == 303
    assert registered_now.headers["location"] == "/traders?changed=3702960077#trader-3702960077"
    changed = post_form(
        client,
        "/traders",
        "/traders",
        {"row": CLASS_B, "code": CLASS_B, "name": "Jinan Machinery Import", "credit_class": "D"},
    )
    assert changed.status_code == 303
    assert traders.get_trader(registered, people["customs"], CLASS_B)["credit_class"] == "D"
    d_class = client.get("/traders?credit_class=D")
    assert re.findall(r'data-testid="trader-row-(\w+)"', d_class.text) == [CLASS_B, CLASS_D]
    view = file_declaration(registered, people, reference="B-now-D")
    assert (view["lane"], view["rules_hit"]) == ("inspection", ["CC-D"])
    exported = client.get("/traders?format=csv&credit_class=A")
    assert exported.text.splitlines()[1:] == [
        line for line in exported.text.splitlines()[1:] if ",A," in line
    ]
    assert len(exported.text.splitlines()) == 3


def test_a_broker_reads_traders_but_may_not_change_them(registered: ServiceContext) -> None:
    broker = signed_in(registered, "broker")
    page = broker.get("/traders")
    assert page.status_code == 200
    assert len(re.findall(r'data-testid="trader-row-', page.text)) == 5
    assert 'data-testid="trader-form"' not in page.text
    answer = broker.post(
        "/traders",
        data={
            "code": CLASS_B,
            "name": "x",
            "credit_class": "AA",
            "csrf_token": token_of(page),
        },
    )
    assert answer.status_code == 403


# The board's cargo panel


def test_the_port_office_board_shows_todays_cargo(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    release_some(registered, people, clock)
    file_declaration(registered, people, reference="C-open", **trader("C"))
    page = signed_in(registered, "port_office", lang="en").get("/")
    assert page.status_code == 200
    assert text_of(page, "cargo-green-released") == "1"
    assert text_of(page, "cargo-document-under_review") == "1"
    assert text_of(page, "cargo-document-total") == "1"
    assert text_of(page, "cargo-inspection-total") == "0"
    assert text_of(page, "cargo-released-count") == "1"
    # Released at filing: a figure of "0 s" would read as broken.
    assert text_of(page, "cargo-p50") == "under a second"
    day = today(clock)
    expected = clearance.clearance_times(registered, people["port_office"], day, day)["all"]
    assert seconds_shown(page, "cargo-p90") == expected["p90_s"]
    zero_wait = signed_in(registered, "terminal").get("/board")
    assert zero_wait.status_code == 200 and 'data-testid="board-cargo"' not in zero_wait.text
    assert 'data-testid="board-cargo"' in signed_in(registered, "customs").get("/board").text


# Pages in both languages, and plotly.js from the installed package


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_risk_page_answers_in_both_languages(
    registered: ServiceContext, people: People, clock: Clock, lang: str
) -> None:
    release_some(registered, people, clock)
    pages = {
        "customs": ["/risk-rules", "/risk-rules/1", "/risk-rules/1?last=5", "/inspections",
                    "/clearance", "/traders", "/board"],
        "ciq": ["/inspections"],
        "port_office": ["/", "/risk-rules", "/inspections", "/clearance", "/traders"],
        "broker": ["/clearance", "/traders"],
    }  # fmt: skip
    for username, paths in pages.items():
        client = signed_in(registered, username, lang=lang)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (username, path, page.text[:500])
            assert "//cdn" not in page.text


def test_plotly_is_served_from_the_installed_package(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx))
    path = "/static-vendor/plotly.min.js"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.content.startswith(b"/**\n* plotly.js v")
    assert plain.headers["etag"] == f'"plotly-{metadata.version("plotly")}"'
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # decoded by the client
    assert int(packed.headers["content-length"]) < len(plain.content) // 2
    assert packed.headers["etag"] != plain.headers["etag"]
    for answer, encoding in ((plain, "identity"), (packed, "gzip")):
        headers = {"If-None-Match": answer.headers["etag"], "Accept-Encoding": encoding}
        assert client.get(path, headers=headers).status_code == 304
