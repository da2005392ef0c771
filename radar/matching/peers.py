"""Peers: "hosts like this one sold …".

A new host has no placements of its own, and what its fans say may share few words with
product titles. The warm hosts bridge that gap: for each of them the table keeps its
combined profile and the mean topic vector of the products that converted with it. A
host's peer vector is the similarity-weighted mean of that vector over its `k` most
similar warm hosts (itself left out), so a host whose fans talk like the fans of hosts
that sold dresses is pointed at dresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radar.matching.history import Outcome
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile


@dataclass
class PeerTable:
    """Warm hosts' profiles (rows) and the mean vector of what converted with each."""

    ids: list[str]
    profiles: np.ndarray
    hits: np.ndarray
    k: int = 10

    def peer_vector(self, profile: np.ndarray | None, *, exclude: str | None = None) -> np.ndarray:
        """The similarity-weighted mean hit vector of the `k` nearest warm hosts (zeros if
        there are none)."""
        width = self.hits.shape[1]
        if profile is None or not self.ids:
            return np.zeros(width)
        unit = self.profiles / np.linalg.norm(self.profiles, axis=1, keepdims=True)
        similarity = unit @ (profile / max(np.linalg.norm(profile), 1e-12))
        if exclude is not None:
            similarity = np.where(np.array(self.ids) == exclude, -np.inf, similarity)
        nearest = np.argsort(-similarity, kind="stable")[: self.k]
        nearest = nearest[similarity[nearest] > 0]
        if nearest.size == 0:
            return np.zeros(width)
        weights = similarity[nearest] ** 2
        return np.asarray(weights @ self.hits[nearest] / weights.sum())

    def save(self, path: Path) -> None:
        np.savez(
            path,
            ids=np.array(self.ids, dtype=str),
            profiles=self.profiles,
            hits=self.hits,
            k=np.array(self.k),
        )

    @classmethod
    def load(cls, path: Path) -> PeerTable:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(i) for i in data["ids"]], data["profiles"], data["hits"], int(data["k"])
            )


def build_peer_table(
    profiles: Mapping[str, HostProfile],
    outcomes: Sequence[Outcome],
    catalogue: ProductVectors,
    *,
    k: int = 10,
) -> PeerTable:
    """The table over every host with a ready profile and at least one conversion."""
    hits: dict[str, list[np.ndarray]] = {}
    for outcome in outcomes:
        if outcome.converted and outcome.product_id in catalogue.index:
            row = catalogue.matrix[catalogue.index[outcome.product_id]]
            hits.setdefault(outcome.streamer_id, []).append(row)
    ids = sorted(host for host in hits if host in profiles and profiles[host].ready)
    width = catalogue.matrix.shape[1]
    if not ids:
        return PeerTable([], np.zeros((0, width)), np.zeros((0, width)), k)
    rows = np.vstack([profiles[host].combined for host in ids])  # type: ignore[misc]
    means = np.vstack([np.mean(hits[host], axis=0) for host in ids])
    return PeerTable(ids, rows, means, k)
