"""GET /docs: Swagger UI over /openapi.json, started by a script file rather than FastAPI's
inline one, so the page runs under a Content-Security-Policy without 'unsafe-inline' scripts.

Swagger UI's own files are served from the installed swagger-ui-py package (no CDN: the
page works on a port's closed network); its bundle applies inline styles, so this page alone
allows inline styles.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

SWAGGER = "/static/swagger-ui"
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kouan 口岸 - API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def mount(app: FastAPI) -> None:
    """Swagger UI's files; mounted before the pages' /static, which would otherwise take them."""
    files = resources.files("swagger_ui") / "static"
    app.mount(SWAGGER, StaticFiles(directory=str(files)), name="swagger-ui")


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": POLICY})
