"""The server-rendered pages through HTTP: login and CSRF, languages, each role's home, filing
through the form with a PAXLST upload, deciding, recording events, the board and the CSV export."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from httpx import Response
from jinja2.ext import babel_extract

from kouan.adapters.paxlst import PassengerList, write_paxlst
from kouan.domain.agency import Decision
from kouan.domain.filing import Person
from kouan.domain.portcall import TimelineEvent
from kouan.domain.reasons import TEMPLATES
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from kouan.services.ships import portcalls
from kouan.web import ui
from kouan.web.app import create_app
from kouan.web.ui.display import PORT_ZONE, big_number
from tests.conftest import PASSWORD, Clock, People, shared_data
from tests.factories import arrival_notice, crew_data, departure_notice, passengers_data

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def token_of(page: Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(ctx: ServiceContext, username: str, lang: str | None = None) -> TestClient:
    """A browser logged in through the login form (and in `lang` when given)."""
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token_of(form)},
    )
    assert answer.status_code == 303, answer.text
    if lang:
        client.get(f"/?lang={lang}")
    return client


def post_form(client: TestClient, page_url: str, action: str, data: dict[str, Any]) -> Response:
    """Post a form the way a browser would after loading `page_url` (carrying its CSRF token)."""
    token = token_of(client.get(page_url))
    return client.post(action, data={**data, "csrf_token": token})


def file_call(ctx: ServiceContext, people: People, now: datetime, **overrides: Any) -> dict:
    status, call = portcalls.file_arrival(ctx, people["agent"], arrival_notice(now, **overrides))
    assert status == 201
    return call


def review_of(call: dict, agency: str, phase: str = "entry") -> dict:
    return next(r for r in call["reviews"] if r["agency"] == agency and r["phase"] == phase)


def texts_of(page: Response, name: str) -> list[str]:
    """The text of each element with data-testid=name (tags dropped, spaces collapsed)."""
    pattern = rf'<(\w+)[^>]*data-testid="{re.escape(name)}"[^>]*>(.*?)</\1>'
    found = re.findall(pattern, page.text, re.S)
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split())) for _, text in found]


def text_of(page: Response, name: str) -> str:
    """The text of the one element with data-testid=name."""
    found = texts_of(page, name)
    assert len(found) == 1, f"{len(found)} elements with data-testid={name}"
    return found[0]


def local(moment: datetime) -> str:
    """A datetime-local value at the port."""
    return moment.astimezone(PORT_ZONE).strftime("%Y-%m-%dT%H:%M")


# Login, sessions and CSRF


def test_a_page_asked_for_without_login_leads_to_login_and_back(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    asked = client.get("/port-calls?status=filed")
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=%2Fport-calls%3Fstatus%3Dfiled"
    form = client.get(asked.headers["location"])
    assert 'name="next" value="/port-calls?status=filed"' in form.text
    answer = client.post(
        "/login",
        data={
            "username": "agent",
            "password": PASSWORD,
            "next": "/port-calls?status=filed",
            "csrf_token": token_of(form),
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/port-calls?status=filed"
    cookie = answer.headers["set-cookie"]
    assert "kouan_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/port-calls?status=filed").status_code == 200


def test_login_never_sends_to_another_site(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "username": "agent",
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": token_of(form),
        },
    )
    assert answer.headers["location"] == "/"


def test_wrong_password_is_told_and_the_username_kept(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "agent", "password": "wrong-password", "csrf_token": token_of(form)},
    )
    assert answer.status_code == 401
    assert "用户名或密码错误" in text_of(answer, "login-error")
    assert 'value="agent"' in answer.text
    assert "kouan_session" not in answer.headers.get("set-cookie", "")


def test_throttled_login_shows_the_wait(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    token = token_of(client.get("/login"))
    for _ in range(ctx.settings.login_max_failures):
        failed = client.post(
            "/login", data={"username": "ciq", "password": "nope-nope", "csrf_token": token}
        )
        assert failed.status_code == 401
    locked = client.post(
        "/login", data={"username": "ciq", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    message = text_of(locked, "login-error")
    assert re.fullmatch(r"登录失败次数过多：请等待\d+分钟后再试。", message)  # no English beside it


def test_login_form_without_its_csrf_token_is_refused(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx), follow_redirects=False)
    client.get("/login")
    answer = client.post("/login", data={"username": "agent", "password": PASSWORD})
    assert answer.status_code == 403
    assert 'data-testid="error-page"' in answer.text


def test_a_post_without_the_sessions_csrf_token_is_refused(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    terminal = signed_in(ctx, "terminal")
    other = signed_in(ctx, "port_office")
    foreign_token = token_of(other.get("/"))
    for data in ({"type": "ATA"}, {"type": "ATA", "csrf_token": foreign_token}):
        answer = terminal.post(f"/port-calls/{call['id']}/events", data=data)
        assert answer.status_code == 403
        assert 'data-testid="error-page" data-status="403"' in answer.text
    assert portcalls.get_port_call(ctx, people["terminal"], call["id"])["status"] == "cleared"


def test_logout_ends_the_session(ctx: ServiceContext) -> None:
    client = signed_in(ctx, "agent")
    answer = post_form(client, "/", "/logout", {})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    assert "您已退出登录" in text_of(client.get("/login"), "notice")


# Languages and formats


def test_pages_are_chinese_by_default_and_english_when_asked_and_remembered(
    ctx: ServiceContext,
) -> None:
    client = signed_in(ctx, "agent")
    home = client.get("/")
    assert '<html lang="zh-CN">' in home.text
    assert text_of(home, "nav-new") == "进口岸申报"
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert text_of(english, "nav-new") == "File an arrival notice"
    assert text_of(client.get("/port-calls"), "nav-home") == "Home"
    assert text_of(client.get("/port-calls?lang=zh"), "nav-home") == "首页"


def test_times_show_beijing_time_with_the_date(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    page = signed_in(ctx, "agent").get(f"/port-calls/{call['id']}")
    eta = datetime.fromisoformat(call["eta"]).astimezone(PORT_ZONE)
    assert text_of(page, "timeline-step-ETA").endswith(eta.strftime("%Y-%m-%d %H:%M"))


def test_large_numbers_read_in_wan_and_yi_in_chinese() -> None:
    assert big_number(1_800_000_000, "zh") == "18亿"
    assert big_number(123_456, "zh") == "12.35万"
    assert big_number(9_999, "zh") == "9,999"
    assert big_number(123_456, "en") == "123,456"


def _catalogue_ids(locale: str) -> dict[str, str]:
    """Every message of the locale's .po files; a message in two files is a mistake."""
    found: dict[str, str] = {}
    for path in sorted(
        (Path(ui.__file__).parents[2] / "locale" / locale / "LC_MESSAGES").glob("*.po")
    ):
        with path.open("rb") as po:
            messages = {m.id: m.string for m in read_po(po) if m.id}
        assert not set(messages) & set(found), f"{path.name} repeats messages of another file"
        found.update(messages)
    return found


def _used_ids() -> set[str]:
    """Every message the pages translate: `_()`/`N_()`/`t()` in the modules, `_()` in templates."""
    root = Path(ui.__file__).parent
    found: set[str] = set()
    for path in root.glob("*.py"):
        with path.open("rb") as source:
            keywords = {"_": None, "N_": None, "gettext": None, "t": None}
            found |= {m for _, m, _, _ in extract("python", source, keywords=keywords)}
    for path in (root / "templates").glob("*.html"):
        with path.open("rb") as source:
            found |= {m for _, m, _, _ in extract(babel_extract, source)}
    # Reasons the pages render from their message keys; a template of placeholders alone has
    # nothing to translate.
    found |= {t for t in TEMPLATES.values() if re.sub(r"\{\w+\}", "", t).strip()}
    return found


def test_every_message_of_the_pages_has_a_chinese_translation_and_none_is_left_over() -> None:
    used, chinese, english = _used_ids(), _catalogue_ids("zh_CN"), _catalogue_ids("en")
    assert sorted(used - {k for k, v in chinese.items() if v}) == []
    assert sorted(set(chinese) - used) == [] and set(english) == set(chinese)
    for msgid, msgstr in chinese.items():
        assert sorted(re.findall(r"%\(\w+\)", msgid)) == sorted(re.findall(r"%\(\w+\)", msgstr))


# Each role's home


def test_agent_home_lists_holds_and_late_filings_first(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    clean = file_call(ctx, people, clock.now)
    later = clock.now + timedelta(days=2)
    held = file_call(ctx, people, later, health={"ill_persons": 2})
    page = signed_in(ctx, "agent").get("/")
    assert page.status_code == 200
    rows = re.findall(r'data-testid="call-row-(\d+)"', page.text)
    assert rows == [str(held["id"]), str(clean["id"])]
    assert "检验检疫: 查验" in text_of(page, "flag-CIQ")
    assert 'href="/port-calls/new"' in page.text and 'data-testid="file-arrival-link"' in page.text
    assert text_of(page, "count-cleared") == "已准予进港 1"


def test_officer_home_shows_the_queue_with_ages_and_todays_decisions(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    file_call(ctx, people, clock.now)
    waiting = file_call(ctx, people, clock.now, cargo={"total_packages": 1})
    clock.advance(hours=2, minutes=5)
    page = signed_in(ctx, "customs").get("/")
    customs = review_of(waiting, "CUSTOMS")
    assert re.findall(r'data-testid="queue-row-(\d+)"', page.text) == [str(customs["id"])]
    assert text_of(page, f"age-{customs['id']}") == "2小时05分"
    assert text_of(page, "decided-rules") == "1"
    assert text_of(page, "decided-officers") == "0"
    form = re.search(rf'data-testid="decide-form-{customs["id"]}">(.*?)</form>', page.text, re.S)
    assert form and 'name="origin" value="home"' in form.group(1)
    assert f'name="version" value="{customs["version"]}"' in form.group(1)


def test_terminal_home_lists_ships_due_within_48_hours_and_in_port(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    soon = clock.now + timedelta(hours=30)
    due = file_call(
        ctx, people, clock.now, eta=soon.isoformat(), etd=(soon + timedelta(days=1)).isoformat()
    )
    far = file_call(ctx, people, clock.now)
    here = file_call(ctx, people, clock.now)
    portcalls.record_event(ctx, people["terminal"], here["id"], TimelineEvent.ATA, clock.now)
    page = signed_in(ctx, "terminal").get("/")
    expected = re.findall(r'data-testid="expected-row-(\d+)"', page.text)
    assert expected == [str(due["id"])] and str(far["id"]) not in expected
    assert re.findall(r'data-testid="in-port-row-(\d+)"', page.text) == [str(here["id"])]
    button = re.search(rf'data-testid="event-button-{here["id"]}" data-event="(\w+)"', page.text)
    assert button and button.group(1) == "ALL_FAST"
    assert f'value="{local(clock.now)}"' in page.text


def _record(ctx: ServiceContext, people: People, clock: Clock, call: dict, *events: str) -> None:
    """The terminal records `events` of the call, an hour apart."""
    for event in events:
        clock.advance(hours=1)
        portcalls.record_event(ctx, people["terminal"], call["id"], TimelineEvent(event), clock.now)


def _depart(ctx: ServiceContext, people: People, clock: Clock, call: dict) -> None:
    """From alongside to gone: operations, the departure filed, complete, ATD."""
    _record(ctx, people, clock, call, "OPS_START")
    portcalls.file_departure(ctx, people["agent"], call["id"], departure_notice(clock.now))
    _record(ctx, people, clock, call, "OPS_COMPLETE", "ATD")


def test_port_office_board_shows_ships_zero_wait_rate_and_minutes_lost(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    clean = file_call(ctx, people, clock.now)
    held = file_call(ctx, people, clock.now, health={"ill_persons": 1})
    anchored = file_call(ctx, people, clock.now)
    portcalls.record_event(ctx, people["terminal"], anchored["id"], TimelineEvent.ATA, clock.now)
    _record(ctx, people, clock, clean, "ATA", "ALL_FAST")
    _depart(ctx, people, clock, clean)
    _record(ctx, people, clock, held, "ATA", "ALL_FAST")
    clock.advance(minutes=90)
    reviews.decide(ctx, people["ciq"], review_of(held, "CIQ")["id"], Decision.APPROVE, "")
    _depart(ctx, people, clock, held)
    page = signed_in(ctx, "port_office").get("/")
    assert text_of(page, "zero-wait-rate") == "50%"
    assert text_of(page, "minutes-lost") == "90"
    assert re.findall(r'data-testid="board-at-anchor-row-(\d+)"', page.text) == [
        str(anchored["id"])
    ]
    left = re.findall(r'data-testid="board-left-today-row-(\d+)"', page.text)
    assert sorted(left) == sorted([str(clean["id"]), str(held["id"])])
    assert text_of(page, f"wait-{held['id']}") == "1小时30分"
    assert text_of(page, "queue-count-CIQ") == "0"


def test_board_counts_each_agencys_pending_reviews_and_the_oldest_age(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    file_call(ctx, people, clock.now, cargo={"total_packages": 1})
    clock.advance(minutes=40)
    file_call(ctx, people, clock.now, cargo={"total_packages": 2})
    page = signed_in(ctx, "port_office").get("/board?lang=en")
    assert text_of(page, "queue-count-CUSTOMS") == "2"
    assert text_of(page, "queue-oldest-CUSTOMS") == "oldest 40 min"
    assert text_of(page, "queue-count-MSA") == "0"


def test_other_enterprises_get_a_home_that_says_what_is_open(ctx: ServiceContext) -> None:
    page = signed_in(ctx, "airline").get("/")
    assert page.status_code == 200
    assert "航空公司" in text_of(page, "home-other")
    assert 'data-testid="nav-new"' not in page.text and 'data-testid="nav-board"' not in page.text


def test_navigation_shows_only_what_the_role_may_use(ctx: ServiceContext) -> None:
    agent = signed_in(ctx, "agent").get("/")
    assert re.findall(r'data-testid="nav-(\w+)"', agent.text) == [
        "home",
        "calls",
        "new",
        "manifests",
    ]
    customs = signed_in(ctx, "customs").get("/")
    assert re.findall(r'data-testid="nav-(\w+)"', customs.text) == [
        "home",
        "calls",
        "reviews",
        "board",
        "declarations",
        "cargo_queue",
        "inspections",
        "risk",
        "clearance",
        "legal",
        "lists",
        "alerts",
        "transits",
        "baggage",
        "manifests",
        "gate",
        "writeoff",
        "duties",
        "discrepancies",
    ]
    airline = signed_in(ctx, "airline").get("/")
    assert re.findall(r'data-testid="nav-(\w+)"', airline.text) == [
        "home",
        "calls",
        "lists",
        "baggage",
    ]
    broker = signed_in(ctx, "broker").get("/")
    assert re.findall(r'data-testid="nav-(\w+)"', broker.text) == [
        "home",
        "calls",
        "declarations",
        "declare",
        "clearance",
        "duties",
    ]


# Filing through the form


def paxlst_text(now: datetime) -> str:
    """A real PAXLST interchange (written by the EDIFACT adapter) with 4 crew and 1 passenger."""
    crew = [Person.model_validate(p) for p in crew_data(now)]
    passengers = [Person.model_validate(p) for p in passengers_data(now)]
    listing = PassengerList(
        sender="PENAVICO",
        transport_id="0521-012W",
        departure_port="KRPUS",
        arrival_port="CNTAO",
        persons=crew + passengers,
        roles=["crew"] * len(crew) + ["passenger"] * len(passengers),
    )
    return write_paxlst(listing, sender="PENAVICO", recipient="KOUAN", reference="REF0001")


def arrival_form(now: datetime, **changes: str) -> dict[str, str]:
    """The arrival-notice form as an agent fills it in (EVER DIADEM, as in tests.factories)."""
    eta = now + timedelta(days=3)
    form = {
        "ship.imo": "9134270",
        "ship.mmsi": "351759000",
        "ship.name": "EVER DIADEM",
        "ship.call_sign": "3FOF8",
        "ship.flag": "pa",
        "voyage": "0521-012W",
        "port": "CNTAO",
        "berth": "",
        "eta": local(eta),
        "etd": local(eta + timedelta(days=2)),
        "last_ports": "KRPUS, cnsha",
        "cargo.items[0].description": "Furniture and parts",
        "cargo.items[0].packages": "1240",
        "cargo.items[0].gross_tonnes": "3150.25",
        "cargo.items[0].teu": "120",
        "cargo.items[2].description": "Paint",
        "cargo.items[2].packages": "400",
        "cargo.items[2].gross_tonnes": "12.5",
        "cargo.items[2].teu": "1",
        "dangerous_goods[0].un_number": "UN1263",
        "dangerous_goods[0].imdg_class": "3",
        "dangerous_goods[0].proper_shipping_name": "PAINT",
        "dangerous_goods[0].quantity_kg": "12000",
        "dangerous_goods[0].packing_group": "II",
        "health.ill_persons": "0",
        "health.deaths": "0",
        "health.sanitation_certificate_expiry": (now.date() + timedelta(days=150)).isoformat(),
        "security_level": "1",
    }
    form.update(changes)
    return form


def submit_arrival(client: TestClient, data: dict[str, str], paxlst: str | None = None) -> Response:
    page = client.get("/port-calls/new")
    files = {"paxlst": ("crew.edi", (paxlst or "").encode(), "text/plain")}
    return client.post("/port-calls/new", data={**data, "csrf_token": token_of(page)}, files=files)


def test_agent_files_through_the_form_with_a_paxlst_upload(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    form = client.get("/port-calls/new")
    assert 'data-testid="arrival-form"' in form.text and 'value="CNTAO"' in form.text
    assert '<option value="' in text_of(form, "input-berth") or "QQCT" in form.text
    answer = submit_arrival(client, arrival_form(clock.now), paxlst_text(clock.now))
    assert answer.status_code == 303, answer.text
    call_id = int(answer.headers["location"].rsplit("/", 1)[1])
    call = portcalls.get_port_call(ctx, people["agent"], call_id)
    arrival = call["arrival"]
    assert [p["family_name"] for p in arrival["crew"]] == ["WANG", "SANTOS", "LI", "DELA CRUZ"]
    assert [p["family_name"] for p in arrival["passengers"]] == ["KIM"]
    assert arrival["ship"]["flag"] == "PA" and arrival["last_ports"] == ["KRPUS", "CNSHA"]
    assert arrival["cargo"]["total_packages"] == 1640 and arrival["cargo"]["total_teu"] == 121
    eta = (clock.now + timedelta(days=3)).replace(second=0, microsecond=0)
    assert datetime.fromisoformat(call["eta"]) == eta
    assert call["status"] == "cleared"
    page = client.get(answer.headers["location"])
    assert "进口岸申报已提交" in text_of(page, "notice")
    assert text_of(page, "ship-name") == "EVER DIADEM"
    assert "SANTOS" in text_of(page, "crew-table") and "KIM" in text_of(page, "passengers-table")


def test_form_errors_show_beside_the_fields_and_keep_what_was_typed(
    ctx: ServiceContext, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    data = arrival_form(
        clock.now,
        **{"ship.imo": "9134271", "voyage": "", "dangerous_goods[0].quantity_kg": "lots"},
    )
    answer = submit_arrival(client, data, paxlst_text(clock.now))
    assert answer.status_code == 422
    assert text_of(answer, "error-ship.imo").startswith("“9134271”：")
    assert text_of(answer, "error-voyage") == "必填。"
    assert (
        text_of(answer, "error-dangerous_goods[0].quantity_kg") == "“lots”：请填写数字，如 12.5。"
    )
    assert 'value="9134271"' in answer.text and 'value="lots"' in answer.text
    assert 'value="Furniture and parts"' in answer.text
    assert "船员 4 人，旅客 1 人" in text_of(answer, "paxlst-kept")
    assert "请更正标出的字段" in text_of(answer, "form-message")
    assert 'href="/port-calls/new?lang=en"' in answer.text  # the language switch stays on the form


def test_an_etd_before_the_eta_is_refused_beside_the_etd(ctx: ServiceContext, clock: Clock) -> None:
    client = signed_in(ctx, "agent")
    etd = local(clock.now + timedelta(days=3) - timedelta(hours=1))
    answer = submit_arrival(client, arrival_form(clock.now, etd=etd))
    assert answer.status_code == 422
    assert text_of(answer, "error-etd") == f"“{etd}”：应晚于预计抵港时间。"
    assert f'value="{etd}"' in answer.text


def test_an_imperfect_paxlst_is_kept_and_left_to_the_rules(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    # A real message: its person has a role Kouan does not know (NAD+VW) and a document
    # without expiry. The person is kept with warnings; border inspection's rules refer them.
    client = signed_in(ctx, "agent", lang="en")
    smooks = shared_data("edifact", "smooks_paxlst_d03b.edi").read_text(encoding="latin-1")
    answer = submit_arrival(client, arrival_form(clock.now), smooks)
    assert answer.status_code == 303, answer.text
    call_id = int(answer.headers["location"].rsplit("/", 1)[1])
    call = portcalls.get_port_call(ctx, people["agent"], call_id)
    (person,) = call["arrival"]["passengers"]
    assert person["family_name"] == "AOMAD" and person["document"]["expiry"] is None
    border = next(r for r in call["reviews"] if r["agency"] == "BORDER")
    assert "BORDER-NO-EXPIRY" in border["rules_hit"]
    page = client.get(f"/port-calls/{call_id}")
    assert page.status_code == 200 and "AOMAD" in page.text


def test_a_kept_paxlst_is_filed_without_uploading_it_again(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    client = signed_in(ctx, "agent")
    refused = submit_arrival(client, arrival_form(clock.now, voyage=""), paxlst_text(clock.now))
    kept = re.search(r'<textarea name="paxlst_kept" hidden>(.*?)</textarea>', refused.text, re.S)
    assert kept
    again = arrival_form(clock.now, paxlst_kept=kept.group(1).replace("&#39;", "'"))
    answer = submit_arrival(client, again)
    assert answer.status_code == 303, answer.text
    call_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert len(portcalls.get_port_call(ctx, people["agent"], call_id)["arrival"]["crew"]) == 4


def test_other_roles_may_not_file(ctx: ServiceContext) -> None:
    answer = signed_in(ctx, "customs").get("/port-calls/new")
    assert answer.status_code == 403
    assert 'data-testid="error-page" data-status="403"' in answer.text


# The port-call page and its forms


def test_call_page_shows_header_cards_timeline_documents_and_trail(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now, health={"ill_persons": 2})
    page = signed_in(ctx, "port_office", lang="en").get(f"/port-calls/{call['id']}")
    assert page.status_code == 200
    assert text_of(page, "ship-imo") == "9134270" and text_of(page, "ship-flag") == "PA"
    assert text_of(page, "ship-call-sign") == "3FOF8"
    assert text_of(page, "call-status") == "Filed"
    ciq = text_of(page, "agency-card-entry-CIQ")
    assert "Inspection" in ciq and "CIQ-ILL-ABOARD" in ciq
    assert "Approved" in text_of(page, "agency-card-entry-CUSTOMS")
    assert 'data-testid="agency-card-departure-CUSTOMS"' not in page.text
    assert 'data-testid="timeline-step-ATA" data-state="due"' in page.text
    assert "PAINT" in text_of(page, "dg-table") and "WANG" in text_of(page, "crew-table")
    assert "Arrival notice filed" in text_of(page, "audit-trail")
    assert 'data-testid="decide-form-' not in page.text


def test_waiting_for_the_entry_permit_is_drawn_on_the_timeline(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now, health={"ill_persons": 2})
    for event in (TimelineEvent.ATA, TimelineEvent.ALL_FAST):
        portcalls.record_event(ctx, people["terminal"], call["id"], event, clock.now)
    clock.advance(minutes=75)
    page = signed_in(ctx, "agent").get(f"/port-calls/{call['id']}")
    assert 'data-testid="timeline-step-ALL_FAST" data-state="waiting"' in page.text
    assert text_of(page, "wait-ALL_FAST") == "等待进口岸许可 1小时15分"


def test_another_agent_gets_404_for_someone_elses_call(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    other = signed_in(ctx, "agent2")
    page = other.get(f"/port-calls/{call['id']}")
    assert page.status_code == 404
    assert 'data-testid="error-page" data-status="404"' in page.text
    assert f"call-row-{call['id']}" not in other.get("/port-calls").text
    assert other.get("/port-calls/999999").status_code == 404


def test_unknown_addresses_answer_a_friendly_page(ctx: ServiceContext) -> None:
    client = signed_in(ctx, "agent")
    for path in ("/no-such-page", "/port-calls/abc"):
        page = client.get(path)
        assert page.status_code == 404
        assert 'data-testid="error-page"' in page.text and "Traceback" not in page.text


def test_officer_decides_from_the_queue_and_a_reason_is_required_to_hold(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now, health={"ill_persons": 2})
    ciq = review_of(call, "CIQ")
    client = signed_in(ctx, "ciq")
    fields = {"decision": "hold", "reason": " ", "version": str(ciq["version"]), "origin": "queue"}
    refused = post_form(client, "/reviews", f"/reviews/{ciq['id']}/decision", fields)
    assert refused.status_code == 422
    assert text_of(refused, f"error-reason-{ciq['id']}") == "除“通过”外，其他决定都须填写理由。"
    assert re.search(
        rf'value="hold"\s+required\s+data-testid="decision-hold-{ciq["id"]}"\s+checked',
        refused.text,
    )
    approved = post_form(
        client, "/reviews", f"/reviews/{ciq['id']}/decision", {**fields, "decision": "approve"}
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/reviews#review-{ciq['id']}"
    after = portcalls.get_port_call(ctx, people["agent"], call["id"])
    assert after["status"] == "cleared" and review_of(after, "CIQ")["officer"] == "ciq"
    assert "审核决定已记录" in text_of(client.get("/reviews"), "notice")


def test_a_stale_screen_gets_the_conflict_message(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now, cargo={"total_packages": 1})
    customs = review_of(call, "CUSTOMS")
    client = signed_in(ctx, "customs", lang="en")
    page_url = f"/port-calls/{call['id']}"
    token = token_of(client.get(page_url))
    reviews.decide(ctx, people["customs"], customs["id"], Decision.APPROVE, "")
    answer = client.post(
        f"/reviews/{customs['id']}/decision",
        data={
            "decision": "hold",
            "reason": "packages mismatch",
            "version": str(customs["version"]),
            "origin": "call",
            "call_id": str(call["id"]),
            "csrf_token": token,
        },
    )
    assert answer.status_code == 409
    assert "Someone changed this since you opened the page" in text_of(answer, "form-message")
    assert text_of(answer, "ship-name") == "EVER DIADEM"


def test_terminal_records_an_event_at_the_time_typed(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    clock.advance(hours=3)
    typed = clock.now - timedelta(minutes=20)
    client = signed_in(ctx, "terminal")
    answer = post_form(
        client,
        "/",
        f"/port-calls/{call['id']}/events",
        {"type": "ATA", "at": local(typed), "origin": "home"},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    after = portcalls.get_port_call(ctx, people["terminal"], call["id"])
    assert after["status"] == "arrived"
    assert datetime.fromisoformat(after["timestamps"]["ATA"]) == typed.replace(second=0)
    assert "船舶动态已记录" in text_of(client.get("/"), "notice")


def test_an_event_out_of_order_is_refused_on_the_page(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    client = signed_in(ctx, "terminal")
    answer = post_form(
        client,
        f"/port-calls/{call['id']}",
        f"/port-calls/{call['id']}/events",
        {"type": "OPS_START", "at": local(clock.now), "origin": "call"},
    )
    assert answer.status_code == 409
    assert "OPS_START needs ALL_FAST" in text_of(answer, "form-message")
    assert portcalls.get_port_call(ctx, people["terminal"], call["id"])["status"] == "cleared"


def test_agent_files_the_departure_from_the_call_page(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    client = signed_in(ctx, "agent")
    page_url = f"/port-calls/{call['id']}"
    assert 'data-testid="departure-form"' in client.get(page_url).text
    refused = post_form(
        client, page_url, f"{page_url}/departure", {"next_port": "XXZZZ", "etd": ""}
    )
    assert refused.status_code == 422
    assert "XXZZZ" in refused.text and text_of(refused, "error-etd") == "必填。"
    etd = clock.now + timedelta(days=4)
    filed = post_form(
        client, page_url, f"{page_url}/departure", {"next_port": "jptyo", "etd": local(etd)}
    )
    assert filed.status_code == 303
    after = portcalls.get_port_call(ctx, people["agent"], call["id"])
    assert after["departure"]["next_port"] == "JPTYO"
    assert datetime.fromisoformat(after["etd"]) == etd.replace(second=0, microsecond=0)
    page = client.get(page_url)
    assert 'data-testid="departure-form"' not in page.text
    assert 'data-testid="agency-card-departure-MSA"' in page.text


# The list and its CSV export


def test_list_filters_sorts_and_pages_on_the_server(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    calls = [file_call(ctx, people, clock.now + timedelta(hours=i)) for i in range(3)]
    file_call(ctx, people, clock.now, cargo={"total_packages": 1})
    client = signed_in(ctx, "port_office")
    cleared = client.get("/port-calls?status=cleared&sort=eta&limit=25")
    ids = re.findall(r'data-testid="call-row-(\d+)"', cleared.text)
    assert ids == [str(c["id"]) for c in calls]
    newest = client.get("/port-calls?sort=id&limit=25")
    assert re.findall(r'data-testid="call-row-(\d+)"', newest.text)[0] == str(calls[-1]["id"] + 1)
    first = client.get("/port-calls?status=cleared&limit=25&offset=2")
    assert re.findall(r'data-testid="call-row-(\d+)"', first.text) == [str(calls[2]["id"])]
    assert 'data-testid="prev-page"' in first.text and 'data-testid="next-page"' not in first.text
    assert "Penavico Qingdao" in cleared.text


def test_csv_export_holds_the_filtered_list_in_beijing_time(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    clean = file_call(ctx, people, clock.now)
    file_call(ctx, people, clock.now, cargo={"total_packages": 1})
    answer = signed_in(ctx, "agent").get("/port-calls?status=cleared&format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["id"] for r in rows] == [str(clean["id"])]
    eta = datetime.fromisoformat(rows[0]["eta"])
    assert eta.utcoffset() == timedelta(hours=8)
    assert eta == datetime.fromisoformat(clean["eta"])
    assert rows[0]["ship_name"] == "EVER DIADEM" and rows[0]["is_zero_wait"] == "true"


def test_csv_export_is_scoped_to_the_agent(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    file_call(ctx, people, clock.now)
    answer = signed_in(ctx, "agent2").get("/port-calls?format=csv")
    assert answer.text.splitlines()[1:] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_a_role_reaches_answers(
    ctx: ServiceContext, people: People, clock: Clock, lang: str
) -> None:
    call = file_call(ctx, people, clock.now, health={"ill_persons": 2})
    pages = {
        "agent": ["/", "/port-calls", "/port-calls/new", f"/port-calls/{call['id']}"],
        "ciq": ["/", "/reviews", "/reviews?status=approved", "/board", f"/port-calls/{call['id']}"],
        "terminal": ["/", "/board", "/port-calls", f"/port-calls/{call['id']}"],
        "port_office": ["/", "/board", "/reviews", "/port-calls", f"/port-calls/{call['id']}"],
    }
    for username, paths in pages.items():
        client = signed_in(ctx, username, lang=lang)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (username, path, page.text[:500])
            assert "/static/kouan.css" in page.text and "//cdn" not in page.text
    assert TestClient(create_app(ctx)).get("/static/kouan.css").status_code == 200


def test_an_id_no_row_can_have_is_not_found_on_pages(ctx: ServiceContext) -> None:
    client = signed_in(ctx, "port_office")
    assert client.get("/port-calls/99999999999999999999999").status_code == 404
    officer = signed_in(ctx, "customs")
    form = officer.get("/reviews")
    answer = officer.post(
        "/reviews/99999999999999999999/decision",
        data={
            "decision": "approve",
            "origin": "call",
            "call_id": "99999999999999999999",
            "csrf_token": token_of(form),
        },
    )
    assert answer.status_code == 404
