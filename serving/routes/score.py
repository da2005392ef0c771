"""POST /v1/score: a free text's topics and nearest products, or fits for given pairs."""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from fastapi import APIRouter

from serving.deps import ScoringDep, ServedDep
from serving.errors import documented
from serving.holder import Served
from serving.schemas import PairFitPublic, ProductFitPublic, ScorePublic, ScoreRequest
from serving.topics import topic_weights

router = APIRouter(prefix="/v1", tags=["score"])


@router.post("/score", responses=documented(401, 404, 503))
async def score(body: ScoreRequest, served: ServedDep, scoring: ScoringDep) -> ScorePublic:
    """Send `text` (topic profile and closest products), or `streamer_id` with
    `product_ids` (the fit of each pair)."""
    return await to_thread.run_sync(partial(scored, body, served), limiter=scoring)


def scored(body: ScoreRequest, served: Served) -> ScorePublic:
    """`score`'s answer (in a scoring thread from the route; in the event loop, one per turn,
    from the free-text fast path `serving.scored_texts`)."""
    version = served.loaded.version
    if body.text is not None:
        topics, rows = served.service.products_for_text(body.text, body.top_k)
        products = served.service.recommender.catalogue.products
        return ScorePublic(
            model_version=version,
            topics=topic_weights(served.loaded.model.topics, topics),
            products=[
                ProductFitPublic(
                    product_id=products[row].product_id,
                    title=products[row].title,
                    affinity=affinity,
                )
                for row, affinity in rows
            ],
        )
    assert body.streamer_id is not None and body.product_ids is not None  # ScoreRequest's check
    calibrated = served.loaded.model.fit.calibrated
    fits = served.service.pair_fits(body.streamer_id, body.product_ids)
    return ScorePublic(
        model_version=version,
        fits=[PairFitPublic(product_id=pid, fit=fit, calibrated=calibrated) for pid, fit in fits],
    )
