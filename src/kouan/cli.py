"""The kouan command line: serve, demo, db, users, audit, ais, import, watchlist, screen, bench."""

from __future__ import annotations

import os
import runpy
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from kouan import cli_alerts, cli_events, cli_passengers, cli_reports, cli_screening, cli_stats
from kouan.adapters.db import audit, backup
from kouan.adapters.db.engine import make_engine
from kouan.adapters.db.migrate import upgrade
from kouan.bootstrap import service_context
from kouan.cli_tariff import app as tariff_app
from kouan.cli_transit import app as transit_app
from kouan.config import get_settings
from kouan.demo import build as demo_port
from kouan.domain.agency import OrgType
from kouan.domain.errors import DomainError
from kouan.services.platform import audit_chain, reference, users
from kouan.services.platform.permissions import SYSTEM
from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web import served

app = typer.Typer(help="Kouan 口岸: a single window for a port of entry.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="Users and organisations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
ais_app = typer.Typer(help="AIS position reports.", no_args_is_help=True)
import_app = typer.Typer(help="Filings and lists from files (EDIFACT).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(ais_app, name="ais")
app.add_typer(import_app, name="import")
app.add_typer(cli_events.outbox_app, name="outbox")
app.add_typer(cli_events.agency_app, name="agency")
app.add_typer(cli_passengers.watchlist_app, name="watchlist")
app.add_typer(cli_passengers.passengers_app, name="passengers")
app.add_typer(cli_alerts.alerts_app, name="alerts")
app.add_typer(cli_screening.app, name="screen")
app.add_typer(cli_stats.app, name="stats")
app.add_typer(transit_app, name="transit")
app.add_typer(tariff_app, name="tariff")
app.add_typer(cli_reports.app, name="report")
cli_screening.app.command("list")(cli_passengers.screen_list)
import_app.command("paxlst")(cli_passengers.import_paxlst)
console = Console()
BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def context(database_url: str | None = None) -> ServiceContext:
    settings = get_settings()
    url = database_url or settings.database_url
    return service_context(make_engine(url), settings)


def upgrade_database(ctx: ServiceContext) -> None:
    """Migrate to the newest schema and add the reference data of a working port."""
    upgrade(ctx.engine.url.render_as_string(hide_password=False))
    with ctx.sessions() as session:
        reference.ensure_reference_data(session, ctx.clock())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database named by KOUAN_DATABASE_URL."""
    ctx = context()
    upgrade_database(ctx)
    console.print(f"database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


@db_app.command("backup")
def db_backup(file: Path) -> None:
    """Write the whole database (SQLite or PostgreSQL) to FILE, one consistent snapshot."""
    engine = make_engine(get_settings().database_url)
    with _table_progress("backup") as advance:
        header = backup.backup(engine, file, advance)
    console.print(f"{sum(header.tables.values())} rows at schema {header.revision} in {file}")


@db_app.command("restore")
def db_restore(
    file: Path,
    replace: Annotated[
        bool, typer.Option("--replace", help="Empty a database that holds data first.")
    ] = False,
) -> None:
    """Load FILE (made by `kouan db backup`, from SQLite or PostgreSQL) into the database and
    migrate it to this version's schema."""
    url = get_settings().database_url
    try:
        with _table_progress("restore") as advance:
            header = backup.restore(make_engine(url), url, file, replace, advance)
    except backup.BackupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    # Rows written after the backup are gone: the chain says so instead of looking cut.
    epoch = audit_chain.start_epoch(
        context(url), f"restored from {file.name}, a backup made {header.created_at}"
    )
    console.print(
        f"restored {sum(header.tables.values())} rows made {header.created_at}; "
        f"audit epoch {epoch} begun"
    )


@contextmanager
def _table_progress(verb: str) -> Iterator[backup.Progress]:
    """A progress bar per table for a backup or restore."""
    with Progress(console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(table: str, done: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(f"{verb} {table}", total=None)
            progress.update(tasks[table], completed=done)

        yield advance


@users_app.command("create")
def users_create(
    username: str,
    org_type: Annotated[OrgType, typer.Option(help="The organisation's type.")],
    org_name: Annotated[str, typer.Option(help="Created if it does not exist.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from stdin.")] = False,
    full_name: str = "",
) -> None:
    """Create a user in an organisation."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        user_id = users.create_user(context(), username, password, org_type, org_name, full_name)
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"user {username} created (id {user_id}) in {org_name}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the chain and compare it with the checkpoints; exit 1 and name each row or
    checkpoint that does not hold."""
    report = audit_chain.verify(context())
    for line in [*map(_epoch_line, report.epochs), *report.notes]:
        _say(line)
    if report.anchored is not None:
        _say(f"checked up to the last checkpoint: row {report.anchored.seq} ({report.anchored.at})")
    for brk in report.problems:
        _say(f"{brk.where}: {brk.problem}", "red")
    if report.problems:
        raise typer.Exit(1)
    console.print("audit log intact")


def _say(text: str, style: str | None = None) -> None:
    """One line as it is (no markup, unwrapped): rows, hashes and paths stay greppable."""
    console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def _epoch_line(epoch: audit.Epoch) -> str:
    rows = f"epoch {epoch.epoch}: rows {epoch.first_seq}..{epoch.last_seq}"
    if not epoch.keyed:
        return f"{rows}, unkeyed SHA-256 from before keys: an edit shows at epoch 1's anchor"
    record = epoch.record or {}
    how = "HMAC-SHA256 checked" if epoch.checked else "not checked (another key)"
    return f"{rows}, {how} with key {record.get('key_id')}: {record.get('reason')}"


@audit_app.command("checkpoint")
def audit_checkpoint(
    every: Annotated[
        float | None, typer.Option(help="Run as the checkpoint job: once every SECONDS.")
    ] = None,
) -> None:
    """Sign where the audit chain ends, to the checkpoint file and NATS. Run one such job."""
    ctx = context()
    if every is not None:
        console.print(f"audit checkpoints every {every} s to {ctx.settings.audit_checkpoint_file}")
        audit_chain.run_checkpoints(ctx, every, threading.Event())
        return
    try:
        made = audit_chain.checkpoint(ctx)
    except Exception as error:
        # Written to the file first: a failure here is most likely NATS refusing it.
        console.print(f"checkpoint failed: {error}", style="red", markup=False)
        raise typer.Exit(1) from None
    if made is None:
        console.print("nothing new to checkpoint")
    else:
        _say(f"checkpoint: row {made.seq} of epoch {made.epoch}, {made.hash}")


@audit_app.command("new-epoch")
def audit_new_epoch(
    reason: Annotated[str, typer.Option(help="Why, e.g. which backup was restored.")],
) -> None:
    """Begin a new epoch of the chain (a restore from backup does this itself)."""
    epoch = audit_chain.start_epoch(context(), reason)
    console.print(f"epoch {epoch} begun: {reason}")


@ais_app.command("replay")
def ais_replay(file: Path) -> None:
    """Feed a file of NMEA sentences through AIS ingestion."""
    from kouan.services.ships import ais

    lines = file.read_text("ascii", errors="replace").splitlines()
    result = ais.ingest(context(), SYSTEM, lines)
    console.print(
        f"accepted {result.accepted}, rejected {len(result.rejected)}, "
        f"arrivals recorded for port calls {result.arrivals or 'none'}"
    )
    for rejected in result.rejected[:20]:
        console.print(f"  line {rejected['line']}: {rejected['reason']}")


@ais_app.command("listen")
def ais_listen(
    udp: Annotated[int, typer.Option(help="UDP port to listen on.")],
    host: str = "0.0.0.0",
) -> None:
    """Listen for NMEA datagrams (as AIS receivers send them) and apply them as they arrive."""
    from kouan.adapters.ais import AisDecoder, AisReport
    from kouan.services.ships import ais

    ctx = context()
    area = ais.port_area(ctx)
    decoder = AisDecoder()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, udp))
    console.print(f"listening for AIS on udp://{host}:{udp}")
    line_no = 0
    while True:
        data, _peer = sock.recvfrom(65535)
        reports = []
        for line in data.decode("ascii", errors="replace").splitlines():
            line_no += 1
            reports += [r for r in decoder.feed(line, line_no) if isinstance(r, AisReport)]
        if reports:
            with ctx.uow(SYSTEM) as uow:
                arrivals = ais.apply_reports(uow, area, reports)
                uow.commit()
            for call_id in arrivals:
                console.print(f"ATA recorded for port call {call_id}")


@import_app.command("cusdec")
def import_cusdec(
    file: Path,
    as_user: Annotated[str, typer.Option("--as", help="The customs broker's username.")],
    out: Annotated[Path | None, typer.Option(help="Write the CUSRES here.")] = None,
) -> None:
    """File a CUSDEC interchange of declarations for a broker; write the CUSRES answering each."""
    from kouan.services.cargo import cusdec_import

    ctx = context()
    # The CUSRES may go to stdout: everything else then goes to stderr.
    report = console if out else Console(stderr=True)
    try:
        actor = users.actor_named(ctx, as_user)
        result = cusdec_import.import_interchange(ctx, actor, file.read_text("utf-8"))
    except DomainError as exc:
        report.print(f"[red]{exc.message}[/red]")
        for field in exc.fields[:20]:
            report.print(f"  {field.field}: {field.value!r} is not {field.expected}")
        raise typer.Exit(2) from None
    summary = result.summary
    report.print(f"accepted {summary['accepted']}, rejected {summary['rejected']}")
    for answer in summary["declarations"]:
        for error in answer["errors"][:5]:
            report.print(f"  {error['field']}: {error['value']!r} is not {error['expected']}")
    if out is None:
        sys.stdout.write(result.cusres + "\n")
    else:
        out.write_text(result.cusres, "utf-8")
        report.print(f"CUSRES written to {out}")
    if summary["rejected"]:
        raise typer.Exit(1)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve Kouan over HTTP."""
    import uvicorn

    # Workers are separate processes: without a configured key they must still share one,
    # or a session signed by one worker would be refused by the next.
    os.environ.setdefault("KOUAN_SECRET_KEY", get_settings().secret_key)
    os.environ[served.MASTER_ENV] = str(os.getpid())  # workers end with this process
    uvicorn.run(
        "kouan.web.served:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # A worker told to stop (its master gone, say) finishes what it is answering, briefly.
        timeout_graceful_shutdown=5,
    )


@app.command()
def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Build the demo port of Qingdao (if the database is empty), print the logins and serve."""
    ctx = context()
    upgrade_database(ctx)
    with Progress(console=console) as progress:
        logins = demo_port.build(ctx, progress)
    table = Table(title=f"Kouan 口岸 demo  http://{host}:{port}", title_justify="left")
    for column in ("user", "password", "organisation"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.org_name)
    console.print(table)
    if serve_after:
        serve(host, port)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def bench(ctx: typer.Context, name: str) -> None:
    """Run benchmark NAME from bench/ (e.g. portcall, portcall-http); prints one JSON object."""
    script = BENCH_DIR / f"{name.replace('-', '_')}.py"
    if not script.exists():
        available = sorted(p.stem.replace("_", "-") for p in BENCH_DIR.glob("[!_]*.py"))
        console.print(f"[red]no benchmark {name!r}; available: {', '.join(available)}[/red]")
        raise typer.Exit(2)
    sys.argv = [str(script), *ctx.args]
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    app()
