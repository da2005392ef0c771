import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from scipy.sparse import csr_matrix

from radar.topics import inference
from radar.topics.inference import infer_topic_weights

DOCS = [["a", "b", "c"], ["c", "d", "e", "e"], ["a", "a", "b"], ["d", "e"], ["b", "c", "d"]] * 10


def test_agrees_with_gensim_on_a_converged_model() -> None:
    dictionary = Dictionary(DOCS)
    corpus = [dictionary.doc2bow(doc) for doc in DOCS]
    lda = LdaModel(corpus, id2word=dictionary, num_topics=3, passes=20, random_state=0)
    rows = [dict(bow) for bow in corpus[:5]]
    counts = csr_matrix(
        [[row.get(word, 0) for word in range(len(dictionary))] for row in rows], dtype=float
    )
    ours = infer_topic_weights(counts, lda.expElogbeta, lda.alpha, max_iter=500, tol=1e-8)
    gamma, _ = lda.inference(corpus[:5])
    theirs = gamma / gamma.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-3)


def test_empty_documents_get_the_prior() -> None:
    alpha = np.array([0.2, 0.3, 0.5])
    weights = infer_topic_weights(csr_matrix((2, 4)), np.full((3, 4), 0.25), alpha)
    np.testing.assert_allclose(weights, [[0.2, 0.3, 0.5]] * 2)


def test_no_documents_give_an_empty_matrix() -> None:
    weights = infer_topic_weights(csr_matrix((0, 4)), np.full((3, 4), 0.25), np.ones(3))
    assert weights.shape == (0, 3)


def test_large_inputs_are_inferred_in_parts_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(0)
    counts = csr_matrix(rng.poisson(0.3, size=(50, 30)).astype(float))
    beta = rng.dirichlet(np.full(30, 0.5), size=4)
    alpha = np.full(4, 0.5)
    whole = infer_topic_weights(counts, beta, alpha)
    monkeypatch.setattr(inference, "NONZEROS_AT_ONCE", 20)
    np.testing.assert_array_equal(infer_topic_weights(counts, beta, alpha), whole)


def test_parts_hold_at_most_the_limit_and_every_row_once() -> None:
    lengths = [3, 0, 5, 12, 1, 1, 4, 0]  # non-zeros per row; the row of 12 is over the limit
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    parts = inference._row_parts(indptr, 6)
    assert [row for start, end in parts for row in range(start, end)] == list(range(8))
    for start, end in parts:
        assert indptr[end] - indptr[start] <= 6 or end == start + 1
    assert parts == [(0, 2), (2, 3), (3, 4), (4, 8)]
    assert inference._row_parts(np.array([0]), 6) == []


@pytest.mark.parametrize("beta_dtype", [np.float32, np.float64])
def test_a_document_alone_gets_the_weights_it_gets_among_others_to_the_last_bit(
    beta_dtype: type,
) -> None:
    """A free text is inferred alone (`POST /v1/score`), the batch's documents together: the
    same text must get the same weights either way."""
    rng = np.random.default_rng(7)
    counts = csr_matrix(rng.poisson(0.05, size=(200, 400)).astype(float))  # a few empty rows
    beta = rng.dirichlet(np.full(400, 0.1), size=12).astype(beta_dtype)  # gensim's is float32
    alpha = rng.uniform(0.02, 0.5, size=12)
    together = infer_topic_weights(counts, beta, alpha)
    alone = np.vstack([infer_topic_weights(counts[row], beta, alpha) for row in range(200)])
    np.testing.assert_array_equal(alone, together)
