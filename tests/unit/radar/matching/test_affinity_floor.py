"""The affinity floor: what converting placements of hosts that fit never fell under."""

from datetime import datetime, timedelta

import numpy as np

from radar.matching.calibration import floor_rows
from radar.matching.fit import FEATURES, FitModel
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
