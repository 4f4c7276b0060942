"""The command line of transit under customs seal (mounted by kouan.cli as `kouan transit`):
`check-overdue [--loop --every 60]` alerts customs of each transit past its time limit, once;
`office CNJNA "Jinan Customs"` says which customs organisation an inland office is.

Run one check-overdue job beside the servers (as `kouan alerts escalate`): the rows it marks
are locked, so two jobs at once alert once.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.errors import DomainError
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.transit import transits

app = typer.Typer(help="Transit under customs seal (转关).", no_args_is_help=True)
console = Console(stderr=True)
log = logging.getLogger("kouan.transit")


def _context() -> ServiceContext:
    settings = get_settings()
    return service_context(make_engine(settings.database_url), settings)


@app.command("check-overdue")
def check_overdue(
    loop: Annotated[bool, typer.Option("--loop/--once", help="Run until stopped.")] = False,
    every: Annotated[int, typer.Option(min=1, help="Seconds between rounds (--loop).")] = 60,
) -> None:
    """Alert customs of every transit past its time limit (each once): once, or every EVERY
    seconds until SIGTERM or Ctrl-C."""
    ctx = _context()
    if not loop:
        found = transits.check_overdue(ctx)
        console.print(
            f"{len(found)} transit(s) found overdue: {found}" if found else "none overdue"
        )
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"checking transits every {every} s")
    while not stop.is_set():
        try:
            found = transits.check_overdue(ctx)
            if found:
                log.warning("transit(s) overdue, customs alerted: %s", found)
        except Exception:  # the loop outlives a database restart
            log.exception("checking overdue transits failed; trying again in %s s", every)
        stop.wait(every)


@app.command("office")
def office(
    code: Annotated[str, typer.Argument(help="The inland office's UN/LOCODE, e.g. CNJNA.")],
    org: Annotated[str, typer.Argument(help="The name of its customs organisation.")],
) -> None:
    """Say which customs organisation an inland office is (only it acknowledges arrivals)."""
    try:
        done = transits.register_office(_context(), SYSTEM, code, org)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{done['office']} is {done['org_name']}")
