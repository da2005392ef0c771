"""`/docs` without internet: Swagger UI's files come from the `swagger-ui-py` package and
are served by this server, not from a CDN (which may be slow or blocked)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs (build the app with `docs_url=None, redoc_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=_swagger_ui_files()), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - docs",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no call to the public validator
        )


def _swagger_ui_files() -> Path:
    """The package's folder of Swagger UI files (found without importing the package,
    whose framework adapters are not needed here)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: `pip install -e .` installs it")
    return Path(spec.submodule_search_locations[0]) / "static"
