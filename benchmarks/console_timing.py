"""How long each request of the operations console takes, as one operator makes them.

Usage: python benchmarks/console_timing.py [--home .radar] [--hosts 20]

Starts `radar serve` on a free loopback port against the RADAR_HOME given (run `make demo`
first; `radar batch` has written its week there), then, one request at a time, asks for
what the page asks: the page and its assets, the model, a search, and for each of the
first `--hosts` hosts its weeks (the first ask reads and infers its text: "cold"; the
second is cached), its list (the default, and with a filter control changed: min_fit 0
and top_k 20, which the precomputed lists do not hold), then the published week's table
and both downloads. Prints the median and the slowest time of each against the goal
(300 ms).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

KEY = "console-bench-key"
GOAL_MS = 300.0
READY_SECONDS = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(
    client: httpx.Client, label: str, times: dict[str, list[float]], *args: object
) -> httpx.Response:
    """One request (method, path[, json body]), its time in ms added under `label`."""
    method, path, *body = args
    started = time.perf_counter()
    response = client.request(str(method), str(path), json=body[0] if body else None)
    times[label].append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:200]}")
    return response


def tour(base: str, hosts: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=60) as client:
        for _ in range(5):
            timed(client, "GET / (page)", times, "GET", "/")
            for asset in ("console.js", "console.css"):
                timed(client, "GET assets", times, "GET", f"/console/assets/{asset}")
            timed(client, "GET /v1/model", times, "GET", "/v1/model")
            timed(client, "GET /v1/batch (100 hosts)", times, "GET", "/v1/batch?limit=100")
            for file_format in ("csv", "xlsx"):
                timed(
                    client,
                    f"GET /v1/batch/download {file_format}",
                    times,
                    "GET",
                    f"/v1/batch/download?format={file_format}",
                )
        found = timed(client, "GET /v1/streamers?q=", times, "GET", "/v1/streamers?q=h&limit=50")
        for host in [item["streamer_id"] for item in found.json()["items"]][:hosts]:
            timed(client, "GET /v1/streamers?q=", times, "GET", f"/v1/streamers?q={host}")
            for label in ("weeks (cold)", "weeks (cached)"):
                timed(
                    client,
                    f"GET /v1/streamers/{{id}}/{label}",
                    times,
                    "GET",
                    f"/v1/streamers/{host}/weeks?weeks=8",
                )
            timed(
                client,
                "POST /v1/recommend (default)",
                times,
                "POST",
                "/v1/recommend",
                {"streamer_id": host},
            )
            timed(
                client,
                "POST /v1/recommend (min_fit 0, top_k 20)",
                times,
                "POST",
                "/v1/recommend",
                {"streamer_id": host, "min_fit": 0.0, "top_k": 20},
            )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".radar"))
    parser.add_argument("--hosts", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "RADAR_HOME": str(args.home.resolve()), "RADAR_API_KEYS": KEY}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "serve",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    launched = time.perf_counter()
    try:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).json().get("model_version"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            if server.poll() is not None or time.perf_counter() - launched > READY_SECONDS:
                raise SystemExit("the server did not come up: run `radar serve` by hand to see why")
            time.sleep(0.2)
        times = tour(base, args.hosts)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"# console requests one at a time, {time.strftime('%Y-%m-%d')}, home {args.home}")
    print("| request | n | median ms | slowest ms |\n|---|---:|---:|---:|")
    slowest = 0.0
    for label, values in times.items():
        slowest = max(slowest, max(values))
        print(f"| {label} | {len(values)} | {statistics.median(values):.1f} | {max(values):.1f} |")
    verdict = "met" if slowest < GOAL_MS else "NOT met"
    print(f"# goal (every request under {GOAL_MS:.0f} ms): {verdict}, slowest {slowest:.1f} ms")


if __name__ == "__main__":
    main()
