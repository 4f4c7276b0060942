"""The whole journey in a real browser, as the issue tells it: an agent files, the four officers
decide, the entry permit appears, AIS brings the ship in, the terminal records operations, the
departure permit is issued the moment they complete, and the port office's board shows the call
gone with no minute lost. Also: the language switch, a form error kept beside its field, and an
officer who tries to hold without a reason.

The test moves the shared clock between the steps as a real call unfolds (filed three days ahead,
decided within the hour, in port from 07:40 to 21:00), so every time a page shows is known.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.ships import portcalls
from kouan.web.ui.display import PORT_ZONE
from kouan.web.ui.i18n import translations
from tests.api.conftest import QIANWAN, crew_paxlst, position_report
from tests.browser.conftest import PageFor, screenshot
from tests.conftest import PASSWORD, Clock, People
from tests.factories import arrival_notice, crew_data

# The words the pages show in their default language, Chinese.
T = translations("zh").gettext
AGENCIES = ("CUSTOMS", "CIQ", "BORDER", "MSA")
MMSI = "351759000"


def local(moment: datetime) -> str:
    """A datetime-local field's value at the port: 2026-11-30T07:40."""
    return moment.astimezone(PORT_ZONE).strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime) -> str:
    """A time as the pages show it: Beijing time with the date."""
    return moment.astimezone(PORT_ZONE).strftime("%Y-%m-%d %H:%M")


def arrival_fields(now: datetime, eta: datetime) -> dict[str, str]:
    """The arrival notice as the agent types it: an ill person aboard (CIQ orders boarding
    quarantine), fireworks of class 1 (MSA refers) and a package total that does not add up
    (customs refers); the crew and security level give border inspection nothing to look at."""
    return {
        "ship.imo": "9134270",
        "ship.mmsi": MMSI,
        "ship.name": "EVER DIADEM",
        "ship.call_sign": "3FOF8",
        "ship.flag": "PA",
        "voyage": "0521-012W",
        "eta": local(eta),
        "etd": local(eta + timedelta(hours=14)),
        "last_ports": "KRPUS, CNSHA",
        "cargo.items[0].description": "Furniture and parts",
        "cargo.items[0].packages": "1240",
        "cargo.items[0].gross_tonnes": "3150.25",
        "cargo.items[0].teu": "120",
        "cargo.items[0].bill_of_lading": "EGLV143700012345",
        "cargo.items[1].description": "Motor vehicle parts",
        "cargo.items[1].packages": "860",
        "cargo.items[1].gross_tonnes": "5420.5",
        "cargo.items[1].teu": "210",
        "cargo.items[1].bill_of_lading": "EGLV143700012346",
        "cargo.total_packages": "2000",  # the rows add up to 2,100
        "dangerous_goods[0].un_number": "UN0336",
        "dangerous_goods[0].imdg_class": "1.4",
        "dangerous_goods[0].proper_shipping_name": "FIREWORKS",
        "dangerous_goods[0].quantity_kg": "850",
        "dangerous_goods[0].stowage": "ON DECK 12",
        "health.ill_persons": "1",
        "health.sanitation_certificate_expiry": (now.date() + timedelta(days=150)).isoformat(),
    }


def submit(page: Page, button: Locator) -> None:
    """Click a form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def expect_notice(page: Page, message: str) -> None:
    expect(page.get_by_test_id("notice")).to_have_text(T(message))


def badge(scope: Locator) -> Locator:
    return scope.get_by_test_id("status-badge").first


def queue_row(page: Page, call_id: int) -> Locator:
    """The queue's row for the review of this call (the ship's link identifies it)."""
    rows = page.get_by_test_id(re.compile(r"^queue-row-\d+$"))
    return rows.filter(has=page.get_by_test_id(f"call-link-{call_id}"))


def review_id(row: Locator) -> int:
    testid = row.get_attribute("data-testid")
    assert testid is not None
    return int(testid.removeprefix("queue-row-"))


def open_queue(page: Page) -> None:
    """The officer's review queue, through the navigation."""
    page.get_by_test_id("nav-reviews").click()
    expect(page).to_have_url(re.compile(r"/reviews$"))


def open_decision(page: Page, call_id: int, decision: str) -> int:
    """Open the queue, open the call's decide dialog and choose; the review's id."""
    open_queue(page)
    row = queue_row(page, call_id)
    expect(row).to_have_count(1)
    rid = review_id(row)
    row.get_by_test_id(f"decide-open-{rid}").click()
    row.get_by_test_id(f"decision-{decision}-{rid}").check()
    return rid


# The journey, step by step


def agent_files(page: Page, now: datetime, eta: datetime, paxlst: Path) -> int:
    """The agent fills the arrival form from the home page and uploads the crew list."""
    page.get_by_test_id("file-arrival-link").click()
    expect(page).to_have_url(re.compile(r"/port-calls/new$"))
    expect(page.get_by_test_id("input-port")).to_have_value("CNTAO")
    for name, value in arrival_fields(now, eta).items():
        page.get_by_test_id(f"input-{name}").fill(value)
    page.get_by_test_id("input-berth").select_option("QQCT-03")
    page.get_by_test_id("input-paxlst").set_input_files(paxlst)
    screenshot(page, "file")
    submit(page, page.get_by_test_id("arrival-submit"))
    expect(page).to_have_url(re.compile(r"/port-calls/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def check_filed_call(page: Page) -> None:
    """The call page: the ship, four agency cards (border approved by its rules), the crew."""
    expect_notice(page, "Arrival notice filed.")
    expect(page.get_by_test_id("ship-name")).to_have_text("EVER DIADEM")
    expect(page.get_by_test_id("ship-imo")).to_have_text("9134270")
    expect(page.get_by_test_id("ship-call-sign")).to_have_text("3FOF8")
    expect(page.get_by_test_id("ship-flag")).to_have_text("PA")
    expect(badge(page.get_by_test_id("call-status"))).to_have_attribute("data-status", "filed")
    expected = {
        "CUSTOMS": ("pending", "CUSTOMS-CARGO-TOTALS"),
        "CIQ": ("inspect", "CIQ-ILL-ABOARD"),
        "MSA": ("pending", "MSA-DG-OFFICER-CLASS"),
    }
    for agency, (status, rule) in expected.items():
        card = page.get_by_test_id(f"agency-card-entry-{agency}")
        expect(badge(card)).to_have_attribute("data-status", status)
        expect(card.locator("ul.rules")).to_contain_text(rule)
    border = page.get_by_test_id("agency-card-entry-BORDER")
    expect(badge(border)).to_have_attribute("data-status", "approved")
    expect(border).to_contain_text(T("Rules"))
    expect(border.get_by_test_id("officer")).to_have_count(0)
    crew = page.get_by_test_id("crew-table").locator("tbody tr")
    expect(crew).to_have_count(4)
    expect(crew.first).to_contain_text("WANG")
    expect(page.get_by_test_id("dg-table")).to_contain_text("FIREWORKS")
    expect(page.get_by_test_id("entry-permit")).to_have_text(T("not yet"))


def officer_approves(page: Page, call_id: int, reason: str, name: str | None = None) -> None:
    """An officer approves the call's review from the queue (screenshot `name` if given)."""
    rid = open_decision(page, call_id, "approve")
    page.get_by_test_id(f"reason-{rid}").fill(reason)
    if name:
        screenshot(page, name)
    submit(page, page.get_by_test_id(f"decide-submit-{rid}"))
    expect_notice(page, "Decision recorded.")
    expect(queue_row(page, call_id)).to_have_count(0)


def border_finds_it_approved(page: Page, call_id: int) -> None:
    """Nothing waits for border inspection: its rules approved the call, as the filter shows."""
    open_queue(page)
    expect(queue_row(page, call_id)).to_have_count(0)
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    page.get_by_test_id("queue-filter").get_by_role("combobox").select_option("approved")
    submit(page, page.get_by_test_id("queue-filter").get_by_role("button"))
    row = queue_row(page, call_id)
    expect(badge(row)).to_have_attribute("data-status", "approved")
    expect(row.locator("details.decide")).to_have_count(0)


def officers_decide(page_for: PageFor, clock: Clock, call_id: int) -> None:
    clock.advance(minutes=25)
    officer_approves(
        page_for("customs"),
        call_id,
        "2,000 packages declared, 2,100 on the bills: the agent's typing error, manifest checked",
        name="queue",
    )
    clock.advance(minutes=15)
    officer_approves(page_for("ciq"), call_id, "登轮检疫完毕：患病船员为普通感冒，准予入境")
    border_finds_it_approved(page_for("border"), call_id)
    clock.advance(minutes=15)
    officer_approves(page_for("msa"), call_id, "")


def check_entry_permit(page: Page, call_id: int, issued: datetime) -> None:
    """The agent's page: the entry permit issued at the last decision, each officer named."""
    page.goto(f"/port-calls/{call_id}")
    expect(badge(page.get_by_test_id("call-status"))).to_have_attribute("data-status", "cleared")
    expect(page.get_by_test_id("entry-permit")).to_have_text(
        f"EP-CNTAO-{call_id:07d} · {shown(issued)}"
    )
    for agency, officer in (("CUSTOMS", "customs"), ("CIQ", "ciq"), ("MSA", "msa")):
        card = page.get_by_test_id(f"agency-card-entry-{agency}")
        expect(badge(card)).to_have_attribute("data-status", "approved")
        expect(card.get_by_test_id("officer")).to_have_text(officer)
    expect(page.get_by_test_id("agency-card-entry-CIQ").get_by_test_id("reason")).to_contain_text(
        "登轮检疫完毕"
    )


def ais_brings_the_ship_in(page: Page, call_id: int, at: datetime) -> None:
    """The terminal's AIS feed reports the ship inside the port area: ATA is recorded."""
    login = page.request.post(
        "/api/v1/auth/token", form={"username": "terminal", "password": PASSWORD}
    )
    assert login.ok, login.text()
    token = login.json()["access_token"]
    answer = page.request.post(
        "/api/v1/ais",
        data=position_report(MMSI, *QIANWAN) + "\n",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )
    assert answer.ok, answer.text()
    assert answer.json() == {"accepted": 1, "rejected": [], "arrivals": [call_id]}
    page.goto(f"/port-calls/{call_id}")
    expect(badge(page.get_by_test_id("call-status"))).to_have_attribute("data-status", "arrived")
    ata = page.get_by_test_id("timeline-step-ATA")
    expect(ata).to_have_attribute("data-state", "done")
    expect(ata.locator("time")).to_have_text(shown(at))
    expect(ata.get_by_test_id("source-ATA")).to_have_text("来源：AIS")
    recorded = page.get_by_test_id("audit-trail").locator("tbody tr", has_text=T("Event recorded"))
    expect(recorded).to_have_count(1)
    expect(recorded).to_contain_text(f"{T('source')}: AIS")


def terminal_records(page: Page, call_id: int, event: str, at: datetime) -> None:
    """One click on the terminal's home page records the next event at the time it proposes."""
    page.goto("/")
    row = page.get_by_test_id(f"in-port-row-{call_id}")
    expect(row.get_by_test_id(f"event-at-{call_id}")).to_have_value(local(at))
    button = row.get_by_test_id(f"event-button-{call_id}")
    expect(button).to_have_attribute("data-event", event)
    submit(page, button)
    expect_notice(page, "Event recorded.")


def agent_files_departure(page: Page, call_id: int, etd: datetime) -> None:
    """The agent files the departure from the call page; the rules pre-approve it."""
    page.goto(f"/port-calls/{call_id}")
    form = page.get_by_test_id("departure-form")
    expect(form.get_by_test_id("input-etd")).to_have_value(local(etd))
    form.get_by_test_id("input-next_port").fill("JPTYO")
    submit(page, page.get_by_test_id("departure-submit"))
    expect_notice(page, "Departure filed.")
    expect(page.get_by_test_id("departure-form")).to_have_count(0)
    for agency in AGENCIES:
        card = page.get_by_test_id(f"agency-card-departure-{agency}")
        expect(badge(card)).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("departure-permit")).to_have_text(T("not yet"))


def check_departure_permit(page: Page, call_id: int, completed: datetime) -> None:
    """The departure permit carries the very minute operations completed: no wait."""
    page.goto(f"/port-calls/{call_id}")
    permit_time = page.get_by_test_id("departure-permit").locator("time")
    expect(permit_time).to_have_text(shown(completed))
    complete = page.get_by_test_id("timeline-step-OPS_COMPLETE")
    expect(complete).to_have_attribute("data-state", "done")
    assert permit_time.inner_text() == complete.locator("time").inner_text()
    expect(page.get_by_test_id("wait-OPS_COMPLETE")).to_have_count(0)
    expect(page.get_by_test_id("zero-wait")).to_be_visible()


def check_board(page: Page, call_id: int, left: datetime) -> None:
    """The port office's board: the call left today, no minute lost, no agency waiting."""
    page.goto("/board")
    expect(page.get_by_test_id("count-left-today")).to_have_text("1")
    expect(page.get_by_test_id("count-alongside")).to_have_text("0")
    expect(page.get_by_test_id("zero-wait-rate")).to_have_text("100%")
    expect(page.get_by_test_id("minutes-lost")).to_have_text("0")
    row = page.get_by_test_id(f"board-left-today-row-{call_id}")
    expect(badge(row)).to_have_attribute("data-status", "departed")
    expect(row.locator("time")).to_have_text(shown(left))
    expect(row.get_by_test_id(f"wait-{call_id}")).to_have_text(T("zero wait"))
    for agency in AGENCIES:
        expect(page.get_by_test_id(f"queue-count-{agency}")).to_have_text("0")
    screenshot(page, "board-journey")


def test_a_call_from_filing_to_departure(page_for: PageFor, clock: Clock, tmp_path: Path) -> None:
    eta = clock.now + timedelta(days=3)
    paxlst = tmp_path / "crew.edi"
    paxlst.write_text(crew_paxlst(crew_data(clock.now)), encoding="utf-8")
    agent = page_for("agent")
    call_id = agent_files(agent, clock.now, eta, paxlst)
    check_filed_call(agent)

    officers_decide(page_for, clock, call_id)
    check_entry_permit(agent, call_id, clock.now)

    clock.now = eta - timedelta(minutes=20)
    terminal = page_for("terminal")
    ais_brings_the_ship_in(terminal, call_id, clock.now)
    for event, minutes in (("ALL_FAST", 90), ("OPS_START", 30)):
        clock.advance(minutes=minutes)
        terminal_records(terminal, call_id, event, clock.now)

    clock.advance(hours=2)
    agent_files_departure(agent, call_id, eta + timedelta(hours=14))
    clock.now = eta + timedelta(hours=12)
    terminal_records(terminal, call_id, "OPS_COMPLETE", clock.now)
    check_departure_permit(agent, call_id, clock.now)

    clock.advance(hours=1)
    terminal_records(terminal, call_id, "ATD", clock.now)
    expect(terminal.get_by_test_id(f"in-port-row-{call_id}")).to_have_count(0)
    agent.goto(f"/port-calls/{call_id}")
    expect(badge(agent.get_by_test_id("call-status"))).to_have_attribute("data-status", "departed")
    screenshot(agent, "portcall")
    check_board(page_for("port_office"), call_id, clock.now)


# The language, form errors and a decision without a reason


def test_the_language_switches_to_english_and_is_remembered(page_for: PageFor) -> None:
    page = page_for("port_office")
    page.goto("/board")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text(T("Port board"))
    expect(page.get_by_test_id("lang-zh")).to_have_attribute("aria-current", "true")
    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Port board")
    expect(page.get_by_test_id("nav-calls")).to_have_text("Port calls")
    page.get_by_test_id("nav-calls").click()
    expect(page).to_have_url(re.compile(r"/port-calls$"))
    expect(page.get_by_test_id("nav-home")).to_have_text("Home")
    page.get_by_test_id("lang-zh").click()
    expect(page.get_by_test_id("nav-home")).to_have_text(T("Home"))


def test_a_wrong_imo_is_shown_beside_its_field_with_what_was_typed(page_for: PageFor) -> None:
    page = page_for("agent")
    page.goto("/port-calls/new")
    page.get_by_test_id("input-ship.imo").fill("9134271")  # check digit should be 0
    page.get_by_test_id("input-ship.name").fill("EVER DIADEM")
    submit(page, page.get_by_test_id("arrival-submit"))
    imo = page.get_by_test_id("input-ship.imo")
    expect(imo).to_have_value("9134271")
    expect(imo).to_have_attribute("aria-invalid", "true")
    field = page.locator(".field.has-error", has=imo)
    error = field.get_by_test_id("error-ship.imo")
    expect(error).to_be_visible()
    expect(error).to_contain_text("“9134271”：")
    expect(imo).to_have_attribute("aria-describedby", str(error.get_attribute("id")))
    expect(page.get_by_test_id("input-ship.name")).to_have_value("EVER DIADEM")
    expect(page.get_by_test_id("error-ship.name")).to_have_count(0)
    expect(page.get_by_test_id("form-message")).to_be_visible()


def test_an_officer_cannot_hold_a_call_without_a_reason(
    page_for: PageFor, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    notice = arrival_notice(clock.now, health={"ill_persons": 1})
    _, call = portcalls.file_arrival(ctx, people["agent"], notice)
    page = page_for("ciq")
    methods: list[str] = []
    page.on("request", lambda request: methods.append(request.method))
    rid = open_decision(page, call["id"], "hold")
    reason = page.get_by_test_id(f"reason-{rid}")
    page.get_by_test_id(f"decide-submit-{rid}").click()
    # The browser itself refuses the empty reason (kouan.js made it required): nothing is sent.
    assert reason.evaluate("el => el.validity.valueMissing") is True
    expect(page).to_have_url(re.compile(r"/reviews$"))
    assert "POST" not in methods
    reason.fill("   ")
    submit(page, page.get_by_test_id(f"decide-submit-{rid}"))
    error = page.get_by_test_id(f"error-reason-{rid}")
    expect(error).to_have_text(T("Give a reason for anything but approve."))
    expect(page.get_by_test_id(f"decision-hold-{rid}")).to_be_checked()
    expect(page.get_by_test_id(f"reason-{rid}")).to_have_attribute("aria-invalid", "true")
    expect(badge(queue_row(page, call["id"]))).to_have_attribute("data-status", "inspect")
    held = portcalls.get_port_call(ctx, people["agent"], call["id"])
    assert next(r for r in held["reviews"] if r["agency"] == "CIQ")["status"] == "inspect"
