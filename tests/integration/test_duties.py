"""Duties before release, on SQLite and PostgreSQL: imports assessed at filing, released on the
trader's guarantee or held until paid, payments notified once per bank reference, guarantees
never overdrawn by concurrent releases."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from kouan.adapters.bank import Payment, SimulatedBank
from kouan.domain.agency import Decision
from kouan.domain.errors import Conflict, NotFound, ValidationFailed
from kouan.services.cargo import queries
from kouan.services.duties import assessments, guarantees, overview, payments, tariffs
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.review import reviews
from tests.conftest import GUARANTEE, Clock, People, file_declaration
from tests.factories import declaration_item, trader

# 10,000 USD of T-shirts from the US at 7.1: 71,000.00 CNY, duty 4,260.00, VAT 9,783.80.
OWED = Decimal("14043.80")


def _import(ctx: ServiceContext, people: People, credit: str = "AA", **overrides: Any) -> dict:
    items = [declaration_item(value="10000", origin="US")]
    return file_declaration(
        ctx, people, direction="import", items=items, **trader(credit), **overrides
    )


def _balance(ctx: ServiceContext, people: People, credit: str) -> Decimal:
    code = trader(credit)["trader"]
    return Decimal(guarantees.get_guarantee(ctx, people["customs"], code)["balance"])


def _no_guarantee(ctx: ServiceContext, people: People, credit: str) -> None:
    guarantees.set_guarantee(ctx, people["customs"], trader(credit)["trader"], Decimal(0))


def test_a_green_import_is_assessed_and_released_on_the_guarantee(
    registered: ServiceContext, people: People
) -> None:
    view = _import(registered, people)
    assert (view["lane"], view["status"]) == ("green", "released")
    duties = assessments.get_assessment(registered, people["broker"], view["id"])
    assert (duties["customs_value"], duties["duty"], duties["vat"], duties["total"]) == (
        "71000.00",
        "4260.00",
        "9783.80",
        str(OWED),
    )
    assert duties["status"] == "guaranteed" and duties["lines"][0]["duty_basis"] == "mfn"
    assert _balance(registered, people, "AA") == GUARANTEE - OWED
    # Exports owe nothing and are released as before.
    export = file_declaration(registered, people, **trader("AA"))
    assert export["status"] == "released"
    with pytest.raises(NotFound):
        assessments.get_assessment(registered, people["broker"], export["id"])


def test_without_a_guarantee_the_goods_wait_for_payment_and_go_when_paid(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    _no_guarantee(registered, people, "AA")
    view = _import(registered, people)
    assert (view["lane"], view["status"], view["release_notice"]) == ("green", "payment_due", None)
    awaiting = overview.listed(registered, people["customs"], assessments.DUE, 10)
    assert [d["declaration_id"] for d in awaiting] == [view["id"]]
    clock.advance(minutes=7)
    customs = people["customs"]
    # Part of it: still waiting.
    status, _ = payments.record_payment(
        registered, customs, "ICBC", "P-1", view["id"], Decimal("10000")
    )
    assert status == 201
    assert queries.get_declaration(registered, customs, view["id"])["status"] == "payment_due"
    status, paid = payments.record_payment(
        registered, customs, "ICBC", "P-2", view["id"], OWED - 10000
    )
    after = queries.get_declaration(registered, customs, view["id"])
    assert (status, after["status"], after["clearance_seconds"]) == (201, "released", 420.0)
    # The bank's notification again: answered as before, nothing recorded twice.
    again = payments.record_payment(registered, customs, "ICBC", "P-2", view["id"], OWED - 10000)
    assert again == (200, paid)
    with pytest.raises(Conflict):
        payments.record_payment(registered, customs, "ICBC", "P-2", view["id"], Decimal("1"))
    duties = assessments.get_assessment(registered, customs, view["id"])
    assert (duties["status"], duties["paid"]) == ("paid", str(OWED))


def test_a_payment_for_an_unknown_declaration_or_an_export_is_refused_naming_it(
    registered: ServiceContext, people: People
) -> None:
    with pytest.raises(NotFound, match="declaration 999999"):
        payments.record_payment(registered, people["customs"], "ICBC", "X-1", 999999, Decimal("10"))
    export = file_declaration(registered, people)
    with pytest.raises(ValidationFailed, match="declaration_id"):
        payments.record_payment(
            registered, people["customs"], "ICBC", "X-2", export["id"], Decimal("10")
        )


def test_payment_restores_what_the_guarantee_secured(
    registered: ServiceContext, people: People
) -> None:
    view = _import(registered, people)
    assert _balance(registered, people, "AA") == GUARANTEE - OWED
    payments.record_payment(registered, people["customs"], "BOC", "R-9", view["id"], OWED)
    assert _balance(registered, people, "AA") == GUARANTEE
    duties = assessments.get_assessment(registered, people["customs"], view["id"])
    assert (duties["status"], duties["guaranteed"]) == ("paid", "0.00")


def test_a_reviewed_import_draws_on_the_guarantee_when_approved_or_waits(
    registered: ServiceContext, people: People
) -> None:
    covered = _import(registered, people, "C")
    assert covered["status"] == "under_review"
    review = next(r for r in covered["reviews"] if r["agency"] == "CUSTOMS")
    reviews.decide(registered, people["customs"], review["id"], Decision.APPROVE, "")
    assert queries.get_declaration(registered, people["customs"], covered["id"])["status"] == (
        "released"
    )
    assert _balance(registered, people, "C") == GUARANTEE - OWED
    guarantees.set_guarantee(registered, people["customs"], trader("C")["trader"], OWED)
    # The guarantee is now all in use: the next approved import waits for payment.
    waiting = _import(registered, people, "C")
    review = next(r for r in waiting["reviews"] if r["agency"] == "CUSTOMS")
    reviews.decide(registered, people["customs"], review["id"], Decision.APPROVE, "")
    assert queries.get_declaration(registered, people["customs"], waiting["id"])["status"] == (
        "payment_due"
    )
    with pytest.raises(ValidationFailed, match="in use"):
        guarantees.set_guarantee(registered, people["customs"], trader("C")["trader"], OWED - 1)


def test_the_simulated_bank_pays_minutes_after_filing(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    _no_guarantee(registered, people, "B")
    view = _import(registered, people, "B")
    bank = SimulatedBank(delay=__import__("datetime").timedelta(minutes=5))
    bank.request(view["id"], OWED, clock.now)

    def notify(p: Payment) -> object:
        return payments.record_payment(
            registered, people["customs"], p.bank, p.bank_reference, p.declaration_id, p.amount
        )

    assert bank.due(clock.now, notify) == 0
    clock.advance(minutes=5)
    assert bank.due(clock.now, notify) == 1
    status = queries.get_declaration(registered, people["customs"], view["id"])["status"]
    # A B-class trader's declaration may be drawn for a check: then it waits for the officer.
    assert status in ("released", "under_review", "inspection")


def test_a_new_tariff_version_applies_from_its_day(
    registered: ServiceContext, people: People, clock: Clock
) -> None:
    text = tariffs.reference_text("tariff.csv").replace("6109,", "6109,", 1)
    text = text.replace('6109,"T-shirts, singlets, knitted",针织T恤衫、汗衫,6,', '6109,"T",T,10,')
    day = tariffs.port_day(clock.now)
    tariffs.import_csv(registered, people["customs"], text, day.replace(year=day.year + 1))
    assert _import(registered, people)["status"] == "released"
    first = assessments.list_assessments(registered, people["customs"])[0]
    assert (first["duty"], first["tariff_version"]) == ("4260.00", 0)
    tariffs.import_csv(registered, people["customs"], text, day)
    view = _import(registered, people)
    duties = assessments.get_assessment(registered, people["customs"], view["id"])
    assert (duties["duty"], duties["tariff_version"]) == ("7100.00", 2)


def test_concurrent_releases_never_overdraw_a_guarantee(
    registered: ServiceContext, people: People, database_url: str
) -> None:
    """Eight brokers' threads file at once against a guarantee that covers three: three are
    released on it, five wait for payment, and the balance is never below zero."""
    code = trader("AA")["trader"]
    guarantees.set_guarantee(registered, people["customs"], code, OWED * 3 + 1)
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def file(n: int) -> None:
        try:
            start.wait()
            results.append(_import(registered, people, reference=f"C-{n}")["status"])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["payment_due"] * 5 + ["released"] * 3
    assert _balance(registered, people, "AA") == Decimal("1")
