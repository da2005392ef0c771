"""Word vectors beside the topics: what a host's words and a product's title have in
common below the level of a topic.

Topic vectors are too coarse for short titles: two lipsticks, or a lipstick and a
foundation, get nearly the same topics, so a host's list cannot be ordered within a
category. Word2Vec (gensim), trained on the store's own modelled tokens, places each word
in a small dense space; a text's vector is the mean of its words' vectors weighted by
their rarity (inverse document frequency), scaled to unit length, less the corpus's common
direction (the mean of the training documents' vectors: without it every text is close to
every other), scaled to unit length again; the similarity of a host and a product is one
dot product.

Saved as arrays (`word_vectors.npz`, read with `allow_pickle=False`), never as gensim's
pickles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILE = "word_vectors.npz"
DIMENSIONS = 32
WINDOW = 5
MIN_COUNT = 3
EPOCHS = 5
WORD_VECTOR_PARAMS = {
    "dimensions": DIMENSIONS,
    "window": WINDOW,
    "min_count": MIN_COUNT,
    "epochs": EPOCHS,
}
"""How the word vectors are trained (logged with every training run)."""


@dataclass
class WordVectors:
    """Unit word vectors (`vectors[i]` for `words[i]`), each word's rarity weight, and the
    common direction removed from every text's vector."""

    words: list[str]
    vectors: np.ndarray
    rarity: np.ndarray
    common: np.ndarray

    def __post_init__(self) -> None:
        self.index = {word: row for row, word in enumerate(self.words)}

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def fit(
        cls, tokens: Sequence[Sequence[str]], *, dimensions: int = DIMENSIONS, seed: int = 0
    ) -> WordVectors:
        """Train on tokenised documents (one process, seeded: the same corpus gives the same
        vectors)."""
        from gensim.models import Word2Vec

        documents = [list(doc) for doc in tokens if doc]
        trained = Word2Vec(
            documents,
            vector_size=dimensions,
            window=WINDOW,
            min_count=MIN_COUNT,
            epochs=EPOCHS,
            workers=1,
            seed=seed,
        )
        words = list(trained.wv.index_to_key)
        counts = Counter(word for doc in documents for word in set(doc))
        rarity = np.log(len(documents) / np.array([counts[w] for w in words], dtype=float))
        vectors = np.asarray(trained.wv.vectors, dtype=np.float32)
        fitted = cls(
            words,
            _unit_rows(vectors),
            np.maximum(rarity, 0.0).astype(np.float32),
            np.zeros(dimensions, dtype=np.float32),
        )
        fitted.common = fitted.embed(documents).mean(axis=0).astype(np.float32)
        return fitted

    def embed(self, tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """One unit vector per tokenised text (zeros for a text with no known word)."""
        return np.vstack(
            [self.embed_weights(Counter(doc)) for doc in tokens]
            or [np.zeros((0, self.dimensions), dtype=np.float32)]
        )

    def embed_weights(self, weights: Mapping[str, float]) -> np.ndarray:
        """The unit vector of words with these weights (say, counts), each also weighted by
        its rarity."""
        rows = [self.index[word] for word in weights if word in self.index]
        if not rows:
            return np.zeros(self.dimensions, dtype=np.float32)
        scale = (
            np.array([weights[self.words[row]] for row in rows], dtype=np.float32)
            * self.rarity[rows]
        )
        return _unit(_unit(scale @ self.vectors[rows]) - self.common)

    def save(self, directory: Path) -> None:
        np.savez(
            Path(directory) / FILE,
            words=np.array(self.words, dtype=str),
            vectors=self.vectors,
            rarity=self.rarity,
            common=self.common,
        )

    @classmethod
    def load(cls, directory: Path) -> WordVectors | None:
        """The vectors saved in `directory`, or None where there are none."""
        path = Path(directory) / FILE
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                [str(word) for word in arrays["words"]],
                arrays["vectors"].astype(np.float32),
                arrays["rarity"].astype(np.float32),
                arrays["common"].astype(np.float32),
            )


def mix(parts: Sequence[tuple[float, np.ndarray | None]]) -> np.ndarray | None:
    """The unit vector of a weighted sum of vectors (None parts and zero weights skipped)."""
    present = [(weight, vector) for weight, vector in parts if vector is not None and weight > 0]
    if not present:
        return None
    return _unit(np.sum([weight * vector for weight, vector in present], axis=0))


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(np.float32)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
