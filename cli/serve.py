"""`radar serve`: the HTTP API."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.render import console
from radar.settings import Settings


def serve(
    host: Annotated[str, typer.Option(help="address to bind (loopback by default)")] = "127.0.0.1",
    port: int = 8000,
    insecure_dev: Annotated[
        bool, typer.Option("--insecure-dev", help="allow starting without API keys")
    ] = False,
    no_access_log: Annotated[
        bool,
        typer.Option("--no-access-log", help="no line per request (RADAR_ACCESS_LOG=false)"),
    ] = False,
) -> None:
    """The HTTP API (OpenAPI at /docs). Needs RADAR_API_KEYS unless --insecure-dev;
    /v1/admin/reload needs a key from RADAR_ADMIN_KEYS."""
    # one BLAS thread per request thread, set before NumPy loads BLAS: the server answers
    # many requests at once, and BLAS's own threads for each product made them wait on each
    # other (10,000 hosts × 100,000 products: scored requests went from 3 to 44 a second)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    # uvicorn and FastAPI: imported only when the command runs, so `radar --help` stays quick
    import uvicorn

    from serving.app import create_app
    from serving.log_config import server_log_config

    os.environ.setdefault("MLFLOW_CONFIGURE_LOGGING", "false")  # MLflow logs through ours
    settings = Settings()
    if no_access_log:
        settings = settings.model_copy(update={"access_log": False})
    application = create_app(settings, insecure_dev=insecure_dev)
    console.print(f"serving on http://{host}:{port} (docs at /docs)")
    uvicorn.run(application, host=host, port=port, log_config=server_log_config(), access_log=False)
