"""The passengers' journey in a real browser, as the issue tells it: an airline uploads its
flight's PAXLST and is answered person by person; border inspection decides the one person
referred to it; CIQ confirms a case among the travellers, which raises one joint alert with the
contact list; border inspection, customs and the port office acknowledge it and CIQ sees the
acknowledgements arrive."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from kouan.adapters.db.passenger_tables import ListedPersonRow
from kouan.adapters.paxlst import write_person_list
from kouan.domain.person_list import Direction, Leg, ListedPerson, PersonList, TravelDocument
from kouan.services.platform.unit_of_work import ServiceContext
from tests.browser.conftest import PageFor, screenshot
from tests.conftest import Clock

LATER = date(2031, 1, 1)


def _person(family: str, given: str, nationality: str, seat: str, booking: str) -> ListedPerson:
    return ListedPerson(
        family_name=family,
        given_names=given,
        nationality=nationality,
        date_of_birth=date(1984, 4, 4),
        sex="F",
        documents=[TravelDocument("P", f"{family[:2]}{seat}77", nationality, LATER)],
        seat=seat,
        booking_reference=booking,
    )


def _paxlst(clock: Clock) -> str:
    arrival = (clock.now + timedelta(hours=5)).replace(tzinfo=None, microsecond=0)
    persons = [
        _person("YAMADA", "HANAKO", "JP", "21C", "QX7RT2"),
        _person("YAMADA", "TARO", "JP", "21D", "QX7RT2"),
        _person("SUZUKI", "KEN", "JP", "22A", "LM3K8P"),
        _person("MILLER", "ANNA", "US", "30F", "ZZ9Q1A"),  # a US national without a visa
        _person("TANAKA", "YUKI", "JP", "35B", "AB12CD"),
    ]
    flight = PersonList(
        carrier="NH",
        transport_id="NH935",
        legs=[Leg("NH935", "NRT", arrival - timedelta(hours=3), "TAO", arrival)],
        direction=Direction.ARRIVING,
        persons=persons,
    )
    return write_person_list(
        flight,
        sender="NH",
        recipient="KOUAN",
        reference="NH935",
        when=clock.now.replace(tzinfo=None),
    )


def _person_id(ctx: ServiceContext, family: str, given: str) -> int:
    with ctx.sessions() as session:
        return int(
            session.scalars(
                select(ListedPersonRow.id).where(
                    ListedPersonRow.family_name == family, ListedPersonRow.given_names == given
                )
            ).one()
        )


def test_a_list_a_referral_a_confirmed_case_and_its_acknowledgements(
    page_for: PageFor, ctx: ServiceContext, clock: Clock, tmp_path: Path
) -> None:
    airline = page_for("airline")
    airline.goto("/person-lists/upload")
    sent = tmp_path / "nh935.edi"
    sent.write_text(_paxlst(clock), encoding="utf-8")
    airline.get_by_test_id("input-list").set_input_files(str(sent))
    airline.get_by_test_id("upload-submit").click()
    answer = airline.get_by_test_id("upload-answer")
    expect(answer).to_have_attribute("data-status", "accepted")
    expect(airline.get_by_test_id("count-persons")).to_have_text("5")
    screenshot(airline, "person-list-upload")

    border = page_for("border")
    border.goto("/reviews")
    target = border.locator("[data-testid^='target-form-']").first
    expect(border.locator("[data-testid^='targets-']").first).to_contain_text("MILLER ANNA")
    target.locator("select").select_option("approve")
    target.locator("button").click()
    expect(border.locator("[data-testid^='target-form-']")).to_have_count(0)
    screenshot(border, "person-referral-decided")

    ciq = page_for("ciq")
    clock.advance(hours=6)  # the flight has landed; a traveller falls ill at the airport
    ciq.goto(f"/persons/{_person_id(ctx, 'YAMADA', 'HANAKO')}")
    ciq.get_by_test_id("input-note").fill("H1N1 confirmed by the port clinic")
    ciq.get_by_test_id("confirm-case-submit").click()
    contacts = ciq.get_by_test_id("contact-list")
    expect(contacts).to_contain_text("YAMADA TARO")  # same booking, next seat
    expect(contacts).to_contain_text("SUZUKI KEN")  # a row behind
    expect(contacts).not_to_contain_text("TANAKA YUKI")  # fourteen rows away
    alert_url = ciq.url
    assert re.search(r"/alerts/\d+$", alert_url)
    screenshot(ciq, "joint-alert-raised")

    for who in ("border", "customs", "port_office"):
        recipient = page_for(who)
        recipient.goto(alert_url)
        recipient.get_by_test_id("acknowledge").click()
        expect(recipient.get_by_test_id("acknowledged-by-you")).to_be_visible()

    ciq.goto(alert_url)
    for org_type in ("BORDER", "CUSTOMS", "PORT_OFFICE"):
        # The database may hold other organisations of the type: each is a recipient of its own.
        rows = ciq.get_by_test_id(f"recipient-{org_type}")
        expect(rows.locator("[data-state='acknowledged']")).to_have_count(1)
    screenshot(ciq, "joint-alert-acknowledged")
