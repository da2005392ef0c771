"""Throughput and latency of the requests users send, beside `GET /health`, in one run.

Usage: python benchmarks/api_load.py [--home .radar] [--seconds 10] [--connections 32]
                                     [--ttl 120]

Starts `radar serve` (one uvicorn worker) on a free loopback port against the RADAR_HOME
given (run `make demo` first, or point it at a larger store: see the README for the
10,000-host / 100,000-product one), drives it with `wrk` (Debian's package: `apt-get
install wrk`; one thread, `--connections` connections, `--seconds` per case) or, without
wrk, with an asyncio httpx client (which then is the bottleneck), and prints requests/s,
p50/p99 latency and errors of each case and its share of `/health`'s requests/s:

- `recommend, covered`: default `top_k` and `min_fit`, answered by the precomputed lists;
- `recommend, top_k 20, min_fit 0.5` and `top_k 50, min_fit 0.5`: below the lists' cut
  (a list whose 20 items all reach its cut still answers the first: a lower cut adds
  products after them only), so `top_k 21, min_fit 0.5` is scored for every host; its
  first items are the host's list, though, whose JSON and reasons a scored answer reuses
  (explaining only the rest), so `top_k 21, min_fit 0.5, best product excluded` (each
  host's first product, asked of the lists before the cases, in `exclude_product_ids`)
  is scored with nothing to reuse, as every request was before;
- `recommend, filtered, top_k 20`: the operations mix (two categories, the middle half of
  the prices, in stock), categories turning with the host; `a new mix each time`: the same
  with a price cap of its own for each request (a cent apart), so no mix is ever a repeat
  and the server finds the mix's rows and their vectors each time;
- `score, free text`: `POST /v1/score` with a real transcript or comment text of the store
  (up to 5,000 characters);
- `recommend, covered, lists stale`: the covered case again once the lists are older than
  `--ttl` seconds (the server runs with `RADAR_PROFILE_TTL_SECONDS` = `--ttl`), while they
  are refreshed, and `/health` right after it.

Each case also gets the server's CPU time per request (all its threads, from /proc): on a
machine that runs other work too, that figure holds where requests/s do not. Then the
server's resident memory (now and its peak) and the seconds from launch to ready. Each
case goes round every host of the store in turn, so no answer is a repeat of the one
before.
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


def store_sample(home: Path) -> tuple[list[str], int, list[str], list[str], tuple[float, float]]:
    """The store's host ids, its number of products, its categories, up to 2,000 texts of
    its transcripts and comments (cut at 5,000 characters) and the middle half of its prices."""
    from sqlalchemy import func, select

    from radar.settings import Settings
    from radar.store import open_store
    from radar.store.models import Comment, Product, Transcript
    from radar.store.reads import load_host_ids

    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.connect() as connection:
        products = connection.scalar(select(func.count()).select_from(Product)) or 0
        categories = sorted(c for c in connection.scalars(select(Product.category).distinct()) if c)
        prices = sorted(p for p in connection.scalars(select(Product.price)) if p is not None)
        texts = [
            text[:5_000]
            for table in (Transcript, Comment)
            for text in connection.scalars(select(table.text).limit(1_000))
        ]
    band = (prices[len(prices) // 4], prices[3 * len(prices) // 4]) if prices else (0.0, 1e9)
    return load_host_ids(engine), products, categories, texts, band


async def best_products(base: str, hosts: list[str], connections: int) -> dict[str, str]:
    """Each host's first product, as its list gives it (hosts without one left out)."""
    best: dict[str, str] = {}
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": KEY}, limits=limits, timeout=30
    ) as client:

        async def worker(part: list[str]) -> None:
            for host in part:
                response = await client.post(
                    "/v1/recommend", json={"streamer_id": host, "top_k": 1}
                )
                items = response.json().get("items") if response.status_code == 200 else None
                if items:
                    best[host] = items[0]["product_id"]

        await asyncio.gather(*(worker(hosts[n::connections]) for n in range(connections)))
    return best


def cases(
    hosts: list[str],
    categories: list[str],
    texts: list[str],
    band: tuple[float, float],
    best: dict[str, str],
) -> dict[str, tuple[str, list[dict[str, object]]]]:
    """Each case's path and request bodies, in the order they are driven (`best`: each
    host's first product)."""
    pairs = [categories[i : i + 2] for i in range(0, max(len(categories) - 1, 1))] or [[]]

    def mix(number: int, host: str, price_max: float) -> dict[str, object]:
        filters = {
            "categories": pairs[number % len(pairs)],
            "price_min": band[0],
            "price_max": price_max,
            "in_stock_only": True,
        }
        return {"streamer_id": host, "top_k": 20, "filters": filters}

    filtered = [mix(number, host, band[1]) for number, host in enumerate(hosts)]
    # the same, each request with a price cap of its own: a mix never seen before
    fresh = [mix(number, host, band[1] + number * 0.01) for number, host in enumerate(hosts)]
    return {
        "recommend, covered": ("/v1/recommend", [{"streamer_id": host} for host in hosts]),
        "recommend, top_k 20, min_fit 0.5": (
            "/v1/recommend",
            [{"streamer_id": host, "top_k": 20, "min_fit": 0.5} for host in hosts],
        ),
        "recommend, top_k 21, min_fit 0.5": (
            "/v1/recommend",
            [{"streamer_id": host, "top_k": 21, "min_fit": 0.5} for host in hosts],
        ),
        "recommend, top_k 21, min_fit 0.5, best product excluded": (
            "/v1/recommend",
            [
                {
                    "streamer_id": host,
                    "top_k": 21,
                    "min_fit": 0.5,
                    "filters": {"exclude_product_ids": [best[host]]},
                }
                for host in hosts
                if host in best
            ],
        ),
        "recommend, filtered, top_k 20": ("/v1/recommend", filtered),
        "recommend, filtered, a new mix each time": ("/v1/recommend", fresh),
        "recommend, top_k 50, min_fit 0.5": (
            "/v1/recommend",
            [{"streamer_id": host, "top_k": 50, "min_fit": 0.5} for host in hosts],
        ),
        "score, free text": ("/v1/score", [{"text": text, "top_k": 10} for text in texts]),
    }


GOALS = {
    "recommend, covered": "",
    "recommend, top_k 20, min_fit 0.5": "≥ 10%, p99 ≤ 50 ms",
    "recommend, top_k 21, min_fit 0.5": "(scored, the list's head reused)",
    "recommend, top_k 21, min_fit 0.5, best product excluded": "(scored, nothing reused)",
    "recommend, filtered, top_k 20": "≥ 10%, p99 ≤ 50 ms",
    "recommend, filtered, a new mix each time": "(the mix's rows found each time)",
    "recommend, top_k 50, min_fit 0.5": "≥ 5%, p99 ≤ 100 ms",
    "score, free text": "≥ 3%, p99 ≤ 100 ms",
    "recommend, covered, lists stale": "≥ 90% of covered, p99 ≤ 25 ms",
}


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far, all its threads, user and system (Linux's /proc): per
    request, what a case costs the server whatever else the machine runs."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak (MB), from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=Path(".radar"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--ttl", type=float, default=120.0, help="seconds before lists are stale")
    args = parser.parse_args()
    hosts, products, categories, texts, band = store_sample(args.home.resolve())
    port = free_port()
    launched = time.perf_counter()
    env = {
        **os.environ,
        "RADAR_HOME": str(args.home.resolve()),
        "RADAR_API_KEYS": KEY,
        "RADAR_PROFILE_TTL_SECONDS": str(args.ttl),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    use_wrk = shutil.which("wrk") is not None

    def load(path: str, bodies: list[dict[str, object]] | None, seconds: float) -> dict[str, float]:
        started = cpu_seconds(server.pid)
        if use_wrk:
            texts = None if bodies is None else [json.dumps(b, ensure_ascii=False) for b in bodies]
            row = drive_wrk(base, path, texts, seconds, args.connections)
        else:
            method = "GET" if bodies is None else "POST"
            row = asyncio.run(drive(base, method, path, bodies, seconds, args.connections))
        answered = max(row["rps"] * seconds, 1.0)
        row["cpu_ms"] = 1000 * (cpu_seconds(server.pid) - started) / answered
        return row

    rows: dict[str, dict[str, float]] = {}
    try:
        while not ready(base):
            if server.poll() is not None or time.perf_counter() - launched > READY_SECONDS:
                raise SystemExit("the server did not come up: run `radar serve` by hand to see why")
            time.sleep(0.2)
        ready_at = time.perf_counter()
        ready_seconds = ready_at - launched
        while not httpx.get(f"{base}/health", timeout=5).json().get("lists_ready"):
            time.sleep(0.2)
        lists_seconds = time.perf_counter() - launched
        best = asyncio.run(best_products(base, hosts, args.connections))
        every = cases(hosts, categories, texts, band, best)
        asyncio.run(drive(base, "POST", "/v1/recommend", every["recommend, covered"][1], 2, 4))
        rows["GET /health"] = load("/health", None, args.seconds)
        for name, (path, bodies) in every.items():
            rows[name] = load(path, bodies, args.seconds)
        stale_in = launched + lists_seconds + args.ttl + 1 - time.perf_counter()
        if stale_in > 0:
            time.sleep(stale_in)
        covered = every["recommend, covered"]
        rows["recommend, covered, lists stale"] = load(covered[0], covered[1], args.seconds)
        rows["GET /health, after the stale lists"] = load("/health", None, args.seconds)
        rss, peak = resident_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    tool = "wrk" if use_wrk else "httpx (the client is the bottleneck)"
    print(
        f"# API load via {tool}, one uvicorn worker, {args.connections} connections, "
        f"{args.seconds:.0f} s per case, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(
        f"# store: {len(hosts):,} hosts (each case goes round all of them), {products:,} "
        f"products; server ready (model loaded) {ready_seconds:.1f} s after launch (goal ≤ "
        f"10 s), every host's list made {lists_seconds:.1f} s after launch"
    )
    health = rows["GET /health"]["rps"]
    print("| case | req/s | of /health | p50 ms | p99 ms | errors | server CPU ms/request | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, row in rows.items():
        share = row["rps"] / health
        if name == "recommend, covered, lists stale":
            share_text = (
                f"{share:.1%} ({row['rps'] / rows['recommend, covered']['rps']:.0%} of covered)"
            )
        else:
            share_text = f"{share:.1%}"
        print(
            f"| {name} | {row['rps']:.0f} | {share_text} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['errors']:.0f} | {row['cpu_ms']:.2f} | "
            f"{GOALS.get(name, '')} |"
        )
    print(
        f"server memory: {rss:.0f} MB resident at the end, {peak:.0f} MB at its peak "
        "(goal ≤ 1,200 MB)"
    )


if __name__ == "__main__":
    main()
