"""The topic-model artifact: featurisation, gensim Dictionary and LDA in one object.

A scikit-learn estimator (`BaseEstimator`): `__init__` only stores hyperparameters
(`get_params`/`set_params`/`clone` come from its signature), `fit` validates them and
returns `self`, learned state ends in `_`, `NotFittedError` before `fit`, and `transform`
gives one topic distribution per text (rows sum to 1). `save`/`load` keep gensim's
parts as arrays and JSON (`radar.topics.storage`), never as gensim's pickles, plus
`manifest.json`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from features.pipeline import PipelineConfig, TextPipeline
from features.wordlists import UserWord
from radar.atomic import atomic_directory
from radar.errors import ModelIntegrityError, RadarError
from radar.topics.cvb0 import cvb0_topic_word_counts, lda_from_counts
from radar.topics.inference import infer_document, infer_topic_weights
from radar.topics.storage import load_dictionary, load_lda, save_dictionary, save_lda

if TYPE_CHECKING:
    from gensim.corpora import Dictionary

SCHEMA_VERSION = 2
"""2: gensim's parts as arrays and JSON. 1 kept them as gensim's pickles: refused."""
PICKLED_SCHEMA_VERSION, PICKLED_LDA_FILE = 1, "lda"
CVB0, VB = "cvb0", "vb"
CVB0_ALPHA, CVB0_ETA = 0.02, 0.1
"""CVB0's training priors: sparse document mixtures of smooth-enough topics."""
TRAINER_DEFAULTS: dict[str, dict[str, int | float]] = {
    CVB0: {"sweeps": 150, "inference_alpha": 2.0},
    VB: {"passes": 10, "iterations": 100, "chunksize": 2000},
}
"""Each trainer's own parameters and their defaults (taken when left None); the other
trainer ignores them, so `fit` refuses them there."""
DEFAULT_PIPELINE = PipelineConfig()
_LIBRARIES = ("selection-radar", "gensim", "numpy", "scipy", "jieba", "rjieba")

logger = logging.getLogger(__name__)


class NotFittedError(RadarError, SklearnNotFittedError):
    """A method that needs a trained model was called before `fit`."""


class TopicModel(BaseEstimator):
    """LDA topics over Chinese text, carrying its whole featurisation.

    Trained by CVB0 (`trainer="cvb0"`, the default: `radar.topics.cvb0`, `sweeps`,
    training priors `alpha`/`eta`, document prior for inference `inference_alpha`) or by
    gensim's online variational Bayes (`trainer="vb"`: `passes`, `iterations`,
    `chunksize`, `alpha`, `eta`); either way the topics live in a gensim `LdaModel`. A
    trainer's own parameters left None take `TRAINER_DEFAULTS`; given to the other
    trainer, which would ignore them, they are refused by `fit`.

    Example:
        >>> texts = ["粉底液持妆控油", "口红色号显白", "羽绒服保暖轻薄", "阔腿裤显瘦垂感"] * 20
        >>> model = TopicModel(num_topics=2, sweeps=50, no_below=1, no_above=1.0).fit(texts)
        >>> model.transform(["这款粉底液控油吗"]).shape
        (1, 2)
    """

    _files: Path  # a loaded model's folder, for the parts read on first use

    def __init__(
        self,
        num_topics: int = 20,
        *,
        trainer: str = CVB0,
        sweeps: int | None = None,
        inference_alpha: float | None = None,
        passes: int | None = None,
        iterations: int | None = None,
        chunksize: int | None = None,
        alpha: str | float | None = None,
        eta: str | float | None = None,
        no_below: int = 5,
        no_above: float = 0.5,
        keep_n: int = 100_000,
        random_state: int = 0,
        inference_max_iter: int = 100,
        inference_tol: float = 1e-3,
        pipeline: PipelineConfig = DEFAULT_PIPELINE,
    ) -> None:
        self.num_topics = num_topics
        self.trainer = trainer
        self.sweeps = sweeps
        self.inference_alpha = inference_alpha
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.random_state = random_state
        self.inference_max_iter = inference_max_iter
        self.inference_tol = inference_tol
        self.pipeline = pipeline

    # -- learning ---------------------------------------------------------------------

    def fit(self, texts: Sequence[str], y: object = None) -> TopicModel:
        """Tokenise `texts` with the model's pipeline and train the LDA on them (`y` is
        ignored: scikit-learn's signature)."""
        self._check_params()
        texts = list(texts)
        if len(texts) < 2:
            raise ValueError(f"fit needs at least 2 texts, got {len(texts)}")
        self.pipeline_ = TextPipeline(self.pipeline)
        tokens = [self.pipeline_.tokenize(text) for text in texts]
        self.fingerprint_ = fingerprint(texts)
        self._fit_tokens(tokens)
        return self

    def fit_tokens(self, tokens: Sequence[Sequence[str]]) -> TopicModel:
        """`fit` for texts already tokenised by this model's pipeline (benchmarks reuse one
        tokenisation across trainers); the fingerprint is taken over the tokens."""
        self._check_params()
        self.pipeline_ = TextPipeline(self.pipeline)
        self.fingerprint_ = fingerprint(" ".join(doc) for doc in tokens)
        self._fit_tokens([list(doc) for doc in tokens])
        return self

    def _fit_tokens(self, tokens: list[list[str]]) -> None:
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        self.__dict__.pop("_top_words", None)  # a refit has other topics
        dictionary = Dictionary(tokens)
        dictionary.filter_extremes(
            no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n
        )
        if len(dictionary) < self.num_topics:
            raise ValueError(
                f"only {len(dictionary)} words survive filter_extremes(no_below={self.no_below},"
                f" no_above={self.no_above}): too little text for {self.num_topics} topics"
            )
        started = time.perf_counter()
        if self.trainer == CVB0:
            eta = float(CVB0_ETA if self.eta is None else self.eta)
            counts = cvb0_topic_word_counts(
                _bag_of_words(tokens, dictionary),
                self.num_topics,
                alpha=float(CVB0_ALPHA if self.alpha is None else self.alpha),
                eta=eta,
                sweeps=int(self._trainer_param("sweeps")),
                seed=self.random_state,
            )
            self.lda_ = lda_from_counts(
                counts,
                dictionary,
                alpha=float(self._trainer_param("inference_alpha")),
                eta=eta,
                num_docs=len(tokens),
                seed=self.random_state,
            )
        else:
            self.lda_ = LdaModel(
                corpus=[dictionary.doc2bow(doc) for doc in tokens],
                id2word=dictionary,
                num_topics=self.num_topics,
                passes=self._trainer_param("passes"),
                iterations=self._trainer_param("iterations"),
                chunksize=self._trainer_param("chunksize"),
                alpha="asymmetric" if self.alpha is None else self.alpha,
                eta=self.eta,
                random_state=self.random_state,
                eval_every=None,
            )
        self.training_seconds_ = time.perf_counter() - started
        self.dictionary_ = dictionary
        self.n_documents_ = len(tokens)
        self.n_tokens_ = sum(len(doc) for doc in tokens)
        self.trained_at_ = datetime.now(UTC).isoformat(timespec="seconds")
        self.topic_labels_ = [" · ".join(words[:3]) for words in self.top_words(3)]

    # -- using ------------------------------------------------------------------------

    def tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        """The model's own tokens for `texts` (what it counts)."""
        self._check_fitted()
        return [self.pipeline_.tokenize(text) for text in texts]

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """One topic distribution per text: an array of shape (len(texts), num_topics)."""
        return self.transform_tokens(self.tokenize(texts))

    def transform_tokens(self, tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """`transform` for texts already tokenised by `tokenize`."""
        self._check_fitted()
        beta, alpha = self.lda_.expElogbeta, np.asarray(self.lda_.alpha, dtype=np.float64)
        steps, tol = self.inference_max_iter, self.inference_tol
        if len(tokens) == 1:  # a free text: no sparse matrix, which cost as much as inferring
            counts = _word_counts(tokens[0], self.dictionary_.token2id)
            words = np.fromiter(counts, np.int32, len(counts))
            numbers = np.fromiter(counts.values(), np.float64, len(counts))
            weights = infer_document(words, numbers, beta, alpha, max_iter=steps, tol=tol)
            return weights[np.newaxis, :]
        return infer_topic_weights(self.bag_of_words(tokens), beta, alpha, max_iter=steps, tol=tol)

    def bag_of_words(self, tokens: Sequence[Sequence[str]]) -> csr_matrix:
        """Word counts over the model's dictionary, one row per document."""
        self._check_fitted()
        return _bag_of_words(tokens, self.dictionary_)

    def topic_words(self, topn: int = 10) -> list[list[tuple[str, float]]]:
        """Each topic's `topn` most probable words with their probabilities."""
        self._check_fitted()
        return [
            [(word, float(weight)) for word, weight in self.lda_.show_topic(topic, topn=topn)]
            for topic in range(self.num_topics)
        ]

    def top_words(self, topn: int = 10) -> list[list[str]]:
        """Each topic's `topn` most probable words (worked out once per `topn`: each topic's
        words are sorted over the whole vocabulary, too slow to repeat per request)."""
        known: dict[int, list[list[str]]] = self.__dict__.setdefault("_top_words", {})
        if topn not in known:
            known[topn] = [[word for word, _ in topic] for topic in self.topic_words(topn)]
        return [list(words) for words in known[topn]]

    def topic_word_matrix(self) -> np.ndarray:
        """topics × vocabulary word probabilities (rows sum to 1)."""
        self._check_fitted()
        return np.asarray(self.lda_.get_topics())

    def set_labels(self, labels: dict[int, str]) -> None:
        """Give topics human labels (topic index → label); others keep their top words."""
        self._check_fitted()
        for topic, label in labels.items():
            if not 0 <= topic < self.num_topics:
                raise ValueError(f"topic {topic} does not exist (0..{self.num_topics - 1})")
            self.topic_labels_[topic] = label

    def trainer_params(self) -> dict[str, Any]:
        """The chosen trainer's own parameters as it trains with them (defaults filled in)."""
        return {name: self._trainer_param(name) for name in TRAINER_DEFAULTS[self.trainer]}

    def json_params(self) -> dict[str, Any]:
        """`get_params()` as plain JSON-ready data (the pipeline as a dict)."""
        return {**self.get_params(), "pipeline": self.pipeline.to_dict()}

    # -- persistence ------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the model to `directory` atomically (a half-written model is never seen)."""
        self._check_fitted()
        with atomic_directory(Path(directory)) as staging:
            save_lda(self.lda_, staging)
            save_dictionary(self.dictionary_, staging)
            _write_json(
                staging / "pipeline.json",
                {
                    "config": self.pipeline.to_dict(),
                    "user_words": [[w.word, w.freq, w.tag] for w in self.pipeline_.user_words],
                    "stopwords": sorted(self.pipeline_.stopwords),
                },
            )
            _write_json(staging / "topics.json", {"labels": self.topic_labels_})
            _write_json(staging / "manifest.json", self.manifest())

    @classmethod
    def load(cls, directory: Path) -> TopicModel:
        """Read a model written by `save`; refuses a schema version it does not know.

        Raises:
            ModelIntegrityError: the model was saved with gensim's pickles (schema 1), which
                are never read: unpickling runs whatever code the file holds.
        """
        directory = Path(directory)
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        version = manifest.get("schema_version")
        if version == PICKLED_SCHEMA_VERSION or (directory / PICKLED_LDA_FILE).exists():
            raise ModelIntegrityError(
                "this topic model was saved in a format that can run code (gensim's pickles, "
                "schema 1) and is not loaded; retrain it with `radar train` (then promote "
                "the new version if the gate does not)"
            )
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"this topic model is of schema version {version!r}; this radar reads version "
                f"{SCHEMA_VERSION}. Retrain it (radar train), or load it with the radar "
                "version that wrote it."
            )
        model = cls(**_saved_params(manifest["params"]))
        snapshot = json.loads((directory / "pipeline.json").read_text(encoding="utf-8"))
        model.pipeline_ = TextPipeline(
            model.pipeline,
            user_words=[UserWord(*entry) for entry in snapshot["user_words"]],
            stopwords=snapshot["stopwords"],
        )
        model._files = directory  # gensim's part is read on first use: see __getattr__
        topics = json.loads((directory / "topics.json").read_text(encoding="utf-8"))
        model.topic_labels_ = topics["labels"]
        model.fingerprint_ = manifest["training_data"]["fingerprint"]
        model.n_documents_ = manifest["training_data"]["documents"]
        model.n_tokens_ = manifest["training_data"]["tokens"]
        model.trained_at_ = manifest["trained_at"]
        model.training_seconds_ = manifest["training_seconds"]
        return model

    def manifest(self) -> dict[str, Any]:
        """What `manifest.json` records: schema, library versions, params (and the
        trainer's as it trained), data, time."""
        self._check_fitted()
        return {
            "schema_version": SCHEMA_VERSION,
            "libraries": _library_versions(),
            "params": self.json_params(),
            "trainer_params": self.trainer_params(),  # as trained: defaults filled in
            "training_data": {
                "fingerprint": self.fingerprint_,
                "documents": self.n_documents_,
                "tokens": self.n_tokens_,
                "vocabulary": len(self.dictionary_),
            },
            "trained_at": self.trained_at_,
            "training_seconds": round(self.training_seconds_, 3),
        }

    # -- helpers ----------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        """A loaded model reads `lda_` and `dictionary_` from its files when first asked:
        scoring from stored profiles and product vectors needs neither (nor gensim's
        import, which is slow)."""
        if name in ("lda_", "dictionary_") and "_files" in self.__dict__:
            files: Path = self.__dict__["_files"]
            dictionary = load_dictionary(files)
            self.lda_ = load_lda(files, dictionary, seed=self.random_state)
            self.dictionary_ = dictionary
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_fitted(self) -> None:
        if "lda_" not in self.__dict__ and "_files" not in self.__dict__:  # fitted or loaded
            raise NotFittedError(
                "this TopicModel is not fitted yet: call fit(texts) or TopicModel.load(dir)"
            )

    def _trainer_param(self, name: str) -> Any:
        value = getattr(self, name)
        return TRAINER_DEFAULTS[self.trainer][name] if value is None else value

    def _check_params(self) -> None:
        """Refuse hyperparameters that are invalid, or that the chosen trainer ignores."""
        if not isinstance(self.num_topics, int) or self.num_topics < 2:
            raise ValueError(f"num_topics must be an integer ≥ 2, got {self.num_topics!r}")
        if self.trainer not in TRAINER_DEFAULTS:
            raise ValueError(f"trainer must be {CVB0!r} or {VB!r}, got {self.trainer!r}")
        own = TRAINER_DEFAULTS[self.trainer]
        for trainer, theirs in TRAINER_DEFAULTS.items():
            given = [name for name in theirs if getattr(self, name) is not None]
            if trainer != self.trainer and given:
                raise ValueError(
                    f"{given[0]} is a parameter of the {trainer!r} trainer, which the "
                    f"{self.trainer!r} trainer ignores: drop it, or set trainer={trainer!r} "
                    f"(the {self.trainer!r} trainer's own: {', '.join(own)})"
                )
        if self.trainer == CVB0 and not all(
            prior is None or (isinstance(prior, int | float) and prior > 0)
            for prior in (self.alpha, self.eta, self.inference_alpha)
        ):
            raise ValueError("CVB0 training takes positive numbers for alpha, eta, inference_alpha")
        whole = [name for name in own if name != "inference_alpha"]
        for name in (*whole, "no_below", "inference_max_iter"):
            value = self._trainer_param(name) if name in own else getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not 0 < self.no_above <= 1:
            raise ValueError(f"no_above must be in (0, 1], got {self.no_above!r}")
        if not isinstance(self.pipeline, PipelineConfig):
            raise ValueError(f"pipeline must be a PipelineConfig, got {self.pipeline!r}")


def _saved_params(saved: dict[str, Any]) -> dict[str, Any]:
    """The constructor's arguments from a manifest's `params`. Models saved before the
    trainers' parameters were told apart recorded both trainers'; the ones their trainer
    ignored are dropped."""
    params = {**saved, "pipeline": PipelineConfig.from_dict(saved["pipeline"])}
    params.setdefault("trainer", VB)  # written before CVB0 training existed
    for trainer, own in TRAINER_DEFAULTS.items():
        if trainer != params["trainer"]:
            params.update(dict.fromkeys(own))
    return params


def _bag_of_words(tokens: Sequence[Sequence[str]], dictionary: Dictionary) -> csr_matrix:
    """Word counts over `dictionary`, one row per document."""
    token2id = dictionary.token2id
    indptr: list[int] = [0]
    indices: list[int] = []
    data: list[int] = []
    for doc in tokens:
        counts = _word_counts(doc, token2id)
        indices.extend(counts)
        data.extend(counts.values())
        indptr.append(len(indices))
    shape = (len(tokens), len(dictionary))
    return csr_matrix(
        (
            np.asarray(data, np.float64),
            np.asarray(indices, np.int32),
            np.asarray(indptr, np.int64),
        ),
        shape=shape,
    )


def _word_counts(doc: Sequence[str], token2id: dict[str, int]) -> dict[int, int]:
    """How often each of the dictionary's words is in `doc`, in the order they first come."""
    counts: dict[int, int] = {}
    for token in doc:
        word = token2id.get(token)
        if word is not None:
            counts[word] = counts.get(word, 0) + 1
    return counts


def fingerprint(texts: Iterable[str]) -> str:
    """A SHA-256 over the training texts, in order."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
