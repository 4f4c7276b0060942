"""Schemathesis against the OpenAPI, as every kind of user: no input answers 5xx, and answers
match their schema wherever the OpenAPI describes one.

`make test` runs a short deterministic pass (KOUAN_FUZZ_EXAMPLES examples per operation and
role, 2 by default); `make fuzz` a long one."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web.app import create_app
from tests.api.conftest import Tokens

EXAMPLES = int(os.environ.get("KOUAN_FUZZ_EXAMPLES", "2"))
ROLES = ("agent", "broker", "customs", "ciq", "border", "msa", "terminal", "port_office", None)
# Logging in and out change who the remaining requests are made as: fuzzed on their own below.
SESSION_PATHS = ("/api/v1/auth/",)
# EDIFACT interchanges (CUSDEC, PAXLST) are sent as text, as brokers' and airlines' systems do.
schemathesis.serializer.alias("application/edifact", "text/plain")


def test_no_operation_answers_5xx_as_any_role(ctx: ServiceContext, auth: Tokens) -> None:
    app = create_app(ctx)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {role: auth(role) for role in ROLES if role}
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if not op.path.startswith(SESSION_PATHS)]
    assert len(fuzzed) >= 20  # the API is described, not skipped
    sent: Counter[str] = Counter()
    with TestClient(app):  # the app's startup (and shutdown) run once around the whole pass
        for operation in fuzzed:
            _fuzz(operation, headers, sent)
    assert sum(sent.values()) >= len(fuzzed) * len(ROLES)
    print(f"fuzz: {sum(sent.values())} requests over {len(fuzzed)} operations")


def _fuzz(operation: Any, headers: dict[str, dict[str, str]], sent: Counter[str]) -> None:
    @settings(
        max_examples=EXAMPLES * len(ROLES),
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), role=st.sampled_from(ROLES))
    def run(case: Any, role: str | None) -> None:
        sent[operation.label] += 1
        case.call_and_validate(
            headers=headers.get(role or "", {}),
            checks=[not_a_server_error, response_schema_conformance],
        )

    try:
        run()
    except Exception as failure:
        raise AssertionError(f"{operation.label}: {failure}") from failure


def test_logging_in_answers_no_5xx_whatever_is_sent(ctx: ServiceContext) -> None:
    app = create_app(ctx)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema["/api/v1/auth/token"]["POST"]

    # Each attempt costs an argon2 check (on purpose): fewer examples than elsewhere.
    @settings(max_examples=EXAMPLES * 3, derandomize=True, deadline=None, database=None)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    with TestClient(app):
        run()
