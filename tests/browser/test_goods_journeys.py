"""Goods under customs control in a real browser: the agent files a manifest from the upload page
(a CUSCAR) and finds it by container number; the broker's green declaration releases the goods;
the terminal's gate clerk types the container numbers and reads YES or NO in large type, the
refusal listed below (a released box waits for the terminal's goods-arrival report); customs sees
the refusal on the write-off page."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from kouan.adapters.cuscar import write_cuscar
from kouan.services.duties import payments
from kouan.services.goods import manifests
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.terminal import moves
from tests.browser.conftest import PageFor, screenshot
from tests.browser.test_cargo_journeys import declaration_fields, expect_status, submit
from tests.conftest import Clock, People, file_declaration
from tests.manifests import CONTAINER, OTHERS, bill, container, file_call, manifest


def test_a_manifest_filed_and_its_containers_asked_at_the_gate(
    registered: ServiceContext, people: People, clock: Clock, page_for: PageFor, tmp_path: Path
) -> None:
    call = file_call(registered, people, clock.now)
    lines = [container(CONTAINER), container(OTHERS[0])]
    text = write_cuscar(
        manifest(call["id"], bills_of_lading=[bill(lines=lines)]), "COSCO", "C1", clock.now
    )
    upload = tmp_path / "manifest.edi"
    upload.write_text(text)
    agent = page_for("agent")
    agent.goto("/manifests/upload")
    agent.get_by_test_id("input-manifest").set_input_files(str(upload))
    with agent.expect_navigation():
        agent.get_by_test_id("upload-submit").click()
    expect(agent.get_by_test_id("count-containers")).to_have_text("2")
    agent.goto("/manifests")
    agent.get_by_test_id("input-q").fill(OTHERS[0])
    with agent.expect_navigation():
        agent.get_by_test_id("search-submit").click()
    expect(agent.locator("[data-testid^=manifest-row-]")).to_have_count(1)

    file_declaration(registered, people, containers=[CONTAINER])  # green: released at once
    arrival = moves.ArrivalIn(container=CONTAINER, arrived_at=clock.now)
    moves.record_arrivals(registered, people["terminal"], [arrival])  # in the yard (运抵)
    clerk = page_for("terminal")
    clerk.goto("/gate")
    clerk.get_by_test_id("input-container").fill(CONTAINER.lower())
    with clerk.expect_navigation():
        clerk.get_by_test_id("gate-submit").click()
    expect(clerk.get_by_test_id("gate-word")).to_have_text("放行")
    expect(clerk.get_by_test_id("gate-answer")).to_have_attribute("data-allowed", "yes")
    clerk.get_by_test_id("input-container").fill(OTHERS[0])
    with clerk.expect_navigation():
        clerk.get_by_test_id("gate-submit").click()
    expect(clerk.get_by_test_id("gate-word")).to_have_text("不放行")
    expect(clerk.get_by_test_id("gate-reason")).to_have_attribute("data-reason", "not_covered")
    screenshot(clerk, "gate-check")
    clerk.reload()
    expect(clerk.get_by_test_id("refusals-table")).to_contain_text(OTHERS[0])

    officer = page_for("customs")
    officer.goto("/write-off")
    expect(officer.get_by_test_id("refusals-table")).to_contain_text(OTHERS[0])
    expect(officer.get_by_test_id("no-flagged")).to_be_visible()


def test_an_import_released_on_its_guarantee_goes_out_of_the_gate_and_the_bank_restores_it(
    registered: ServiceContext, people: People, clock: Clock, page_for: PageFor
) -> None:
    """Manifest → declaration → duties secured by the guarantee → released → arrived → gated
    out; a box on no manifest refused at the gate; the bank's payment restores the guarantee."""
    call = file_call(registered, people, clock.now, berth="QQCT-01")
    manifests.file_manifest(registered, people["agent"], manifest(call["id"]))  # BL: CONTAINER
    trader = "3702960001"  # AA

    # Customs records the trader's guarantee on the duties page.
    customs = page_for("customs")
    customs.goto("/duties")
    customs.get_by_test_id("input-guarantee-new-trader").fill(trader)
    customs.get_by_test_id("input-guarantee-new-amount").fill("1,000,000")
    customs.get_by_test_id("input-guarantee-new-issuer").fill("青岛银行")
    submit(customs, customs.get_by_test_id("guarantee-new-submit"))
    expect(customs.get_by_test_id(f"balance-{trader}")).to_have_text("¥1,000,000.00")

    # The broker declares the import through the form, naming the B/L, its box and packages.
    broker = page_for("broker")
    broker.goto("/declarations/new")
    fields = {
        **declaration_fields("IMP-GUARANTEED", trader),
        "items[0].origin": "VN",
        "packages": "100",
    }
    for field, value in fields.items():
        broker.get_by_test_id(f"input-{field}").fill(value)
    broker.get_by_test_id("input-direction").select_option("import")
    broker.get_by_test_id("input-containers").fill(CONTAINER)
    submit(broker, broker.get_by_test_id("declaration-submit"))
    expect(broker).to_have_url(re.compile(r"/declarations/\d+$"))
    declaration_id = int(broker.url.rsplit("/", 1)[1])
    expect_status(broker, "released")
    duties = broker.get_by_test_id("duties")
    expect(duties.get_by_test_id("duties-status")).to_have_attribute("data-status", "guaranteed")
    owed = duties.get_by_test_id("duties-total").inner_text()
    screenshot(broker, "declaration-duties-guaranteed")

    # The terminal's system reports the box in the yard (运抵); the gate clerk lets it out.
    arrival = moves.ArrivalIn.model_validate(
        {"container": CONTAINER, "arrived_at": clock.now.isoformat(), "port_call_id": call["id"]}
    )
    moves.record_arrivals(registered, people["terminal"], [arrival])
    clerk = page_for("terminal")
    clerk.goto("/gate")
    clerk.get_by_test_id("input-container").fill(CONTAINER)
    submit(clerk, clerk.get_by_test_id("gate-submit"))
    expect(clerk.get_by_test_id("gate-word")).to_have_text("放行")
    clerk.get_by_test_id("input-container").fill(OTHERS[3])
    submit(clerk, clerk.get_by_test_id("gate-submit"))
    expect(clerk.get_by_test_id("gate-word")).to_have_text("不放行")
    expect(clerk.get_by_test_id("gate-reason")).to_have_attribute("data-reason", "not_on_manifest")

    # Customs sees the duties secured and the guarantee drawn down by them.
    customs.goto("/duties")
    expect(customs.get_by_test_id(f"secured-{declaration_id}")).to_have_text(owed)
    expect(customs.get_by_test_id(f"in-use-{trader}")).to_have_text(owed)
    screenshot(customs, "duties-guaranteed")

    # The bank's notification: paid, and the guarantee whole again.
    total = Decimal(owed.replace("¥", "").replace(",", ""))
    payments.record_payment(
        registered, people["customs"], "SIMBANK", "P-1", declaration_id, total, None
    )
    customs.reload()
    expect(customs.get_by_test_id(f"balance-{trader}")).to_have_text("¥1,000,000.00")
    expect(customs.get_by_test_id(f"paid-{declaration_id}")).to_be_visible()
