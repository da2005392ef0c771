"""The same filters give the same lists from the API (its precomputed lists and its scoring
route), `radar recommend --json` and `radar batch`, for each filter and for the proposal
ranking."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli_app
from radar.matching.ranking import BusinessFilters
from radar.settings import Settings
from radar.store import open_store
from radar.store.reads import load_catalogue, load_host_ids
from serving.app import create_app
from tests.integration.batch_state import WEEK, batch

MIN_FIT = 0.5
TOP_K = 5
HOSTS = 8


def cases(home: Path) -> dict[str, dict[str, Any]]:
    """Each filter (and the proposal ranking), as the API's body takes it, on values the
    demo catalogue holds."""
    products = load_catalogue(open_store(Settings(home=home).resolved_database_url))
    categories = sorted({p.category for p in products if p.category})
    prices = sorted(p.price for p in products if p.price is not None)
    listed = sorted(p.listed_at.date() for p in products if p.listed_at is not None)
    assert len(categories) >= 3 and listed[-1] > listed[0]
    return {
        "categories": {"filters": {"categories": categories[:2]}},
        "exclude_categories": {"filters": {"exclude_categories": categories[:3]}},
        "price band": {
            "filters": {
                "price_min": prices[len(prices) // 4],
                "price_max": prices[-len(prices) // 4],
            }
        },
        "margin_min": {"filters": {"margin_min": 0.3}},
        "any stock": {"filters": {"in_stock_only": False}},
        "listed_since": {"filters": {"listed_since": listed[-1].isoformat()}},
        "exclude_product_ids": {
            "filters": {"exclude_product_ids": [p.product_id for p in products[::3]]}
        },
        "max_per_category": {"filters": {"max_per_category": 1}},
        "proposal": {"rank_by": "proposal"},
        "proposal, filtered": {"rank_by": "proposal", "filters": {"categories": categories[:2]}},
    }


def cli_args(case: dict[str, Any]) -> list[str]:
    """The same case as `radar recommend` / `radar batch` options."""
    args = ["--rank-by", case.get("rank_by", "fit")]
    for name, value in case.get("filters", {}).items():
        if name == "in_stock_only":
            args.append("--in-stock-only" if value else "--any-stock")
            continue
        option = {
            "categories": "--category",
            "exclude_categories": "--exclude-category",
            "exclude_product_ids": "--exclude-product",
        }.get(name, "--" + name.replace("_", "-"))
        for item in value if isinstance(value, list) else [value]:
            args += [option, str(item)]
    return args


def as_filters(case: dict[str, Any]) -> BusinessFilters:
    """The same case as the batch's filters."""
    given = dict(case.get("filters", {}))
    for name in ("categories", "exclude_categories", "exclude_product_ids"):
        if name in given:
            given[name] = frozenset(given[name])
    if "listed_since" in given:
        given["listed_since"] = date.fromisoformat(given["listed_since"])
    return BusinessFilters(**given)


Lists = dict[str, list[tuple[str, float, bool]]]


def from_body(body: dict[str, Any]) -> list[tuple[str, float, bool]]:
    return [(item["product_id"], item["fit"], item["below_cut"]) for item in body["items"]]


def test_each_filter_gives_the_same_lists_on_every_path(own_home: Path, tmp_path: Path) -> None:
    settings = Settings(home=own_home, api_keys="k", min_fit=MIN_FIT)
    hosts = load_host_ids(open_store(settings.resolved_database_url))[:HOSTS]
    runner = CliRunner()
    environment = {"RADAR_HOME": str(own_home), "RADAR_MIN_FIT": str(MIN_FIT)}
    products = {p.product_id: p for p in load_catalogue(open_store(settings.resolved_database_url))}
    seen_items = defaultdict(int)
    changed = set()
    with TestClient(create_app(settings)) as client:
        unfiltered = {
            host: from_body(
                client.post(
                    "/v1/recommend",
                    json={"streamer_id": host, "top_k": TOP_K, "min_fit": MIN_FIT},
                    headers={"X-API-Key": "k"},
                ).json()
            )
            for host in hosts
        }
        for name, case in cases(own_home).items():
            api: Lists = {}
            scored: Lists = {}
            for host in hosts:
                body = {"streamer_id": host, "top_k": TOP_K, "min_fit": MIN_FIT, **case}
                answer = client.post("/v1/recommend", json=body, headers={"X-API-Key": "k"})
                assert answer.status_code == 200, (name, answer.text)
                api[host] = from_body(answer.json())
                longer = {**body, "top_k": 30}  # beyond the precomputed lists: scored
                answer = client.post("/v1/recommend", json=longer, headers={"X-API-Key": "k"})
                scored[host] = from_body(answer.json())[: len(api[host])]
            assert api == scored, name
            rules = as_filters(case).resolved(in_stock_default=True)
            listed = [pid for items in api.values() for pid, _, below in items]
            assert all(rules.passes(products[pid]) for pid in listed), name
            if api != unfiltered:
                changed.add(name)

            out = tmp_path / name.replace(" ", "-").replace(",", "")
            batch(own_home, out, min_fit=MIN_FIT, top_k=TOP_K, **_batch_options(case))
            batched: Lists = {host: [] for host in hosts}
            with (out / f"recommendations-{WEEK}.csv").open(encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    if row["streamer_id"] in batched:
                        batched[row["streamer_id"]].append(
                            (row["product_id"], float(row["fit"]), row["below_cut"] == "true")
                        )
            assert batched == api, name

            for host in hosts[:2]:
                result = runner.invoke(
                    cli_app,
                    ["recommend", host, "--top-k", str(TOP_K), "--json", *cli_args(case)],
                    env=environment,
                )
                assert result.exit_code == 0, (name, result.output)
                assert from_body(json.loads(result.stdout)) == api[host], name
            seen_items[name] = sum(len(items) for items in api.values())
    assert all(seen_items.values()), seen_items  # every case compared real items
    assert len(changed) >= len(seen_items) - 2, changed  # the filters do filter


def _batch_options(case: dict[str, Any]) -> dict[str, Any]:
    return {"filters": as_filters(case), "rank_by": case.get("rank_by", "fit")}


@pytest.mark.parametrize("body", [{"filters": {"price_min": 10, "price_max": 5}}, {"rank_by": "x"}])
def test_bad_options_are_422(trained_home: Path, body: dict[str, Any]) -> None:
    settings = Settings(home=trained_home, api_keys="k")
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/v1/recommend", json={"streamer_id": "h0002", **body}, headers={"X-API-Key": "k"}
        )
    assert answer.status_code == 422
