"""The API's request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_TOP_K = 100
MAX_TEXT_CHARS = 5_000
MAX_PRODUCT_IDS = 500


class RecommendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    model_version: str
    min_fit: float
    state: str = Field(description="ready, or insufficient_data (then items is empty)")
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
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    streamer_id: str | None = Field(default=None, min_length=1, max_length=64)
    product_ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_PRODUCT_IDS)
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)


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
    status: str
    model_name: str
    model_version: str | None
    detail: str | None = None


class ModelPublic(BaseModel):
    model_name: str
    model_version: str
    trained_at: str
    num_topics: int
    calibrated: bool
    topics: list[TopicWeightPublic]
    evaluation: dict[str, float]
