"""The matching goals on the real-data scenario, measured on the batch file, for two build
seeds (benchmarks/matching_scenario.py prints the same figures for five), and the one fit
path: what the benchmark measures is what the batch, the API and the CLI show."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks.scenario.build import build_scenario
from benchmarks.scenario.figures import GOALS, Goal, lists_of, read_batch_lists
from benchmarks.scenario.run import LIST_LENGTH, ScenarioRun, measure, run_scenario
from radar.matching.history import Outcome
from radar.matching.recommender import HostInput, Recommender

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

SEEDS = (1, 5)
NUM_TOPICS = 40  # as the benchmark: the same figures as its seeds 1 and 5
TOP_FIT = "highest fit shown (evidence: highest rate placed)"
NOT_MET_YET: dict[tuple[int, str], str] = {}
"""Goals the current model does not meet on these seeds, and by how much: expected to fail
(strict: a goal met now fails as XPASS until it is removed here)."""


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def scenario_run(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> ScenarioRun:
    folder = tmp_path_factory.mktemp(f"scenario-{request.param}")
    run = run_scenario(shared_data, folder, build_seed=request.param, num_topics=NUM_TOPICS)
    print({key: round(value, 4) for key, value in run.figures.items()})
    return run


def test_the_scenario_is_seeded_with_a_third_of_hosts_new(
    shared_data: Path, tmp_path: Path
) -> None:
    first = build_scenario(shared_data, tmp_path / "a", seed=3)
    again = build_scenario(shared_data, tmp_path / "b", seed=3)
    other = build_scenario(shared_data, tmp_path / "c", seed=4)
    for name in ("products.csv", "comments.csv", "placements.csv", "truth.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    hosts = first.host_categories
    new = set(hosts) - first.warm_hosts
    assert abs(len(new) / len(hosts) - 1 / 3) < 0.02
    for kind in ("reviews", "room"):
        assert any(first.host_kind[h] == kind and not first.relevant_products(h) for h in new)
        assert any(first.host_kind[h] == kind and first.relevant_products(h) for h in new)
    assert any(hosts[h] == ["书籍"] for h in new)  # fans who review books: no book on offer
    rooms_with_fans = {row.split(",")[1] for row in (tmp_path / "a" / "comments.csv").open()}
    assert any(first.host_kind.get(h) == "room" for h in rooms_with_fans)
    assert again.warm_hosts == first.warm_hosts != other.warm_hosts


def _histories(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    by_host: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in sorted(outcomes, key=lambda o: (o.started_at, o.product_id)):
        by_host[outcome.streamer_id].append(outcome)
    return by_host


def test_the_measured_lists_are_the_batch_files(scenario_run: ScenarioRun) -> None:
    """The recommender in memory (what the benchmark and evaluation score with) gives the
    batch file's lists and fits, so figures from either are the same."""
    run = scenario_run
    batch = read_batch_lists(run.batch_file)
    recommender = Recommender(run.model, run.data.catalogue)
    history = _histories(run.data.outcomes)
    hosts = [
        HostInput(run.data.profiles[host], history[host], {o.product_id for o in history[host]})
        for host in sorted(run.scenario.host_categories)
    ]
    in_memory = lists_of(recommender.recommend_many(hosts, top_k=LIST_LENGTH, min_fit=0.0))
    assert in_memory == batch
    figures = measure(in_memory, run.scenario, run.model, run.data, seed=run.build_seed)
    on_file = {key: value for key, value in run.figures.items() if key in figures}
    assert figures == pytest.approx(on_file, rel=0, abs=0, nan_ok=True)  # exactly equal

    index = run.data.catalogue.index
    for host, items in batch.items():
        fits = recommender.shown_fits(run.data.profiles[host], history[host])
        assert [float(fits[index[pid]]) for pid, _ in items] == [fit for _, fit in items], host


@pytest.mark.parametrize("goal", GOALS, ids=lambda goal: goal.figure)
def test_goal(scenario_run: ScenarioRun, goal: Goal, request: pytest.FixtureRequest) -> None:
    figures = scenario_run.figures
    assert figures["fitting_hosts"] >= 40 and figures["fitting_new_hosts"] >= 12
    not_met = NOT_MET_YET.get((scenario_run.build_seed, goal.figure))
    if not_met is not None:
        request.applymarker(pytest.mark.xfail(reason=f"not met yet: {not_met}", strict=True))
    assert goal.met(figures), f"{goal.figure}: {goal.shown(figures)}, goal {goal.bar}"
