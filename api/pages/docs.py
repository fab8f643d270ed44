"""The API documentation: Swagger UI from the installed bundle, served by Suivi itself, offline."""

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse

router = APIRouter()

SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
# Only what the page loads: looked up by name, so no path can leave the bundle's folder.
ASSETS = {
    name: SWAGGER_UI / name
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
}

# The strict policy forbids inline script: the page only names its scripts, and
# /static/docs-init.js starts Swagger UI.
PAGE = """<!doctype html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Suivi API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <main id="swagger-ui"></main>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/static/docs-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI document at /openapi.json."""
    return HTMLResponse(PAGE)


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    """One of Swagger UI's own files."""
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path)
