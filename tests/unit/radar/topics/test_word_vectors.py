"""Word vectors: pickle-free, and closer for texts about the same things."""

import zipfile
from pathlib import Path

import numpy as np

from radar.topics.word_vectors import FILE, WordVectors

THEMES = {
    "makeup": ["口红", "粉底", "显白", "持妆", "色号", "遮瑕", "控油", "眼影"],
    "winter": ["羽绒服", "保暖", "轻薄", "围巾", "加厚", "防风", "毛衣", "棉服"],
}


def corpus() -> list[list[str]]:
    rng = np.random.default_rng(0)
    return [
        list(rng.choice(THEMES[theme], size=6))
        for _ in range(150)
        for theme in ("makeup", "winter")
    ]


def test_texts_about_the_same_things_are_closer() -> None:
    words = WordVectors.fit(corpus(), dimensions=8)
    lipstick, foundation, coat = words.embed(
        [["口红", "色号"], ["粉底", "遮瑕"], ["羽绒服", "保暖"]]
    )
    assert np.isclose(np.linalg.norm(lipstick), 1.0, atol=1e-5)
    assert lipstick @ foundation > lipstick @ coat


def test_a_text_of_unknown_words_has_no_vector() -> None:
    words = WordVectors.fit(corpus(), dimensions=8)
    np.testing.assert_array_equal(words.embed([["图书", "小说"]])[0], np.zeros(8))
    assert words.embed([]).shape == (0, 8)


def test_saved_vectors_load_back_equal_and_hold_no_pickle(tmp_path: Path) -> None:
    words = WordVectors.fit(corpus(), dimensions=8)
    words.save(tmp_path)
    with zipfile.ZipFile(tmp_path / FILE) as archive, np.load(tmp_path / FILE) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)
        assert len(archive.namelist()) == 4
    loaded = WordVectors.load(tmp_path)
    assert loaded is not None and loaded.words == words.words
    np.testing.assert_array_equal(loaded.embed([["口红"]]), words.embed([["口红"]]))
    assert WordVectors.load(tmp_path / "nowhere") is None
