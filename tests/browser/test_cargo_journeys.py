"""A broker's declaration through each risk lane in a real browser: filed through the form,
(a) green: released on filing with its release notice; (b) document review: the customs officer
approves it from the cargo queue and the broker sees it released; (c) inspection: customs records
the inspection's pass on the declaration page, the goods are released and the terminal lets them
out of the gate. The shared clock moves between the steps, so every time shown is known.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from kouan.adapters.cusdec import write_cusdec
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.ui.display import PORT_ZONE
from kouan.web.ui.i18n import translations
from tests.browser.conftest import PageFor, screenshot
from tests.conftest import Clock
from tests.factories import TRADERS, declaration

T = translations("zh").gettext


def shown(moment: datetime) -> str:
    """A time as the pages show it: Beijing time with the date."""
    return moment.astimezone(PORT_ZONE).strftime("%Y-%m-%d %H:%M")


def submit(page: Page, button: Locator) -> None:
    """Click a form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def expect_notice(page: Page, message: str) -> None:
    expect(page.get_by_test_id("notice")).to_have_text(T(message))


def expect_status(page: Page, status: str) -> None:
    badge = page.get_by_test_id("declaration-status").get_by_test_id("status-badge")
    expect(badge).to_have_attribute("data-status", status)


def declaration_fields(reference: str, trader: str) -> dict[str, str]:
    """What the broker types: an export of cotton T-shirts from Qingdao, declared in Jinan."""
    name = TRADERS[trader][0]
    return {
        "reference": reference,
        "trader": trader,
        "trader_name": name,
        "trade_mode": "0110",
        "transport.vessel": "COSCO SHIPPING ARIES",
        "transport.imo": "9783502",
        "transport.voyage": "051E",
        "transport.bill_of_lading": "COSU6300112233",
        "items[0].hs_code": "610910",
        "items[0].description": "cotton T-shirts",
        "items[0].quantity": "1000",
        "items[0].unit": "PCE",
        "items[0].value": "4500",
        "items[0].currency": "USD",
        "items[0].origin": "CN",
    }


def broker_files(page: Page, reference: str, trader: str, name: str | None = None) -> int:
    """From the broker's home, through the form, to the declaration page; its number."""
    page.goto("/")
    page.get_by_test_id("file-declaration-link").click()
    expect(page).to_have_url(re.compile(r"/declarations/new$"))
    expect(page.get_by_test_id("input-declaration_office")).to_have_value("CNJNA")
    expect(page.get_by_test_id("input-release_port")).to_have_value("CNTAO")
    for field, value in declaration_fields(reference, trader).items():
        page.get_by_test_id(f"input-{field}").fill(value)
    page.get_by_test_id("input-direction").select_option("export")
    page.get_by_test_id("input-containers").fill("CSQU3054383\nMSCU1234566")
    if name:
        screenshot(page, name)
    submit(page, page.get_by_test_id("declaration-submit"))
    expect(page).to_have_url(re.compile(r"/declarations/\d+$"))
    expect_notice(page, "Declaration filed")
    expect(page.get_by_test_id("declaration-reference")).to_have_text(reference)
    return int(page.url.rsplit("/", 1)[1])


def check_release(page: Page, declaration_id: int, released: datetime, clearance: str) -> None:
    """The release notice: its number, the time and the clearance time."""
    expect_status(page, "released")
    notice = page.get_by_test_id("release-notice")
    expect(notice.get_by_test_id("release-number")).to_have_text(f"RN-CNTAO-{declaration_id:08d}")
    expect(notice.get_by_test_id("released-at")).to_have_text(shown(released))
    expect(notice.get_by_test_id("clearance-time")).to_have_text(clearance)


def test_a_green_lane_declaration_is_released_on_filing(
    registered: ServiceContext, page_for: PageFor, clock: Clock
) -> None:
    broker = page_for("broker")
    declaration_id = broker_files(broker, "JRN-GREEN", "3702960003", name="declaration-form")
    lane = broker.get_by_test_id("declaration-lane").get_by_test_id("lane-badge")
    expect(lane).to_have_attribute("data-lane", "green")
    check_release(broker, declaration_id, clock.now, T("under a minute"))
    customs = broker.get_by_test_id("agency-card-CUSTOMS")
    expect(customs.get_by_test_id("status-badge")).to_have_attribute("data-status", "approved")
    expect(customs).to_contain_text(T("Rules"))
    expect(broker.get_by_test_id("items-table")).to_contain_text("cotton T-shirts")
    expect(broker.get_by_test_id("containers")).to_contain_text("MSCU1234566")
    screenshot(broker, "declaration-green")
    broker.get_by_test_id("nav-declarations").click()
    row = broker.get_by_test_id(f"declaration-row-{declaration_id}")
    expect(row.get_by_test_id("status-badge")).to_have_attribute("data-status", "released")


def test_a_document_lane_declaration_is_approved_from_the_cargo_queue(
    registered: ServiceContext, page_for: PageFor, clock: Clock
) -> None:
    broker = page_for("broker")
    filed = clock.now
    declaration_id = broker_files(broker, "JRN-DOC", "3702960004")
    expect_status(broker, "under_review")
    lane = broker.get_by_test_id("declaration-lane").get_by_test_id("lane-badge")
    expect(lane).to_have_attribute("data-lane", "document")
    expect(broker.get_by_test_id("lane-rules")).to_contain_text("CC-C")
    expect(broker.get_by_test_id("release-notice")).to_have_count(0)
    broker.get_by_test_id("nav-home").click()
    row = broker.get_by_test_id(f"declaration-row-{declaration_id}")
    expect(row.get_by_test_id("status-badge").first).to_have_attribute(
        "data-status", "under_review"
    )
    screenshot(broker, "broker-home")

    clock.advance(minutes=25)
    customs = page_for("customs")
    expect(customs.get_by_test_id("cargo-count-document")).to_contain_text("1")
    customs.get_by_test_id("nav-cargo_queue").click()
    expect(customs).to_have_url(re.compile(r"/declarations/queue$"))
    expect(customs.get_by_test_id("lane-count-document")).to_have_text("1")
    expect(customs.get_by_test_id("lane-count-green")).to_have_text("0")
    row = customs.get_by_test_id(f"cargo-row-{declaration_id}")
    expect(row.get_by_test_id(f"age-{declaration_id}")).to_have_text(T("%(m)d min") % {"m": 25})
    decide = row.locator("details.decide")
    testid = decide.get_attribute("data-testid")
    assert testid is not None
    review_id = int(testid.removeprefix("decide-"))
    row.get_by_test_id(f"decide-open-{review_id}").click()
    row.get_by_test_id(f"decision-approve-{review_id}").check()
    row.get_by_test_id(f"reason-{review_id}").fill("商业发票与装箱单核对无误")
    screenshot(customs, "cargo-queue")
    submit(customs, row.get_by_test_id(f"decide-submit-{review_id}"))
    expect_notice(customs, "Decision recorded.")
    expect(customs.get_by_test_id(f"cargo-row-{declaration_id}")).to_have_count(0)
    expect(customs.get_by_test_id("cargo-queue-empty")).to_be_visible()

    broker.goto(f"/declarations/{declaration_id}")
    check_release(broker, declaration_id, clock.now, T("%(m)d min") % {"m": 25})
    card = broker.get_by_test_id("agency-card-CUSTOMS")
    expect(card.get_by_test_id("officer")).to_have_text("customs")
    expect(card.get_by_test_id("reason")).to_have_text("商业发票与装箱单核对无误")
    expect(broker.get_by_test_id("filed-at")).to_contain_text(shown(filed))
    screenshot(broker, "declaration-released")


def test_an_inspected_declaration_is_released_on_a_pass_and_gated_out(
    registered: ServiceContext, page_for: PageFor, clock: Clock
) -> None:
    broker = page_for("broker")
    declaration_id = broker_files(broker, "JRN-INSP", "3702960005")
    expect_status(broker, "inspection")
    expect(broker.get_by_test_id("lane-rules")).to_contain_text("CC-D")
    booked = broker.get_by_test_id("inspections-table").locator("tbody tr")
    expect(booked).to_have_count(1)
    expect(booked.get_by_test_id("inspection-status")).to_have_attribute("data-status", "booked")

    clock.advance(hours=3)
    customs = page_for("customs")
    customs.goto("/declarations/queue?lane=inspection")
    row = customs.get_by_test_id(f"cargo-row-{declaration_id}")
    row.get_by_test_id(f"declaration-link-{declaration_id}").click()
    expect(customs).to_have_url(re.compile(rf"/declarations/{declaration_id}$"))
    form = customs.locator("form[data-testid^=inspection-form-]")
    form.locator("input[value=pass]").check()
    form.locator("select[name=kind]").select_option("opened")
    form.locator("textarea[name=finding]").fill("开箱查验：货物与申报相符")
    screenshot(customs, "declaration-inspection")
    submit(customs, form.locator("button[type=submit]"))
    expect_notice(customs, "Inspection result recorded")
    expect_status(customs, "released")
    inspection = customs.get_by_test_id("inspections-table").locator("tbody tr")
    expect(inspection.get_by_test_id("inspection-status")).to_have_attribute(
        "data-status", "passed"
    )
    expect(inspection).to_contain_text("开箱查验：货物与申报相符")

    broker.reload()
    check_release(broker, declaration_id, clock.now, T("%(h)d h %(m)02d min") % {"h": 3, "m": 0})

    clock.advance(minutes=40)
    terminal = page_for("terminal")
    terminal.goto("/")
    gate = terminal.get_by_test_id(f"gate-row-{declaration_id}")
    expect(gate.get_by_test_id(f"gate-out-at-{declaration_id}")).to_have_value(
        clock.now.astimezone(PORT_ZONE).strftime("%Y-%m-%dT%H:%M")
    )
    screenshot(terminal, "terminal-gate")
    submit(terminal, gate.get_by_test_id(f"gate-out-button-{declaration_id}"))
    expect_notice(terminal, "Gate-out recorded")
    expect(terminal.get_by_test_id(f"gate-row-{declaration_id}")).to_have_count(0)

    broker.reload()
    expect_status(broker, "gated_out")
    expect(broker.get_by_test_id("gated-out-at")).to_have_text(shown(clock.now))
    trail = broker.get_by_test_id("audit-trail")
    for action in ("Declaration filed", "Inspection result recorded", "Gate-out recorded"):
        expect(trail.locator("tbody tr", has_text=T(action))).to_have_count(1)


def test_a_broker_uploads_a_cusdec_file_and_reads_each_answer(
    registered: ServiceContext, page_for: PageFor, clock: Clock, tmp_path: Path
) -> None:
    """Two declarations from the broker's own system: one accepted into its lane, one refused
    (its trader is not registered); the CUSRES is shown and offered for download."""
    batch = [
        declaration(reference="EDI-GREEN"),
        declaration(reference="EDI-UNKNOWN", trader="3702960099", trader_name="Nobody Ltd"),
    ]
    upload = tmp_path / "batch.edi"
    upload.write_text(write_cusdec(batch, "QDBROKER", "KOUAN", "IC0042", clock.now))
    broker = page_for("broker")
    broker.get_by_test_id("upload-link").click()
    broker.get_by_test_id("input-cusdec").set_input_files(upload)
    submit(broker, broker.get_by_test_id("upload-submit"))
    expect(broker.get_by_test_id("count-accepted")).to_have_text("1")
    expect(broker.get_by_test_id("count-rejected")).to_have_text("1")
    rows = broker.get_by_test_id("upload-table").locator("tbody tr")
    expect(rows.nth(0)).to_have_attribute("data-result", "accepted")
    expect(rows.nth(0).get_by_test_id("lane-badge")).to_have_attribute("data-lane", "green")
    expect(rows.nth(1)).to_have_attribute("data-result", "rejected")
    expect(rows.nth(1)).to_contain_text("3702960099")
    expect(broker.get_by_test_id("cusres")).to_contain_text("UNH+")
    with broker.expect_download() as download:
        broker.get_by_test_id("cusres-download").click()
    assert download.value.suggested_filename == "cusres-IC0042.edi"
    screenshot(broker, "declaration-upload")
    broker.get_by_test_id("nav-declarations").click()
    expect(broker.get_by_test_id("declarations-table").locator("tbody tr")).to_have_count(1)
    screenshot(broker, "declaration-list")
