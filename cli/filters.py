"""The list options `radar recommend` and `radar batch` share: the filters and `--rank-by`,
added to a command by `with_list_options`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

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


OPTIONS: dict[str, tuple[Any, Any]] = {
    "category": (Categories, None),
    "exclude_category": (ExcludeCategories, None),
    "price_min": (PriceMin, None),
    "price_max": (PriceMax, None),
    "margin_min": (MarginMin, None),
    "in_stock_only": (InStockOnly, None),
    "listed_since": (ListedSince, None),
    "exclude_product": (ExcludeProducts, None),
    "max_per_category": (MaxPerCategory, None),
    "rank_by": (RankBy, "fit"),
}
"""Each option's parameter: its annotation (what Typer reads) and default."""


def with_list_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the filter options and `--rank-by` added to its own; it is called with
    `filters` (`BusinessFilters`) and `rank_by` in their place."""
    own = [  # the command's own options, their annotations evaluated where it lives
        parameter.replace(annotation=eval(parameter.annotation, command.__globals__))
        for parameter in inspect.signature(command).parameters.values()
        if parameter.name not in ("filters", "rank_by")
    ]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, (hint, default) in OPTIONS.items()
    ]

    @functools.wraps(command)
    def with_options(**given: Any) -> None:
        chosen = {name: given.pop(name) for name in OPTIONS}
        rank_by = check_rank_by(chosen.pop("rank_by"))
        filters = list_filters(
            categories=chosen["category"],
            exclude_categories=chosen["exclude_category"],
            price_min=chosen["price_min"],
            price_max=chosen["price_max"],
            margin_min=chosen["margin_min"],
            in_stock_only=chosen["in_stock_only"],
            listed_since=chosen["listed_since"],
            exclude_products=chosen["exclude_product"],
            max_per_category=chosen["max_per_category"],
        )
        command(**given, filters=filters, rank_by=rank_by)

    parameters = [
        *(p for p in own if p.kind != inspect.Parameter.KEYWORD_ONLY),
        *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own if p.kind == p.KEYWORD_ONLY),
        *added,
    ]
    with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_options
