"""POST /v1/recommend and GET /v1/streamers/{id}/profile."""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from fastapi import APIRouter, Response

from serving.deps import ScoringDep, ServedDep, SettingsDep
from serving.errors import documented
from serving.schemas import (
    ProfilePublic,
    RecommendationsPublic,
    RecommendRequest,
    TopicWeightPublic,
)
from serving.topics import topic_weights

router = APIRouter(prefix="/v1", tags=["recommend"])


@router.post(
    "/recommend", response_model=RecommendationsPublic, responses=documented(401, 404, 503)
)
async def recommend(
    body: RecommendRequest, served: ServedDep, settings: SettingsDep, scoring: ScoringDep
) -> Response:
    """The host's ranked products at or above `min_fit`, with fit, reasons and the proposal
    score's parts; the closest products, marked `below_cut`, when none reaches it."""
    host, top_k, min_fit = body.streamer_id, body.top_k, body.cut(settings.min_fit)
    filters, rank_by = body.rules(), body.rank_by
    lists = served.lists
    ready = lists.answer(host, top_k=top_k, min_fit=min_fit, filters=filters, rank_by=rank_by)
    if ready is None and lists.covers(top_k=top_k, min_fit=min_fit) and host not in lists:
        await to_thread.run_sync(lists.add, host, limiter=scoring)
        ready = lists.answer(host, top_k=top_k, min_fit=min_fit, filters=filters, rank_by=rank_by)
    if ready is None:
        scored = partial(
            lists.score, host, top_k=top_k, min_fit=min_fit, filters=filters, rank_by=rank_by
        )
        ready = await to_thread.run_sync(scored, limiter=scoring)
    return Response(ready, media_type="application/json")


@router.get("/streamers/{streamer_id}/profile", responses=documented(401, 404, 503))
def profile(streamer_id: str, served: ServedDep) -> ProfilePublic:
    """The host's combined topic profile: topics with weights, labels and top words."""
    host = served.service.profile(streamer_id)
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
