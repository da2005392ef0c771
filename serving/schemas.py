"""The API's request and response bodies."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from radar.matching.ranking import BusinessFilters

MAX_TOP_K = 100
MAX_TEXT_CHARS = 5_000
MAX_PRODUCT_IDS = 500
MAX_FILTER_ITEMS = 100


REQUEST = ConfigDict(extra="forbid", allow_inf_nan=False)  # JSON has no NaN or Infinity


class FiltersRequest(BaseModel):
    """Operations' filters (every one optional; unset ones keep the settings' defaults)."""

    model_config = REQUEST

    categories: list[str] | None = Field(
        default=None, max_length=MAX_FILTER_ITEMS, description="only these categories"
    )
    exclude_categories: list[str] | None = Field(default=None, max_length=MAX_FILTER_ITEMS)
    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    margin_min: float | None = Field(default=None, le=1, description="a share of the price")
    in_stock_only: bool | None = Field(
        default=None, description="default: true when the catalogue has stock"
    )
    listed_since: date | None = Field(default=None, description="new products only (ISO date)")
    exclude_product_ids: list[str] | None = Field(default=None, max_length=MAX_PRODUCT_IDS)
    max_per_category: int | None = Field(default=None, ge=1, le=MAX_TOP_K)

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        names = [*(self.categories or ()), *(self.exclude_categories or ())]
        names += self.exclude_product_ids or ()
        if any(not 1 <= len(name) <= 100 for name in names):
            raise ValueError("category names and product ids have 1 to 100 characters")
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise ValueError("price_min is above price_max")
        return self

    def rules(self) -> BusinessFilters:
        """As the recommender takes them."""
        from radar.matching.ranking import BusinessFilters

        return BusinessFilters(
            categories=None if self.categories is None else frozenset(self.categories),
            exclude_categories=frozenset(self.exclude_categories or ()),
            price_min=self.price_min,
            price_max=self.price_max,
            margin_min=self.margin_min,
            in_stock_only=self.in_stock_only,
            listed_since=self.listed_since,
            exclude_product_ids=frozenset(self.exclude_product_ids or ()),
            max_per_category=self.max_per_category,
        )


class RecommendRequest(BaseModel):
    model_config = REQUEST

    streamer_id: str = Field(min_length=1, max_length=64, examples=["h0002"])
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)
    min_fit: float | None = Field(
        default=None, ge=0.0, le=1.0, description="defaults to RADAR_MIN_FIT"
    )
    rank_by: Literal["fit", "proposal"] = Field(
        default="fit",
        description="fit, or proposal: the selection meeting's score (市场热度 30% + 粉丝需求 "
        "40% + 产品利润 30% by default) among the products at or above min_fit",
    )
    filters: FiltersRequest | None = None

    def rules(self) -> BusinessFilters | None:
        """The request's filters as the recommender takes them (None: the defaults)."""
        return None if self.filters is None else self.filters.rules()

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
    proposal_score: float = Field(description="the selection meeting's score, in [0, 1]")
    heat: float = Field(description="市场热度: recent momentum, in [0, 1] (0.5: steady)")
    fan_demand: float = Field(description="粉丝需求: closeness to what the fans ask, in [0, 1]")
    profit: float = Field(description="产品利润: the margin's place in the catalogue, in [0, 1]")
    below_cut: bool = Field(
        description="one of the closest products shown when none reaches min_fit"
    )


class RecommendationsPublic(BaseModel):
    streamer_id: str
    streamer_name: str | None = Field(default=None, description="the host's name (主播)")
    model_version: str
    min_fit: float
    state: str = Field(
        description="ready; below_cut (no product reaches min_fit: items are the closest, "
        "each marked below_cut); insufficient_data (too little text to profile the host) or "
        "no_fitting_category (the host's text matches nothing the catalogue holds): then "
        "items is empty"
    )
    reason: str | None = Field(
        default=None,
        description="why there is no list, or only products below the cut, in Chinese",
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
    lists_ready: bool = Field(
        default=False,
        description="every host's precomputed list is made (until then, requests are scored)",
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
