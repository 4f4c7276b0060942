"""The goods pages: the agent's manifests (search, detail with amendments, upload with the
template), the terminal's gate check and customs' write-off view, in Chinese and English."""

from __future__ import annotations

from sqlalchemy import func, select

from kouan.adapters.cuscar import write_cuscar
from kouan.adapters.db.goods_tables import Manifest
from kouan.services.goods import manifests
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.terminal import moves
from tests.api.test_pages import signed_in, text_of, token_of
from tests.conftest import Clock, People, file_declaration
from tests.manifests import BL, CONTAINER, OTHERS, bill, container, file_call, manifest


def test_the_agent_searches_opens_and_uploads_manifests(
    ctx: ServiceContext, people: People, clock: Clock
) -> None:
    call = file_call(ctx, people, clock.now)
    filed = manifests.file_manifest(ctx, people["agent"], manifest(call["id"]))
    manifests.amend_manifest(
        ctx,
        people["agent"],
        filed["id"],
        manifest(call["id"], bills_of_lading=[bill(), bill("NEW", [])]),
    )
    browser = signed_in(ctx, "agent")
    listing = browser.get("/manifests", params={"q": CONTAINER})
    assert listing.status_code == 200
    assert f'data-testid="manifest-row-{filed["id"]}"' in listing.text
    assert text_of(browser.get("/"), "nav-manifests") == "舱单"
    assert 'data-testid="no-manifests"' in browser.get("/manifests?q=NOTHING").text
    detail = browser.get(f"/manifests/{filed['id']}?lang=en")
    assert detail.status_code == 200
    assert 'data-testid="added-NEW"' in detail.text and "B/L added" in detail.text
    assert f'data-testid="container-{CONTAINER}"' in detail.text
    form = browser.get("/manifests/upload")
    assert 'href="/api/v1/manifests/template?fmt=xlsx"' in form.text
    other = file_call(ctx, people, clock.now)
    text = write_cuscar(manifest(other["id"]), "COSCO", "C1", clock.now)
    sent = browser.post(
        "/manifests/upload",
        data={"csrf_token": token_of(form)},
        files={"manifest": ("manifest.edi", text.encode(), "text/plain")},
    )
    assert sent.status_code == 303, sent.text
    broken = text.replace(f"EQD+CN+{CONTAINER}", "EQD+CN+CSQU3054384")
    refused = browser.post(
        "/manifests/upload",
        data={"csrf_token": token_of(form)},
        files={"manifest": ("bad.edi", broken.encode(), "text/plain")},
    )
    assert refused.status_code == 422
    assert "(EQD+CN) C237/8260" in refused.text
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Manifest)) == 2


def test_the_gate_clerk_sees_yes_or_no_in_large_type(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ctx = registered
    call = file_call(ctx, people, clock.now)
    lines = [container(CONTAINER), container(OTHERS[0])]
    manifests.file_manifest(
        ctx, people["agent"], manifest(call["id"], bills_of_lading=[bill(lines=lines)])
    )
    file_declaration(ctx, people, containers=[CONTAINER])
    clerk = signed_in(ctx, "terminal")
    waiting = clerk.get("/gate", params={"container": CONTAINER, "lang": "en"})
    assert text_of(waiting, "gate-word") == "NO"
    assert 'data-reason="not_arrived"' in waiting.text
    assert text_of(waiting, "gate-reason") == "No goods-arrival report for it yet"
    waiting_zh = clerk.get("/gate", params={"container": CONTAINER, "lang": "zh"})
    assert text_of(waiting_zh, "gate-reason") == "尚无运抵报告"
    arrival = moves.ArrivalIn(container=CONTAINER, arrived_at=clock.now)
    moves.record_arrivals(ctx, people["terminal"], [arrival])
    yes = clerk.get("/gate", params={"container": CONTAINER})
    assert yes.status_code == 200
    assert text_of(yes, "gate-word") == "放行"
    assert 'data-allowed="yes"' in yes.text
    no = clerk.get("/gate", params={"container": OTHERS[0], "lang": "en"})
    assert text_of(no, "gate-word") == "NO"
    assert "name other containers" in text_of(no, "gate-reason")
    again = clerk.get("/gate?lang=en")  # each refusal kept before its answer
    assert OTHERS[0] in again.text and 'data-testid="refusals-table"' in again.text
    bad = clerk.get("/gate", params={"container": "CSQU3054384"})
    assert bad.status_code == 422 and 'data-testid="error-container"' in bad.text
    assert signed_in(ctx, "broker").get("/gate").status_code == 403
    officer = signed_in(ctx, "customs", "en")
    page = officer.get("/write-off")
    assert page.status_code == 200
    assert 'data-testid="no-flagged"' in page.text
    assert OTHERS[0] in page.text  # the gate's refusal
    assert BL not in text_of(page, "no-undeclared")
