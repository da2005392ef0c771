"""A real `radar serve` process on loopback, for the tests that need one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    home: Path, *flags: str, log: Path | None = None, with_model: bool = True, **env: str
) -> Iterator[str]:
    """Start `radar serve` on a free loopback port with RADAR_HOME=home (plus `flags` and
    `env`; its stderr into `log`), wait until /health answers (reporting a model, with
    `with_model`), yield the base URL, and stop the server."""
    port = free_port()
    environment = {**os.environ, "RADAR_HOME": str(home), **env}
    environment.pop("MLFLOW_TRACKING_URI", None)
    command = [sys.executable, "-c", "from cli.main import main; main()", "serve"]
    with ExitStack() as files:
        stderr = files.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        server = subprocess.Popen(
            [*command, "--port", str(port), *flags],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            last = "no answer"
            while True:
                try:
                    answer = httpx.get(f"{base}/health", timeout=1)
                    last = f"{answer.status_code} {answer.text[:200]!r}"
                    if not with_model or answer.json().get("model_version"):
                        break
                except (httpx.HTTPError, ValueError):  # not up yet, or not JSON (said below)
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    said = log.read_text()[-2000:] if log is not None else ""
                    pytest.fail(f"radar serve did not come up within 60 s: {last} {said}")
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
