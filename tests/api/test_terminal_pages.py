"""The terminal's moves page (upload a COARRI or BAPLIE, refusals named) and customs'
discrepancies page, in Chinese by default."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from kouan.services.platform.unit_of_work import ServiceContext
from tests.api.test_pages import signed_in, token_of
from tests.conftest import shared_data

COARRI = shared_data("edifact", "php-edifact_D95BCOARRI.edi").read_bytes()
BAPLIE = shared_data("edifact", "php-edifact_D95BBAPLIE.edi").read_bytes()


def _send(client: TestClient, data: bytes) -> Response:
    token = token_of(client.get("/terminal/moves"))
    return client.post(
        "/terminal/moves", data={"csrf_token": token}, files={"report": ("r.edi", data)}
    )


def test_the_terminal_uploads_reports_and_customs_sees_the_discrepancies(
    ctx: ServiceContext,
) -> None:
    terminal = signed_in(ctx, "terminal")
    page = terminal.get("/terminal/moves")
    assert (
        page.status_code == 200
        and "集装箱装卸" in page.text
        and 'data-testid="no-moves"' in page.text
    )
    answer = _send(terminal, COARRI)
    assert answer.status_code == 201, answer.text
    assert 'data-testid="count-moves">21<' in answer.text and "FCIU9908030" in answer.text
    assert "该集装箱不在本船次的任何舱单上" in answer.text
    planned = _send(terminal, BAPLIE)
    assert planned.status_code == 201 and "OOCL BEIJING" in planned.text
    refused = _send(terminal, COARRI.replace(b"CNT+16:19'", b"CNT+16:18'"))
    assert refused.status_code == 422 and "segment 270 (CNT+16) C270/6066" in refused.text
    customs = signed_in(ctx, "customs", lang="en")
    found = customs.get("/terminal/discrepancies")
    assert found.status_code == 200 and "Discharged but on no manifest (2)" in found.text
    assert customs.get("/terminal/moves").status_code == 200
    assert terminal.get("/terminal/discrepancies").status_code == 403
    assert signed_in(ctx, "agent").get("/terminal/moves").status_code == 403
