"""The demo's duties: customs records guarantees for the AA-class traders (their imports are
released at filing on them, and they settle the duties so secured a week later, which restores
the guarantee), and the simulated bank pays the other traders' duties a few minutes after each
declaration waits for them, C- and D-class traders three days later
(kouan.adapters.bank.SimulatedBank).

Staged after the cargo (`duties.stage(play)` after `cargo.stage(play)` in demo/build.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from kouan.adapters.bank import Payment, SimulatedBank
from kouan.adapters.db.duty_tables import DutyAssessment
from kouan.adapters.db.tables import DeclarationRow
from kouan.demo import content
from kouan.demo.schedule import Play
from kouan.domain.errors import DomainError
from kouan.services.duties import assessments, guarantees, payments

GUARANTEE = Decimal(50_000_000)  # CNY, for each AA-class trader
SWEEP = timedelta(minutes=10)  # how often the bank's notifications are looked for
SLOW_PAYERS = ("C", "D")  # credit classes that pay late
SLOW_PAYMENT = timedelta(days=3)
SETTLEMENT = timedelta(days=7)  # duties released on a guarantee are paid a week later
ISSUER = "青岛银行"


def _guarantees(play: Play) -> None:
    customs = play.actor(content.month_plan().registrar)
    for trader in content.traders().values():
        if trader.credit_class == "AA":
            guarantees.set_guarantee(play.ctx, customs, trader.code, GUARANTEE, ISSUER)


class _Bank:
    """The simulated bank: asked to pay each declaration found waiting, pays it minutes later."""

    def __init__(self, play: Play) -> None:
        self.play = play
        self.bank = SimulatedBank("SIMBANK", timedelta(minutes=5))
        self.asked: set[int] = set()

    def sweep(self) -> None:
        ctx, customs = self.play.ctx, self.play.actor(content.month_plan().registrar)
        now = ctx.clock()
        with ctx.uow(customs, write=False) as uow:
            due = uow.session.execute(
                select(DutyAssessment.declaration_id, DutyAssessment.total_fen)
                .join(DeclarationRow, DeclarationRow.id == DutyAssessment.declaration_id)
                .where(
                    (
                        (DutyAssessment.status == assessments.DUE)
                        # C- and D-class traders pay days late: their last days' goods wait.
                        & (
                            DeclarationRow.credit_class.not_in(SLOW_PAYERS)
                            | (DeclarationRow.filed_at <= now - SLOW_PAYMENT)
                        )
                    )
                    | (
                        (DutyAssessment.status == assessments.GUARANTEED)
                        & (DeclarationRow.filed_at <= now - SETTLEMENT)
                    )
                )
            ).all()
        for declaration_id, total_fen in due:
            if declaration_id not in self.asked:
                self.asked.add(declaration_id)
                self.bank.request(declaration_id, Decimal(total_fen) / 100, now)

        def notify(p: Payment) -> object:
            try:
                return payments.record_payment(
                    ctx, customs, p.bank, p.bank_reference, p.declaration_id, p.amount, p.paid_at
                )
            except DomainError:  # seized or gone meanwhile: nothing to pay
                return None

        self.bank.due(now, notify)


def stage(play: Play) -> None:
    """Guarantees before the month's first filing; the bank's sweeps through the month."""
    begins = play.begins()
    play.at(begins + timedelta(hours=6), partial(_guarantees, play))
    bank = _Bank(play)
    moment = begins + timedelta(hours=6, minutes=10)
    while moment <= play.now:
        play.at(moment, bank.sweep)
        moment += SWEEP
