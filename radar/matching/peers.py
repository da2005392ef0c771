"""Peers: "hosts like this one sold …", and conversion rates per category.

A new host has no placements of its own, and what its fans say may share few words with
product titles. The warm hosts bridge that gap: for each of them the table keeps its
combined profile, the mean topic vector of the products that converted with it, and its
smoothed conversion rate per category. A host's peer vectors are the weighted means of
those over its `k` most similar warm hosts (itself left out; weights fall fast with
distance), so a host whose fans talk like the fans of hosts that sold dresses is pointed
at dresses. Similar means alike in topics and in words, equally (`PeerTable.key`): fans'
reviews share a generic topic (好评 · 物流 · 质量) whatever they review, and by topics alone a
water-heater host's nearest warm host was any host whose fans review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from radar.matching.history import Outcome
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile

PRIOR_RATE = 0.5
PRIOR_WEIGHT = 1.0
SIMILARITY_SCALE = 0.05
SHORTLIST_MARGIN = 11
"""Hosts shortlisted beyond `k`: the shortlist's float32 rounding never reorders hosts that far
apart."""


def category_rates(hits: np.ndarray, misses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per category: the conversion rate smoothed towards `PRIOR_RATE` (Beta prior of
    weight `PRIOR_WEIGHT`), and the share of placements, from the category distributions
    of the converted (`hits`) and the other placed (`misses`) products."""
    converted = hits.sum(axis=0)
    placed = converted + misses.sum(axis=0)
    rates = (converted + PRIOR_RATE * PRIOR_WEIGHT) / (placed + PRIOR_WEIGHT)
    total = placed.sum()
    return rates, placed / total if total > 0 else placed


class PeerVectors(NamedTuple):
    """What a host's nearest warm hosts sold, by similarity weight."""

    topics: np.ndarray
    """The mean topic vector of what converted with them."""
    category_rates: np.ndarray
    """Their smoothed conversion rates per category."""
    conversion: float
    """The conversion rate of their own placements (nan when the table has none)."""


@dataclass
class PeerTable:
    """Warm hosts' profiles (rows), the mean topic vector of what converted with each,
    each one's conversion rate per category (`category_hits`) and over all its placements
    (`conversion`), and the rate of every placement (`placement_rate`)."""

    ids: list[str]
    profiles: np.ndarray
    """Each warm host's `key`."""
    hits: np.ndarray
    category_hits: np.ndarray
    k: int = 5
    remember: bool = False
    word_width: int = 0
    """Columns of the hosts' word vectors in a key (0: topics only, as in tables saved
    before words joined them)."""
    conversion: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Each warm host's conversions over its placements (empty in tables saved before)."""
    placement_rate: float = float("nan")
    """Conversions over all placements, of every host (nan in tables saved before)."""

    def __post_init__(self) -> None:
        # Per request and per host in a batch: normalise the rows and index the ids once.
        norms = np.linalg.norm(self.profiles, axis=1, keepdims=True)
        self._unit = self.profiles / np.maximum(norms, 1e-12)
        self._unit32 = self._unit.astype(np.float32)  # for shortlists
        self._row = {host: row for row, host in enumerate(self.ids)}
        self._remembered: dict[str, PeerVectors] = {}

    def key(self, profile: HostProfile) -> np.ndarray | None:
        """What a host is compared by (`peer_key`), or None without a topic profile."""
        return peer_key(profile, self.word_width)

    def remembering(self) -> PeerTable:
        """This table, answering each excluded host once and then from memory: for when
        every host's profile stays fixed (fitting the pair model visits each host's
        placements many times)."""
        return replace(self, remember=True)

    def quiet(self, found: PeerVectors) -> bool:
        """Whether these peers convert under the rate of all placements: hosts like this
        one buy little of anything the catalogue offered them."""
        return bool(found.conversion < self.placement_rate)  # False when either is nan

    def peer_vectors(
        self, profile: np.ndarray | None, *, exclude: str | None = None
    ) -> PeerVectors:
        """The similarity-weighted means over the `k` nearest warm hosts (zeros and the
        prior when there are none)."""
        return self.peer_vectors_many([profile], [exclude])[0]

    def peer_vectors_many(
        self, profiles: Sequence[np.ndarray | None], excludes: Sequence[str | None]
    ) -> list[PeerVectors]:
        """`peer_vectors` of many hosts, with one matrix product for all of them.

        The product only shortlists each host's `k + SHORTLIST_MARGIN` nearest; their
        similarities are then computed one host at a time, so a host gets the same peers
        whether it is looked up alone (the API) or among thousands (the batch)."""
        answers: list[PeerVectors | None] = [
            self._remembered.get(host) if self.remember and host is not None else None
            for host in excludes
        ]
        todo = [
            i for i, profile in enumerate(profiles) if answers[i] is None and profile is not None
        ]
        if todo and self.ids:
            units = np.vstack([_unit(profiles[i]) for i in todo])  # type: ignore[arg-type]
            shortlists = self._shortlists(units, [excludes[i] for i in todo])
            for i, unit, shortlist in zip(todo, units, shortlists, strict=True):
                answers[i] = answer = self._weighted(unit, shortlist, excludes[i])
                host = excludes[i]
                if self.remember and host is not None:
                    self._remembered[host] = answer
        return [self._empty() if answer is None else answer for answer in answers]

    def _shortlists(self, units: np.ndarray, excludes: Sequence[str | None]) -> np.ndarray:
        """Each host's `k + SHORTLIST_MARGIN` most similar warm hosts (rows, ascending),
        itself left out."""
        similarity = units.astype(np.float32) @ self._unit32.T
        for row, host in enumerate(excludes):
            if host in self._row:
                similarity[row, self._row[host]] = -np.inf
        hosts, keep = similarity.shape[1], self.k + SHORTLIST_MARGIN
        if hosts <= keep:
            return np.broadcast_to(np.arange(hosts), similarity.shape)
        return np.sort(np.argpartition(similarity, hosts - keep, axis=1)[:, hosts - keep :], axis=1)

    def _weighted(
        self, unit: np.ndarray, shortlist: np.ndarray, exclude: str | None
    ) -> PeerVectors:
        # row by row, the same sums whatever the batch: the product's rounding stays out
        similarity = (self._unit[shortlist] * unit).sum(axis=1)
        if exclude in self._row:
            similarity[shortlist == self._row[exclude]] = -np.inf
        nearest = _top(similarity, self.k)
        nearest = nearest[similarity[nearest] > 0]
        if nearest.size == 0:
            return self._empty()
        weights = np.exp((similarity[nearest] - similarity[nearest[0]]) / SIMILARITY_SCALE)
        weights /= weights.sum()
        rows = shortlist[nearest]
        conversion = float(weights @ self.conversion[rows]) if self.conversion.size else np.nan
        return PeerVectors(
            weights @ self.hits[rows], weights @ self.category_hits[rows], conversion
        )

    def _empty(self) -> PeerVectors:
        return PeerVectors(
            np.zeros(self.hits.shape[1]), np.full(self.category_hits.shape[1], PRIOR_RATE), np.nan
        )

    def save(self, path: Path) -> None:
        np.savez(
            path,
            ids=np.array(self.ids, dtype=str),
            profiles=self.profiles,
            hits=self.hits,
            category_hits=self.category_hits,
            k=np.array(self.k),
            word_width=np.array(self.word_width),
            conversion=self.conversion,
            placement_rate=np.array(self.placement_rate),
        )

    @classmethod
    def load(cls, path: Path) -> PeerTable:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(i) for i in data["ids"]],
                data["profiles"],
                data["hits"],
                data["category_hits"],
                int(data["k"]),
                word_width=int(data["word_width"]) if "word_width" in data else 0,
                conversion=data["conversion"] if "conversion" in data else np.zeros(0),
                placement_rate=(
                    float(data["placement_rate"]) if "placement_rate" in data else float("nan")
                ),
            )


def peer_key(profile: HostProfile, word_width: int) -> np.ndarray | None:
    """The unit topic profile, then (with `word_width` columns) the unit word vector, zeros
    when the host has none: the cosine of two keys is the mean of their topic and word
    cosines."""
    if profile.combined is None:
        return None
    topics = _unit(profile.combined)
    if word_width == 0:
        return topics
    words = profile.words
    if words is None or words.size != word_width or not words.any():
        return np.concatenate([topics, np.zeros(word_width)])
    return np.concatenate([topics, _unit(np.asarray(words, dtype=float))])


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the `k` largest values, largest first, ties by lower index: a stable full
    sort's first `k`, without sorting everything."""
    if values.size > k:
        threshold = np.partition(values, values.size - k)[values.size - k]
        candidates = np.flatnonzero(values >= threshold)
        return candidates[np.argsort(-values[candidates], kind="stable")][:k]
    return np.argsort(-values, kind="stable")


def build_peer_table(
    profiles: Mapping[str, HostProfile],
    outcomes: Sequence[Outcome],
    catalogue: ProductVectors,
    *,
    k: int = 5,
) -> PeerTable:
    """The table over every host with a ready profile and at least one conversion; the
    placement rate over every host's placements."""
    hits: dict[str, list[int]] = {}
    misses: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.product_id in catalogue.index:
            target = hits if outcome.converted else misses
            target.setdefault(outcome.streamer_id, []).append(catalogue.index[outcome.product_id])
    ids = sorted(host for host in hits if host in profiles and profiles[host].ready)
    width, categories = catalogue.matrix.shape[1], catalogue.categories.shape[1]
    word_width = catalogue.words.shape[1]
    converted = sum(len(rows) for rows in hits.values())
    placed = converted + sum(len(rows) for rows in misses.values())
    placement_rate = converted / placed if placed else float("nan")
    if not ids:
        return PeerTable(
            [],
            np.zeros((0, width + word_width)),
            np.zeros((0, width)),
            np.zeros((0, categories)),
            k,
            word_width=word_width,
            placement_rate=placement_rate,
        )
    rows = np.vstack([peer_key(profiles[host], word_width) for host in ids])  # type: ignore[misc]
    means = np.vstack([catalogue.matrix[hits[host]].mean(axis=0) for host in ids])
    rates = np.vstack(
        [
            category_rates(
                catalogue.categories[hits[host]], catalogue.categories[misses.get(host, [])]
            )[0]
            for host in ids
        ]
    )
    conversion = np.array(
        [len(hits[host]) / (len(hits[host]) + len(misses.get(host, []))) for host in ids]
    )
    return PeerTable(
        ids,
        rows,
        means,
        rates,
        k,
        word_width=word_width,
        conversion=conversion,
        placement_rate=placement_rate,
    )
