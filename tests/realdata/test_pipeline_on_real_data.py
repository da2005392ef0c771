"""The text pipeline over all real reviews and live-room transcripts in ../shared/data."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from features.danmaku import DanmakuFilter
from features.pipeline import TextPipeline

pytestmark = pytest.mark.realdata

# Written here, independently of the shipped lists: words that must never lead a topic.
FILLERS = frozenset(
    """
    的 了 是 我 你 他 她 它 我们 你们 大家 这个 那个 就是 然后 还是 没有 什么 一个 一下 今天
    现在 可以 觉得 感觉 非常 真的 就 都 也 很 还 在 有 和 吧 啊 呢 嗯 哦 家人们 宝宝们 姐妹们
    直播间 链接 上链接 下单 福利 秒杀 到手价 价格 主播 不错 好评 满意 东西 购买 发货 快递
    九十九 一百 三百 两个
    """.split()
)


def column(path: Path, name: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row[name] for row in csv.DictReader(handle) if row[name]]


def top_tokens(texts: list[str], n: int) -> list[str]:
    counts: Counter[str] = Counter()
    for tokens in TextPipeline().tokenize_many(texts):
        counts.update(tokens)
    return [word for word, _ in counts.most_common(n)]


def test_reviews_lead_with_content_words(shared_data: Path) -> None:
    reviews = column(shared_data / "reviews" / "online_shopping_10_cats.csv", "review")
    assert len(reviews) > 60_000
    top = top_tokens(reviews, 50)
    print("top review tokens:", " ".join(top))
    assert not FILLERS & set(top)
    category_words = {
        "酒店",
        "房间",
        "手机",
        "屏幕",
        "衣服",
        "味道",
        "水果",
        "洗发水",
        "蒙牛",
        "电脑",
        "系统",
        "热水器",
        "平板",
        "书",
    }
    assert len(category_words & set(top)) >= 8


def test_live_transcripts_lead_with_product_words(shared_data: Path) -> None:
    transcripts = column(shared_data / "livestream" / "asr_segments.csv", "asr_text")
    assert len(transcripts) > 5_000
    top = top_tokens(transcripts, 40)
    print("top transcript tokens:", " ".join(top))
    assert not FILLERS & set(top)
    product_words = {
        "叶黄素",
        "鱼油",
        "成分",
        "皮肤",
        "蛋白质",
        "粉底液",
        "胶原蛋白",
        "防晒",
        "营养",
        "眼睛",
        "洗面奶",
        "蛋白粉",
        "肌肤",
        "效果",
    }
    assert len(product_words & set(top)) >= 8


def test_danmaku_filter_drops_chants_and_keeps_talk(shared_data: Path) -> None:
    danmaku = column(shared_data / "danmaku" / "bili_topic_danmaku.csv", "danmaku")
    keep = DanmakuFilter()
    reasons = Counter(keep.reason(text) for text in danmaku)
    print("danmaku verdicts:", dict(reasons))
    kept_share = reasons[None] / len(danmaku)
    assert 0.3 < kept_share < 0.95
    assert reasons["chant"] > 0.02 * len(danmaku)
    assert reasons["repeat"] > 0
