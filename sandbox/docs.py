"""The interactive API documentation at /docs, served whole by the sandbox.

Swagger UI comes from the `fastapi-offline` package and the OpenAPI documents from the app
itself, so the page works with no internet access: it references only its own origin, and its
Content-Security-Policy tells the browser to load nothing from anywhere else.
"""

import json
import weakref
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from sandbox.dialects import DIALECTS
from sandbox.openapi import documents

router = APIRouter(include_in_schema=False)

PICKER = {
    **{dialect.name: dialect.label for dialect in DIALECTS},
    "sandbox": "Control plane (/_sandbox)",
    "app": "Everything (the whole app)",
}
"""The documents the page offers, by the value of its `api` query parameter; the first is the default."""
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
"""The files of ASSETS_DIR the page uses; nothing else there is served."""
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Swagger UI's bundle finds its global object with Function("return this") and sets inline styles.
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        # Images in the CSS are data: URLs; image responses tried out on the page are shown from blob: URLs.
        "img-src 'self' data: blob:",
    ]
)

_documents: "weakref.WeakKeyDictionary[FastAPI, dict[str, dict[str, Any]]]" = weakref.WeakKeyDictionary()


@router.get("/docs")
def docs_page(request: Request, api: str | None = None) -> HTMLResponse:
    chosen = api if api in PICKER else next(iter(PICKER))
    root = request.scope.get("root_path", "").rstrip("/")
    options = "\n".join(
        f'      <option value="{escape(name)}"{" selected" if name == chosen else ""}>{escape(label)}</option>'
        for name, label in PICKER.items()
    )
    swagger_config = {
        "url": root + _document_path(chosen),
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        "displayRequestDuration": True,
        "persistAuthorization": True,
        # Swagger UI otherwise shows a badge fetched from validator.swagger.io.
        "validatorUrl": None,
    }
    page = _PAGE.format(
        root=escape(root),
        options=options,
        config=json.dumps(swagger_config).replace("<", "\\u003c"),
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(ASSETS_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})


@router.get("/openapi/{name}.json")
def openapi_document(request: Request, name: str) -> JSONResponse:
    app: FastAPI = request.app
    if app not in _documents:
        _documents[app] = documents(app)
    if name not in _documents[app]:
        raise HTTPException(404, f"no OpenAPI document {name!r}: there are {', '.join(sorted(_documents[app]))}")
    return JSONResponse(_documents[app][name])


def _document_path(name: str) -> str:
    return "/openapi.json" if name == "app" else f"/openapi/{name}.json"


_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>workplace-sandbox API documentation</title>
  <link rel="icon" type="image/png" href="{root}/docs/assets/favicon.png">
  <link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
  <style>
    body {{ margin: 0; }}
    .api-picker {{ display: flex; gap: .75em; align-items: center; padding: .75em 1.25em;
      background: #1b1b1b; color: #fff; font-family: sans-serif; }}
    .api-picker select {{ font-size: 1em; padding: .2em .4em; }}
  </style>
</head>
<body>
  <form class="api-picker" method="get" action="{root}/docs">
    <label for="api">API</label>
    <select id="api" name="api">
{options}
    </select>
    <noscript><button type="submit">Show</button></noscript>
  </form>
  <div id="swagger-ui"></div>
  <script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    document.getElementById("api").addEventListener("change", (event) => event.target.form.submit());
    const config = {config};
    config.presets = [SwaggerUIBundle.presets.apis];
    window.ui = SwaggerUIBundle(config);
  </script>
</body>
</html>
"""
