"""The command line of events: `kouan outbox relay` (publish the outbox to JetStream, deliver
webhooks) and `kouan agency pull` (an agency's system answering its reviews from the stream)."""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Annotated

import httpx
import typer
from rich.console import Console

from kouan import agency_pull
from kouan.adapters import blocking
from kouan.adapters.db.engine import make_engine
from kouan.bootstrap import service_context
from kouan.config import get_settings
from kouan.domain.agency import Agency, Decision
from kouan.services.platform.relay import Relay

outbox_app = typer.Typer(help="The event outbox: JetStream and webhooks.", no_args_is_help=True)
agency_app = typer.Typer(help="An agency's own system, over JetStream.", no_args_is_help=True)
console = Console(stderr=True)


def _nats_url() -> str:
    url = get_settings().nats_url
    if url is None:
        console.print("[red]KOUAN_NATS_URL is not set: there is no broker (nats://host:4222)[/red]")
        raise typer.Exit(2)
    return url


@outbox_app.command("relay")
def outbox_relay(
    loop: Annotated[bool, typer.Option("--loop/--once", help="Run until stopped.")] = False,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between rounds.")] = 0.5,
) -> None:
    """Publish unpublished events to JetStream and deliver due webhooks: once (until the outbox
    is empty) or as a loop until SIGTERM or Ctrl-C."""
    _nats_url()
    settings = get_settings()
    ctx = service_context(make_engine(settings.database_url), settings)
    stop = threading.Event() if loop else None
    if stop is not None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    done = blocking.run(Relay(ctx).run(stop, interval))
    if not done.leased:
        console.print("another relay holds the lease; nothing done")
    console.print(
        f"published {done.published}, not acknowledged {done.unacknowledged}, "
        f"webhook deliveries {done.deliveries}, attempts {done.attempts}, pruned {done.pruned}"
    )
    if done.unacknowledged:
        raise typer.Exit(1)


@agency_app.command("pull")
def agency_pull_command(
    agency: Annotated[Agency, typer.Option(help="The agency whose reviews to take.")],
    api_url: Annotated[str, typer.Option(help="Kouan's base URL.")] = "http://127.0.0.1:8000",
    username: Annotated[str, typer.Option(help="The agency's system user.")] = "",
    decision: Annotated[
        Decision | None, typer.Option(help="Answer every open review so; omit to list them.")
    ] = None,
    reason: Annotated[str, typer.Option(help="The reason given with the decision.")] = "",
) -> None:
    """Take the agency's opened reviews from JetStream and answer them through the HTTP API;
    prints one JSON line per event. The password is read from stdin."""
    settings = get_settings()
    nats_url = _nats_url()
    password = sys.stdin.readline().rstrip("\n")
    with httpx.Client(base_url=api_url, timeout=10) as api:
        response = api.post("/api/v1/auth/token", data={"username": username, "password": password})
        if response.status_code != 200:
            console.print(f"[red]login refused: {response.text}[/red]")
            raise typer.Exit(2)
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

        def decide(event: dict[str, object]) -> tuple[Decision, str] | None:
            print(json.dumps(event, ensure_ascii=False), flush=True)
            return None if decision is None else (decision, reason)

        answered = blocking.run(
            agency_pull.pull(
                nats_url,
                settings.nats_stream,
                settings.nats_subject_prefix,
                agency,
                api,
                headers,
                decide,
            )
        )
    for answer in answered:
        console.print(f"review {answer.review_id}: {answer.outcome} ({answer.event_id})")
