import pytest

from features.segment import Segmenter, resolve_engine
from features.wordlists import load_user_dictionary

ENGINES = ["jieba", "rjieba"]


@pytest.fixture(scope="module", params=ENGINES)
def segmenter(request: pytest.FixtureRequest) -> Segmenter:
    return Segmenter(request.param, load_user_dictionary())


@pytest.mark.parametrize(
    "word", ["上链接", "家人们", "宝宝们", "拍一发", "到手价", "粉底液", "敏感肌"]
)
def test_user_dictionary_keeps_live_commerce_words_whole(segmenter: Segmenter, word: str) -> None:
    assert word in segmenter.cut(f"今天的{word}大家看一下")


def test_without_the_user_dictionary_jieba_splits_them() -> None:
    plain = Segmenter("jieba")
    assert "上链接" not in plain.cut("家人们上链接了")


def test_engines_agree_on_a_plain_sentence() -> None:
    text = "这款面霜很滋润,适合干皮秋冬用"
    words = load_user_dictionary()
    assert Segmenter("rjieba", words).cut(text) == Segmenter("jieba", words).cut(text)


def test_auto_prefers_rjieba() -> None:
    assert resolve_engine("auto") == "rjieba"
    assert resolve_engine("jieba") == "jieba"
