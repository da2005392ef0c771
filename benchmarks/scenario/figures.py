"""The scenario's figures and goals, computed from the lists users receive.

Input is each host's list as the batch writes it (`read_batch_lists`: the `radar batch`
CSV or Parquet file) or as the recommender returns it (`lists_of`); nothing here scores
a pair, so what is measured is what is shown. Outcomes of listed pairs are drawn from
the scenario's true conversion probability with a seeded generator, in list order.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radar.matching.history import Outcome
from radar.matching.recommender import HostRecommendations, shown_fits
from radar.metrics import expected_calibration_error, precision_at_k

from .build import Scenario

Lists = dict[str, list[tuple[str, float]]]
"""Host → its list as (product id, fit shown), best first."""

EVIDENCE_MIN_PLACEMENTS = 10


def read_batch_lists(path: Path) -> Lists:
    """The lists of a `radar batch` file (`.csv` or `.parquet`), ordered by rank."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["streamer_id", "rank", "product_id", "fit"])
        rows = zip(*(table.column(name).to_pylist() for name in table.column_names), strict=True)
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [  # type: ignore[assignment]
                (r["streamer_id"], int(r["rank"]), r["product_id"], float(r["fit"]))
                for r in csv.DictReader(handle)
            ]
    ranked: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
    for host, rank, product, fit in rows:
        ranked[host].append((int(rank), product, float(fit)))
    return {host: [(p, f) for _, p, f in sorted(items)] for host, items in ranked.items()}


def lists_of(results: Iterable[HostRecommendations]) -> Lists:
    """The recommender's lists in the same form (hosts with no list left out, as in the
    batch file)."""
    return {
        result.streamer_id: [(item.product_id, item.fit) for item in result.items]
        for result in results
        if result.items
    }


def evidence_ceiling(outcomes: Iterable[Outcome], product_categories: Mapping[str, str]) -> float:
    """The highest conversion rate the placements show: over every warm host's category
    with at least `EVIDENCE_MIN_PLACEMENTS` placements, the Laplace-smoothed rate
    (converted + 1) / (placed + 2). No fit has evidence above it."""
    placed: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        cell = placed[(outcome.streamer_id, product_categories[outcome.product_id])]
        cell[0] += int(outcome.converted)
        cell[1] += 1
    rates = [
        (converted + 1) / (count + 2)
        for converted, count in placed.values()
        if count >= EVIDENCE_MIN_PLACEMENTS
    ]
    return max(rates, default=float("nan"))


def scenario_figures(
    lists: Lists,
    scenario: Scenario,
    *,
    reference: Mapping[str, list[str]],
    ceiling: float,
    seed: int,
    min_fit: float = 0.8,
    k: int = 10,
) -> dict[str, float]:
    """Every figure of the goals (see `GOALS`) for these lists. `reference`: the TF-IDF
    cosine top k of each new host with fitting products."""
    hosts = sorted(scenario.host_categories)
    new = {host for host in hosts if host not in scenario.warm_hosts}
    relevant = {host: scenario.relevant_products(host) for host in hosts}
    fitting = [host for host in hosts if relevant[host]]
    served = {host: any(fit >= min_fit for _, fit in lists.get(host, [])) for host in hosts}
    unfitting_served = [host for host in hosts if not relevant[host] and served[host]]

    pairs = [(host, pid, fit) for host in hosts for pid, fit in lists.get(host, [])]
    fits = np.array([fit for _, _, fit in pairs])
    probability = np.array([scenario.relevance(host, pid) for host, pid, _ in pairs])
    converted = (np.random.default_rng(seed).random(len(pairs)) < probability).astype(int)
    of_new = np.array([host in new for host, _, _ in pairs], dtype=bool)
    above = fits >= min_fit

    def precision(group: set[str] | None, recs: Mapping[str, list[str]]) -> float:
        truth = {h: relevant[h] for h in fitting if group is None or h in group}
        return precision_at_k(truth, recs, k=k)

    shown = {host: [pid for pid, _ in items] for host, items in lists.items()}
    warm = set(hosts) - new
    neighbours = [
        (items[i][1], items[i + 1][1]) for items in lists.values() for i in range(len(items) - 1)
    ]
    return {
        "fitting_hosts": len(fitting),
        "fitting_new_hosts": len([h for h in fitting if h in new]),
        "unfitting_hosts": len(hosts) - len(fitting),
        "served_share": _mean([served[h] for h in fitting]),
        "served_share_new": _mean([served[h] for h in fitting if h in new]),
        "unfitting_served": len(unfitting_served),
        "unfitting_unlisted": len([h for h in hosts if not relevant[h] and h not in lists]),
        "unfitting_served_pairs": sum(
            fit >= min_fit for h in unfitting_served for _, fit in lists[h]
        ),
        "listed_pairs": len(pairs),
        "ece": expected_calibration_error(converted, fits) if pairs else float("nan"),
        "ece_new": expected_calibration_error(converted[of_new], fits[of_new])
        if of_new.any()
        else float("nan"),
        "pairs_at_min_fit": int(above.sum()),
        "converting_at_min_fit": float(converted[above].mean()) if above.any() else float("nan"),
        "warm_precision_at_10": precision(warm, shown),
        "new_precision_at_10": precision(new, shown),
        "tfidf_new_precision_at_10": precision(new, reference),
        "top_fit": float(fits.max()) if pairs else float("nan"),
        "evidence_ceiling": ceiling,
        "fits_of_one": int((fits >= 1.0).sum()),
        "tied_neighbours": _mean(
            [bool(a == b) for a, b in shown_fits(np.array(neighbours, dtype=float).reshape(-1, 2))]
        ),
    }


@dataclass(frozen=True)
class Goal:
    """One of the issue's goals: the figure shown, the bar, and whether a run meets it."""

    figure: str
    shown: Callable[[Mapping[str, float]], str]
    bar: str
    met: Callable[[Mapping[str, float]], bool]


GOALS: tuple[Goal, ...] = (
    Goal(
        "hosts with fitting products served at ≥ 0.8",
        lambda f: f"{f['served_share']:.3f}",
        "≥ 0.85",
        lambda f: f["served_share"] >= 0.85,
    ),
    Goal(
        "— new hosts among them",
        lambda f: f"{f['served_share_new']:.3f}",
        "≥ 0.75",
        lambda f: f["served_share_new"] >= 0.75,
    ),
    Goal(
        "hosts with no fitting product served at ≥ 0.8",
        lambda f: f"{f['unfitting_served']:.0f} ({f['unfitting_served_pairs']:.0f} products)",
        "0",
        lambda f: f["unfitting_served"] == 0,
    ),
    Goal(
        "listed pairs at ≥ 0.8 that convert",
        lambda f: f"{f['converting_at_min_fit']:.3f} of {f['pairs_at_min_fit']:.0f}",
        "≥ 0.80",
        lambda f: f["converting_at_min_fit"] >= 0.80,
    ),
    Goal(
        "ECE, all listed pairs", lambda f: f"{f['ece']:.3f}", "≤ 0.04", lambda f: f["ece"] <= 0.04
    ),
    Goal(
        "ECE, new hosts' listed pairs",
        lambda f: f"{f['ece_new']:.3f}",
        "≤ 0.05",
        lambda f: f["ece_new"] <= 0.05,
    ),
    Goal(
        "highest fit shown (evidence: highest rate placed)",
        lambda f: f"{f['top_fit']:.4f} ({f['evidence_ceiling']:.3f})",
        "≤ evidence",
        lambda f: f["top_fit"] <= f["evidence_ceiling"],
    ),
    Goal(
        "precision@10, warm hosts",
        lambda f: f"{f['warm_precision_at_10']:.3f}",
        "≥ 0.95",
        lambda f: f["warm_precision_at_10"] >= 0.95,
    ),
    Goal(
        "precision@10, new hosts (TF-IDF cosine)",
        lambda f: f"{f['new_precision_at_10']:.3f} ({f['tfidf_new_precision_at_10']:.3f})",
        "≥ 0.85 and ≥ 1.3 × TF-IDF",
        lambda f: f["new_precision_at_10"] >= max(0.85, 1.3 * f["tfidf_new_precision_at_10"]),
    ),
    Goal(
        "neighbours in a list tied as shown (6 decimals)",
        lambda f: f"{f['tied_neighbours']:.3f}",
        "≤ 0.05",
        lambda f: f["tied_neighbours"] <= 0.05,
    ),
)


def _mean(values: list[bool]) -> float:
    return float(np.mean(values)) if values else float("nan")
