"""The demo's sample of lists: hosts with a list and hosts without one."""

from __future__ import annotations

from radar.matching.recommender import HostRecommendations
from radar.service.service import RadarService
from radar.store.reads import load_host_ids


def sample_lists(
    recommender: RadarService, *, top_k: int, min_fit: float, with_list: int, without: int
) -> list[HostRecommendations]:
    """The lists of the first `with_list` hosts (in id order) that have one, then of the
    first `without` hosts that have none (those below the cut show the closest products)."""
    listed: list[HostRecommendations] = []
    unlisted: list[HostRecommendations] = []
    for streamer_id in load_host_ids(recommender.engine):
        result = recommender.recommend(streamer_id, top_k=top_k, min_fit=min_fit)
        has_list = result.state == "ready" and bool(result.items)
        (listed if has_list else unlisted).append(result)
        if len(listed) >= with_list and len(unlisted) >= without:
            break
    return listed[:with_list] + unlisted[:without]
