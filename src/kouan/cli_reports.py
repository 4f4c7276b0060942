"""The command line of reports: `kouan report bulletin --period YYYY-MM --port CODE --lang zh|en
--format md|html|pdf [--out FILE]` (mounted by kouan.cli)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.errors import DomainError
from kouan.reports import bulletin as bulletins
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM
from kouan.site import PORT

app = typer.Typer(help="Reports from the port's statistics.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("bulletin")
def bulletin(
    period: Annotated[str, typer.Option("--period", help="The month, YYYY-MM: its year to date.")],
    port: Annotated[
        str, typer.Option("--port", help="A seaport's UN/LOCODE or an airport's IATA code.")
    ] = PORT,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    fmt: Annotated[str, typer.Option("--format", help="md, html or pdf.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", help="The file to write (default: standard output).")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="A user who may read statistics (default: Kouan).")
    ] = None,
) -> None:
    """The statistics bulletin of a port for the year to date ending in a month; a period
    without figures says so. Exit 2 naming a bad option."""
    try:
        bulletins.checked_month(period)
        bulletins.checked_lang(lang)
        bulletins.checked_format(fmt)
    except DomainError as exc:
        _refuse(exc)
    settings = get_settings()
    ctx = service_context(make_engine(settings.database_url), settings)
    try:
        actor = users.actor_named(ctx, as_user) if as_user else SYSTEM
        made = bulletins.bulletin(ctx, actor, port, period, lang)
        data = bulletins.render(made, fmt)
    except DomainError as exc:
        _refuse(exc)
    finally:
        ctx.engine.dispose()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        console.print(f"{out}: {len(data)} bytes", markup=False, highlight=False)


def _refuse(exc: DomainError) -> None:
    console.print(f"[red]{exc.message}[/red]", markup=True, highlight=False)
    for found in exc.fields:
        console.print(f"  --{found.field}: {found.value!r} is not {found.expected}",
                      markup=False, highlight=False)  # fmt: skip
    raise typer.Exit(2)
