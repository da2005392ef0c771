"""gensim's parts of a topic model in files that cannot run code.

gensim saves an `LdaModel` and a `Dictionary` as pickles, and unpickling runs whatever
the file says: a model from a registry others can write to would be code. So the LDA's
state is kept as plain arrays in an `.npz` read with `allow_pickle=False` (topic-word
statistics, priors, document count) and the dictionary as JSON, and gensim's objects are
rebuilt from them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from radar.errors import ModelIntegrityError

if TYPE_CHECKING:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

LDA_FILE = "lda.npz"
DICTIONARY_FILE = "dictionary.json"


def build_lda(
    dictionary: Dictionary,
    sstats: np.ndarray,
    *,
    alpha: float | np.ndarray,
    eta: float | np.ndarray,
    num_docs: int,
    seed: int,
) -> LdaModel:
    """A gensim `LdaModel` over `dictionary` whose topic-word statistics are `sstats`
    (topics × words; λ = eta + sstats), with these priors."""
    from gensim.models import LdaModel

    model = LdaModel(
        id2word=dictionary,
        num_topics=sstats.shape[0],
        alpha=alpha,
        eta=eta,
        random_state=seed,
        eval_every=None,
        dtype=np.float32 if np.isscalar(eta) else np.asarray(eta).dtype.type,
    )
    model.state.sstats = sstats.astype(model.dtype)
    model.state.numdocs = num_docs
    model.sync_state()
    return model


def save_lda(lda: LdaModel, directory: Path) -> None:
    """Write the LDA's state to `directory/lda.npz`."""
    np.savez(
        directory / LDA_FILE,
        sstats=lda.state.sstats,
        alpha=np.asarray(lda.alpha),
        eta=np.asarray(lda.eta),
        num_docs=np.asarray(lda.state.numdocs, dtype=np.int64),
    )


def load_lda(directory: Path, dictionary: Dictionary, seed: int) -> LdaModel:
    """The `LdaModel` written by `save_lda`, over `dictionary`.

    Raises:
        ModelIntegrityError: the file is not plain arrays of the right shapes.
    """
    try:
        with np.load(directory / LDA_FILE, allow_pickle=False) as arrays:
            sstats, alpha, eta = arrays["sstats"], arrays["alpha"], arrays["eta"]
            num_docs = int(arrays["num_docs"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _unreadable(LDA_FILE, error) from None
    topics, words = sstats.shape if sstats.ndim == 2 else (0, 0)
    if alpha.shape != (topics,) or eta.shape not in ((words,), (topics, words)):
        raise _unreadable(LDA_FILE, "the arrays' shapes do not fit together")
    if words != len(dictionary):
        raise _unreadable(LDA_FILE, f"{words} words, the dictionary has {len(dictionary)}")
    return build_lda(dictionary, sstats, alpha=alpha, eta=eta, num_docs=num_docs, seed=seed)


def save_dictionary(dictionary: Dictionary, directory: Path) -> None:
    """Write the dictionary to `directory/dictionary.json`: tokens and document
    frequencies by id, and the corpus counts."""
    ids = range(len(dictionary))
    data = {
        "tokens": [dictionary[i] for i in ids],
        "dfs": [int(dictionary.dfs.get(i, 0)) for i in ids],
        "num_docs": dictionary.num_docs,
        "num_pos": dictionary.num_pos,
        "num_nnz": dictionary.num_nnz,
    }
    (directory / DICTIONARY_FILE).write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def load_dictionary(directory: Path) -> Dictionary:
    """The dictionary written by `save_dictionary`.

    Raises:
        ModelIntegrityError: the file is not such a dictionary.
    """
    from gensim.corpora import Dictionary

    try:
        data: dict[str, Any] = json.loads((directory / DICTIONARY_FILE).read_text("utf-8"))
        tokens, dfs = [str(t) for t in data["tokens"]], [int(n) for n in data["dfs"]]
        counts = [int(data[key]) for key in ("num_docs", "num_pos", "num_nnz")]
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise _unreadable(DICTIONARY_FILE, error) from None
    if len(dfs) != len(tokens) or len(set(tokens)) != len(tokens):
        raise _unreadable(DICTIONARY_FILE, "tokens and frequencies do not match one to one")
    dictionary = Dictionary()
    dictionary.token2id = {token: index for index, token in enumerate(tokens)}
    dictionary.dfs = dict(enumerate(dfs))
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = counts
    return dictionary


def _unreadable(name: str, reason: object) -> ModelIntegrityError:
    if isinstance(reason, OSError):  # its text holds the file's path
        reason = "missing or unreadable"
    return ModelIntegrityError(
        f"the topic model's {name} cannot be read ({reason}); retrain the model with `radar train`"
    )
