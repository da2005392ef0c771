"""The affinity floor: what converting placements of hosts that fit never fell under."""

from datetime import datetime, timedelta

import numpy as np

from radar.matching.calibration import floor_rows
from radar.matching.fit import FEATURES, FITTING_SHARE, SCORE_FLOOR_PERCENTILE, FitModel
from radar.matching.history import Outcome

START = datetime(2026, 1, 1)


def placements(host: str, converted: list[int]) -> list[Outcome]:
    return [
        Outcome(host, f"{host}-p{i}", START + timedelta(days=i), c) for i, c in enumerate(converted)
    ]


def test_chance_conversions_of_a_host_that_never_fits_do_not_lower_the_floor() -> None:
    rng = np.random.default_rng(0)
    fitting = list(rng.uniform(0.8, 0.95, 40))
    reader = list(rng.uniform(0.3, 0.4, 40))  # a books host: fits nothing in the catalogue
    train = placements("beauty", [1] * 32 + [0] * 8)
    train += placements("books", [1] * 2 + [0] * 38)  # 5%: chance
    warm = np.zeros((len(train), len(FEATURES)))
    warm[:, FEATURES.index("topic_affinity")] = fitting + reader
    labels = np.array([o.converted for o in train])
    rows = floor_rows(train, labels)
    assert rows.sum() == 32  # the beauty host's conversions only
    floor = FitModel().fit(warm, labels, floor_rows=rows).affinity_floor_
    assert floor > 0.79, f"the books host's lucky sales set the floor at {floor:.2f}"


def test_each_kind_of_host_gets_a_score_floor_from_the_conversions_of_hosts_that_fit() -> None:
    """The floor sits at `SCORE_FLOOR_PERCENTILE` of the logits of those conversions, for
    hosts with history and for new ones; a host that never fits does not lower it."""
    rng = np.random.default_rng(1)
    train = placements("beauty", [1] * 32 + [0] * 8) + placements("books", [1] * 2 + [0] * 38)
    labels = np.array([o.converted for o in train] * 2)
    x = np.zeros((len(labels), len(FEATURES)))
    x[:, FEATURES.index("topic_affinity")] = rng.uniform(0.3, 0.95, len(labels))
    x[: len(train), FEATURES.index("has_history")] = 1.0
    rows = np.tile(floor_rows(train, labels[: len(train)]), 2)
    model = FitModel().fit(x, labels, floor_rows=rows)
    logits = x @ model.coef_ + model.intercept_
    for kind, copy in ((True, slice(0, len(train))), (False, slice(len(train), None))):
        chosen = logits[copy][rows[copy]]
        assert model.score_floor(has_history=kind) == np.percentile(chosen, SCORE_FLOOR_PERCENTILE)
    assert model.fitting_rate_ == FITTING_SHARE * labels.mean()
