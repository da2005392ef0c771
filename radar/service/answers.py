"""What a person asking about hosts is answered, beyond each host's list: the closest
products when none reaches the cut, and the demo's sample of lists."""

from __future__ import annotations

from radar.matching.recommender import HostRecommendations, Recommendation
from radar.service.service import RadarService
from radar.store.reads import load_host_ids

CLOSEST = 3
"""How many products are shown instead of an empty list."""


def closest_products(
    recommender: RadarService, result: HostRecommendations, count: int = CLOSEST
) -> list[Recommendation]:
    """The best `count` products whatever their fit when `result` is a profiled host's
    empty list (no product reaches its cut); no products for any other result."""
    if result.reason is not None or result.state != "ready" or result.items:
        return []
    return recommender.recommend(result.streamer_id, top_k=count, min_fit=0.0).items


def sample_lists(
    recommender: RadarService, *, top_k: int, min_fit: float, with_list: int, without: int
) -> list[HostRecommendations]:
    """The lists of the first `with_list` hosts (in id order) that have one, then of the
    first `without` hosts that have none."""
    listed: list[HostRecommendations] = []
    unlisted: list[HostRecommendations] = []
    for streamer_id in load_host_ids(recommender.engine):
        result = recommender.recommend(streamer_id, top_k=top_k, min_fit=min_fit)
        (listed if result.items else unlisted).append(result)
        if len(listed) >= with_list and len(unlisted) >= without:
            break
    return listed[:with_list] + unlisted[:without]
