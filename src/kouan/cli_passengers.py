"""The command line of passengers: `kouan watchlist import`, `kouan import paxlst` and
`kouan screen list` (mounted by kouan.cli)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.agency import OrgType
from kouan.domain.errors import DomainError
from kouan.services.passengers import imports, lists, purge, watchlist
from kouan.services.platform import users
from kouan.services.platform.permissions import Actor
from kouan.services.platform.unit_of_work import ServiceContext

watchlist_app = typer.Typer(help="Border inspection's watch list.", no_args_is_help=True)
passengers_app = typer.Typer(help="Passenger and crew lists.", no_args_is_help=True)
console = Console(stderr=True)
# Border inspection acting through the command line, where no user is named.
BORDER_SYSTEM = Actor(0, "system", 0, OrgType.BORDER, "Kouan")

AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


def _context() -> ServiceContext:
    settings = get_settings()
    return service_context(make_engine(settings.database_url), settings)


def _run(work: Callable[[ServiceContext], dict[str, Any]]) -> dict[str, Any]:
    """Run a use case; a refusal is printed naming its fields, and exits 2."""
    ctx = _context()
    try:
        return work(ctx)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        for field in exc.fields[:20]:
            console.print(f"  {field.field}: {field.value!r} is not {field.expected}")
        raise typer.Exit(2) from None


@watchlist_app.command("import")
def import_watch_list(
    file: Annotated[Path, typer.Argument(help="CSV: id,name,aliases,date_of_birth,...")],
    as_user: Annotated[str | None, typer.Option("--as", help="A border user.")] = None,
) -> None:
    """Import the file as the new active watch list; a file with a bad line is refused whole."""

    def work(ctx: ServiceContext) -> dict[str, Any]:
        actor = users.actor_named(ctx, as_user) if as_user else BORDER_SYSTEM
        return watchlist.import_file(ctx, actor, file.read_bytes(), file.name)

    version = _run(work)
    console.print(f"watch list version {version['version']}: {version['entries']} entries")
    for warning in version["warnings"][:20]:
        console.print(f"  line {warning['line']}: {warning['text']}")


def import_paxlst(
    file: Path,
    as_user: Annotated[str, typer.Option("--as", help="The airline's or cruise line's user.")],
    as_json: AsJson = False,
) -> None:
    """Send a PAXLST interchange as the user's organisation: stored and screened, or refused
    (exit 1) with each error naming its segment and element."""

    def work(ctx: ServiceContext) -> dict[str, Any]:
        return imports.import_paxlst(ctx, users.actor_named(ctx, as_user), file.read_bytes())

    answer = _run(work)
    if as_json:
        shown = {k: answer[k] for k in ("status", "list_id", "persons", "errors", "warnings")}
        sys.stdout.write(json.dumps({**shown, "lists": answer["lists"]}, ensure_ascii=False) + "\n")
    else:
        console.print(f"{answer['status']}: list {answer['list_id']}, {answer['persons']} persons")
        for issue in [*answer["errors"], *answer["warnings"]][:30]:
            console.print(f"  {issue['segment']} {issue['element']}: {issue['message']}")
    if answer["status"] != "accepted":
        raise typer.Exit(1)


def screen_list(
    list_id: int,
    as_user: Annotated[str | None, typer.Option("--as", help="An agency's user.")] = None,
    as_json: AsJson = False,
) -> None:
    """Each person's screening: cleared or referred, with the watch-list hits."""

    def work(ctx: ServiceContext) -> dict[str, Any]:
        actor = users.actor_named(ctx, as_user) if as_user else BORDER_SYSTEM
        return lists.screening_result(ctx, actor, list_id)

    result = _run(work)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    for person in result["persons"]:
        hits = ", ".join(f"{h['watchlist_id']} {h['score']:.2f}" for h in person["hits"])
        console.print(f"{person['seq']:>4} {person['status']:<9} {person['name']}  {hits}")


@passengers_app.command("purge")
def purge_persons(
    days: Annotated[
        int | None, typer.Option(min=0, help="Keep this many days (default: the setting).")
    ] = None,
) -> None:
    """Purge the persons of lists older than the retention period, except the referred."""
    counts = _run(lambda ctx: purge.purge(ctx, days))
    console.print(f"{counts['persons']} persons of {counts['lists']} lists purged")
