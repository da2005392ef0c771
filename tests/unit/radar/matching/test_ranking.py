from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.matching.products import ProductText
from radar.matching.ranking import (
    BusinessFilters,
    CatalogueColumns,
    PassingRows,
    rank_catalogue,
    rank_passing,
    rank_products,
    rank_rows,
)

PRODUCTS = [
    ProductText("p1", "粉底液", "美妆", price=99.0, stock=10, margin=0.3),
    ProductText("p2", "口红", "美妆", price=199.0, stock=0, margin=0.5),
    ProductText(
        "p3", "面霜", "护肤", price=299.0, stock=5, margin=0.4, listed_at=datetime(2026, 11, 20)
    ),
    ProductText("p4", "气垫", "美妆", price=150.0, stock=None, listed_at=datetime(2026, 10, 1)),
    ProductText("p5", "眼霜", "护肤", price=None, stock=3),
]
FITS = np.array([0.95, 0.90, 0.85, 0.95, 0.70])


def ids(rows: list[int]) -> list[str]:
    return [PRODUCTS[row].product_id for row in rows]


def test_threshold_order_and_tie_break() -> None:
    assert ids(rank_products(FITS, PRODUCTS, min_fit=0.8)) == ["p1", "p4", "p2", "p3"]
    assert ids(rank_products(FITS, PRODUCTS, min_fit=0.0, top_k=2)) == ["p1", "p4"]


def test_fits_tied_as_shown_are_ordered_by_the_models_score_not_the_id() -> None:
    """p1 and p4 both show 0.95; the model scored p4 higher, so p4 comes first (on every
    path: `rank_catalogue` too)."""
    scores = np.array([2.0, 1.0, 0.5, 2.5, 0.1])
    assert ids(rank_products(FITS, PRODUCTS, min_fit=0.8, scores=scores))[:2] == ["p4", "p1"]
    columns = CatalogueColumns.of(PRODUCTS)
    rows = rank_catalogue(
        FITS, columns, top_k=2, min_fit=0.8, filters=BusinessFilters(), scores=scores
    )
    assert ids(rows) == ["p4", "p1"]


def test_placed_products_are_left_out_unless_asked() -> None:
    assert "p1" not in ids(rank_products(FITS, PRODUCTS, placed={"p1"}, min_fit=0.8))
    keep = BusinessFilters(exclude_placed=False)
    assert "p1" in ids(rank_products(FITS, PRODUCTS, placed={"p1"}, filters=keep, min_fit=0.8))


def test_business_filters() -> None:
    in_stock = BusinessFilters(in_stock_only=True)
    assert ids(rank_products(FITS, PRODUCTS, filters=in_stock, min_fit=0.8)) == ["p1", "p4", "p3"]
    band = BusinessFilters(price_min=100, price_max=200)
    assert ids(rank_products(FITS, PRODUCTS, filters=band, min_fit=0.8)) == ["p4", "p2"]
    capped = BusinessFilters(max_per_category=1)
    assert ids(rank_products(FITS, PRODUCTS, filters=capped, min_fit=0.8)) == ["p1", "p3"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (BusinessFilters(categories=frozenset({"护肤"})), ["p3", "p5"]),
        (BusinessFilters(exclude_categories=frozenset({"美妆"})), ["p3", "p5"]),
        (BusinessFilters(margin_min=0.35), ["p2", "p3"]),  # no margin: left out
        (BusinessFilters(listed_since=date(2026, 11, 1)), ["p3"]),  # no listing day: left out
        (BusinessFilters(exclude_product_ids=frozenset({"p1", "p4"})), ["p2", "p3", "p5"]),
        (BusinessFilters(price_max=150), ["p1", "p4"]),  # no price: left out of a band
    ],
)
def test_each_filter(filters: BusinessFilters, expected: list[str]) -> None:
    assert ids(rank_products(FITS, PRODUCTS, filters=filters, min_fit=0.0)) == expected


def test_ranked_by_another_score_among_those_at_the_cut() -> None:
    proposal = np.array([0.1, 0.2, 0.9, 0.5, 1.0])
    ranked = rank_products(FITS, PRODUCTS, min_fit=0.8, order_by=proposal)
    assert ids(ranked) == ["p3", "p4", "p2", "p1"]  # p5 (fit 0.70) is never ranked in


def test_request_filters_replace_the_defaults_field_by_field() -> None:
    defaults = BusinessFilters(exclude_categories=frozenset({"书籍"}), max_per_category=3)
    asked = BusinessFilters(price_max=200.0, max_per_category=2).within(defaults)
    assert asked == BusinessFilters(
        exclude_categories=frozenset({"书籍"}), price_max=200.0, max_per_category=2
    )


def test_narrowing_filters_keep_a_subset_of_what_the_defaults_keep() -> None:
    defaults = BusinessFilters(in_stock_only=True)
    assert BusinessFilters(in_stock_only=True, categories=frozenset({"美妆"})).narrows(defaults)
    assert BusinessFilters(in_stock_only=True, max_per_category=1).narrows(defaults)
    assert not BusinessFilters(in_stock_only=False).narrows(defaults)
    capped = BusinessFilters(in_stock_only=True, max_per_category=2)
    assert not BusinessFilters(in_stock_only=True, max_per_category=3).narrows(capped)
    assert not BusinessFilters(in_stock_only=True).narrows(capped)
    banded = BusinessFilters(price_min=100.0)
    assert BusinessFilters(price_min=150.0).narrows(banded)
    assert not BusinessFilters(price_min=50.0).narrows(banded)


def test_top_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="top_k"):
        rank_products(FITS, PRODUCTS, top_k=0, min_fit=0.8)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.sampled_from(["fit", "proposal"]),
    st.integers(1, 12),
)
def test_ranking_the_whole_catalogue_as_vectors_gives_the_same_rows(
    seed: int, order: str, top_k: int
) -> None:
    """`rank_catalogue` (vector filters) equals `rank_products` (product by product), and
    so does `rank_rows` over some of the rows."""
    rng = np.random.default_rng(seed)
    count = 40
    products = [
        ProductText(
            f"p{int(rng.integers(0, 1000)):04d}-{i}",
            "t",
            [None, "美妆", "食品", "数码"][int(rng.integers(0, 4))],
            price=None if rng.random() < 0.2 else float(rng.integers(1, 500)),
            stock=None if rng.random() < 0.3 else int(rng.integers(-2, 5)),
            margin=None if rng.random() < 0.2 else float(rng.random()),
            listed_at=None
            if rng.random() < 0.3
            else datetime(2026, 10, 1 + int(rng.integers(0, 30))),
        )
        for i in range(count)
    ]
    fits = np.round(rng.random(count), 2)  # ties too
    choices = [
        BusinessFilters(),
        BusinessFilters(categories=frozenset({"美妆", "书籍"}), in_stock_only=True),
        BusinessFilters(exclude_categories=frozenset({"食品"}), price_min=50, price_max=300),
        BusinessFilters(margin_min=0.4, listed_since=date(2026, 10, 15)),
        BusinessFilters(
            max_per_category=2, exclude_product_ids=frozenset({products[0].product_id})
        ),
    ]
    filters = choices[int(rng.integers(0, len(choices)))]
    placed = {products[int(rng.integers(0, count))].product_id}
    order_by = np.round(rng.random(count), 1) if order == "proposal" else None
    scores = np.round(rng.random(count), 1)  # ties too: then the id decides
    options = {"top_k": top_k, "min_fit": 0.3, "placed": placed, "filters": filters}
    expected = rank_products(fits, products, order_by=order_by, scores=scores, **options)
    columns = CatalogueColumns.of(products)
    assert rank_catalogue(fits, columns, order_by=order_by, scores=scores, **options) == expected
    if order == "fit":  # some of the rows, in any order, ranked as vectors (`rank_rows`)
        rows = rng.permutation(count)[: int(rng.integers(1, count + 1))]
        among = [products[row] for row in rows]
        expected = rank_products(fits[rows], among, scores=scores[rows], **options)
        assert rank_rows(rows, fits[rows], scores[rows], columns, **options) == expected
    # some passing rows, in any order, ranked on arrays of their own (`rank_passing`): as
    # the whole catalogue ranks with every other row's fit under the cut
    passing = np.flatnonzero(columns.passing(filters, placed))
    near = rng.permutation(passing)[: int(rng.integers(0, len(passing) + 1))]
    under = np.full(count, -1.0)
    under[near] = fits[near]
    expected = rank_catalogue(under, columns, order_by=order_by, scores=scores, **options)
    chosen = rank_passing(
        near,
        fits[near],
        columns,
        top_k=top_k,
        min_fit=0.3,
        filters=filters,
        order_by=None if order_by is None else order_by[near],
        scores=scores[near],
    )
    assert [int(near[at]) for at in chosen] == expected


def test_rows_kept_for_filters_asked_again_are_the_rows_they_pass() -> None:
    """`PassingRows` (kept per filters, the host's placed products taken out per request)
    equals working the filters out again, for any placed products, and keeps a few."""
    columns = CatalogueColumns.of(PRODUCTS)
    passing = PassingRows(columns, max_entries=2)
    mixes = [
        BusinessFilters(),
        BusinessFilters(categories=frozenset({"美妆"}), in_stock_only=True),
        BusinessFilters(price_max=200.0, exclude_placed=False),
        BusinessFilters(exclude_product_ids=frozenset({"p3"})),
    ]
    for placed in [set(), {"p1"}, {"p4", "p5", "gone"}, {"p1", "p2", "p3", "p4", "p5"}]:
        for filters in mixes + mixes[::-1]:
            expected = np.flatnonzero(columns.passing(filters, placed))
            assert passing(filters, placed).tolist() == expected.tolist()
    assert len(passing._rows) == 2


def test_a_mix_asked_for_once_keeps_no_vectors() -> None:
    """A filter mix seen once (a price cap of its own, say) is scored without a copy of its
    rows' vectors: copying them for one request and dropping them later cost more than the
    scoring. Asked for again, its vectors are kept; the scores are the catalogue's."""
    rng = np.random.default_rng(7)
    products = [ProductText(f"p{i:03d}", "t", ["美妆", "食品"][i % 2]) for i in range(3000)]
    columns = CatalogueColumns.of(products)
    vectors = rng.normal(size=(3000, 6)).astype(np.float32)
    passing = PassingRows(columns, vectors=vectors, vector_bytes=1 << 20)
    vector = rng.normal(size=6).astype(np.float32)
    few = BusinessFilters(exclude_product_ids=frozenset(f"p{i:03d}" for i in range(2600)))
    for asked in (1, 2, 3):
        rows, scores = passing.scored(few, {"p2999"}, vector)
        assert rows.tolist() == passing(few, {"p2999"}).tolist()
        np.testing.assert_allclose(scores, (vectors @ vector)[rows], rtol=1e-5)
        assert (few in passing._blocks) == (asked > 1)


def test_rows_kept_for_filters_are_scored_as_the_catalogue_within_their_memory() -> None:
    """`PassingRows.scored`: the passing rows and their scores, as scoring the whole
    catalogue gives them, whether a mix's vectors are kept or not; the kept vectors stay
    within `vector_bytes`, the mix used most kept."""
    rng = np.random.default_rng(5)
    products = [
        ProductText(
            f"p{i:03d}", "t", ["美妆", "食品", "数码", "书籍", "玩具"][i % 5], price=float(i)
        )
        for i in range(200)
    ]
    columns = CatalogueColumns.of(products)
    vectors = rng.normal(size=(200, 6)).astype(np.float32)
    one_mix = 40 * 6 * 4  # the bytes of one category's rows
    passing = PassingRows(columns, vectors=vectors, vector_bytes=2 * one_mix)
    mixes = [BusinessFilters(categories=frozenset({c})) for c in ("美妆", "食品", "数码")]
    mixes.append(BusinessFilters(price_max=150.0))  # most of the catalogue: not kept
    for round_ in range(3):
        for filters in mixes[: 1 + round_] + mixes:
            for placed in [set(), {"p000", "p001", "p005", "gone"}]:
                vector = rng.normal(size=6).astype(np.float32)
                rows, scores = passing.scored(filters, placed, vector)
                assert rows.tolist() == passing(filters, placed).tolist()
                np.testing.assert_allclose(scores, (vectors @ vector)[rows], rtol=1e-5)
    kept = passing._blocks
    assert sum(block.nbytes for _, block in kept.values()) <= 2 * one_mix
    assert mixes[0] in kept and len(kept) == 2  # the mix asked for most stays, one turns
    with pytest.raises(ValueError, match="vectors"):
        PassingRows(columns).scored(mixes[0], set(), vector)
