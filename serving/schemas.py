"""The API's request and response bodies."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TOP_K = 100
MAX_TEXT_CHARS = 5_000
MAX_PRODUCT_IDS = 500


REQUEST = ConfigDict(extra="forbid", allow_inf_nan=False)  # JSON has no NaN or Infinity


class RecommendRequest(BaseModel):
    model_config = REQUEST

    streamer_id: str = Field(min_length=1, max_length=64, examples=["h0002"])
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)
    min_fit: float | None = Field(
        default=None, ge=0.0, le=1.0, description="defaults to RADAR_MIN_FIT"
    )

    def cut(self, default: float) -> float:
        """The `min_fit` the answer uses: the request's, else `default` (RADAR_MIN_FIT)."""
        return default if self.min_fit is None else self.min_fit


class SharedTopicPublic(BaseModel):
    topic: int
    label: str
    weight: float


class ReasonsPublic(BaseModel):
    text: str = Field(description="one line in Chinese for operations")
    topics: list[SharedTopicPublic]
    keywords: list[str]
    evidence: list[str]


class RecommendationPublic(BaseModel):
    """The API's schema of one item: `Recommendation.to_dict()`, the only way it is made."""

    rank: int
    product_id: str
    title: str
    fit: float
    calibrated: bool
    reasons: ReasonsPublic
    category: str | None = None
    price: float | None = None


class RecommendationsPublic(BaseModel):
    streamer_id: str
    streamer_name: str | None = Field(default=None, description="the host's name (主播)")
    model_version: str
    min_fit: float
    state: str = Field(
        description="ready; insufficient_data (too little text to profile the host) or "
        "no_fitting_category (the host's text matches nothing the catalogue holds): then "
        "items is empty"
    )
    reason: str | None = Field(
        default=None, description="why there is no list, in Chinese (no_fitting_category)"
    )
    items: list[RecommendationPublic]


class TopicWeightPublic(BaseModel):
    topic: int
    label: str
    weight: float
    top_words: list[str]


class ProfilePublic(BaseModel):
    streamer_id: str
    model_version: str
    state: str
    talk_tokens: int
    fans_tokens: int
    topics: list[TopicWeightPublic]


class ScoreRequest(BaseModel):
    """Either `text`, or `streamer_id` together with `product_ids`."""

    model_config = REQUEST

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    streamer_id: str | None = Field(default=None, min_length=1, max_length=64)
    product_ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_PRODUCT_IDS)
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)

    @model_validator(mode="after")
    def _one_question(self) -> Self:
        pair = self.streamer_id is not None and self.product_ids is not None
        alone = self.streamer_id is None and self.product_ids is None
        if (self.text is not None and alone) or (self.text is None and pair):
            return self
        raise ValueError("send either `text`, or `streamer_id` together with `product_ids`")


class PairFitPublic(BaseModel):
    product_id: str
    fit: float
    calibrated: bool


class ProductFitPublic(BaseModel):
    product_id: str
    title: str
    affinity: float


class ScorePublic(BaseModel):
    model_version: str
    topics: list[TopicWeightPublic] | None = None
    products: list[ProductFitPublic] | None = None
    fits: list[PairFitPublic] | None = None


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded", "no_model"] = Field(
        description="ok; degraded: serving, but the champion failed to load; no_model (503)"
    )
    model_name: str
    model_version: str | None
    reason: str | None = Field(
        default=None,
        description="why not ok: no_champion, registry_unreachable or model_load_failed "
        "(the server's log has the details)",
    )


class MonitoringPublic(BaseModel):
    """The latest `radar monitor` of the served version: its overall status (ok, watch,
    act), when it ran (ms since the epoch), and the figures not `ok` with their status."""

    status: str
    monitored_at: int
    attention: dict[str, str]


class ModelPublic(BaseModel):
    model_name: str
    model_version: str
    trained_at: str
    num_topics: int
    calibrated: bool
    topics: list[TopicWeightPublic]
    evaluation: dict[str, float]
    monitoring: MonitoringPublic | None = None
