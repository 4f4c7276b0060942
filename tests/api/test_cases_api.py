"""A confirmed case over HTTP: CIQ's confirm-case endpoint and pages (the person, the alert console,
one alert with its contact list and the Acknowledge button), in Chinese and English; who may see
and do what."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from kouan.domain.agency import OrgType
from kouan.domain.contacts import Aboard, contacts
from kouan.domain.health import reason
from kouan.services.passengers import cases
from kouan.services.platform import alerts
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.api import cases as cases_api
from kouan.web.app import create_app
from kouan.web.ui import alerts as alert_pages
from kouan.web.ui.session import verify_csrf
from tests.api.conftest import Tokens
from tests.api.test_pages import text_of, texts_of, token_of
from tests.conftest import PASSWORD, Clock, People
from tests.integration.test_cases import CASE, CREW, _a321

CONFIRM = "/api/v1/persons/{}/confirm-case"


def _app(ctx: ServiceContext) -> FastAPI:
    """Kouan's app, with the cases API and the alert pages until the lead wires them in (then
    this adds nothing)."""
    app = create_app(ctx)
    paths = {getattr(route, "path", "") for route in app.routes}
    if "/api/v1/persons/{person_id}/confirm-case" not in paths:
        app.include_router(cases_api.router)
    if "/alerts" not in paths:
        app.include_router(alert_pages.router, dependencies=[Depends(verify_csrf)])
    return app


@pytest.fixture
def api(ctx: ServiceContext) -> Iterator[TestClient]:
    with TestClient(_app(ctx), raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def bearer(api: TestClient, database_url: str) -> Tokens:
    return Tokens(api, database_url.split(":", 1)[0])


def browser(ctx: ServiceContext, username: str, lang: str = "zh") -> TestClient:
    """A browser logged in through the login form, in `lang`."""
    client = TestClient(_app(ctx), follow_redirects=False)
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token_of(client.get("/login")),
        },
    )
    assert answer.status_code == 303, answer.text
    client.get(f"/?lang={lang}")
    return client


def _case(ctx: ServiceContext, people: People, clock: Clock) -> int:
    return _a321(ctx, people, clock, resend=False)[CASE]


# --- the API ----------------------------------------------------------------------------------


def test_ciq_confirms_a_case_and_gets_the_joint_alert(
    api: TestClient, bearer: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    case_id = _case(ctx, people, clock)
    answer = api.post(
        CONFIRM.format(case_id), json={"note": "RT-PCR positive", "rows": 1}, headers=bearer("ciq")
    )
    assert answer.status_code == 201, answer.text
    alert = answer.json()
    assert alert["kind"] == "epidemic.joint" and alert["addressed_to_you"]
    assert {r["org_type"] for r in alert["recipients"]} == {
        "CIQ",
        "BORDER",
        "CUSTOMS",
        "PORT_OFFICE",
    }
    payload = alert["payload"]
    assert payload["rows"] == 1 and payload["note"] == "RT-PCR positive"
    named = {c["name"] for c in payload["contacts"]}
    assert {"LI Na", "Juan PÉREZ", "MA Lin"} <= named and "LIU Yang" not in named  # 2 rows off
    # Each recipient reads it through the alerts API; the second confirmation is a conflict.
    shown = api.get(f"/api/v1/alerts/{alert['id']}", headers=bearer("customs"))
    assert shown.status_code == 200 and shown.json()["payload"] == payload
    again = api.post(CONFIRM.format(case_id), json={}, headers=bearer("ciq"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_the_endpoint_refuses_others_and_bad_input(
    api: TestClient, bearer: Tokens, ctx: ServiceContext, people: People, clock: Clock
) -> None:
    case_id = _case(ctx, people, clock)
    url = CONFIRM.format(case_id)
    for who in ("border", "port_office", "airline"):
        refused = api.post(url, json={}, headers=bearer(who))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert api.post(url, json={}).status_code == 401
    assert api.post(CONFIRM.format(999_999), json={}, headers=bearer("ciq")).status_code == 404
    assert api.post(CONFIRM.format(0), json={}, headers=bearer("ciq")).status_code == 422
    for body in ({"rows": 21}, {"rows": -1}, {"rows": True}, {"note": "x" * 2001}, {"seat": 1}):
        bad = api.post(url, json=body, headers=bearer("ciq"))
        assert bad.status_code == 422, body
        assert bad.json()["error"]["code"] == "validation_failed"
    assert alerts.list_alerts(ctx, people["port_office"]) == []


# --- the pages --------------------------------------------------------------------------------


def _latin_words(page: Response, *tags: str) -> list[str]:
    """Latin words (two letters or more, codes in capitals aside) in the `tags` of the page's
    content: what a Chinese page must not show outside names and codes."""
    main = page.text.split('<main id="main">', 1)[1]  # the frame shows the user's own names
    found = []
    for tag in tags:
        for text in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", main, re.S):
            found += re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]+\b", re.sub(r"<[^>]+>", " ", text))
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ciq_confirms_from_the_person_page_and_the_acknowledgements_arrive(
    ctx: ServiceContext, people: People, clock: Clock, lang: str
) -> None:
    case_id = _case(ctx, people, clock)
    ciq = browser(ctx, "ciq", lang)
    person = ciq.get(f"/persons/{case_id}")
    assert person.status_code == 200, person.text
    assert text_of(person, "where-aboard") == "12C"
    assert text_of(person, "temperature") == "38.6 °C"
    assert 'data-testid="confirm-case-form"' in person.text

    # A number of rows out of range is refused beside its field, nothing raised.
    token = token_of(person)
    bad = ciq.post(f"/persons/{case_id}/confirm-case", data={"rows": "30", "csrf_token": token})
    assert bad.status_code == 422 and texts_of(bad, "error-rows")
    assert alerts.list_alerts(ctx, people["ciq"]) == []

    posted = ciq.post(
        f"/persons/{case_id}/confirm-case",
        data={"rows": "2", "note": "RT-PCR positive", "csrf_token": token},
    )
    assert posted.status_code == 303, posted.text
    alert_url = posted.headers["location"]
    alert_id = int(alert_url.rsplit("/", 1)[1])
    page = ciq.get(alert_url)
    assert page.status_code == 200
    title = text_of(page, "alert-title")
    if lang == "zh":
        assert title == f"联防联控疫情警报：SC4618 上确诊 传染病 病例 #{case_id}"
        assert _latin_words(page, "th", "dt", "h1", "h2", "h3", "button", "nav") == []
    else:
        assert (
            title == f"Joint epidemic alert: confirmed infectious disease case #{case_id} on SC4618"
        )
    contacts = text_of(page, "contacts-table")
    assert "LI Na" in contacts and "ZHAO Lei" not in contacts
    assert all(f'data-testid="recipient-{t}"' in page.text for t in ("CIQ", "BORDER", "CUSTOMS"))
    # CIQ's confirmation is its acknowledgement: no button for it; a post again changes nothing.
    assert 'data-testid="acknowledge"' not in page.text
    clock.advance(minutes=3)
    acked = ciq.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token_of(page)})
    assert acked.status_code == 303 and acked.headers["location"] == alert_url
    again = ciq.get(alert_url)
    assert 'data-testid="acknowledge"' not in again.text
    states = re.findall(r'data-testid="recipient-(\w+)".*?data-state="(\w+)"', again.text, re.S)
    assert dict(states) == {
        "CIQ": "acknowledged",
        "BORDER": "waiting",
        "CUSTOMS": "waiting",
        "PORT_OFFICE": "waiting",
    }
    border = browser(ctx, "border", lang)
    assert 'data-testid="acknowledge"' in border.get(alert_url).text

    # The console: the alert, open, 1 of 4; overdue once the due time passes.
    console = ciq.get("/alerts")
    assert console.status_code == 200
    counted = re.search(
        rf'data-testid="ack-count-{alert_id}" data-acknowledged="(\d)"', console.text
    )
    assert counted and counted.group(1) == "1"
    assert f'data-testid="flag-overdue-{alert_id}"' not in console.text
    clock.advance(minutes=30)
    late = border.get("/alerts?status=open")
    assert f'data-testid="flag-overdue-{alert_id}"' in late.text
    if lang == "zh":
        assert _latin_words(late, "th", "h1", "nav", "span") == []
    # The person is a case now: the page links the alert and offers no second confirmation.
    after = ciq.get(f"/persons/{case_id}")
    assert 'data-testid="confirm-case-form"' not in after.text
    assert f'href="/alerts/{alert_id}"' in after.text


def test_who_may_see_the_pages(ctx: ServiceContext, people: People, clock: Clock) -> None:
    ids = _a321(ctx, people, clock, resend=False)
    case_id = ids[CASE]
    alert_id = _confirm(ctx, people, case_id)
    # Border reads the person but may not confirm: no form, and a posted one is refused.
    border = browser(ctx, "border")
    shown = border.get(f"/persons/{case_id}")
    assert shown.status_code == 200 and 'data-testid="confirm-case-form"' not in shown.text
    refused = border.post(f"/persons/{case_id}/confirm-case", data={"csrf_token": token_of(shown)})
    assert refused.status_code == 403
    # An airline reads no person's record and no alert not addressed to it.
    airline = browser(ctx, "airline", "en")
    assert airline.get(f"/persons/{case_id}").status_code == 403
    assert airline.get(f"/alerts/{alert_id}").status_code == 404
    assert 'data-testid="no-alerts"' in airline.get("/alerts").text
    # The port office sees the alert and the contact list, but not the persons' records.
    office = browser(ctx, "port_office")
    page = office.get(f"/alerts/{alert_id}")
    assert page.status_code == 200 and f'href="/persons/{case_id}"' not in page.text
    assert office.get(f"/persons/{case_id}").status_code == 403
    # A flight's cabin crew member is placed by the zone they serve.
    ciq = browser(ctx, "ciq")
    assert text_of(ciq.get(f"/persons/{ids['QIAN Yu']}"), "where-aboard") == "客舱区域 Y1"
    # Ids no row has are not found.
    assert ciq.get("/persons/999999").status_code == 404
    assert ciq.get("/persons/99999999999999999999").status_code == 404
    assert ciq.get("/alerts/99999999999999999999").status_code == 404
    without = TestClient(_app(ctx), follow_redirects=False).get("/alerts")
    assert without.status_code == 303 and without.headers["location"].startswith("/login")


def _confirm(ctx: ServiceContext, people: People, case_id: int, **options: Any) -> int:
    return int(cases.confirm_case(ctx, people["ciq"], case_id, **options)["id"])


def test_the_contact_list_page_names_everyone_aboard_listed(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    case_id = _case(ctx, people, clock)
    alert_id = _confirm(ctx, people, case_id)
    page = browser(ctx, "customs", "en").get(f"/alerts/{alert_id}")
    rows = re.findall(r'data-testid="contact-(\d+)"', page.text)
    assert len(rows) == 5 + 2 + len(CREW)  # within two rows, booking and party, the crew
    assert "cabin crew (the case&#39;s cabin zone is not known)" in page.text


def test_a_joint_alert_raised_elsewhere_shows_its_bare_contact_list(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    """An alert whose payload is the domain's contact list alone (no journey, no identities)."""
    case = Aboard(id=41, name="ZHANG Wei", seat="12C", booking="QX7K2P")
    aboard = [Aboard(id=40, name="LI Na", seat="12A"), Aboard(id=43, name="Ana LÓPEZ", seat="30K")]
    raised = alerts.raise_alert(
        ctx,
        people["ciq"],
        kind=alerts.EPIDEMIC_JOINT,
        level=3,
        subject_type="flight",
        subject_id=7,
        title=reason("alert.epidemic_case", disease="H1N1", case="#41", transport="SC4618"),
        payload=contacts(case, aboard).as_dict(),
        to_types=(OrgType.CIQ, OrgType.BORDER),
    )
    for lang in ("zh", "en"):
        page = browser(ctx, "border", lang).get(f"/alerts/{raised['id']}")
        assert page.status_code == 200, page.text
        assert re.findall(r'data-testid="contact-(\d+)"', page.text) == ["40"]
