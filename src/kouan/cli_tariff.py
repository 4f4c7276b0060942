"""The command line of the tariff (mounted by kouan.cli as `kouan tariff`):
`import FILE.csv --effective-from 2027-01-01 [--note TEXT]` imports a version of the tariff, laid
out as the packaged one (kouan/reference/tariff.csv), in force from that day; `versions` lists
the versions imported. A file with any error is refused whole (exit 2), each error naming its
line and column."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.agency import OrgType
from kouan.domain.errors import DomainError, FieldError
from kouan.services.duties import tariffs
from kouan.services.platform import users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.site import PORT_ZONE

app = typer.Typer(help="The tariff customs maintains (税则).", no_args_is_help=True)
console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)
# Customs acting through the command line, where no user is named.
CUSTOMS_SYSTEM = Actor(0, "system", 0, OrgType.CUSTOMS, "Kouan")
SHOWN_ERRORS = 20

AsUser = Annotated[
    str | None, typer.Option("--as", help="A customs user (default: Kouan itself as customs).")
]


def _context() -> ServiceContext:
    settings = get_settings()
    return service_context(make_engine(settings.database_url), settings)


def _where(fe: FieldError) -> str:
    """An error of the file: "line 5, column mfn: 'x' is not a rate in percent ..."."""
    line, dot, column = fe.field.partition(".")
    place = f"{line}, column {column}" if dot and line.startswith("line ") else fe.field
    return f"{place}: {fe.value!r} is not {fe.expected}"


def _at_port(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(PORT_ZONE).strftime("%Y-%m-%d %H:%M")


def _refused(exc: DomainError) -> typer.Exit:
    console.print(f"[red]refused: {exc.message}[/red]", highlight=False)
    for fe in exc.fields[:SHOWN_ERRORS]:
        console.print(f"  {_where(fe)}", markup=False, highlight=False)
    if len(exc.fields) > SHOWN_ERRORS:
        console.print(f"  ... and {len(exc.fields) - SHOWN_ERRORS} more", markup=False)
    return typer.Exit(2)


@app.command("import")
def import_tariff(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV laid out as kouan/reference/tariff.csv."
        ),
    ],
    effective_from: Annotated[
        datetime,
        typer.Option("--effective-from", formats=["%Y-%m-%d"], help="The day it is in force from."),
    ],
    note: Annotated[str, typer.Option(help="What the version is (at most 500 characters).")] = "",
    as_user: AsUser = None,
) -> None:
    """Import a version of the tariff in force from --effective-from; a file with any error is
    refused whole (exit 2), each error with its line and column."""
    if len(note) > 500:
        console.print("[red]--note: at most 500 characters[/red]")
        raise typer.Exit(2)
    try:
        text = file.read_bytes().decode("utf-8-sig")  # a spreadsheet's CSV starts with a BOM
    except UnicodeDecodeError:
        console.print(f"[red]{file.name}: not CSV text in UTF-8[/red]", highlight=False)
        raise typer.Exit(2) from None
    day: date = effective_from.date()
    ctx = _context()
    try:
        actor = users.actor_named(ctx, as_user) if as_user else CUSTOMS_SYSTEM
        view = tariffs.import_csv(ctx, actor, text, day, note)
    except csv.Error as exc:
        console.print(f"[red]{file.name}: not CSV ({exc})[/red]", highlight=False)
        raise typer.Exit(2) from None
    except DomainError as exc:
        raise _refused(exc) from None
    finally:
        ctx.engine.dispose()
    out.print(
        f"tariff version {view['version']}: {view['lines']} lines, "
        f"in force from {view['effective_from']} (sha256 {view['sha256'][:12]})"
    )


@app.command("versions")
def list_versions(as_user: AsUser = None) -> None:
    """The tariff's versions, newest first (version 0, the packaged table, applies before the
    first one in force)."""
    ctx = _context()
    try:
        actor = users.actor_named(ctx, as_user) if as_user else CUSTOMS_SYSTEM
        found = tariffs.list_versions(ctx, actor)
    except DomainError as exc:
        raise _refused(exc) from None
    finally:
        ctx.engine.dispose()
    today = tariffs.port_day(ctx.clock())
    started = [v for v in found if date.fromisoformat(v["effective_from"]) <= today]
    current = max(started, key=lambda v: (v["effective_from"], v["version"]), default=None)
    for v in found:
        state = (
            "in force"
            if v is current
            else "to come"
            if date.fromisoformat(v["effective_from"]) > today
            else "superseded"
        )
        note = f"  {v['note']}" if v["note"] else ""
        out.print(
            f"{v['version']:>4}  from {v['effective_from']}  {v['lines']:>6} lines  "
            f"{state:<10}  imported {_at_port(v['imported_at'])}{note}",
            markup=False,
        )
    packaged = "in force" if current is None else "superseded"
    out.print(f"{0:>4}  the packaged table  {len(tariffs.packaged().lines):>6} lines  {packaged}")
