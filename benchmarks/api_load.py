"""Throughput and latency of `POST /v1/recommend` beside `GET /health`, one run.

Usage: python benchmarks/api_load.py [--home .radar] [--seconds 10] [--connections 32]

Starts `radar serve` (one uvicorn worker) on a free loopback port against the RADAR_HOME
given (run `make demo` first, or point it at a larger store: see the README for the
10,000-host / 100,000-product one), drives it with `wrk` (Debian's package: `apt-get
install wrk`; one thread, `--connections` connections, `--seconds` per route) or, without
wrk, with an asyncio httpx client (which then is the bottleneck), and prints requests/s,
p50/p99 latency and errors for both routes, and the ratio. Recommend requests go round
every host of the store in turn (default `top_k` and `min_fit`), so no answer is a
repeat of the one before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KEY = "bench-key"
READY_SECONDS = 1800  # loading a large store and computing its lists takes a while


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def drive(
    base: str,
    method: str,
    path: str,
    bodies: list[dict[str, object]] | None,
    seconds: float,
    connections: int,
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": KEY}, limits=limits, timeout=30
    ) as client:
        sent = 0

        async def worker() -> None:
            nonlocal errors, sent
            while time.perf_counter() < deadline:
                body = bodies[sent % len(bodies)] if bodies else None
                sent += 1
                started = time.perf_counter()
                response = await client.request(method, path, json=body)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(0.99 * (len(ordered) - 1))],
        "errors": errors,
        "requests": len(latencies),
    }


def drive_wrk(
    base: str, path: str, bodies: list[str] | None, seconds: float, connections: int
) -> dict[str, float]:
    script = f"""wrk.headers["X-API-Key"] = "{KEY}"
wrk.headers["Content-Type"] = "application/json"
"""
    if bodies:
        listed = ",\n".join(f"[[{body}]]" for body in bodies)
        script += f"""local bodies = {{
{listed}
}}
local sent = 0
request = function()
  sent = sent + 1
  return wrk.format("POST", nil, nil, bodies[(sent % #bodies) + 1])
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{int(seconds)}s",
        "--latency",
        "-s",
        handle.name,
        f"{base}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "errors": int(errors.group(1)) if errors else (1 if socket_errors else 0),
        "requests": 0,
    }


def ready(base: str) -> bool:
    """Whether the server answers /health with a loaded model."""
    try:
        return bool(httpx.get(f"{base}/health", timeout=1).json().get("model_version"))
    except httpx.HTTPError:
        return False


def store_size(home: Path) -> tuple[list[str], int]:
    """The store's host ids and its number of products."""
    from sqlalchemy import func, select

    from radar.settings import Settings
    from radar.store import open_store
    from radar.store.models import Product
    from radar.store.reads import load_host_ids

    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.connect() as connection:
        products = connection.scalar(select(func.count()).select_from(Product)) or 0
    return load_host_ids(engine), products


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".radar"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    hosts, products = store_size(args.home.resolve())
    port = free_port()
    launched = time.perf_counter()
    env = {**os.environ, "RADAR_HOME": str(args.home.resolve()), "RADAR_API_KEYS": KEY}
    server = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while not ready(base):
            if server.poll() is not None or time.perf_counter() - launched > READY_SECONDS:
                raise SystemExit("the server did not come up: run `radar serve` by hand to see why")
            time.sleep(0.2)
        ready_seconds = time.perf_counter() - launched
        bodies: list[dict[str, object]] = [{"streamer_id": host} for host in hosts]
        asyncio.run(drive(base, "POST", "/v1/recommend", bodies, 2, 4))  # warm-up
        if shutil.which("wrk"):
            texts = [json.dumps(body) for body in bodies]
            health = drive_wrk(base, "/health", None, args.seconds, args.connections)
            recommend = drive_wrk(base, "/v1/recommend", texts, args.seconds, args.connections)
        else:
            health = asyncio.run(
                drive(base, "GET", "/health", None, args.seconds, args.connections)
            )
            recommend = asyncio.run(
                drive(base, "POST", "/v1/recommend", bodies, args.seconds, args.connections)
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    tool = "wrk" if shutil.which("wrk") else "httpx (the client is the bottleneck)"
    print(
        f"# API load via {tool}, one uvicorn worker, {args.connections} connections, "
        f"{args.seconds:.0f} s per route, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"# store: {len(hosts):,} hosts (recommend goes round all of them), {products:,} products; "
        f"server ready (model loaded, lists computed) {ready_seconds:.0f} s after launch"
    )
    print(f"{'route':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in (("GET /health", health), ("POST /v1/recommend", recommend)):
        print(
            f"{name:<20} {row['rps']:>8.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
            f"{row['errors']:>7.0f}"
        )
    print(
        f"recommend / health throughput: {recommend['rps'] / health['rps']:.1%} "
        "(goal ≥ 50% with p99 ≤ 25 ms and no errors, on a 100k catalogue)"
    )


if __name__ == "__main__":
    main()
