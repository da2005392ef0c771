import pytest

from features.danmaku import DanmakuFilter


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("😂😂😂", "empty"),
        ("？？？", "empty"),
        ("好", "too short"),
        ("哈哈哈哈哈", "chant"),
        ("666666", "chant"),
        ("23333", "chant"),
        ("awsl", "chant"),
        ("哈哈 666 来了", "chant"),
        ("点赞点赞点赞", "chant"),
        ("上链接上链接上链接", "chant"),
        ("这个口红是什么色号", None),
        ("油皮能用吗", None),
    ],
)
def test_noise_reasons(text: str, reason: str | None) -> None:
    assert DanmakuFilter().reason(text) == reason


def test_bot_repeats_beyond_the_limit_are_dropped() -> None:
    danmaku = DanmakuFilter(max_repeats=2)
    texts = ["关注主播抽奖"] * 5 + ["关注主播抽奖!"] + ["尺码偏大吗"]
    assert list(danmaku.keep(texts)) == ["关注主播抽奖", "关注主播抽奖", "尺码偏大吗"]


def test_traditional_and_full_width_repeats_count_as_the_same_text() -> None:
    danmaku = DanmakuFilter(max_repeats=1)
    assert danmaku.reason("這個顏色好看") is None
    assert danmaku.reason("这个颜色好看") == "repeat"
