"""Calibration of the fit for new hosts, on the offline evaluation's hold-out.

`radar.evaluation.offline.evaluate_model` reports one ECE over all held-out pairs. A new
host (no history) is scored by another curve and from its peers alone, so its
calibration is measured apart: on the same time split (the last fifth of placements),
the new hosts are those of the hold-out with no placement before the cut, scored as
`evaluate_model` scores them (no own history, peers from before the cut).
"""

from __future__ import annotations

from collections import defaultdict

from radar.evaluation.metrics import expected_calibration_error
from radar.matching.calibration import host_side
from radar.matching.data import MatchingData
from radar.matching.fit import pair_features
from radar.matching.history import Outcome
from radar.matching.peers import build_peer_table
from radar.model import RadarModel


def new_host_calibration(
    model: RadarModel, data: MatchingData, *, holdout_fraction: float = 0.2
) -> dict[str, float]:
    """`new_host_pairs`, and `ece_new_hosts` when there is any (left out, not NaN, when
    the hold-out has no new host: the evaluation is served as JSON)."""
    catalogue = data.catalogue
    ordered = sorted(
        (o for o in data.outcomes if o.product_id in catalogue.index),
        key=lambda o: (o.started_at, o.streamer_id, o.product_id),
    )
    cut = int(len(ordered) * (1 - holdout_fraction))
    history, holdout = ordered[:cut], ordered[cut:]
    known = {o.streamer_id for o in history}
    new_pairs: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in holdout:
        if outcome.streamer_id not in known:
            new_pairs[outcome.streamer_id].append(outcome)
    n_pairs = sum(len(rows) for rows in new_pairs.values())
    if not n_pairs:
        return {"new_host_pairs": 0}
    peers = build_peer_table(data.profiles, history, catalogue)
    products = catalogue.side()
    y_true: list[int] = []
    y_prob: list[float] = []
    for host, rows in new_pairs.items():
        side = host_side(data.profiles.get(host), catalogue, [], peers=peers)
        product_rows = [catalogue.index[o.product_id] for o in rows]
        y_prob += model.fit.predict(pair_features(side, products.rows(product_rows))).tolist()
        y_true += [o.converted for o in rows]
    return {"ece_new_hosts": expected_calibration_error(y_true, y_prob), "new_host_pairs": n_pairs}
