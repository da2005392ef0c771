from pathlib import Path

import pytest

from radar.errors import RadarError
from radar.topics.labels import match_labels, read_label_rules
from radar.topics.quality import topic_diversity


def test_labels_follow_their_keywords_to_any_topic_index(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("label,keywords\n底妆,粉底液 遮瑕 持妆\n冬装,羽绒服 保暖\n", encoding="utf-8")
    rules = read_label_rules(path)
    before = [["粉底液", "遮瑕", "持妆"], ["羽绒服", "保暖", "棉服"], ["耳机", "降噪"]]
    after = [before[2], before[0], before[1]]  # retrained: same topics, other order
    assert match_labels(before, rules) == {0: "底妆", 1: "冬装"}
    assert match_labels(after, rules) == {1: "底妆", 2: "冬装"}


def test_a_label_needs_enough_shared_words() -> None:
    rules = [("底妆", frozenset({"粉底液", "遮瑕", "持妆"}))]
    assert match_labels([["粉底液", "口红"]], rules) == {}
    assert match_labels([["粉底液", "口红"]], rules, min_shared=1) == {0: "底妆"}


def test_a_labels_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("name,words\n底妆,粉底液\n", encoding="utf-8")
    with pytest.raises(RadarError, match="label and keywords"):
        read_label_rules(path)


def test_topic_diversity() -> None:
    assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    assert topic_diversity([]) == 0.0
