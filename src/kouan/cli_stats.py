"""The command line of port statistics: `kouan stats import FILE.csv` and `kouan stats rebuild`
(mounted by kouan.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, TaskID

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.errors import DomainError
from kouan.services.platform import users
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.services.stats import imports, rollups

app = typer.Typer(help="Port statistics.", no_args_is_help=True)
console = Console(stderr=True)


def _context() -> ServiceContext:
    settings = get_settings()
    return service_context(make_engine(settings.database_url), settings)


@app.command("import")
def import_figures(
    file: Annotated[Path, typer.Argument(help="CSV: period,port,indicator,value,unit")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="A port office user (default: Kouan itself).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Import a statistical return: every row checked, a file with a bad row refused whole
    (exit 2, each error with its line); the same file imported again changes nothing."""
    ctx = _context()
    try:
        actor = users.actor_named(ctx, as_user) if as_user else SYSTEM
        answer: dict[str, Any] = imports.import_file(ctx, actor, file.read_bytes(), file.name)
    except DomainError as exc:
        if as_json:
            fields = [
                {"field": f.field, "value": str(f.value), "expected": f.expected}
                for f in exc.fields
            ]
            error = {"code": exc.code, "message": exc.message, "fields": fields}
            sys.stdout.write(json.dumps({"error": error}, ensure_ascii=False) + "\n")
        else:
            console.print(f"[red]{exc.message}[/red]", markup=True, highlight=False)
            for found in exc.fields:
                console.print(f"  {found.field}: {found.value!r} is not {found.expected}",
                              markup=False, highlight=False)  # fmt: skip
        raise typer.Exit(2) from None
    finally:
        ctx.engine.dispose()
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    else:
        console.print(f"{file.name}: {answer['rows']} figures; {imports.summary(answer)}",
                      markup=False, highlight=False)  # fmt: skip


@app.command("rebuild")
def rebuild() -> None:
    """Recompute every rollup from the records Kouan holds (the same as those kept as records
    changed)."""
    ctx = _context()
    try:
        with Progress(console=console, transient=True) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(what: str, done: int) -> None:
                if what not in tasks:
                    tasks[what] = progress.add_task(f"reading {what}", total=None)
                progress.advance(tasks[what], done)

            written = rollups.rebuild(ctx, advance)
    finally:
        ctx.engine.dispose()
    rows = sum(written.values())
    detail = ", ".join(f"{code} {n}" for code, n in sorted(written.items()))
    console.print(f"{rows} rollups rebuilt" + (f": {detail}" if detail else ""), markup=False)
