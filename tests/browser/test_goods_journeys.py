"""Goods under customs control in a real browser: the agent files a manifest from the upload page
(a CUSCAR) and finds it by container number; the broker's green declaration releases the goods;
the terminal's gate clerk types the container numbers and reads YES or NO in large type, the
refusal listed below (a released box waits for the terminal's goods-arrival report); customs sees
the refusal on the write-off page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from kouan.adapters.cuscar import write_cuscar
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.terminal import moves
from tests.browser.conftest import PageFor, screenshot
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
