"""/metrics in Prometheus' text format: this worker's HTTP traffic, and the port's state read
from the database (the same whichever worker answers).

Each worker counts its own requests (labelled with its process id, as Prometheus expects of
processes scraped through one address: sum them over `worker`). Everything another worker would
need to agree on is read from the database at scrape time, never kept in a worker.

Readable from the machine itself, or with the bearer token KOUAN_METRICS_TOKEN.
"""

from __future__ import annotations

import hmac
import os
import time
from bisect import bisect_left
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kouan.adapters.db.tables import AuditEntry, DeclarationRow, PortCall, Review
from kouan.domain.agency import OPEN_REVIEW
from kouan.domain.errors import Forbidden
from kouan.web.deps import Ctx

router = APIRouter(tags=["system"])
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Traffic:
    """This worker's requests: a count per route, method and status, and their durations."""

    def __init__(self) -> None:
        self.requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self.durations: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: defaultdict[str, float] = defaultdict(float)
        self.counts: defaultdict[str, int] = defaultdict(int)

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests[(route, method, status)] += 1
        bucket = bisect_left(BUCKETS, seconds)
        if bucket < len(BUCKETS):
            self.durations[route][bucket] += 1
        self.sums[route] += seconds
        self.counts[route] += 1


class Measured:
    """ASGI middleware feeding `Traffic`; a request is named by its route's template (never its
    raw path, which would make one series per port call)."""

    def __init__(self, app: ASGIApp, traffic: Traffic) -> None:
        self.app = app
        self.traffic = traffic

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.traffic.record(route, scope["method"], status, time.perf_counter() - started)


@router.get("/metrics", response_class=PlainTextResponse, include_in_schema=False)
def metrics(request: Request, ctx: Ctx) -> str:
    _allow(request, ctx.settings.metrics_token)
    traffic: Traffic = request.app.state.traffic
    return "".join(_traffic_lines(traffic) + _state_lines(ctx))


def _allow(request: Request, token: str | None) -> None:
    client = request.client.host if request.client else ""
    if client in _LOOPBACK:
        return
    given = request.headers.get("authorization", "").removeprefix("Bearer ")
    if token and hmac.compare_digest(given.encode(), token.encode()):
        return
    raise Forbidden("metrics are readable from this machine or with KOUAN_METRICS_TOKEN")


def _series(name: str, labels: dict[str, Any], value: float) -> str:
    inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in labels.items())
    return f"{name}{{{inner}}} {value}\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _traffic_lines(traffic: Traffic) -> list[str]:
    worker = os.getpid()
    lines = [
        "# HELP kouan_http_requests_total HTTP requests answered by this worker.\n",
        "# TYPE kouan_http_requests_total counter\n",
    ]
    for (route, method, status), count in sorted(traffic.requests.items()):
        labels = {"route": route, "method": method, "status": status, "worker": worker}
        lines.append(_series("kouan_http_requests_total", labels, count))
    lines += [
        "# HELP kouan_http_request_duration_seconds Time to answer, by route.\n",
        "# TYPE kouan_http_request_duration_seconds histogram\n",
    ]
    name = "kouan_http_request_duration_seconds"
    for route, counts in sorted(traffic.durations.items()):
        cumulative = 0
        for bound, count in zip(BUCKETS, counts, strict=True):
            cumulative += count
            labels = {"route": route, "worker": worker, "le": bound}
            lines.append(_series(f"{name}_bucket", labels, cumulative))
        base = {"route": route, "worker": worker}
        lines.append(_series(f"{name}_bucket", {**base, "le": "+Inf"}, traffic.counts[route]))
        lines.append(_series(f"{name}_sum", base, round(traffic.sums[route], 6)))
        lines.append(_series(f"{name}_count", base, traffic.counts[route]))
    return lines


def _state_lines(ctx: Ctx) -> list[str]:
    """The port's state as the database has it now."""
    with ctx.sessions() as session:
        calls = session.execute(select(PortCall.status, func.count()).group_by(PortCall.status))
        filed = session.execute(
            select(DeclarationRow.status, func.count()).group_by(DeclarationRow.status)
        )
        open_reviews = session.execute(
            select(Review.subject_type, Review.agency, func.count())
            .where(Review.status.in_([s.value for s in OPEN_REVIEW]))
            .group_by(Review.subject_type, Review.agency)
        )
        audited = session.scalar(select(func.max(AuditEntry.seq))) or 0
        lines = _gauge("kouan_port_calls", "Port calls by status.", calls, ("status",))
        lines += _gauge("kouan_declarations", "Declarations by status.", filed, ("status",))
        lines += _gauge(
            "kouan_reviews_open",
            "Reviews waiting for an officer or an inspection.",
            open_reviews,
            ("subject_type", "agency"),
        )
    lines += [
        "# HELP kouan_audit_entries Entries in the audit chain.\n",
        "# TYPE kouan_audit_entries gauge\n",
        f"kouan_audit_entries {audited}\n",
    ]
    return lines


def _gauge(name: str, help_text: str, rows: Any, label_names: tuple[str, ...]) -> list[str]:
    lines = [f"# HELP {name} {help_text}\n", f"# TYPE {name} gauge\n"]
    for *labels, count in rows:
        lines.append(_series(name, dict(zip(label_names, labels, strict=True)), count))
    return lines
