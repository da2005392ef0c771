"""The list options `radar recommend` and `radar batch` share: the filters and `--rank-by`."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from radar.matching.ranking import BusinessFilters

Categories = Annotated[
    list[str] | None, typer.Option("--category", help="only this category (repeatable)")
]
ExcludeCategories = Annotated[
    list[str] | None, typer.Option("--exclude-category", help="never this category (repeatable)")
]
PriceMin = Annotated[float | None, typer.Option(min=0.0, help="least price (¥)")]
PriceMax = Annotated[float | None, typer.Option(min=0.0, help="highest price (¥)")]
MarginMin = Annotated[float | None, typer.Option(max=1.0, help="least margin (share of price)")]
InStockOnly = Annotated[
    bool | None,
    typer.Option(
        "--in-stock-only/--any-stock",
        help="leave out products out of stock (default: yes, when the catalogue has stock)",
        show_default=False,
    ),
]
ListedSince = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="new products only: listed on or after this day"),
]
ExcludeProducts = Annotated[
    list[str] | None, typer.Option("--exclude-product", help="never this product id (repeatable)")
]
MaxPerCategory = Annotated[int | None, typer.Option(min=1, help="at most this many per category")]
RankBy = Annotated[
    str, typer.Option(help="fit, or proposal: the selection meeting's score (30/40/30)")
]


def list_filters(
    *,
    categories: list[str] | None,
    exclude_categories: list[str] | None,
    price_min: float | None,
    price_max: float | None,
    margin_min: float | None,
    in_stock_only: bool | None,
    listed_since: datetime | date | None,
    exclude_products: list[str] | None,
    max_per_category: int | None,
) -> BusinessFilters:
    """The options as filters (unset ones keep the settings' defaults)."""
    from radar.matching.ranking import BusinessFilters

    if price_min is not None and price_max is not None and price_min > price_max:
        raise typer.BadParameter("--price-min is above --price-max")
    since = listed_since.date() if isinstance(listed_since, datetime) else listed_since
    return BusinessFilters(
        categories=frozenset(categories) if categories else None,
        exclude_categories=frozenset(exclude_categories or ()),
        price_min=price_min,
        price_max=price_max,
        margin_min=margin_min,
        in_stock_only=in_stock_only,
        listed_since=since,
        exclude_product_ids=frozenset(exclude_products or ()),
        max_per_category=max_per_category,
    )


def check_rank_by(rank_by: str) -> str:
    if rank_by not in ("fit", "proposal"):
        raise typer.BadParameter("--rank-by takes fit or proposal")
    return rank_by
