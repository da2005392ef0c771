"""A large catalogue's rows in groups of near topics, for free texts' closest products.

A free text's closest products are the rows whose √topics have the largest dot product
with the text's. Reading every row costs the whole catalogue's vectors a request (20 MB
at 100,000 products). The rows are grouped by k-means on a sample of them; a group's
centre `c` and radius `r` (the farthest row from `c`) bound each of its rows' dot product
with a text's `q`: `x·q ≤ c·q + r‖q‖` (Cauchy–Schwarz). Groups are read best bound first
until the next bound falls below what the best rows read already reach: the rows of the
groups not read cannot be among the best. The grouping decides only how much is read,
never the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radar.matching.scoring import kth_largest

GROUPS = 256
"""How many groups: about 6% of a 100,000-product catalogue's rows read for a text."""
SAMPLE_ROWS = 10_000
"""Rows (evenly spaced) the groups' centres are fitted on."""
ASSIGN_ROWS = 8_192
"""Rows assigned to their nearest centre at a time."""
FIRST_READ = 8
"""Groups read in the first step; each step reads twice as many as the one before."""
BOUND_SLACK = 1e-9
"""Added to every bound: float64 rounding of `c·q + r‖q‖` (far smaller) cannot hide a
row."""


@dataclass(frozen=True)
class TopicGroups:
    """The catalogue's float32 √topics in group order (`rows32[i]` is catalogue row
    `order[i]`), each group's slice of them (`starts`), centre and radius."""

    rows32: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    centres: np.ndarray
    radii: np.ndarray
    norm: float
    """The largest norm of a row (slightly above, as `ProductVectors.roots_norm`)."""

    @classmethod
    def of(cls, roots: np.ndarray, *, groups: int = GROUPS, seed: int = 0) -> TopicGroups:
        """Group the rows of `roots` (√topics, float64) by k-means on an even sample."""
        from sklearn.cluster import KMeans

        step = max(1, len(roots) // SAMPLE_ROWS)
        sample = np.asarray(roots[::step][:SAMPLE_ROWS], dtype=np.float64)
        count = min(groups, len(sample))
        means = KMeans(count, n_init=1, max_iter=10, random_state=seed).fit(sample)
        centres32 = means.cluster_centers_.astype(np.float32)
        half = (centres32 * centres32).sum(axis=1) / 2
        labels = np.concatenate(
            [
                np.argmax(
                    roots[start : start + ASSIGN_ROWS].astype(np.float32) @ centres32.T - half,
                    axis=1,
                )
                for start in range(0, len(roots), ASSIGN_ROWS)
            ]
        )
        order = np.argsort(labels, kind="stable")
        sizes = np.bincount(labels, minlength=count)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        rows32 = np.ascontiguousarray(roots[order], dtype=np.float32)
        centres = np.zeros((count, roots.shape[1]))
        radii = np.zeros(count)
        largest = 0.0
        for group in range(count):
            rows = rows32[starts[group] : starts[group + 1]].astype(np.float64)
            if len(rows) == 0:
                radii[group] = -np.inf  # never read
                continue
            centres[group] = rows.mean(axis=0)
            radii[group] = np.sqrt(((rows - centres[group]) ** 2).sum(axis=1)).max()
            largest = max(largest, float(np.sqrt((rows**2).sum(axis=1)).max()))
        return cls(rows32, order, starts, centres, radii, largest * (1 + 1e-6))

    def rough_best(
        self, roots: np.ndarray, *, top_k: int, reach: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Catalogue rows, and their float32 dot products with `roots` (a text's √topics),
        of every group whose bound reaches the `top_k`-th best float32 product read minus
        `reach` (within which float32 products may misorder the exact ones): the rows of
        the other groups are below the exact `top_k`-th best."""
        bounds = self.centres @ roots + self.radii * float(np.linalg.norm(roots)) + BOUND_SLACK
        ranked = np.argsort(-bounds, kind="stable")
        query = roots.astype(np.float32)
        parts: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        read, rows_read, step = 0, 0, FIRST_READ
        while read < len(ranked):
            for group in ranked[read : read + step]:
                start, end = self.starts[group], self.starts[group + 1]
                if end > start:
                    parts.append(self.rows32[start:end] @ query)
                    positions.append(np.arange(start, end))
                    rows_read += end - start
            read, step = read + step, 2 * step
            if rows_read > top_k and read < len(ranked):
                rough = np.concatenate(parts)
                if bounds[ranked[read]] < kth_largest(rough, top_k) - reach:
                    break
        rough = np.concatenate(parts)
        return self.order[np.concatenate(positions)], rough
