"""Deterministic variational inference of document-topic weights, vectorised over documents.

gensim's `LdaModel.inference` starts each document from random values drawn from the
model's random state, so the same text can get slightly different topic weights from
call to call and batch to batch. Here every document starts from the same point
(`alpha + length / K`) and stops on its own convergence, so a document's weights depend
on nothing but the document and the model: the API, the batch and a reloaded model
all agree exactly.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.special import psi

NONZEROS_AT_ONCE = 25_000
"""Each iteration holds a few (non-zeros × topics) arrays: documents are inferred in parts
of at most this many non-zeros (10 MB an array at 50 topics; also the fastest size
measured: the arrays stay in cache) but at least one document."""


def infer_topic_weights(
    counts: csr_matrix,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-3,
) -> np.ndarray:
    """Topic distributions (rows sum to 1) for the bag-of-words rows of `counts`.

    Args:
        counts: documents × vocabulary word counts.
        exp_elog_beta: topics × vocabulary, `exp(E[log beta])` of the trained model.
        alpha: the document-topic prior, one value per topic.
        max_iter: most E-step iterations per document.
        tol: a document stops when its mean absolute change of gamma falls below this.
    """
    n_docs = counts.shape[0]
    if n_docs == 1:
        weights = infer_document(
            counts.indices, counts.data, exp_elog_beta, alpha, max_iter=max_iter, tol=tol
        )
        return weights[np.newaxis, :]
    parts = _row_parts(counts.indptr, NONZEROS_AT_ONCE)
    if len(parts) > 1:
        inferred = [
            infer_topic_weights(counts[start:end], exp_elog_beta, alpha, max_iter=max_iter, tol=tol)
            for start, end in parts
        ]
        return np.vstack(inferred)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    gamma = alpha[np.newaxis, :] + (lengths / alpha.size)[:, np.newaxis]
    active = np.flatnonzero(lengths > 0)
    beta_t = np.ascontiguousarray(exp_elog_beta.T)
    held = -1  # how many documents the active rows below were taken for
    for _ in range(max_iter):
        if active.size == 0:
            break
        if active.size != held:  # documents only leave: as many as before, the same ones
            rows = counts if active.size == n_docs else counts[active]
            row_of_entry = np.repeat(np.arange(active.size), np.diff(rows.indptr))
            entry_beta = beta_t[rows.indices]
            weighted = csr_matrix((np.zeros(rows.nnz), rows.indices, rows.indptr), rows.shape)
            held = active.size
        exp_theta = np.exp(_dirichlet_expectation(gamma[active]))
        phinorm = np.einsum("ik,ik->i", exp_theta[row_of_entry], entry_beta) + 1e-100
        weighted.data = rows.data / phinorm
        updated = alpha[np.newaxis, :] + exp_theta * (weighted @ beta_t)
        change = np.abs(updated - gamma[active]).mean(axis=1)
        gamma[active] = updated
        active = active[change >= tol]
    weights = gamma / gamma.sum(axis=1, keepdims=True)
    return weights if n_docs else np.zeros((0, alpha.size))


def infer_document(
    words: np.ndarray,
    counts: np.ndarray,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-3,
) -> np.ndarray:
    """`infer_topic_weights` of one document (its `words`' columns in the order of a row of
    `counts`, and their counts) on dense arrays: the same operations in the same order, so
    the same weights to the last bit (tested), without the sparse matrices' cost per call,
    which made half of a free text's inference (`POST /v1/score`)."""
    gamma = alpha + counts.sum() / alpha.size
    if counts.sum() > 0:
        entry_beta = np.ascontiguousarray(exp_elog_beta[:, words].T)  # words × topics
        shape = entry_beta.shape
        for _ in range(max_iter):
            exp_theta = np.exp(psi(gamma) - psi(gamma.sum()))
            phinorm = np.einsum("ik,ik->i", np.broadcast_to(exp_theta, shape), entry_beta) + 1e-100
            # the sparse product's sum, row after row in the words' order
            updated = alpha + exp_theta * ((counts / phinorm)[:, np.newaxis] * entry_beta).sum(0)
            change = np.abs(updated - gamma).sum() / gamma.size  # `mean`, without its wrapper
            gamma = updated
            if change < tol:
                break
    return gamma / gamma.sum()


def _row_parts(indptr: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Consecutive row ranges of a CSR matrix holding at most `limit` non-zeros each (a
    longer row alone in its range)."""
    parts: list[tuple[int, int]] = []
    start, rows = 0, len(indptr) - 1
    while start < rows:
        end = int(np.searchsorted(indptr, indptr[start] + limit, side="right")) - 1
        end = min(max(end, start + 1), rows)
        parts.append((start, end))
        start = end
    return parts


def _dirichlet_expectation(gamma: np.ndarray) -> np.ndarray:
    return psi(gamma) - psi(gamma.sum(axis=1))[:, np.newaxis]
