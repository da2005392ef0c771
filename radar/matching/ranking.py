"""Ranking: from fits to a host's list. One function for the CLI, the batch and the API."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the CLI builds filters before the model's code is imported
    from radar.matching.products import ProductText


@dataclass(frozen=True)
class BusinessFilters:
    """Operations' rules on top of the fit (every one optional).

    `categories`: only these (a product without a category is then left out);
    `exclude_categories`: never these; `price_min`/`price_max`: a price band (a product
    without a price is then left out); `margin_min`: a least margin (likewise);
    `in_stock_only`: leave out products whose stock is 0 or less (None: the catalogue's
    default, true when it has stock); `listed_since`: new products only, listed on or
    after this day; `exclude_product_ids`; `max_per_category`: at most this many of a
    category, for variety; `exclude_placed`: leave out what the host already had."""

    categories: frozenset[str] | None = None
    exclude_categories: frozenset[str] = frozenset()
    price_min: float | None = None
    price_max: float | None = None
    margin_min: float | None = None
    in_stock_only: bool | None = None
    listed_since: date | None = None
    exclude_product_ids: frozenset[str] = frozenset()
    max_per_category: int | None = None
    exclude_placed: bool = True

    def resolved(self, *, in_stock_default: bool) -> BusinessFilters:
        """These filters with `in_stock_only` decided (the catalogue's default if unset)."""
        if self.in_stock_only is not None:
            return self
        return replace(self, in_stock_only=in_stock_default)

    def within(self, defaults: BusinessFilters) -> BusinessFilters:
        """These filters on top of `defaults` (settings' filters): each field this sets
        replaces the default's."""
        changes = {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) != getattr(BusinessFilters(), field.name)
        }
        return replace(defaults, **changes)

    def narrows(self, other: BusinessFilters) -> bool:
        """Whether every product these filters keep, `other` keeps too, and a category cap
        here is no looser than there: then what `other` ranks holds what these rank, in
        the same order (both resolved)."""
        if other.categories is not None and (
            self.categories is None or not self.categories <= other.categories
        ):
            return False
        return (
            self.exclude_categories >= other.exclude_categories
            and _at_least(self.price_min, other.price_min)
            and _at_most(self.price_max, other.price_max)
            and _at_least(self.margin_min, other.margin_min)
            and (bool(self.in_stock_only) or not other.in_stock_only)
            and _at_least(self.listed_since, other.listed_since)
            and self.exclude_product_ids >= other.exclude_product_ids
            and (self.exclude_placed or not other.exclude_placed)
            and _at_most(self.max_per_category, other.max_per_category)
        )

    def passes(self, product: ProductText, placed: Collection[str] = ()) -> bool:
        """Whether the product passes every rule but the category cap."""
        category = product.category
        if self.categories is not None and category not in self.categories:
            return False
        if category in self.exclude_categories or product.product_id in self.exclude_product_ids:
            return False
        if self.exclude_placed and product.product_id in placed:
            return False
        if self.in_stock_only and product.stock is not None and product.stock <= 0:
            return False
        if not _in_band(product.price, self.price_min, self.price_max):
            return False
        if self.margin_min is not None and (
            product.margin is None or product.margin < self.margin_min
        ):
            return False
        return self.listed_since is None or (
            product.listed_at is not None and product.listed_at.date() >= self.listed_since
        )


def _at_least(value: object, bound: object) -> bool:
    """`value >= bound`, where an unset bound holds anything and an unset value only it."""
    if bound is None:
        return True
    return value is not None and value >= bound  # type: ignore[operator]


def _at_most(value: object, bound: object) -> bool:
    """`value <= bound`, where an unset bound holds anything and an unset value only it."""
    if bound is None:
        return True
    return value is not None and value <= bound  # type: ignore[operator]


def _in_band(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def rank_products(
    fits: np.ndarray,
    products: Sequence[ProductText],
    *,
    top_k: int = 10,
    min_fit: float,
    placed: Collection[str] = (),
    filters: BusinessFilters | None = None,
    order_by: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> list[int]:
    """Row indices of the products to recommend, best first.

    Candidates have a fit of at least `min_fit` and pass the filters; they are ordered by
    `order_by` (default: the fit), then fit, then `scores` (the model's scores the fits
    come from: fits that tie as shown keep the model's order), then product id (a
    deterministic tie-break), and category caps are applied in that order.
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    rules = filters or BusinessFilters()
    eligible = [int(row) for row in np.flatnonzero(fits >= min_fit)]
    primary = fits if order_by is None else order_by
    model = np.zeros(len(fits)) if scores is None else scores
    order = sorted(
        eligible,
        key=lambda row: (-primary[row], -fits[row], -model[row], products[row].product_id),
    )
    return take_passing(order, products, top_k=top_k, placed=placed, filters=rules)


def take_passing(
    order: Sequence[int],
    products: Sequence[ProductText],
    *,
    top_k: int,
    placed: Collection[str] = (),
    filters: BusinessFilters,
) -> list[int]:
    """The first `top_k` of `order` that pass the filters, the category cap applied in
    that order."""
    chosen: list[int] = []
    per_category: Counter[str | None] = Counter()
    cap = filters.max_per_category
    for row in order:
        product = products[row]
        if not filters.passes(product, placed):
            continue
        if cap is not None:
            if per_category[product.category] >= cap:
                continue
            per_category[product.category] += 1
        chosen.append(row)
        if len(chosen) == top_k:
            break
    return chosen


@dataclass(frozen=True)
class CatalogueColumns:
    """The catalogue's columns the filters read, as arrays (one row per product), so that a
    filter is a vector operation over the whole catalogue."""

    product_ids: np.ndarray
    categories: np.ndarray
    """Each product's category code (-1: none); `codes` names them."""
    codes: dict[str, int]
    prices: np.ndarray
    margins: np.ndarray
    stock: np.ndarray
    listed_days: np.ndarray
    """Days since 1970-01-01 of `listed_at` (NaN: unknown)."""
    id_order: np.ndarray
    """Each row's place in product id order (the tie-break)."""
    rows: dict[str, int]
    """Each product id's row."""

    @classmethod
    def of(
        cls, products: Sequence[ProductText], *, rows: dict[str, int] | None = None
    ) -> CatalogueColumns:
        """The columns of these products; `rows`: each product id's row, when the caller
        holds that map already (100,000 products: 8 MB not held twice)."""
        codes: dict[str, int] = {}
        for product in products:
            if product.category is not None:
                codes.setdefault(product.category, len(codes))

        def floats(values: list[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        ids = np.array([product.product_id for product in products], dtype=object)
        listed = [
            None if p.listed_at is None else (p.listed_at.date() - _EPOCH).days for p in products
        ]
        return cls(
            ids,
            np.array([codes.get(p.category, -1) if p.category else -1 for p in products]),
            codes,
            floats([p.price for p in products]),
            floats([p.margin for p in products]),
            floats([None if p.stock is None else float(p.stock) for p in products]),
            floats(listed),  # type: ignore[arg-type]
            np.argsort(np.argsort(ids, kind="stable"), kind="stable"),
            {product.product_id: row for row, product in enumerate(products)}
            if rows is None
            else rows,
        )

    def passing(
        self, filters: BusinessFilters, placed: Collection[str], rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Which rows pass every rule but the category cap (`BusinessFilters.passes`): of
        the whole catalogue, or of `rows` only (one flag for each)."""
        at = slice(None) if rows is None else rows
        keep = np.ones(len(self.product_ids) if rows is None else len(rows), dtype=bool)
        if filters.categories is not None:
            keep &= self._of_categories(filters.categories)[self.categories[at]]
        if filters.exclude_categories:
            keep &= ~self._of_categories(filters.exclude_categories)[self.categories[at]]
        excluded = set(filters.exclude_product_ids) | (
            set(placed) if filters.exclude_placed else set()
        )
        if excluded:
            out = np.sort([self.rows[pid] for pid in excluded if pid in self.rows]).astype(np.intp)
            if rows is None:
                keep[out] = False
            elif len(out):
                found = np.minimum(np.searchsorted(out, rows), len(out) - 1)
                keep &= out[found] != rows
        if filters.in_stock_only:
            keep &= ~(self.stock[at] <= 0)  # unknown stock (NaN) passes
        with np.errstate(invalid="ignore"):
            for values, low, high in (
                (self.prices, filters.price_min, filters.price_max),
                (self.margins, filters.margin_min, None),
            ):
                if low is not None:
                    keep &= values[at] >= low  # NaN: left out
                if high is not None:
                    keep &= values[at] <= high
            if filters.listed_since is not None:
                keep &= self.listed_days[at] >= (filters.listed_since - _EPOCH).days
        return keep

    def _of_categories(self, names: Collection[str]) -> np.ndarray:
        """A flag for each category code, true for these categories (indexed by a row's
        code: its last place, for code -1, no category, is false)."""
        flags = np.zeros(len(self.codes) + 1, dtype=bool)
        flags[[self.codes[name] for name in names if name in self.codes]] = True
        return flags


_EPOCH = date(1970, 1, 1)


MIX_VECTOR_BYTES = 32 << 20
"""The most memory `PassingRows` keeps float32 vectors of filter mixes' rows in: at 100,000
products, about ten mixes of two categories and a price band (3 MB each); reading a mix's
rows out of the catalogue's vectors instead costs a third of a filtered request."""


GATHERED_ROWS = 1024
"""Rows of a mix seen once read into a buffer at a time (about 400 KB at 94 columns)."""


class PassingRows:
    """`CatalogueColumns.passing` as rows, what does not depend on the host (every rule but
    the host's placed products) kept for the last `max_entries` filters asked for, so that
    a mix of filters asked again is not worked out over the whole catalogue again. With
    `vectors` (the catalogue's float32 vectors), a mix that keeps few rows also keeps a
    copy of their vectors (`scored`), the mixes used most within `vector_bytes`: reading
    rows scattered over the catalogue's vectors costs several times their product."""

    def __init__(
        self,
        columns: CatalogueColumns,
        *,
        max_entries: int = 32,
        vectors: np.ndarray | None = None,
        vector_bytes: int = MIX_VECTOR_BYTES,
    ) -> None:
        self.columns = columns
        self.max_entries = max_entries
        self.vectors = vectors
        self.vector_bytes = vector_bytes
        self._rows: OrderedDict[BusinessFilters, np.ndarray] = OrderedDict()
        self._blocks: dict[BusinessFilters, tuple[int, np.ndarray]] = {}  # uses, vectors
        self._lock = threading.Lock()
        self._buffers = threading.local()  # each thread's rows of vectors being scored

    def __call__(self, filters: BusinessFilters, placed: Collection[str]) -> np.ndarray:
        """The rows (ascending) that pass every rule but the category cap, as
        `np.flatnonzero(columns.passing(filters, placed))`."""
        rows, _ = self._of_mix(filters)
        return np.delete(rows, self._placed_at(rows, filters, placed)).astype(np.intp)

    def scored(
        self, filters: BusinessFilters, placed: Collection[str], vector: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows `self(filters, placed)` gives and their float32 scores, `vectors` @
        `vector` (float32), from the mix's own copy of its rows' vectors when it keeps one
        (a mix asked for before: one seen once, a price cap of its own say, is read through
        a small buffer, where a copy made and dropped per request cost more than scoring)."""
        if self.vectors is None:
            raise ValueError("PassingRows scores rows only when made with the vectors")
        rows, seen = self._of_mix(filters)
        if 4 * len(rows) < len(self.vectors):  # a few rows: only theirs read
            if seen:
                scores = self._block(filters, rows, self.vectors) @ vector
            else:
                scores = self._read_scores(rows, vector)
        else:
            scores = (self.vectors @ vector)[rows]
        out = self._placed_at(rows, filters, placed)
        return np.delete(rows, out).astype(np.intp), np.delete(scores, out)

    def _of_mix(self, filters: BusinessFilters) -> tuple[np.ndarray, bool]:
        """The mix's rows, and whether it was asked for before (its rows were kept)."""
        with self._lock:
            rows = self._rows.get(filters)
            if rows is not None:
                self._rows.move_to_end(filters)
                return rows, True
        rows = np.flatnonzero(self.columns.passing(filters, ())).astype(np.int32)
        with self._lock:
            self._rows[filters] = rows
            while len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)
        return rows, False

    def _read_scores(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """`vectors[rows] @ vector`, `GATHERED_ROWS` rows at a time through this thread's
        buffer."""
        assert self.vectors is not None
        buffer = getattr(self._buffers, "value", None)
        if buffer is None:
            buffer = np.empty((GATHERED_ROWS, self.vectors.shape[1]), dtype=self.vectors.dtype)
            self._buffers.value = buffer
        scores = np.empty(len(rows), dtype=np.result_type(self.vectors, vector))
        for start in range(0, len(rows), GATHERED_ROWS):
            part = rows[start : start + GATHERED_ROWS]
            gathered = np.take(self.vectors, part, axis=0, out=buffer[: len(part)])
            np.matmul(gathered, vector, out=scores[start : start + len(part)])
        return scores

    def _placed_at(
        self, rows: np.ndarray, filters: BusinessFilters, placed: Collection[str]
    ) -> np.ndarray:
        """Where the host's placed products sit in `rows`, when the filters leave them out."""
        if not (filters.exclude_placed and placed and len(rows)):
            return np.zeros(0, dtype=np.intp)
        known = self.columns.rows
        out = np.array(sorted(known[pid] for pid in placed if pid in known), dtype=np.int32)
        at = np.searchsorted(rows, out)
        return at[(at < len(rows)) & (rows[np.minimum(at, len(rows) - 1)] == out)]

    def _block(self, filters: BusinessFilters, rows: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """The `vectors` of the mix's rows: kept ones, or read (and kept when they fit, in
        place of the mixes used least)."""
        with self._lock:
            kept = self._blocks.get(filters)
            if kept is not None:
                self._blocks[filters] = (kept[0] + 1, kept[1])
                return kept[1]
        block = vectors[rows]
        with self._lock:
            used = sum(vectors.nbytes for _, vectors in self._blocks.values())
            least = sorted(self._blocks, key=lambda mix: self._blocks[mix][0])
            while least and used + block.nbytes > self.vector_bytes:
                used -= self._blocks.pop(least.pop(0))[1].nbytes
            if used + block.nbytes <= self.vector_bytes:
                self._blocks[filters] = (1, block)
        return block


def rank_rows(
    rows: np.ndarray,
    fits: np.ndarray,
    scores: np.ndarray,
    columns: CatalogueColumns,
    *,
    top_k: int,
    min_fit: float,
    placed: Collection[str] = (),
    filters: BusinessFilters,
    passing: np.ndarray | None = None,
) -> list[int]:
    """`rank_products` of these catalogue rows by fit (their `fits` and the model's
    `scores`), its filters as vector operations over them: the same positions in `rows`
    in the same order. `passing`: `columns.passing(filters, placed, rows)`, when the
    caller has it."""
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if passing is None:
        passing = columns.passing(filters, placed, rows)
    eligible = np.flatnonzero((fits >= min_fit) & passing)
    at = rows[eligible]
    order = eligible[np.lexsort((columns.id_order[at], -scores[eligible], -fits[eligible]))]
    return _capped(order, columns.categories[rows[order]], top_k, filters.max_per_category)


def rank_catalogue(
    fits: np.ndarray,
    columns: CatalogueColumns,
    *,
    top_k: int,
    min_fit: float,
    placed: Collection[str] = (),
    filters: BusinessFilters,
    order_by: np.ndarray | None = None,
    passing: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> list[int]:
    """`rank_products` over the whole catalogue, its filters as vector operations: the same
    rows in the same order. `passing`: the rows `columns.passing` keeps, when the caller
    has them already."""
    if passing is None:
        passing = np.flatnonzero(columns.passing(filters, placed))
    chosen = rank_passing(
        passing,
        fits[passing],
        columns,
        top_k=top_k,
        min_fit=min_fit,
        filters=filters,
        order_by=None if order_by is None else order_by[passing],
        scores=None if scores is None else scores[passing],
    )
    return [int(passing[at]) for at in chosen]


def rank_passing(
    rows: np.ndarray,
    fits: np.ndarray,
    columns: CatalogueColumns,
    *,
    top_k: int,
    min_fit: float,
    filters: BusinessFilters,
    order_by: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> list[int]:
    """`rank_catalogue` of catalogue rows that pass every rule but the category cap, their
    `fits` (and `order_by`, `scores`) given for them alone: the positions in `rows` of the
    rows it chooses, in order (no array the size of the catalogue is made)."""
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    eligible = np.flatnonzero(fits >= min_fit)
    at = rows[eligible]
    primary = fits if order_by is None else order_by
    model = np.zeros(len(fits)) if scores is None else scores
    keys = (columns.id_order[at], -model[eligible], -fits[eligible], -primary[eligible])
    order = eligible[np.lexsort(keys)]
    return _capped(order, columns.categories[rows[order]], top_k, filters.max_per_category)


def _capped(order: np.ndarray, categories: np.ndarray, top_k: int, cap: int | None) -> list[int]:
    """The first `top_k` of `order`, at most `cap` of each category (`categories`: the
    category code of each of `order`)."""
    if cap is None:
        return [int(item) for item in order[:top_k]]
    chosen: list[int] = []
    per_category: Counter[int] = Counter()
    for item, category in zip(order.tolist(), categories.tolist(), strict=True):
        if per_category[category] >= cap:
            continue
        per_category[category] += 1
        chosen.append(item)
        if len(chosen) == top_k:
            break
    return chosen
