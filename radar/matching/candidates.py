"""A host's best candidates, kept beside its precomputed list, so that a request the list
does not cover is ranked among them instead of over the whole catalogue, with the same
answer.

Scoring a host (`Recommender.recommend_many`) reads the whole catalogue in float32, keeps
the `candidates_needed(top_k, placed)` rows with the highest scores and ranks those
exactly. A `CandidateSet` holds the host's vector and its best rows by that float32 score,
best first, as many as a request for `top_k` up to the one it was kept for needs: such a
request takes the head it needs instead of reading the catalogue again.

The float32 scores of a host computed alone (a matrix-vector product) and among a block
of hosts (a matrix product) may differ in their last bits, so which rows make a cut is
certain only outside a band around it (`CandidateSet.band`, from a bound on the rounding
of a float32 dot product); the recommender then checks that its answer does not depend on
which rows of the band made the cut, and scores over the catalogue as before when it
does. A set answers only for the profile and placements it was made from (`fingerprint`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from radar.matching.history import Outcome
from radar.matching.profiles import HostProfile
from radar.matching.scoring import float32_gamma


@dataclass(frozen=True)
class CandidateSet:
    """One host's best catalogue rows by float32 score, best first, and what ranking them
    exactly needs."""

    fingerprint: bytes
    """Of the profile and placements the host's vector was made from (`fingerprint`)."""
    vector: np.ndarray
    has_history: bool
    rows: np.ndarray
    """Catalogue rows, the highest float32 score first (int32)."""
    scores: np.ndarray
    """Their float32 scores (descending)."""
    slack: float
    """How far apart two float32 computations of one of the host's scores may be."""
    peers_quiet: bool = False
    """`HostSide.peers_quiet` of the host the vector was made for."""

    def band(self, per_host: int, catalogue_size: int) -> tuple[int, int] | None:
        """Which of the rows make the host's best `per_host` by float32 score however it is
        computed: the first `sure` rows do, rows from `end` on (and every row not kept) do
        not, the rows between may or may not. None when the kept rows cannot tell (too few,
        or the band reaches past them)."""
        kept = len(self.rows)
        if per_host >= catalogue_size:
            return (kept, kept) if kept == catalogue_size else None
        if per_host >= kept:
            return None
        scores = self.scores.astype(np.float64)
        descending = -scores
        # above the first row left out by more than twice the slack: surely in
        sure = int(np.searchsorted(descending, -(scores[per_host] + 2 * self.slack)))
        sure = min(sure, per_host)
        if sure == per_host:
            return sure, sure
        # below the last row taken by more than twice the slack: surely out
        low = scores[per_host - 1] - 2 * self.slack
        end = int(np.searchsorted(descending, -low, "right"))
        if end >= kept and kept < catalogue_size:
            return None
        return sure, end


def score_slack(vector: np.ndarray, column_bounds: np.ndarray) -> float:
    """How far apart two float32 dot products of `vector` with a product's row may come
    out, whatever their order of summation: each is within γₙ·Σ|xᵢyᵢ| of the exact sum
    (n terms, γₙ = nu/(1 − nu)), and `column_bounds` bounds each |yᵢ| over the catalogue."""
    gamma = float32_gamma(len(column_bounds))
    magnitude = float(np.abs(np.asarray(vector, dtype=np.float32)) @ column_bounds)
    return 2 * gamma * magnitude * (1 + 1e-6)


def fingerprint(profile: HostProfile, history: Sequence[Outcome]) -> bytes:
    """A digest of what a host's vector is made from: its profile's vectors and the outcome
    of each past placement (the model and catalogue are the recommender's own)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(profile.streamer_id.encode())
    for vector in (profile.combined, profile.talk, profile.fans, profile.words):
        if vector is None:
            digest.update(b"\x00none")
        else:
            array = np.ascontiguousarray(vector)
            digest.update(f"\x00{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
    digest.update(
        "\x1f".join(f"{outcome.product_id}\x1e{outcome.converted}" for outcome in history).encode()
    )
    return digest.digest()
