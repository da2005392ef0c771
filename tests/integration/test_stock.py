"""A product out of stock is never recommended by default, on every path (the one scoring
path: the API, `radar recommend` and the batch all rank through `Recommender`)."""

from __future__ import annotations

from pathlib import Path

from radar.matching.ranking import BusinessFilters
from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store


def test_out_of_stock_products_are_left_out_unless_asked_for(trained_home: Path) -> None:
    settings = Settings(home=trained_home)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    service = RadarService(open_store(settings.resolved_database_url), loaded.model)
    products = service.recommender.catalogue.products
    empty = {p.product_id for p in products if p.stock is not None and p.stock <= 0}
    assert empty, "the demo catalogue has products out of stock"

    def listed(**options: object) -> set[str]:
        return {
            item.product_id
            for result in service.recommend_all(top_k=30, min_fit=0.0, **options)
            for item in result.items
        }

    assert listed() and not listed() & empty  # the default: in stock only
    assert listed(filters=BusinessFilters(in_stock_only=False)) & empty  # when asked for
