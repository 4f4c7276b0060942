"""Security headers on every response: pages, API, static files and the API docs.

The pages load scripts and styles from this site only, so the policy allows nothing inline and
nothing from elsewhere; no other site may frame them (an officer's decision form cannot be
overlaid by a clickjacking page). A response that sets its own Content-Security-Policy (the API
docs) keeps it. Strict-Transport-Security is sent only when the browser came over HTTPS, as the
request itself or a trusted proxy's X-Forwarded-Proto says (the proxy-headers middleware runs
first and sets the scheme).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The inline <style> elements the bundled plotly.js (the clearance chart) adds, by hash, so that
# no other inline style is allowed: an empty one it fills through the CSSOM (insertRule, which
# the policy does not govern), and MapLibre's stylesheet that the bundle adds as it loads
# (plotly.js 4.1.1 of plotly==7.1.0; tests/api/test_security_headers.py checks the hash against
# the installed bundle).
PLOTLY_STYLES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {' '.join(PLOTLY_STYLES)}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware: adds the headers above to each HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
