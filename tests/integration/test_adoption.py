"""Adoption on hand-made placements: ingest keeps `recommendation_id`, and linking stores
each placement's recommendation (named, or matched by host, product and week window)."""

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select

from radar.ingest import ingest_directory
from radar.store import Adoption, Placement, WeeklyRecommendationRow, WeekPublication, open_store
from radar.store.adoptions import link_adoptions

PLACEMENTS = """streamer_id,product_id,started_at,converted,recommendation_id
s1,p2,2026-11-04T20:00:00,1,
s1,p2,2026-11-17T20:00:00,0,
s2,p1,2026-11-09T20:00:00,1,
s1,p1,2026-11-17T20:00:00,1,
s2,p2,2026-11-05T20:00:00,0,2026-W45:s2:2
s2,p1,2026-11-06T20:00:00,0,2026-W44:s2:1
s1,p2,2026-10-20T20:00:00,1,
"""


def _store(tmp_path: Path) -> Engine:
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "streamers.csv").write_text("streamer_id,name\ns1,甲\ns2,乙\n", encoding="utf-8")
    (tables / "products.csv").write_text(
        "product_id,title,category\np1,保温杯,家居\np2,面膜,美妆\n", encoding="utf-8"
    )
    (tables / "placements.csv").write_text(PLACEMENTS, encoding="utf-8")
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    report = ingest_directory(
        tables, engine, quarantine_root=tmp_path / "quarantine", max_text_chars={}
    )
    assert report.tables["placements"].loaded == 7
    lists = {
        "2026-W45": [("s1", 1, "p1", 0.91), ("s1", 2, "p2", 0.85), ("s2", 1, "p1", 0.88),
                     ("s2", 2, "p2", 0.81)],
        "2026-W47": [("s1", 1, "p1", 0.93)],
    }  # fmt: skip
    with engine.begin() as connection:
        for week, rows in lists.items():
            connection.execute(
                insert(WeekPublication),
                [{"week": week, "batch_id": f"b{week}", "model_version": "3",
                  "row_count": len(rows), "published_at": datetime(2026, 11, 1)}],
            )  # fmt: skip
            connection.execute(
                insert(WeeklyRecommendationRow),
                [
                    {"week": week, "batch_id": f"b{week}", "streamer_id": host, "rank": rank,
                     "product_id": product, "title": product, "fit": fit, "calibrated": 1,
                     "reasons": "", "model_version": "3", "reasons_json": "{}"}
                    for host, rank, product, fit in rows
                ],
            )  # fmt: skip
    return engine


def test_ingest_keeps_the_named_recommendation(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    with engine.connect() as connection:
        named = connection.execute(
            select(Placement.recommendation_id).where(Placement.recommendation_id.is_not(None))
        ).scalars()
        assert sorted(named) == ["2026-W44:s2:1", "2026-W45:s2:2"]


def test_links_are_stored_and_replaced(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    linking = link_adoptions(engine)
    assert linking.unknown_ids == ["2026-W44:s2:1"]  # no week 44 was published
    with engine.connect() as connection:
        stored = connection.execute(
            select(
                Placement.streamer_id,
                Placement.product_id,
                Placement.started_at,
                Adoption.recommendation_id,
                Adoption.fit,
                Adoption.source,
            )
            .join(Adoption, Adoption.placement_id == Placement.placement_id)
            .order_by(Placement.started_at)
        ).all()
    assert [tuple(row) for row in stored] == [
        ("s1", "p2", datetime(2026, 11, 4, 20), "2026-W45:s1:2", 0.85, "matched"),
        ("s2", "p2", datetime(2026, 11, 5, 20), "2026-W45:s2:2", 0.81, "explicit"),
        ("s2", "p1", datetime(2026, 11, 9, 20), "2026-W45:s2:1", 0.88, "matched"),
        ("s1", "p1", datetime(2026, 11, 17, 20), "2026-W47:s1:1", 0.93, "matched"),
    ]
    assert len(link_adoptions(engine).adoptions) == 4  # a re-run replaces, never adds
    with engine.connect() as connection:
        assert len(connection.execute(select(Adoption.placement_id)).all()) == 4
