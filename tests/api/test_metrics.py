"""/metrics: Prometheus' text format with this worker's traffic by route template and the port's
state from the database; readable from the machine itself or with the configured token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import ALL_TO_OFFICERS, Tokens, file_call
from tests.factories import arrival_notice_data

TOKEN = "metrics-" + "t" * 24


@pytest.fixture
def with_token(ctx: ServiceContext) -> Iterator[TestClient]:
    ctx.settings.metrics_token = TOKEN
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def _value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not in metrics"
    return float(match.group(1))


def test_metrics_count_requests_by_route_and_read_the_port_from_the_database(
    with_token: TestClient, auth: Tokens
) -> None:
    file_call(with_token, auth, arrival_notice_data(**ALL_TO_OFFICERS))
    for call_id in (1, 2, 3):  # three paths, one route template
        with_token.get(f"/api/v1/port-calls/{call_id}", headers=auth("agent"))
    answer = with_token.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    lines = [line for line in text.splitlines() if "/api/v1/port-calls/{call_id}" in line]
    by_status = set(re.findall(r'status="(\d+)"', "\n".join(lines)))
    assert by_status == {"200", "404"}  # call 1 is the agent's; 2 and 3 do not exist
    assert not any("/api/v1/port-calls/2" in line for line in text.splitlines())
    assert _value(text, 'kouan_port_calls{status="filed"}') == 1
    for agency in ("CUSTOMS", "CIQ", "BORDER", "MSA"):
        assert (
            _value(text, f'kouan_reviews_open{{subject_type="port_call",agency="{agency}"}}') == 1
        )
    assert _value(text, "kouan_audit_entries") >= 5


def test_metrics_are_refused_from_elsewhere_without_the_token(
    with_token: TestClient, client: TestClient
) -> None:
    # The test client's address is "testclient", not this machine's loopback.
    assert with_token.get("/metrics").status_code == 403
    wrong = with_token.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    assert client.get("/metrics").status_code == 403  # no token configured: loopback only
