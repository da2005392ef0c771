import json
from pathlib import Path

import numpy as np
import pytest

from radar.atomic import atomic_directory
from radar.matching.fit import FEATURES, FitModel
from radar.matching.model import RadarModel
from radar.topics import TopicModel

TEXTS = ["粉底液 遮瑕 持妆 控油", "羽绒服 保暖 轻薄 鸭绒", "耳机 降噪 续航 蓝牙"] * 20


def test_a_failed_write_leaves_the_old_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with atomic_directory(target) as staging:
        (staging / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(target) as staging:
        (staging / "a.txt").write_text("half")
        raise RuntimeError("crash while writing")
    assert (target / "a.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_radar_model_round_trip(tmp_path: Path) -> None:
    topics = TopicModel(num_topics=3, no_below=1, no_above=1.0).fit(TEXTS)
    model = RadarModel(
        topics, FitModel.of(np.arange(len(FEATURES), dtype=float), -1.0), evaluation={"ece": 0.04}
    )
    model.save(tmp_path / "radar")
    loaded = RadarModel.load(tmp_path / "radar")
    np.testing.assert_array_equal(loaded.fit.coef_, model.fit.coef_)
    assert loaded.evaluation == {"ece": 0.04}
    np.testing.assert_array_equal(loaded.topics.transform(TEXTS[:3]), topics.transform(TEXTS[:3]))


def test_radar_model_refuses_an_unknown_schema(tmp_path: Path) -> None:
    topics = TopicModel(num_topics=3, no_below=1, no_above=1.0).fit(TEXTS)
    RadarModel(topics).save(tmp_path / "radar")
    path = tmp_path / "radar" / "matching.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "schema_version": 7}))
    with pytest.raises(ValueError, match="schema version 7"):
        RadarModel.load(tmp_path / "radar")
