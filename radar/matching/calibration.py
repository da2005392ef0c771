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
top), so the logit is mapped to the fit by a monotone curve fitted on the same weighted
sample (isotonic, its blocks pooled to at least `TOP_MIN` placements, through the
centres of its blocks), one for the warm copies and one for the cold: each host's
ranking is kept. Above its last block the curve flattens towards the best conversion
rate that `TOP_MIN` or more top-scored placements show, and never reaches it: no fit
claims more than the placements support (an extrapolation towards 1 gave fits of
1.0000).

The topic affinity of converting placements also sets a floor (its 1st percentile):
a host whose best products are less akin to it than that matches nothing the catalogue
holds, and gets no list (`radar.matching.recommender`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from radar.matching.fit import FEATURES, Curve, FitModel, pair_features
from radar.matching.history import Outcome
from radar.matching.host_side import host_side
from radar.matching.peers import PeerTable, build_peer_table
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile
from radar.metrics import expected_calibration_error, precision_above, reliability_table

MIN_OUTCOMES = 30
_WEIGHT_RANGE = (0.05, 20.0)
TOP_MIN = 30
"""Placements in an isotonic block, and in the best group that sets the curve's cap."""
TOP_BLOCK = 100
"""Placements in the curve's top block, whose rate the fit of the best pairs rests on."""
FLOOR_PERCENTILE = 1.0
CELL_MIN = 10
"""Placements of a host in a category for its rate to count as evidence of a fit."""
REACH_SPREADS = 6.0
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
        return metrics


def fit_pair_model(
    outcomes: Sequence[Outcome],
    profiles: dict[str, HostProfile],
    catalogue: ProductVectors,
    *,
    holdout_fraction: float = 0.2,
    min_fit: float = 0.8,
    correct_selection: bool = True,
    random_state: int = 0,
) -> tuple[FitModel, CalibrationReport]:
    """A calibrated `FitModel` from past placements, or the uncalibrated one when there are
    too few outcomes (fewer than `MIN_OUTCOMES`, or only one class).

    Every training placement is used twice: as it is (its own other placements as
    history) and cold (no history), so the fit also knows new hosts; each copy gets the
    placement's weight and its kind of host's curve.
    """
    from sklearn.linear_model import LogisticRegression

    usable = [o for o in outcomes if o.product_id in catalogue.index]
    if len(usable) < MIN_OUTCOMES or len({o.converted for o in usable}) < 2:
        return FitModel(), CalibrationReport(0, 0, None)
    usable.sort(key=lambda o: (o.started_at, o.streamer_id, o.product_id))
    cut = int(len(usable) * (1 - holdout_fraction))
    train, holdout = usable[:cut], usable[cut:]
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
    classifier = LogisticRegression(C=100.0, max_iter=5000)
    classifier.fit(x_train, y_train, sample_weight=weights)
    coef, intercept = classifier.coef_[0].astype(float), float(classifier.intercept_[0])
    logits = x_train @ coef + intercept
    cold = np.arange(len(x_train)) >= len(train)
    ceiling = cell_ceiling(train, catalogue)
    curves = {
        not is_cold: fit_curve(logits[cold == is_cold], labels, placement_weights, ceiling=ceiling)
        for is_cold in (False, True)
    }
    model = FitModel(coef, intercept, curves, affinity_floor(warm, train, labels))
    report = CalibrationReport(
        len(train),
        len(holdout),
        holdout[0].started_at.isoformat() if holdout else None,
        caps={_GROUPS[key]: curve.cap for key, curve in curves.items()},
        affinity_floor=model.affinity_floor,
    )
    if holdout:
        y_true = np.array([o.converted for o in holdout])
        y_prob = model.predict(features(holdout, leave_one_out=False, cold=False))
        report.warm = Reliability.of(y_true, y_prob, min_fit)
        as_new = model.predict(features(holdout, leave_one_out=False, cold=True))
        report.new = Reliability.of(y_true, as_new, min_fit)
        report.y_true, report.y_prob = y_true.tolist(), y_prob.tolist()
    return model, report


def affinity_floor(warm: np.ndarray, train: Sequence[Outcome], labels: np.ndarray) -> float:
    """The `FLOOR_PERCENTILE` of the topic affinity of the placements that converted, with
    hosts that convert at least half as often as placements do overall: a host that never
    fits converts now and then by chance, and its chance conversions say nothing of what
    fits."""
    converted: dict[str, list[bool]] = defaultdict(list)
    for outcome in train:
        converted[outcome.streamer_id].append(bool(outcome.converted))
    overall = float(labels.mean())
    fitting = {host for host, seen in converted.items() if np.mean(seen) >= overall / 2}
    rows = [
        row
        for row, outcome in enumerate(train)
        if outcome.converted and outcome.streamer_id in fitting
    ]
    if not rows:
        return 0.0
    affinity = warm[rows, FEATURES.index("topic_affinity")]
    return float(np.percentile(affinity, FLOOR_PERCENTILE))


def cell_ceiling(outcomes: Sequence[Outcome], catalogue: ProductVectors) -> float:
    """The best conversion rate a host shows in a category: over every (host, category)
    with at least `CELL_MIN` placements, the Laplace-smoothed rate (converted + 1) /
    (placed + 2); 0 where no cell has that many (or the catalogue has no categories)."""
    if catalogue.categories.shape[1] == 0:
        return 0.0
    cells: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        row = catalogue.index[outcome.product_id]
        cell = cells[(outcome.streamer_id, int(np.argmax(catalogue.categories[row])))]
        cell[0] += int(outcome.converted)
        cell[1] += 1
    rates = [(hits + 1) / (placed + 2) for hits, placed in cells.values() if placed >= CELL_MIN]
    return max(rates, default=0.0)


def fit_curve(
    logits: np.ndarray, labels: np.ndarray, weights: np.ndarray, *, ceiling: float = 0.0
) -> Curve:
    """The weighted isotonic regression of `labels` on `logits`, its blocks pooled until
    each holds at least `TOP_MIN` placements and the top one `TOP_BLOCK` (a handful that
    all converted by chance is no evidence of a rate of 1), as knots at each block's
    weighted mean logit; capped by the best rate the placements show (`evidence_cap`, or
    `ceiling`, the best a host shows in a category, when higher), approached over
    `REACH_SPREADS` spreads of the top block's logits: the best pairs keep their order
    rather than share the top block's rate."""
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(logits, kind="stable")
    x, w = logits[order], weights[order]
    y = np.asarray(labels, dtype=float)[order]
    fitted = IsotonicRegression(out_of_bounds="clip").fit_transform(x, y, sample_weight=w)
    starts = [0, *np.flatnonzero(np.diff(fitted) != 0) + 1]
    blocks = [list(range(a, b)) for a, b in zip(starts, [*starts[1:], len(x)], strict=True)]
    pooled: list[list[int]] = []
    for block in blocks:
        if pooled and len(pooled[-1]) < TOP_MIN:
            pooled[-1] = pooled[-1] + block
        else:
            pooled.append(block)
    while len(pooled) > 1 and len(pooled[-1]) < TOP_BLOCK:
        pooled[-2:] = [pooled[-2] + pooled[-1]]
    centres = [float(np.average(x[b], weights=w[b])) for b in pooled]
    levels = [float(np.average(y[b], weights=w[b])) for b in pooled]
    keep = [0] + [i for i in range(1, len(levels)) if levels[i] > levels[i - 1]]
    cap = max(evidence_cap(logits, labels, weights), ceiling, levels[-1])
    top = pooled[-1]
    reach = float(np.sqrt(np.average((x[top] - centres[-1]) ** 2, weights=w[top])))
    return Curve(
        tuple(centres[i] for i in keep),
        tuple(levels[i] for i in keep),
        cap,
        max(REACH_SPREADS * reach, 1e-3),
    )


def evidence_cap(logits: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """The best (weighted) conversion rate of the highest-scored placements, over groups of
    at least `TOP_MIN` of them: no fit is more confident than that."""
    order = np.argsort(logits)[::-1]
    rates = np.cumsum(weights[order] * np.asarray(labels, dtype=float)[order]) / np.cumsum(
        weights[order]
    )
    return float(rates[min(TOP_MIN, len(rates)) - 1 :].max())


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
    propensity = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    chosen = propensity.predict_proba(x_placed)[:, 1]
    weights = np.clip((1 - chosen) / np.clip(chosen, 1e-6, None), *_WEIGHT_RANGE)
    return weights / weights.mean()
