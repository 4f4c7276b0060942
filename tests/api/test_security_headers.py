"""Security headers on every response (pages, API, static files, the API docs), HSTS only over
HTTPS, and pages whose scripts and styles all come from files the policy allows."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient

from kouan.services.platform.unit_of_work import ServiceContext
from kouan.web import ui
from kouan.web.app import create_app
from tests.api.conftest import Tokens

HSTS = "Strict-Transport-Security"
TEMPLATES = Path(ui.__file__).parent / "templates"


def _policy(header: str) -> dict[str, list[str]]:
    directives = (d.split() for d in header.split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def _assert_protected(response_headers: dict[str, str], where: str) -> None:
    policy = _policy(response_headers.get("content-security-policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert "'unsafe-inline'" not in policy.get("script-src", ["'unsafe-inline'"]), where
    assert response_headers.get("x-frame-options") == "DENY", where
    assert response_headers.get("x-content-type-options") == "nosniff", where
    assert response_headers.get("referrer-policy") == "same-origin", where


def test_every_kind_of_response_carries_the_headers(
    client: TestClient, auth: Tokens, ctx: ServiceContext
) -> None:
    answers = {
        "login page": client.get("/login"),
        "page asking for login": client.get("/port-calls", follow_redirects=False),
        "api list": client.get("/api/v1/port-calls", headers=auth("customs")),
        "api refusal": client.get("/api/v1/port-calls"),
        "api not found": client.get("/api/v1/no-such-thing"),
        "static file": client.get("/static/kouan.css"),
        "openapi": client.get("/openapi.json"),
        "docs": client.get("/docs"),
    }
    for where, answer in answers.items():
        assert answer.status_code < 500, where
        _assert_protected(dict(answer.headers), where)
        assert HSTS.lower() not in answer.headers, where
    page_policy = _policy(answers["login page"].headers["content-security-policy"])
    assert page_policy["script-src"] == ["'self'"]
    assert (
        page_policy["style-src"][0] == "'self'"
        and "'unsafe-inline'" not in page_policy["style-src"]
    )


def test_the_inline_styles_allowed_are_those_of_the_bundled_plotly(client: TestClient) -> None:
    """The policy allows inline styles by hash only: the empty one plotly.js fills through the
    CSSOM and the stylesheet its bundle adds; a new plotly would show here first."""
    bundle = (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")
    sheets = ["", *re.findall(r"textContent='(\.maplibregl-map\{[^']*)'", bundle)]
    hashes = [base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in sheets]
    policy = _policy(client.get("/login").headers["content-security-policy"])
    assert policy["style-src"] == ["'self'", *(f"'sha256-{h}'" for h in hashes)]


def test_hsts_only_when_the_browser_came_over_https(ctx: ServiceContext) -> None:
    app = create_app(ctx)
    direct = TestClient(app, base_url="https://testserver").get("/login")
    assert direct.headers[HSTS].startswith("max-age=")
    forwarded = {"X-Forwarded-Proto": "https"}
    proxied = TestClient(app, client=("127.0.0.1", 40000)).get("/login", headers=forwarded)
    assert proxied.headers[HSTS].startswith("max-age=")
    # Anyone else saying so is not believed.
    stranger = TestClient(app, client=("203.0.113.5", 40000)).get("/login", headers=forwarded)
    assert HSTS.lower() not in stranger.headers


def test_the_docs_start_swagger_from_a_file_its_policy_allows(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    policy = _policy(docs.headers["content-security-policy"])
    scripts = re.findall(r"<script([^>]*)>", docs.text)
    assert scripts and all("src=" in attributes for attributes in scripts)
    for src in re.findall(r'<script[^>]*src="([^"]+)"', docs.text):
        allowed = src.startswith("/") or any(
            src.startswith(source) for source in policy["script-src"]
        )
        assert allowed, src
    assert client.get("/static/swagger-init.js").status_code == 200
    # Every file the page loads is served here: the docs work without a CDN.
    loaded = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert loaded and all(url.startswith("/") for url in loaded), loaded
    for url in loaded:
        assert client.get(url).status_code == 200, url


def test_no_template_has_an_inline_script_style_or_handler() -> None:
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|"
        r"\sstyle=|\son[a-z]+=|javascript:",
        re.IGNORECASE,
    )
    found = {
        path.name: inline.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.glob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}
