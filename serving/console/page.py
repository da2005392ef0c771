"""The console's page at `/` and its assets, and `install_console`, which adds the page
and the console's routes to the app. The page shell needs no key and holds no data: the
page asks the routes for everything with the key the user enters."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from serving.console import routes
from serving.console.weekly import HostWeeks
from serving.schemas import MAX_TOP_K
from serving.security import require_api_key

ASSETS = "/console/assets"
HERE = Path(__file__).parent
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # only this server's own scripts and styles: no CDN, no inline script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def install_console(app: FastAPI, *, min_fit: float, cache_seconds: float) -> None:
    """Serve the page at `/`, its assets under /console/assets, and the console's routes
    behind the API keys. `min_fit`: the cut the page starts with (RADAR_MIN_FIT);
    `cache_seconds`: how long a host's weeks are kept (RADAR_PROFILE_TTL_SECONDS)."""
    templates = Environment(
        loader=PackageLoader("serving.console", "templates"),
        autoescape=select_autoescape(default=True),
    )
    app.state.console_weeks = HostWeeks(cache_seconds)
    app.mount(ASSETS, StaticFiles(directory=HERE / "static"), name="console-assets")
    app.include_router(routes.router, dependencies=[Depends(require_api_key)])

    @app.get("/", include_in_schema=False)
    async def console(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = templates.get_template("console.html").render(
            root=root,
            assets=f"{root}{ASSETS}",
            min_fit_percent=round(min_fit * 100),
            max_top_k=MAX_TOP_K,
            max_weeks=routes.MAX_WEEKS,
        )
        return HTMLResponse(page, headers=PAGE_HEADERS)
