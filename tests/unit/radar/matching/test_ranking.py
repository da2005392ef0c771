import numpy as np
import pytest

from radar.matching.products import ProductText
from radar.matching.ranking import BusinessFilters, rank_products

PRODUCTS = [
    ProductText("p1", "粉底液", "美妆", price=99.0, stock=10),
    ProductText("p2", "口红", "美妆", price=199.0, stock=0),
    ProductText("p3", "面霜", "护肤", price=299.0, stock=5),
    ProductText("p4", "气垫", "美妆", price=150.0, stock=None),
    ProductText("p5", "眼霜", "护肤", price=None, stock=3),
]
FITS = np.array([0.95, 0.90, 0.85, 0.95, 0.70])


def ids(rows: list[int]) -> list[str]:
    return [PRODUCTS[row].product_id for row in rows]


def test_threshold_order_and_tie_break() -> None:
    assert ids(rank_products(FITS, PRODUCTS, min_fit=0.8)) == ["p1", "p4", "p2", "p3"]
    assert ids(rank_products(FITS, PRODUCTS, min_fit=0.0, top_k=2)) == ["p1", "p4"]


def test_placed_products_are_left_out_unless_asked() -> None:
    assert "p1" not in ids(rank_products(FITS, PRODUCTS, placed={"p1"}, min_fit=0.8))
    keep = BusinessFilters(exclude_placed=False)
    assert "p1" in ids(rank_products(FITS, PRODUCTS, placed={"p1"}, filters=keep, min_fit=0.8))


def test_business_filters() -> None:
    in_stock = BusinessFilters(in_stock_only=True)
    assert ids(rank_products(FITS, PRODUCTS, filters=in_stock, min_fit=0.8)) == ["p1", "p4", "p3"]
    band = BusinessFilters(min_price=100, max_price=200)
    assert ids(rank_products(FITS, PRODUCTS, filters=band, min_fit=0.8)) == ["p4", "p2"]
    capped = BusinessFilters(max_per_category=1)
    assert ids(rank_products(FITS, PRODUCTS, filters=capped, min_fit=0.8)) == ["p1", "p3"]


def test_top_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="top_k"):
        rank_products(FITS, PRODUCTS, top_k=0, min_fit=0.8)
