"""The command line of alerts: `kouan alerts escalate [--loop --every 60]` (mounted by kouan.cli).

Run one such job beside the servers: an acknowledgement overdue is escalated to the port office
once, whichever job finds it first (alerts.escalate_overdue locks what it escalates).
"""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.services.passengers import cases

alerts_app = typer.Typer(help="Alerts and their acknowledgements.", no_args_is_help=True)
console = Console(stderr=True)


@alerts_app.callback()
def alerts_group() -> None:
    """Alerts and their acknowledgements."""
    # A callback keeps `escalate` a subcommand: Typer runs a lone command as the app itself.


@alerts_app.command("escalate")
def escalate(
    loop: Annotated[bool, typer.Option("--loop/--once", help="Run until stopped.")] = False,
    every: Annotated[int, typer.Option(min=1, help="Seconds between rounds (--loop).")] = 60,
) -> None:
    """Escalate every alert whose acknowledgement is overdue to the port office: once, or every
    EVERY seconds until SIGTERM or Ctrl-C."""
    settings = get_settings()
    ctx = service_context(make_engine(settings.database_url), settings)
    if not loop:
        console.print(f"escalated {cases.escalate(ctx)} alert(s)")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"escalating overdue alerts every {every} s")
    cases.escalation_loop(ctx, every, stop)
