"""POST /v1/recommend and GET /v1/streamers/{id}/profile."""

from __future__ import annotations

from fastapi import APIRouter

from radar.matching.recommender import HostRecommendations
from serving.deps import ServedDep, SettingsDep
from serving.schemas import (
    ProfilePublic,
    ReasonsPublic,
    RecommendationPublic,
    RecommendationsPublic,
    RecommendRequest,
    TopicWeightPublic,
)
from serving.topics import topic_weights

router = APIRouter(prefix="/v1", tags=["recommend"])


@router.post("/recommend")
def recommend(
    body: RecommendRequest, served: ServedDep, settings: SettingsDep
) -> RecommendationsPublic:
    """The host's ranked products at or above `min_fit`, with fit and reasons."""
    min_fit = settings.min_fit if body.min_fit is None else body.min_fit
    result = served.scorer.recommend(body.streamer_id, top_k=body.top_k, min_fit=min_fit)
    return _public(result, served.loaded.version)


@router.get("/streamers/{streamer_id}/profile")
def profile(streamer_id: str, served: ServedDep) -> ProfilePublic:
    """The host's combined topic profile: topics with weights, labels and top words."""
    host, _ = served.scorer.profile(streamer_id)
    topics: list[TopicWeightPublic] = []
    if host.combined is not None:
        topics = topic_weights(served.loaded.model.topics, host.combined)
    return ProfilePublic(
        streamer_id=streamer_id,
        model_version=served.loaded.version,
        state=host.state,
        talk_tokens=host.talk_tokens,
        fans_tokens=host.fans_tokens,
        topics=topics,
    )


def _public(result: HostRecommendations, version: str) -> RecommendationsPublic:
    return RecommendationsPublic(
        streamer_id=result.streamer_id,
        model_version=version,
        min_fit=result.min_fit,
        state=result.state,
        items=[
            RecommendationPublic(
                rank=item.rank,
                product_id=item.product_id,
                title=item.title,
                fit=item.fit,
                calibrated=item.calibrated,
                reasons=ReasonsPublic.model_validate(item.reasons.to_dict()),
                category=item.category,
                price=item.price,
            )
            for item in result.items
        ],
    )
