import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from radar.matching.reasons import Evidence, explain


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
    assert reasons.keywords == ["粉底液", "持妆"]  # the host's most used first; 新品 unused
    assert set(reasons.evidence) == {"油皮能用这个粉底液吗", "这个持妆多久"}
    assert reasons.text.startswith("共同主题：彩妆(")
    assert "匹配关键词：粉底液、持妆" in reasons.text
    assert reasons.to_dict()["keywords"] == ["粉底液", "持妆"]


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


def test_quotes_follow_the_keywords_in_order() -> None:
    evidence = Evidence(["持妆一整天都不脱妆呢", "粉底液用完了还想买", "粉底液好用", "持妆"])
    assert evidence.quotes(["粉底液", "持妆"], 2) == ["粉底液用完了还想买", "粉底液好用"]
    assert evidence.quotes(["持妆", "粉底液"], 3) == [
        "持妆一整天都不脱妆呢",
        "持妆",
        "粉底液用完了还想买",
    ]
    assert evidence.quotes(["口红"], 2) == []
