"""Product categories as distributions: the category column where the catalogue has it,
a prediction from the product's words and topics where it does not (cold start included).

Operations think and choose in categories; the fit uses a host's conversion rate per
category (its own, and its peers'), so every product needs a category distribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack

from radar.matching.products import ProductText, ProductVectors
from radar.topics import TopicModel

CATEGORY_MODEL_PARAMS = {"C": 10.0, "max_iter": 3000}
"""The category model's logistic regression (logged with every training run)."""


@dataclass
class CategoryModel:
    """Known categories and a multinomial logistic model from a product's words (over the
    topic model's dictionary) and topic vector to them."""

    categories: list[str]
    coef: np.ndarray
    intercept: np.ndarray

    def distributions(self, products: Sequence[ProductText], features: csr_matrix) -> np.ndarray:
        """products × categories: one-hot for a known category, predicted otherwise."""
        scores = np.asarray(features @ self.coef.T) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        predicted = np.exp(scores)
        predicted /= predicted.sum(axis=1, keepdims=True)
        column = {name: index for index, name in enumerate(self.categories)}
        for row, product in enumerate(products):
            if product.category in column:
                predicted[row] = 0.0
                predicted[row, column[product.category]] = 1.0
        return predicted

    def to_dict(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CategoryModel:
        return cls(
            list(data["categories"]),
            np.asarray(data["coef"], dtype=float),
            np.asarray(data["intercept"], dtype=float),
        )


def product_features(vectors: ProductVectors, topics: TopicModel) -> csr_matrix:
    """√topic vector beside L2-normalised log word counts, one row per product."""
    words = topics.bag_of_words(vectors.tokens)
    words.data = np.log1p(words.data)
    norms = np.sqrt(np.asarray(words.multiply(words).sum(axis=1)).ravel())
    words = csr_matrix(words.multiply(1 / np.maximum(norms, 1e-12)[:, np.newaxis]))
    return csr_matrix(hstack([csr_matrix(np.sqrt(vectors.matrix)), words]))


def fit_category_model(vectors: ProductVectors, topics: TopicModel) -> CategoryModel | None:
    """Learn categories from the products that have one (None with fewer than two)."""
    from sklearn.linear_model import LogisticRegression

    rows = [row for row, product in enumerate(vectors.products) if product.category]
    labels = [str(vectors.products[row].category) for row in rows]
    categories = sorted(set(labels))
    if len(categories) < 2:
        return None
    classifier = LogisticRegression(**CATEGORY_MODEL_PARAMS)
    classifier.fit(product_features(vectors, topics)[rows], labels)
    order = [list(classifier.classes_).index(name) for name in categories]
    return CategoryModel(categories, classifier.coef_[order], classifier.intercept_[order])


def attach_categories(
    vectors: ProductVectors, model: CategoryModel | None, topics: TopicModel
) -> ProductVectors:
    """Give every product of `vectors` its category distribution (none without a model)."""
    if model is not None:
        vectors.categories = model.distributions(
            vectors.products, product_features(vectors, topics)
        )
    return vectors
