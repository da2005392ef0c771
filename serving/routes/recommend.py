"""POST /v1/recommend and GET /v1/streamers/{id}/profile."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from serving.deps import ServedDep, SettingsDep
from serving.errors import documented
from serving.lists import to_public
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
async def recommend(body: RecommendRequest, served: ServedDep, settings: SettingsDep) -> Response:
    """The host's ranked products at or above `min_fit`, with fit and reasons."""
    host, top_k = body.streamer_id, body.top_k
    min_fit = body.cut(settings.min_fit)
    lists = served.lists
    ready = lists.answer(host, top_k=top_k, min_fit=min_fit)
    if ready is None and lists.covers(top_k=top_k, min_fit=min_fit):
        await run_in_threadpool(lists.add, host)
        ready = lists.answer(host, top_k=top_k, min_fit=min_fit)
    if ready is None:
        result = await run_in_threadpool(
            served.service.recommend, host, top_k=top_k, min_fit=min_fit
        )
        ready = to_public(result, served.loaded.version).model_dump_json().encode()
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
