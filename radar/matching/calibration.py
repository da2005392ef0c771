"""Fitting the pair model on past placements, validated on a time-based hold-out.

Placements are not a random sample of pairs: operations chose them, mostly products that
looked right for the host. A model fitted on them as they are learns the conversion rate
of *chosen* pairs and is biased for the catalogue as a whole, where most pairs look
nothing like a host's placements. So each training placement is weighted by the inverse
odds of having been chosen: a propensity model tells placed pairs from random pairs of
the same hosts, and a placement that looks like a typical random pair counts more
(weights clipped to [0.05, 20] and normalised to mean 1). The weighted sample stands for
the catalogue's pairs, and so the fit is calibrated where it is used.

The propensity model sees each host with its placements, as operations did: what a host
was offered before tells which products it is offered. A placement's cold copy (the host
without history, standing for new hosts) keeps that weight; weighed by its own features,
where a placed pair and a random one look alike, the choice would go uncorrected and the
fit of new hosts would be too high.

The logistic link is too flat for these features (too high in the middle, too low at the
top), so `FitModel` maps the logit to the fit by a monotone curve fitted on the same
weighted sample (`radar.matching.curves`), one for the warm copies and one for the cold:
each host's ranking is kept, and no fit claims more than the placements support.

The topic affinity of converting placements also sets a floor (its 1st percentile):
a host whose best products are less akin to it than that matches nothing the catalogue
holds, and gets no list (`radar.matching.recommender`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from radar.matching.fit import FITTING_SHARE, AffinityFit, Fit, FitModel, pair_features
from radar.matching.history import Outcome, split_by_time
from radar.matching.host_side import host_side
from radar.matching.peers import PeerTable, build_peer_table
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.metrics import expected_calibration_error, precision_above, reliability_table

MIN_OUTCOMES = 30
PROPENSITY_MODEL_PARAMS = {"C": 1.0, "max_iter": 2000}
"""The placed-versus-random model behind the selection weights (logged with every run)."""
_WEIGHT_RANGE = (0.05, 20.0)
_GROUPS = {True: "warm", False: "new"}


@dataclass
class Reliability:
    """How a fit did on the hold-out placements, scored as one kind of host."""

    ece: float = float("nan")
    precision_above_threshold: float = float("nan")
    pairs_above_threshold: int = 0
    table: list[tuple[float, float, float, int]] = field(default_factory=list)

    @classmethod
    def of(cls, y_true: np.ndarray, y_prob: np.ndarray, min_fit: float) -> Reliability:
        return cls(
            expected_calibration_error(y_true, y_prob),
            precision_above(y_true, y_prob, threshold=min_fit),
            int((y_prob >= min_fit).sum()),
            reliability_table(y_true, y_prob),
        )


@dataclass
class CalibrationReport:
    """How the pair model was fitted and how it did on the hold-out: scored with the
    hosts' history (`warm`), and as if they were new (`new`: no history, the new-host
    curve)."""

    n_train: int
    n_holdout: int
    holdout_from: str | None
    warm: Reliability = field(default_factory=Reliability)
    new: Reliability = field(default_factory=Reliability)
    caps: dict[str, float] = field(default_factory=dict)
    affinity_floor: float = float("nan")
    score_floors: dict[str, float] = field(default_factory=dict)
    y_true: list[int] = field(default_factory=list)
    y_prob: list[float] = field(default_factory=list)

    @property
    def ece(self) -> float:
        return self.warm.ece

    @property
    def reliability(self) -> list[tuple[float, float, float, int]]:
        return self.warm.table

    def as_metrics(self) -> dict[str, float]:
        metrics = {
            "fit_train_placements": self.n_train,
            "fit_holdout_placements": self.n_holdout,
            "fit_holdout_ece": self.warm.ece,
            "fit_holdout_precision_at_min_fit": self.warm.precision_above_threshold,
            "fit_holdout_pairs_at_min_fit": self.warm.pairs_above_threshold,
            "fit_holdout_ece_new": self.new.ece,
            "fit_holdout_precision_at_min_fit_new": self.new.precision_above_threshold,
            "fit_holdout_pairs_at_min_fit_new": self.new.pairs_above_threshold,
            "fit_affinity_floor": self.affinity_floor,
        }
        metrics.update({f"fit_cap_{group}": cap for group, cap in self.caps.items()})
        metrics.update({f"fit_score_floor_{group}": v for group, v in self.score_floors.items()})
        return metrics


def fit_pair_model(
    outcomes: Sequence[Outcome],
    profiles: dict[str, HostProfile],
    catalogue: ProductVectors,
    *,
    min_fit: float,
    holdout_fraction: float = 0.2,
    correct_selection: bool = True,
    random_state: int = 0,
    estimator: FitModel | None = None,
) -> tuple[Fit, CalibrationReport]:
    """A `FitModel` fitted on past placements, or the uncalibrated `AffinityFit` when there
    are too few outcomes (fewer than `MIN_OUTCOMES`, or only one class).

    Every training placement is used twice: as it is (its own other placements as
    history) and cold (no history), so the fit also knows new hosts; each copy gets the
    placement's weight and its kind of host's curve. `estimator`: the unfitted pair model
    (default `FitModel()`), whose parameters the run logs.
    """
    train, holdout = split_by_time(outcomes, catalogue.index, holdout_fraction=holdout_fraction)
    usable = train + holdout
    if len(usable) < MIN_OUTCOMES or len({o.converted for o in usable}) < 2:
        return AffinityFit(), CalibrationReport(0, 0, None)
    by_host: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in train:
        by_host[outcome.streamer_id].append(outcome)
    peers = build_peer_table(profiles, train, catalogue).remembering()
    products = catalogue.side()

    def features(rows: Sequence[Outcome], *, leave_one_out: bool, cold: bool) -> np.ndarray:
        return np.vstack(
            [
                pair_features(
                    host_side(
                        profiles.get(o.streamer_id),
                        catalogue,
                        by_host[o.streamer_id],
                        peers=peers,
                        leave_out=o if leave_one_out else None,
                        cold=cold,
                    ),
                    products.rows([catalogue.index[o.product_id]]),
                )
                for o in rows
            ]
        )

    warm = features(train, leave_one_out=True, cold=False)
    x_train = np.vstack([warm, features(train, leave_one_out=False, cold=True)])
    labels = np.array([o.converted for o in train])
    y_train = np.concatenate([labels, labels])
    placement_weights = (
        _selection_weights(warm, train, profiles, catalogue, by_host, peers, random_state)
        if correct_selection
        else np.ones(len(train))
    )
    weights = np.concatenate([placement_weights, placement_weights])
    first_copy = np.arange(len(x_train)) < len(train)
    model = (estimator or FitModel()).fit(
        x_train,
        y_train,
        weights,
        warm=first_copy,
        floor_rows=np.tile(floor_rows(train, labels), 2),
    )
    report = CalibrationReport(
        len(train),
        len(holdout),
        holdout[0].started_at.isoformat() if holdout else None,
        caps={_GROUPS[key]: curve.cap for key, curve in model.curves_.items()},
        affinity_floor=model.affinity_floor_,
        score_floors={_GROUPS[key]: v for key, v in model.score_floors_.items()},
    )
    if holdout:
        y_true = np.array([o.converted for o in holdout])
        y_prob = model.predict_fit(features(holdout, leave_one_out=False, cold=False))
        report.warm = Reliability.of(y_true, y_prob, min_fit)
        as_new = model.predict_fit(features(holdout, leave_one_out=False, cold=True))
        report.new = Reliability.of(y_true, as_new, min_fit)
        report.y_true, report.y_prob = y_true.tolist(), y_prob.tolist()
    return model, report


def floor_rows(train: Sequence[Outcome], labels: np.ndarray) -> np.ndarray:
    """Which training placements set the floors: those that converted, with hosts that
    convert at least `FITTING_SHARE` as often as placements do overall (a host that never
    fits converts now and then by chance, and its chance conversions say nothing of what
    fits)."""
    converted: dict[str, list[bool]] = defaultdict(list)
    for outcome in train:
        converted[outcome.streamer_id].append(bool(outcome.converted))
    overall = float(labels.mean())
    fitting = {host for host, seen in converted.items() if np.mean(seen) >= FITTING_SHARE * overall}
    return np.array(
        [bool(outcome.converted) and outcome.streamer_id in fitting for outcome in train],
        dtype=bool,
    )


def _selection_weights(
    x_placed: np.ndarray,
    placed: Sequence[Outcome],
    profiles: dict[str, HostProfile],
    catalogue: ProductVectors,
    by_host: dict[str, list[Outcome]],
    peers: PeerTable,
    random_state: int,
) -> np.ndarray:
    """Inverse odds of being chosen, from a placed-vs-random-pair propensity model on the
    hosts with their history (`x_placed`: the placements' warm features)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(random_state)
    products = catalogue.side()
    hosts = sorted({o.streamer_id for o in placed})
    per_host = max(1, 3 * len(placed) // max(1, len(hosts)))
    random_pairs = []
    for host in hosts:
        rows = rng.choice(len(catalogue.products), size=per_host, replace=True)
        side = host_side(profiles.get(host), catalogue, by_host[host], peers=peers)
        random_pairs.append(pair_features(side, products.rows(rows)))
    x_random = np.vstack(random_pairs)
    x = np.vstack([x_placed, x_random])
    y = np.concatenate([np.ones(len(x_placed)), np.zeros(len(x_random))])
    propensity = LogisticRegression(**PROPENSITY_MODEL_PARAMS).fit(x, y)
    chosen = propensity.predict_proba(x_placed)[:, 1]
    weights = np.clip((1 - chosen) / np.clip(chosen, 1e-6, None), *_WEIGHT_RANGE)
    return weights / weights.mean()
