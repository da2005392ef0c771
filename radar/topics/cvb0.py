"""Training LDA topics by zero-order collapsed variational Bayes (CVB0), into a gensim model.

gensim's `LdaModel` learns by online variational Bayes; on short texts (reviews, pooled
comments, product titles) its topics are far less coherent than collapsed Gibbs
sampling's (the README's topic-model benchmark). CVB0 (Asuncion et al.,
"On smoothing and inference for topic models", 2009) is the deterministic counterpart of
collapsed Gibbs sampling and is as good; run synchronously over the non-zeros of the
document-term matrix, each sweep is a few vectorised numpy / scipy operations.

For entry (d, w) with count c, the topic responsibilities γ are updated from the expected
counts of the previous sweep with the entry's own token left out:

    γ_k ∝ (n_dk − γ_k + α) (n_wk − γ_k + η) / (n_k − γ_k + Vη),

where n_dk = Σ_w c γ, n_wk = Σ_d c γ and n_k = Σ_w n_wk. The result is loaded into an
ordinary gensim `LdaModel` (topic-word parameters λ = η' + n_wk), whose inference is
gensim's; the priors stored in it are shifted by +0.5 as the paper shows variational
inference needs to match CVB0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

PRIOR_SHIFT = 0.5
_CHUNK_ENTRIES = 1 << 18  # entries updated at once: bounds the scratch memory


def cvb0_topic_word_counts(
    counts: csr_matrix, num_topics: int, *, alpha: float, eta: float, sweeps: int, seed: int
) -> np.ndarray:
    """Expected topic × word counts after `sweeps` synchronous CVB0 sweeps over `counts`
    (documents × words). Memory: one float32 per non-zero and topic, plus the counts."""
    counts = csr_matrix(counts, dtype=np.float32)
    counts.sum_duplicates()
    n_docs, n_words = counts.shape
    nnz = counts.nnz
    rows = np.repeat(np.arange(n_docs, dtype=np.int32), np.diff(counts.indptr))
    cols = counts.indices.astype(np.int32)
    entries = np.arange(nnz)
    by_doc = csr_matrix((counts.data, (rows, entries)), shape=(n_docs, nnz))
    by_word = csr_matrix((counts.data, (cols, entries)), shape=(n_words, nnz))
    rng = np.random.default_rng(seed)
    gamma = np.full((nnz, num_topics), 0.1 / num_topics, dtype=np.float32)
    gamma[entries, rng.integers(0, num_topics, nnz)] += np.float32(0.9)
    a, b, vb = np.float32(alpha), np.float32(eta), np.float32(n_words * eta)
    for _ in range(sweeps):
        doc_topic = by_doc @ gamma + a
        word_topic = by_word @ gamma
        topic_total = word_topic.sum(axis=0) + vb
        word_topic += b
        for start in range(0, nnz, _CHUNK_ENTRIES):
            own = gamma[start : start + _CHUNK_ENTRIES]
            update = doc_topic[rows[start : start + _CHUNK_ENTRIES]] - own
            update *= word_topic[cols[start : start + _CHUNK_ENTRIES]] - own
            update /= topic_total - own
            update /= update.sum(axis=1, keepdims=True)
            own[...] = update  # safe in place: this sweep's counts are already taken
    return np.asarray((by_word @ gamma).T, dtype=np.float64)


def lda_from_counts(
    topic_word: np.ndarray,
    dictionary: Dictionary,
    *,
    alpha: float,
    eta: float,
    num_docs: int,
    seed: int,
) -> LdaModel:
    """A gensim `LdaModel` holding these topics: λ = (eta + PRIOR_SHIFT) + counts, and a
    symmetric document prior `alpha` for inference."""
    from radar.topics.storage import build_lda

    return build_lda(
        dictionary, topic_word, alpha=alpha, eta=eta + PRIOR_SHIFT, num_docs=num_docs, seed=seed
    )
