from datetime import datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from features.documents import COMMENTS, TRANSCRIPT, Document
from radar.matching.profiles import MAX_EVIDENCE_LINES, evidence_lines
from radar.matching.reasons import (
    Evidence,
    KeywordRarity,
    Quoted,
    QuoteTrail,
    Reasons,
    explain,
)

PET_LINES = [
    "加拿大的宠物饮水机会不会有泪痕",
    "喵小鱼的宠物沐浴露会不会有泪痕",
    "驱虫药多久用一次",
    "宠物店买的驱虫药狗狗不爱吃",
]
PET_CATALOGUE = KeywordRarity.of_catalogue(
    [["宠物", "驱虫药"], ["宠物", "沐浴露"], ["宠物", "饮水机"], ["宠物", "猫砂"]]
    + [["宠物", f"玩具{n}"] for n in range(16)]
    + [[f"别的{n}"] for n in range(20)]
)
"""Forty products, half of them pet products: 宠物 is a word of the topic, not of one."""


def explain_list(
    product_tokens: list[list[str]],
    host_keywords: list[str],
    lines: list[str],
    *,
    rarity: KeywordRarity | None = None,
    categories: list[str | None] | None = None,
) -> list[Reasons]:
    """Reasons for one host's list of products sharing one topic with it."""
    count = len(product_tokens)
    return explain(
        np.array([0.9, 0.1]),
        np.tile([0.8, 0.2], (count, 1)),
        labels=["宠物", "其他"],
        product_tokens=product_tokens,
        host_keywords=host_keywords,
        evidence=Evidence(lines),
        rarity=rarity,
        product_categories=categories,
    )


def test_reasons_name_shared_topics_keywords_and_fan_lines() -> None:
    [reasons] = explain(
        np.array([0.7, 0.2, 0.1]),
        np.array([[0.8, 0.1, 0.1]]),
        labels=["彩妆", "护肤", "服饰"],
        product_tokens=[["粉底液", "持妆", "新品"]],
        host_keywords=["口红", "粉底液", "持妆"],
        evidence=Evidence(["油皮能用这个粉底液吗", "哈哈", "主播今天好美", "这个持妆多久"]),
    )
    assert reasons.topics[0].label == "彩妆"
    assert set(reasons.keywords) == {"粉底液", "持妆"}  # the words both use; 新品 unused
    assert set(reasons.evidence) == {"油皮能用这个粉底液吗", "这个持妆多久"}
    assert reasons.text.startswith("共同主题：彩妆(")
    assert "匹配关键词：" in reasons.text and "粉丝/直播原话：「" in reasons.text
    assert reasons.to_dict()["keywords"] == reasons.keywords


def test_no_overlap_still_gives_a_sentence() -> None:
    [reasons] = explain(
        np.array([1.0, 0.0]),
        np.array([[0.0, 1.0]]),
        labels=["a", "b"],
        product_tokens=[["x"]],
        host_keywords=[],
        evidence=Evidence([]),
    )
    assert reasons.text == "综合匹配度高"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="粉底液持妆好\n", max_size=8), max_size=12),
    st.text(alphabet="粉底液持妆", min_size=1, max_size=3),
    st.integers(1, 5),
)
def test_evidence_finds_what_a_plain_scan_finds(
    lines: list[str], keyword: str, enough: int
) -> None:
    plain = [line for line in lines if keyword in line][:enough]
    assert Evidence(lines, enough=enough).mentions(keyword) == plain


def test_the_quote_holds_the_products_most_distinctive_shared_word() -> None:
    """The host says 宠物 most, but 宠物 is every pet product's word: the quote for the
    worming product is a line about worming, not one about a shampoo or a water fountain."""
    [reasons] = explain_list(
        [["宠物", "驱虫药"]], ["宠物", "泪痕", "驱虫药"], PET_LINES, rarity=PET_CATALOGUE
    )
    assert reasons.evidence and all("驱虫药" in quote for quote in reasons.evidence)
    assert reasons.keywords[0] == "驱虫药"  # the quote's word is shown first


def test_no_quote_rather_than_one_about_another_product() -> None:
    """Only the topic's word is shared with the lines: no quote, still a reason."""
    [reasons] = explain_list(
        [["宠物", "冻干"]], ["宠物", "泪痕", "冻干"], PET_LINES, rarity=PET_CATALOGUE
    )
    assert reasons.evidence == []
    assert reasons.keywords == ["冻干", "宠物"]
    assert "粉丝/直播原话" not in reasons.text and "匹配关键词：冻干、宠物" in reasons.text


def test_no_quote_when_no_line_holds_a_word_of_the_product() -> None:
    [reasons] = explain_list([["猫砂", "结团"]], ["猫砂", "结团"], PET_LINES)
    assert reasons.evidence == [] and reasons.keywords == ["猫砂", "结团"]


def test_a_line_about_another_product_above_in_the_list_is_not_quoted() -> None:
    """「旺财的宠物沐浴露有大号吗」 holds the worming drops' brand, but it is about the shampoo
    listed above them."""
    shampoo, drops = explain_list(
        [["喵小鱼", "沐浴露"], ["旺财", "驱虫药"]],
        ["驱虫药", "沐浴露", "旺财"],
        ["旺财的宠物沐浴露有大号吗", "家里猫用了驱虫药很喜欢"],
        rarity=PET_CATALOGUE,
    )
    assert shampoo.evidence == ["旺财的宠物沐浴露有大号吗"]
    assert drops.evidence == ["家里猫用了驱虫药很喜欢"]


def test_a_category_word_is_no_word_of_the_product() -> None:
    """A product's document holds its category's name; quoting it would quote the topic."""
    [reasons] = explain_list(
        [["宠物", "用品", "饮水机"]],
        ["用品", "饮水机"],
        ["宠物用品都在这里", "饮水机好用吗"],
        categories=["宠物用品"],
    )
    assert reasons.evidence == ["饮水机好用吗"]


def test_a_list_does_not_repeat_a_quote_while_others_exist() -> None:
    lines = ["驱虫药多久用一次", "驱虫药狗狗不爱吃", "驱虫药猫咪能用吗", "驱虫药是进口的吗"]
    reasons = explain_list([["驱虫药"], ["驱虫药"]], ["驱虫药"], lines)
    first, second = (r.evidence for r in reasons)
    assert len(first) == len(second) == 2 and not set(first) & set(second)


def test_a_quote_is_repeated_only_when_no_other_exists() -> None:
    reasons = explain_list(
        [["驱虫药"], ["驱虫药"], ["猫砂"]], ["驱虫药", "猫砂"], ["驱虫药多久用一次", "哈哈"]
    )
    assert [r.evidence for r in reasons] == [["驱虫药多久用一次"], ["驱虫药多久用一次"], []]


def test_the_reasons_of_a_shorter_list_are_a_prefix_of_a_longer_ones() -> None:
    """The API answers a request for k products from a longer precomputed list: the first
    k products' reasons must not depend on the products below them."""
    products = [["驱虫药"], ["驱虫药", "除臭"], ["旺财", "沐浴露"], ["驱虫药"], ["猫砂"]]
    lines = [
        "驱虫药多久用一次",
        "旺财的驱虫药狗狗不爱吃",
        "驱虫药猫咪能用吗",
        "除臭效果好吗",
        "旺财沐浴露香吗",
    ]
    keywords = ["驱虫药", "除臭", "旺财", "沐浴露", "猫砂"]
    whole = [r.evidence for r in explain_list(products, keywords, lines)]
    for k in range(1, len(products)):
        assert [r.evidence for r in explain_list(products[:k], keywords, lines)] == whole[:k]
    assert len(whole[0]) == 2 and not set(whole[0]) & set(whole[1])
    assert whole[2] == ["旺财沐浴露香吗"]  # not the line about the drops above it
    [again] = whole[3]  # nothing new left: its best line, quoted above
    assert again in whole[0] + whole[1]


def test_a_long_line_is_cut_around_the_word_it_is_quoted_for() -> None:
    line = "家人们今天给大家带来的是我们家的爆款" * 4 + "驱虫药体内外一起驱" + "好不好用" * 10
    [reasons] = explain_list([["驱虫药"]], ["驱虫药"], [line])
    [quote] = reasons.evidence
    assert "驱虫药" in quote and len(quote) <= 62
    assert quote.startswith("…") and quote.endswith("…")


def test_words_are_found_whatever_the_case_of_the_line() -> None:
    """The model's words are lower-cased; fans write 维生素C."""
    [reasons] = explain_list([["维生素c"]], ["维生素c"], ["营养家的维生素C有蓝帽子吗"])
    assert reasons.evidence == ["营养家的维生素C有蓝帽子吗"]


def test_rarity_counts_products_not_occurrences() -> None:
    rarity = KeywordRarity.of_catalogue([["猫砂", "猫砂", "除臭"], ["猫砂"], ["狗粮"]])
    assert rarity.products_with("猫砂") == 2 and rarity.products_with("除臭") == 1
    assert rarity.products_with("没有") == 0 and rarity.products == 3


def test_rarity_of_a_large_catalogue_reads_a_sample() -> None:
    catalogue = [["常见", "少见"] if row % 3 == 0 else ["常见"] for row in range(1000)]
    rarity = KeywordRarity.of_catalogue(catalogue, sample=100)
    assert rarity.products == 100 and rarity.products_with("常见") == 100
    assert abs(rarity.products_with("少见") - 33) <= 3  # a third of the products


def test_a_host_keeps_distinct_lines_to_quote_newest_first() -> None:
    """Fans repeat themselves (bots, chants): the lines kept to quote are distinct, so a
    list has as many lines to choose from as the host has said."""
    day = datetime(2026, 11, 2)
    fans = [
        Document(COMMENTS, "c1", "驱虫药多久用一次\n 驱虫药多久用一次 \n\n猫砂结团吗", "h", day),
        Document(COMMENTS, "c2", "驱虫药多久用一次\n冻干好吃吗", "h", day + timedelta(days=1)),
    ]
    talk = [Document(TRANSCRIPT, "t1", "今天上新驱虫药。猫砂结团吗！", "h", day)]
    assert evidence_lines(talk, fans) == [
        "驱虫药多久用一次",
        "冻干好吃吗",
        "猫砂结团吗",
        "今天上新驱虫药",
    ]
    many = [Document(COMMENTS, "c", "\n".join(f"第{n}句" for n in range(1000)), "h", day)]
    assert evidence_lines([], many * 2) == [f"第{n}句" for n in range(MAX_EVIDENCE_LINES)]


def test_a_list_explained_after_its_head_gets_the_reasons_of_one_pass() -> None:
    """A list's tail explained from where its head left the quotes (`QuoteTrail`) gets the
    reasons it gets in one pass: no line quoted above again, no line naming a product
    above; and only the keywords and lines the head was explained from continue it."""
    products = [["旺财", "驱虫药"], ["驱虫药"], ["喵小鱼", "沐浴露"], ["驱虫药"], ["沐浴露"]]
    keywords = ["驱虫药", "沐浴露", "旺财", "喵小鱼"]
    lines = [
        "旺财驱虫药多久用一次",
        "驱虫药狗狗不爱吃",
        "喵小鱼的沐浴露有大号吗",
        "驱虫药猫咪能用吗",
        "沐浴露好香",
        "旺财的沐浴露呢",
    ]
    whole = explain_list(products, keywords, lines, rarity=PET_CATALOGUE)
    for split in range(1, len(products)):
        head = explain_list(products[:split], keywords, lines, rarity=PET_CATALOGUE)
        trail = QuoteTrail([reasons.quoted for reasons in head], keywords, lines)
        tail = explain(
            np.array([0.9, 0.1]),
            np.tile([0.8, 0.2], (len(products) - split, 1)),
            labels=["宠物", "其他"],
            product_tokens=products[split:],
            host_keywords=keywords,
            evidence=Evidence(lines),
            rarity=PET_CATALOGUE,
            after=trail.head(split, keywords, lines),
        )
        assert head + tail == whole
        assert [r.evidence for r in head + tail] == [r.evidence for r in whole]
    assert [r.evidence for r in whole[1:]] != [
        r.evidence for r in explain_list(products[1:], keywords, lines, rarity=PET_CATALOGUE)
    ]
    assert trail.head(2, keywords, lines[::-1]) is None
    assert trail.head(2, keywords[::-1], lines) is None


def test_a_quote_trail_gives_back_what_it_packed() -> None:
    keywords = ["猫砂", "驱虫药", "沐浴露"]
    quoted = [Quoted(["驱虫药", "猫砂"], [0]), Quoted([], []), Quoted(["沐浴露"], [2, 70_000])]
    for kept in (quoted[:2], quoted):  # two bytes a number, and wider where one needs it
        trail = QuoteTrail(kept, keywords, ["b"])
        assert trail.head(1, keywords, ["b"]) == Quoted(["驱虫药", "猫砂"], [0])
        assert trail.head(2, keywords, ["b"]) == Quoted(["驱虫药", "猫砂"], [0])
        assert trail.head(len(kept) + 1, keywords, ["b"]) is None  # more than it holds
        assert trail.head(0, keywords, ["b"]) is None
    assert trail.head(3, keywords, ["b"]) == Quoted(["驱虫药", "猫砂", "沐浴露"], [0, 2, 70_000])


def test_a_quote_trail_gives_back_the_lines_its_list_looked_up() -> None:
    """The rows each keyword's lookup found while explaining a list come back for the same
    keywords and lines only; an `Evidence` given them takes them instead of searching."""
    keywords = ["猫砂", "驱虫药", "沐浴露"]
    lines = ["驱虫药多久用一次", "猫砂结团吗", "驱虫药猫咪能用吗"]
    searched = Evidence(lines)
    searched.readable_rows("驱虫药")
    searched.readable_rows("冻干")  # not a keyword of the host: not kept
    assert searched.found() == {"驱虫药": [0, 2], "冻干": []}
    trail = QuoteTrail([Quoted(["驱虫药"], [0])], keywords, lines, searched.found())
    assert trail.lines_found(keywords, lines) == {"驱虫药": [0, 2]}
    assert trail.lines_found(keywords, lines[::-1]) == {}
    assert trail.lines_found(keywords[::-1], lines) == {}
    assert QuoteTrail([], keywords, lines, {"沐浴露": [70_000]}).lines_found(keywords, lines) == {
        "沐浴露": [70_000]
    }  # wider numbers too
    given = Evidence(lines, found={"驱虫药": [2]})
    assert given.readable_rows("驱虫药") == [(2, "驱虫药猫咪能用吗")]  # taken, not searched
    assert given.readable_rows("猫砂") == [(1, "猫砂结团吗")]  # searched
