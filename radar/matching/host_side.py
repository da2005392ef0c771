"""The fit's view of a host: its profiles, what it converted and missed, its rates per
category, what its peers sold, its words; the host half of every pair feature
(`radar.matching.fit`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from radar.matching.fit import HostSide, mean_distribution
from radar.matching.history import Outcome
from radar.matching.peers import PRIOR_RATE, PeerTable, PeerVectors, category_rates
from radar.matching.products import ProductVectors
from radar.matching.profiles import HostProfile


def host_side(
    profile: HostProfile | None,
    catalogue: ProductVectors,
    history: Sequence[Outcome],
    *,
    peers: PeerTable | None = None,
    leave_out: Outcome | None = None,
    cold: bool = False,
    peer_vectors: PeerVectors | None = None,
) -> HostSide:
    """The fit's view of a host: its profiles, the products it converted or missed
    (none when `cold`), its conversion rate per category, and what its peers sold (from
    `peers`, or `peer_vectors` already looked up there; `peers` tells whether they convert
    as little as hosts that fit nothing do)."""
    width, n_categories = catalogue.matrix.shape[1], catalogue.categories.shape[1]
    hits: list[int] = []
    misses: list[int] = []
    for outcome in () if cold else history:
        if outcome is leave_out or outcome.product_id not in catalogue.index:
            continue
        (hits if outcome.converted else misses).append(catalogue.index[outcome.product_id])
    combined = profile.combined if profile is not None else None
    found = peer_vectors
    if found is None and peers is not None and profile is not None:
        found = peers.peer_vectors(peers.key(profile), exclude=profile.streamer_id)
    if found is None:
        found = PeerVectors(np.zeros(width), np.full(n_categories, PRIOR_RATE), np.nan)
    has_history = bool(hits or misses)
    rates, tried = category_rates(catalogue.categories[hits], catalogue.categories[misses])
    zeros = np.zeros(width)
    words = profile.words if profile is not None else None
    if words is None or words.size != catalogue.words.shape[1]:
        words = np.zeros(catalogue.words.shape[1])
    return HostSide(
        combined=combined if combined is not None else zeros,
        talk=profile.talk if profile is not None and profile.talk is not None else zeros,
        fans=profile.fans if profile is not None and profile.fans is not None else zeros,
        hits=mean_distribution(catalogue.matrix[hits], width),
        misses=mean_distribution(catalogue.matrix[misses], width),
        peers=found.topics,
        category_rate=rates,
        category_tried=tried,
        category_peer_rate=found.category_rates,
        words=words,
        has_history=has_history,
        peers_quiet=not has_history and peers is not None and peers.quiet(found),
    )
