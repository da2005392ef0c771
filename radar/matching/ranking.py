"""Ranking: from fits to a host's list. One function for the CLI, the batch and the API."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from radar.matching.products import ProductText


@dataclass(frozen=True)
class BusinessFilters:
    """Operations' rules on top of the fit."""

    min_price: float | None = None
    max_price: float | None = None
    in_stock_only: bool = False
    max_per_category: int | None = None
    exclude_placed: bool = True


def rank_products(
    fits: np.ndarray,
    products: Sequence[ProductText],
    *,
    top_k: int = 10,
    min_fit: float,
    placed: Collection[str] = (),
    filters: BusinessFilters | None = None,
) -> list[int]:
    """Row indices of the products to recommend, best first.

    Candidates have a fit of at least `min_fit` and pass the filters; they are ordered by
    fit, then product id (a deterministic tie-break), and category caps are applied in
    that order.
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    rules = filters or BusinessFilters()
    eligible = [int(row) for row in np.flatnonzero(fits >= min_fit)]
    order = sorted(eligible, key=lambda row: (-fits[row], products[row].product_id))
    chosen: list[int] = []
    per_category: Counter[str | None] = Counter()
    for row in order:
        product = products[row]
        if not _passes(product, rules, placed):
            continue
        if rules.max_per_category is not None:
            if per_category[product.category] >= rules.max_per_category:
                continue
            per_category[product.category] += 1
        chosen.append(row)
        if len(chosen) == top_k:
            break
    return chosen


def _passes(product: ProductText, rules: BusinessFilters, placed: Collection[str]) -> bool:
    if rules.exclude_placed and product.product_id in placed:
        return False
    if rules.in_stock_only and product.stock is not None and product.stock <= 0:
        return False
    price = product.price
    if rules.min_price is not None and (price is None or price < rules.min_price):
        return False
    return not (rules.max_price is not None and (price is None or price > rules.max_price))
