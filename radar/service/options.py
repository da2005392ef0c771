"""The list options settings give every path: default filters and proposal weights."""

from __future__ import annotations

from dataclasses import dataclass, field

from radar.matching.proposal import ProposalWeights
from radar.matching.ranking import BusinessFilters
from radar.settings import Settings


@dataclass(frozen=True)
class ListOptions:
    """The filters every list gets unless a request sets its own, and the proposal
    score's weights."""

    defaults: BusinessFilters = field(default_factory=BusinessFilters)
    weights: ProposalWeights = field(default_factory=ProposalWeights)

    @classmethod
    def of(cls, settings: Settings) -> ListOptions:
        """From `RADAR_FILTER_*` and `RADAR_PROPOSAL_WEIGHTS`."""
        categories = settings.filter_categories
        defaults = BusinessFilters(
            categories=None if categories is None else frozenset(categories),
            exclude_categories=frozenset(settings.filter_exclude_categories),
            price_min=settings.filter_price_min,
            price_max=settings.filter_price_max,
            margin_min=settings.filter_margin_min,
            in_stock_only=settings.filter_in_stock_only,
            max_per_category=settings.filter_max_per_category,
        )
        return cls(defaults, ProposalWeights(*settings.proposal_weights))
