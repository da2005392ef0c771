import pytest

from features.normalize import NormalizeOptions
from features.pipeline import PipelineConfig, TextPipeline

SENTENCES = [
    ("家人们！这款粉底液控油持妆，到手价99元，上链接！", ["粉底液", "控油", "持妆"]),
    ("宝宝们，这个羽绒服很保暖，尺码偏大一码", ["羽绒服", "保暖", "尺码", "偏大"]),
    ("這款螺螄粉的味道太正宗了哈哈哈哈", ["螺蛳粉", "味道", "正宗"]),
    ("蓝牙耳机降噪效果怎么样？续航多久", ["蓝牙耳机", "降噪", "效果", "续航"]),
    ("三百九十九元买一套水乳，送洁面", ["水乳", "洁面"]),
]


@pytest.fixture(scope="module", params=["jieba", "rjieba"])
def pipeline(request: pytest.FixtureRequest) -> TextPipeline:
    return TextPipeline(PipelineConfig(engine=request.param))


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_tokens_are_topic_words(pipeline: TextPipeline, text: str, expected: list[str]) -> None:
    assert pipeline.tokenize(text) == expected


def test_numbers_and_quantities_are_dropped_unless_asked(pipeline: TextPipeline) -> None:
    assert pipeline.filter_tokens(["500", "九十九", "三瓶", "五十岁", "面霜"]) == ["面霜"]
    keep = TextPipeline(PipelineConfig(engine=pipeline.config.engine, drop_numbers=False))
    assert "500" in keep.filter_tokens(["500", "面霜"])


def test_extra_stopwords_and_user_words() -> None:
    config = PipelineConfig(extra_user_words=("玻色因面霜",), extra_stopwords=("保暖",))
    pipeline = TextPipeline(config)
    assert "玻色因面霜" in pipeline.tokenize("这个玻色因面霜好用吗")
    assert "保暖" not in pipeline.tokenize("羽绒服很保暖")


def test_config_round_trips_through_plain_data() -> None:
    config = PipelineConfig(
        normalize=NormalizeOptions(replace_prices=False), extra_stopwords=("保暖",), engine="jieba"
    )
    assert PipelineConfig.from_dict(config.to_dict()) == config


def test_tokenize_many_is_lazy() -> None:
    pipeline = TextPipeline()
    stream = pipeline.tokenize_many(iter(["口红色号", "面霜"]))
    assert next(stream) == ["口红", "色号"]
