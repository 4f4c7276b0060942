"""The duties pages through HTTP: customs sees what awaits payment, what went on a guarantee and
what was paid, sets traders' guarantees (refused below what is in use, in Chinese and English)
and imports the tariff (refused naming the line and column); a broker sees its own declarations'
duties and no form; others may not see the page. A declaration's page shows its duties. The
Chinese page shows no stray Latin word, the English one no Chinese character."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from kouan.adapters.db.tables import AuditEntry
from kouan.services.duties import guarantees, payments, tariffs
from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.test_pages import signed_in, text_of, texts_of, token_of
from tests.conftest import Clock, People, file_declaration
from tests.factories import declaration_item, trader

# 10,000 USD of T-shirts from the US at 7.1: duty 4,260.00 and VAT 9,783.80 (tests/integration
# /test_duties.py).
OWED = Decimal("14043.80")
CODE = trader("AA")["trader"]


def _import(ctx: ServiceContext, people: People, who: str = "broker") -> dict[str, Any]:
    items = [declaration_item(value="10000", origin="US")]
    return file_declaration(ctx, people, who, direction="import", items=items, **trader("AA"))


def _assessed(ctx: ServiceContext, people: People, clock: Clock) -> dict[str, int]:
    """One import of each kind: paid, released on the guarantee, and two waiting for payment
    (the broker's, then the other broker's) once the guarantee is all in use."""
    customs = people["customs"]
    paid = _import(ctx, people)
    payments.record_payment(ctx, customs, "ICBC", "P-1", paid["id"], OWED)
    guaranteed = _import(ctx, people)
    guarantees.set_guarantee(ctx, customs, CODE, OWED, "Bank of Qingdao")
    due = _import(ctx, people)
    other = _import(ctx, people, "broker2")
    assert (guaranteed["status"], due["status"]) == ("released", "payment_due")
    clock.advance(minutes=90)
    return {
        "paid": paid["id"],
        "guaranteed": guaranteed["id"],
        "due": due["id"],
        "other": other["id"],
    }


# Codes and units a Chinese page may show: capitals and digits (CNY, HS, CSV, MFN...).
def _latin_words(page: Response) -> list[str]:
    """Latin words (with a small letter) in the page's own words: headings, labels, buttons,
    terms and paragraphs of its content; codes (<code>) and the data in table cells aside."""
    main = page.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<code>.*?</code>|<(td|option)\b[^>]*>.*?</\1>", " ", main, flags=re.S)
    found = []
    for tag in ("th", "dt", "dd", "h1", "h2", "h3", "button", "nav", "label", "p", "li", "a"):
        for text in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", main, re.S):
            found += re.findall(r"\b[A-Za-z]*[a-z][A-Za-z]+\b", re.sub(r"<[^>]+>", " ", text))
    return found


def _chinese(page: Response) -> list[str]:
    main = page.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    return re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+", main)


def _post(client: TestClient, action: str, data: dict[str, str], **files: Any) -> Response:
    token = token_of(client.get("/duties"))
    return client.post(action, data={**data, "csrf_token": token}, files=files or None)


def test_customs_sees_what_awaits_payment_and_sets_guarantees(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _assessed(registered, people, clock)
    customs = signed_in(registered, "customs")
    page = customs.get("/duties")
    assert page.status_code == 200, page.text
    assert text_of(page, "nav-duties") == "税费与担保"
    assert (text_of(page, "count-due"), text_of(page, "count-guaranteed")) == ("2", "1")
    assert text_of(page, "count-paid") == "1"
    for kind in ("due", "other"):
        row = f'data-testid="due-{ids[kind]}"'
        assert row in page.text
        assert text_of(page, f"owed-{ids[kind]}") == "¥14,043.80"
        assert f'href="/declarations/{ids[kind]}"' in page.text
    # The longest waiting first, and how long: never "0 min".
    assert page.text.index(f"due-{ids['due']}") < page.text.index(f"due-{ids['other']}")
    assert text_of(page, f"waited-{ids['due']}") == "1小时30分"
    assert text_of(page, f"secured-{ids['guaranteed']}") == "¥14,043.80"
    assert f'data-testid="paid-{ids["paid"]}"' in page.text
    assert text_of(page, f"in-use-{CODE}") == "¥14,043.80"
    assert text_of(page, f"balance-{CODE}") == "¥0.00"
    assert "Qingdao Haier Trading" in text_of(page, f"guarantee-{CODE}")
    for form in (f"guarantee-{CODE}-form", "guarantee-new-form", "tariff-form"):
        assert f'data-testid="{form}"' in page.text
    assert _latin_words(page) == []
    english = customs.get("/duties?lang=en")
    assert text_of(english, "nav-duties") == "Duties and guarantees"
    assert text_of(english, f"waited-{ids['due']}") == "1 h 30 min"
    assert _chinese(english) == []
    customs.get("/duties?lang=zh")

    # Below what is in use: refused beside the amount, in the reader's language.
    typed = {"trader": CODE, "row": "1", "issuer": "Bank of Qingdao"}
    low = _post(customs, "/duties/guarantees", {**typed, "amount": "100"})
    assert low.status_code == 422
    assert text_of(low, f"error-guarantee-{CODE}-amount") == "不得少于已占用额度：¥14,043.80。"
    assert 'aria-invalid="true"' in low.text and _latin_words(low) == []
    low_en = _post(customs, "/duties/guarantees?lang=en", {**typed, "amount": "100"})
    assert text_of(low_en, f"error-guarantee-{CODE}-amount") == (
        "Not less than what is in use: ¥14,043.80."
    )
    customs.get("/duties?lang=zh")
    bad = _post(customs, "/duties/guarantees", {**typed, "amount": "12.345"})
    assert bad.status_code == 422 and "最多两位小数" in text_of(
        bad, f"error-guarantee-{CODE}-amount"
    )
    unknown = _post(customs, "/duties/guarantees", {"trader": "9999999999", "amount": "5"})
    assert text_of(unknown, "error-guarantee-new-trader") == "没有以此编码备案的企业。"

    done = _post(customs, "/duties/guarantees", {**typed, "amount": "20,000,000"})
    assert done.status_code == 303 and done.headers["location"] == f"/duties#guarantee-{CODE}"
    after = customs.get("/duties")
    assert text_of(after, "notice") == "担保已登记。"
    assert text_of(after, f"amount-{CODE}") == "¥20,000,000.00"
    assert text_of(after, f"balance-{CODE}") == "¥19,985,956.20"
    with registered.sessions() as session:
        audited = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "guarantee.set", AuditEntry.entity_id == CODE)
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert audited is not None and audited.after is not None
    assert (audited.actor, audited.after["amount"]) == ("customs", "20000000.00")


def test_a_broker_sees_its_own_declarations_duties_and_no_form(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _assessed(registered, people, clock)
    broker = signed_in(registered, "broker")
    page = broker.get("/duties")
    assert page.status_code == 200, page.text
    assert f'data-testid="due-{ids["due"]}"' in page.text
    assert f'data-testid="due-{ids["other"]}"' not in page.text
    assert text_of(page, "count-due") == "1"
    assert f'data-testid="guaranteed-{ids["guaranteed"]}"' in page.text
    assert text_of(page, f"balance-{CODE}") == "¥0.00"
    assert "<form" not in page.text.split('<main id="main">', 1)[1]
    assert _latin_words(page) == []
    refused = _post(broker, "/duties/guarantees", {"trader": CODE, "amount": "1"})
    assert refused.status_code == 403
    other = signed_in(registered, "broker2").get("/duties")
    assert f'data-testid="due-{ids["other"]}"' in other.text
    assert f'data-testid="due-{ids["due"]}"' not in other.text
    for username in ("agent", "airline"):
        client = signed_in(registered, username)
        assert client.get("/duties").status_code == 403
        assert 'data-testid="nav-duties"' not in client.get("/").text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_customs_imports_the_tariff_refused_by_line_and_column(
    registered: ServiceContext, people: People, clock: Clock, lang: str
) -> None:
    customs = signed_in(registered, "customs", lang=lang)
    day = tariffs.port_day(clock.now)
    bad = (
        "hs_prefix,description,description_zh,mfn,general,vat\n*,a,其他,1,30,13\n87,c,车,x,30,13\n"
    )
    refused = _post(
        customs,
        "/duties/tariff",
        {"effective_from": day.isoformat()},
        tariff=("tariff.csv", bad.encode(), "text/csv"),
    )
    assert refused.status_code == 422
    expected = {
        "zh": "第 3 行 mfn 列（“x”）：应为不小于 0 且小于 1000 的百分比税率。",
        "en": 'Line 3, column mfn ("x"): expected a rate in percent from 0 to below 1000.',
    }
    assert text_of(refused, "error-tariff-file") == expected[lang]
    undated = _post(customs, "/duties/tariff", {}, tariff=("t.csv", bad.encode(), "text/csv"))
    assert texts_of(undated, "error-tariff-effective_from")
    assert tariffs.list_versions(registered, people["customs"]) == []

    packaged = tariffs.reference_text("tariff.csv")
    later = day.replace(year=day.year + 1).isoformat()
    sent = _post(
        customs,
        "/duties/tariff",
        {"effective_from": later, "note": "2027"},
        tariff=("tariff.csv", packaged.encode("utf-8-sig"), "text/csv"),
    )
    assert sent.status_code == 303, sent.text
    [version] = tariffs.list_versions(registered, people["customs"])
    page = customs.get("/duties")
    row = text_of(page, f"tariff-version-{version['version']}")
    assert str(len(tariffs.packaged().lines)) in row and later in row
    assert (
        text_of(page, f"tariff-state-{version['version']}")
        == {"zh": "待施行", "en": "To come"}[lang]
    )
    assert text_of(page, "tariff-state-0") == {"zh": "施行中", "en": "In force"}[lang]
    if lang == "zh":
        assert _latin_words(page) == [] and text_of(page, "notice") == "税则版本已导入。"
    else:
        assert _chinese(page) == []
    assert _post(signed_in(registered, "broker"), "/duties/tariff", {}).status_code == 403


def test_the_declarations_page_shows_its_duties(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    ids = _assessed(registered, people, clock)
    customs = signed_in(registered, "customs")
    page = customs.get(f"/declarations/{ids['guaranteed']}")
    assert page.status_code == 200
    assert text_of(page, "duties-total") == "¥14,043.80"
    assert text_of(page, "duties-vat") == "¥9,783.80"
    assert text_of(page, "duties-guaranteed") == "¥14,043.80"
    assert text_of(page, "duty-rate-0") == "6% 最惠国税率"
    assert 'data-status="guaranteed"' in page.text
    # The trail names the assessment in the reader's words, not by its codes.
    trail = text_of(page, "audit-trail")
    assert "税款已核定 凭担保放行" in trail and "duties." not in trail
    english = customs.get(f"/declarations/{ids['paid']}?lang=en")
    assert text_of(english, "duty-rate-0") == "6% MFN rate"
    assert text_of(english, "duties-paid") == "¥14,043.80"
    assert (
        'data-testid="duties"'
        not in signed_in(registered, "ciq").get(f"/declarations/{ids['due']}").text
    )
