"""The topic-model artifact: known answers, invariants, persistence, errors."""

from __future__ import annotations

import inspect
import json
import os
import pickle
import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from radar.errors import ModelIntegrityError
from radar.topics import NotFittedError, TopicModel

PLANTED = {
    "makeup": "粉底液 遮瑕 持妆 控油 气垫 散粉 底妆 定妆".split(),
    "winter": "羽绒服 保暖 棉服 轻薄 鸭绒 大衣 加厚 防风".split(),
    "snacks": "螺蛳粉 酸辣 米粉 坚果 辣条 麻辣 零食 口味".split(),
    "audio": "耳机 降噪 续航 蓝牙 音质 充电 电池 耳塞".split(),
}


def planted_corpus(n_docs: int = 240, seed: int = 3) -> list[str]:
    """Documents of 24 words from one planted topic, sometimes with a second one mixed in."""
    rng = random.Random(seed)
    topics = list(PLANTED.values())
    docs = []
    for index in range(n_docs):
        main = topics[index % len(topics)]
        other = rng.choice(topics)
        words = [rng.choice(main if rng.random() < 0.85 else other) for _ in range(24)]
        docs.append("，".join(words))
    return docs


def fit_planted(seed: int) -> TopicModel:
    return TopicModel(num_topics=4, no_below=2, no_above=0.9, random_state=seed).fit(
        planted_corpus()
    )


@pytest.fixture(scope="module")
def fitted() -> TopicModel:
    return fit_planted(seed=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_topics_come_back(seed: int) -> None:
    learned = [set(words) for words in fit_planted(seed).top_words(8)]
    for name, words in PLANTED.items():
        best = max(len(set(words) & topic) for topic in learned)
        assert best >= 7, f"seed {seed}: planted topic {name} not recovered: {learned}"


def test_transform_rows_are_distributions(fitted: TopicModel) -> None:
    weights = fitted.transform(["粉底液控油持妆", "羽绒服保暖", "", "完全无关的句子"])
    assert weights.shape == (4, 4)
    assert np.all(weights >= 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)


def test_transform_puts_a_text_in_its_planted_topic(fitted: TopicModel) -> None:
    learned = fitted.top_words(8)
    makeup_topic = max(range(4), key=lambda k: len(set(PLANTED["makeup"]) & set(learned[k])))
    weights = fitted.transform(["这款粉底液遮瑕持妆，控油效果好"])
    others = np.delete(weights[0], makeup_topic)
    assert weights[0, makeup_topic] > 2 * others.max()  # clearly, despite the smoothing prior


def test_a_text_gets_the_same_weights_alone_or_in_a_batch(fitted: TopicModel) -> None:
    texts = planted_corpus(20, seed=9)
    together = fitted.transform(texts)
    alone = np.vstack([fitted.transform([text]) for text in texts])
    np.testing.assert_array_equal(together, alone)


def test_save_load_gives_the_same_transform(fitted: TopicModel, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model")
    texts = planted_corpus(30, seed=5)
    np.testing.assert_array_equal(loaded.transform(texts), fitted.transform(texts))
    assert loaded.topic_labels_ == fitted.topic_labels_
    assert loaded.get_params() == fitted.get_params()
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == 2
    assert manifest["libraries"]["gensim"]
    assert manifest["training_data"]["fingerprint"] == fitted.fingerprint_
    assert manifest["trainer_params"] == {"sweeps": 150, "inference_alpha": 2.0}


def test_a_vb_trained_model_transforms_the_same_after_save_and_load(tmp_path: Path) -> None:
    model = TopicModel(num_topics=4, trainer="vb", passes=5, no_below=2, no_above=0.9).fit(
        planted_corpus()
    )
    model.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model")
    texts = planted_corpus(30, seed=5)
    np.testing.assert_array_equal(loaded.transform(texts), model.transform(texts))
    np.testing.assert_array_equal(loaded.topic_word_matrix(), model.topic_word_matrix())


def test_a_saved_model_holds_no_pickle(fitted: TopicModel, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    names = sorted(path.name for path in (tmp_path / "model").iterdir())
    assert names == ["dictionary.json", "lda.npz", "manifest.json", "pipeline.json", "topics.json"]
    with np.load(tmp_path / "model" / "lda.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


class _Payload:
    """Unpickling this creates the folder `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


@pytest.mark.parametrize("schema_version", [1, 2])
def test_a_model_with_gensims_pickle_is_refused_unread(
    fitted: TopicModel, tmp_path: Path, schema_version: int
) -> None:
    """Saved the old way (schema 1, an `lda` pickle), or any model folder holding one."""
    folder, marker = tmp_path / "model", tmp_path / "payload-ran"
    fitted.save(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = schema_version
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "lda").write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelIntegrityError, match=r"can run code.*radar train"):
        TopicModel.load(folder).transform(["粉底液"])
    assert not marker.exists()


def test_an_lda_file_holding_objects_is_refused(fitted: TopicModel, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    fitted.save(folder)
    with np.load(folder / "lda.npz") as arrays:
        kept = {name: arrays[name] for name in arrays.files}
    np.savez(folder / "lda.npz", **{**kept, "alpha": np.array([_Payload(tmp_path / "x")])})
    loaded = TopicModel.load(folder)
    with pytest.raises(ModelIntegrityError, match=r"lda\.npz cannot be read"):
        loaded.transform(["粉底液"])
    assert not (tmp_path / "x").exists()


def test_a_loaded_model_reads_its_lda_when_first_used(fitted: TopicModel, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model")
    assert "lda_" not in vars(loaded) and "dictionary_" not in vars(loaded)
    assert loaded.topic_labels_ == fitted.topic_labels_  # labels need no LDA
    assert len(loaded.dictionary_) == len(fitted.dictionary_)
    assert "lda_" in vars(loaded)  # both parts read together
    np.testing.assert_array_equal(loaded.topic_word_matrix(), fitted.topic_word_matrix())
    loaded.save(tmp_path / "again")  # a loaded model saves whole
    again = TopicModel.load(tmp_path / "again")
    np.testing.assert_array_equal(again.topic_word_matrix(), fitted.topic_word_matrix())
    with pytest.raises(AttributeError, match="no attribute 'nothing_'"):
        _ = loaded.nothing_


def test_save_replaces_an_existing_model_whole(fitted: TopicModel, tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "stale.txt").write_text("old")
    fitted.save(tmp_path / "model")
    assert not (tmp_path / "model" / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_same_seed_same_topics_other_seed_other_topics() -> None:
    corpus = planted_corpus()
    params = {"num_topics": 4, "no_below": 2, "no_above": 0.9}
    first = TopicModel(**params, random_state=7).fit(corpus)
    again = TopicModel(**params, random_state=7).fit(corpus)
    other = TopicModel(**params, random_state=8).fit(corpus)
    np.testing.assert_array_equal(first.topic_word_matrix(), again.topic_word_matrix())
    assert not np.array_equal(first.topic_word_matrix(), other.topic_word_matrix())


def test_an_unknown_schema_version_is_refused(fitted: TopicModel, tmp_path: Path) -> None:
    fitted.save(tmp_path / "model")
    manifest_path = tmp_path / "model" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["schema_version"] = 99
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValueError, match="schema version 99"):
        TopicModel.load(tmp_path / "model")


def test_methods_before_fit_say_not_fitted() -> None:
    model = TopicModel()
    for call in (lambda: model.transform(["口红"]), lambda: model.top_words(), model.manifest):
        with pytest.raises(NotFittedError, match="not fitted"):
            call()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"num_topics": 1}, "num_topics"),
        ({"sweeps": 0}, "sweeps"),
        ({"trainer": "vb", "passes": 0}, "passes"),
        ({"no_above": 0}, "no_above"),
        ({"trainer": "gibbs"}, "trainer"),
    ],
)
def test_bad_params_are_value_errors(params: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TopicModel(**params).fit(planted_corpus(20))  # type: ignore[arg-type]


def test_too_little_text_for_the_topics_is_explained() -> None:
    with pytest.raises(ValueError, match="too little text"):
        TopicModel(num_topics=50, no_below=1).fit(["口红", "面霜", "口红 面霜"])


def test_params_are_the_constructors_own() -> None:
    """sklearn's contract: `get_params` lists `__init__`'s arguments, `set_params` and
    `clone` work, and nothing is validated before `fit`."""
    model = TopicModel(num_topics=6, trainer="vb", passes=3)
    assert isinstance(model, BaseEstimator)
    arguments = set(inspect.signature(TopicModel.__init__).parameters) - {"self"}
    assert set(model.get_params()) == arguments
    assert model.set_params(num_topics=7).get_params()["num_topics"] == 7
    assert clone(model).get_params() == model.get_params()
    TopicModel(num_topics=0, passes=3)  # refused at fit, not here


@pytest.mark.parametrize(
    ("trainer", "ignored"),
    [
        ("cvb0", {"passes": 5}),
        ("cvb0", {"iterations": 50}),
        ("cvb0", {"chunksize": 100}),
        ("vb", {"sweeps": 50}),
        ("vb", {"inference_alpha": 1.0}),
    ],
)
def test_a_parameter_the_trainer_ignores_is_refused(trainer: str, ignored: dict) -> None:
    (name,) = ignored
    model = TopicModel(num_topics=4, trainer=trainer, no_below=2, **ignored)
    with pytest.raises(
        ValueError,
        match=rf"{name} is a parameter of .* which the {trainer!r} trainer ignores: drop it",
    ):
        model.fit(planted_corpus(40))


def test_not_fitted_is_sklearns_not_fitted(fitted: TopicModel) -> None:
    assert issubclass(NotFittedError, SklearnNotFittedError)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(TopicModel())
    check_is_fitted(fitted)


def test_a_model_saved_with_every_trainers_parameters_still_loads(
    fitted: TopicModel, tmp_path: Path
) -> None:
    """Models saved before the refusal recorded VB's parameters under CVB0 (ignored then):
    they load, with those parameters dropped, and transform as before."""
    folder = tmp_path / "model"
    fitted.save(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["params"].update(
        sweeps=150, inference_alpha=2.0, passes=10, iterations=100, chunksize=2000
    )
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    loaded = TopicModel.load(folder)
    params = loaded.get_params()
    assert (params["passes"], params["iterations"], params["chunksize"]) == (None, None, None)
    assert (params["sweeps"], params["inference_alpha"]) == (150, 2.0)
    texts = planted_corpus(10, seed=5)
    np.testing.assert_array_equal(loaded.transform(texts), fitted.transform(texts))
    clone(loaded).fit(planted_corpus(40))  # its parameters train again
