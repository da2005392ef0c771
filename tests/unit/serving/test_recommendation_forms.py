"""One recommendation record, and each of its forms (API body, `recommend --json`, the
week's files, the store's rows) made from it, none dropping or inventing a field."""

from __future__ import annotations

import json
from dataclasses import fields

from radar.matching.proposal import ProposalParts
from radar.matching.reasons import Reasons, SharedTopic
from radar.matching.recommender import ListRow, Recommendation
from radar.store.models import Base, WeeklyRecommendationRow
from serving.batch import COLUMNS, _store_row
from serving.schemas import RecommendationPublic

ITEM = Recommendation(
    2,
    "p7",
    "持妆粉底液",
    0.8123,
    True,
    Reasons([SharedTopic(3, "彩妆", 0.623456)], ["粉底液"], ["油皮能用这个粉底液吗"]),
    "美妆",
    99.0,
    ProposalParts(0.61, 0.7, 0.55, 0.6),
)
PARTS = {"proposal": ["proposal_score", "heat", "fan_demand", "profit"]}


def test_the_api_body_is_the_record() -> None:
    body = ITEM.to_dict()
    names = [name for f in fields(Recommendation) for name in PARTS.get(f.name, [f.name])]
    assert list(body) == names
    assert (body["proposal_score"], body["profit"], body["below_cut"]) == (0.61, 0.6, False)
    assert set(RecommendationPublic.model_fields) == set(body)
    public = RecommendationPublic.model_validate(body)
    assert public.model_dump(mode="json") == json.loads(json.dumps(body, ensure_ascii=False))
    assert public.reasons.topics[0].weight == 0.6235  # the reasons' own rounding


def test_a_list_row_holds_the_record_the_files_and_the_store() -> None:
    row = ITEM.list_row("2026-W48", "h0002", "3")
    assert set(COLUMNS) <= set(ListRow._fields)
    assert (row.rank, row.product_id, row.fit, row.calibrated) == (2, "p7", 0.8123, True)
    assert (row.proposal_score, row.heat, row.fan_demand, row.profit) == (0.61, 0.7, 0.55, 0.6)
    assert row.reasons == ITEM.reasons.text
    assert json.loads(row.reasons_json) == ITEM.to_dict()["reasons"]
    stored = _store_row(row, "b1")
    table = Base.metadata.tables[WeeklyRecommendationRow.__tablename__]
    assert set(stored) == {column.name for column in table.columns}
    assert (stored["reasons"], stored["reasons_json"]) == (row.reasons, row.reasons_json)
