"""How a week is published (serving/publication.py): a writer that fails leaves the last
published week, leftovers are cleaned, one batch writes a folder at a time, and rows
published before the publication table are migrated as published weeks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, select, text

from radar.errors import RadarError
from radar.settings import Settings
from radar.store import WeeklyRecommendation, WeekPublication, open_store
from radar.store.database import MIGRATIONS
from serving import publication, xlsx
from tests.integration.batch_state import NAMES, WEEK, batch, unpublished_rows


@pytest.fixture
def home(own_home: Path) -> Path:
    """A copy of the trained home: these tests write the store."""
    return own_home


def state(home: Path, out: Path) -> tuple[dict[str, bytes], int]:
    """What readers see: the week's files and the number of its store rows."""
    engine = open_store(Settings(home=home).resolved_database_url)
    with engine.connect() as connection:
        rows = len(connection.execute(select(WeeklyRecommendation)).all())
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}, rows


def test_a_writer_that_fails_leaves_the_last_week_and_no_leftover(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    batch(home, out, min_fit=0.5)
    before = state(home, out)
    assert sorted(before[0]) == NAMES and before[1] > 0

    def failing(sheet: xlsx.Sheet) -> Iterator[str]:
        raise OSError("disk full")
        yield ""

    monkeypatch.setattr(xlsx, "_worksheet", failing)
    with pytest.raises(OSError, match="disk full"):
        batch(home, out, min_fit=0.3, top_k=12)
    assert state(home, out) == before  # settled at once: nothing staged is left
    assert unpublished_rows(home) == 0


def test_leftovers_of_older_runs_are_removed(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f".recommendations-{WEEK}.xlsx-k1ll3d").write_bytes(b"PK half")  # before staging
    (out / "notes.txt").write_text("kept")
    summary = batch(home, out, min_fit=0.5)
    assert sorted(path.name for path in out.iterdir()) == sorted([*NAMES, "notes.txt"])
    assert summary.files == [out / name for name in NAMES]


def test_one_batch_writes_a_folder_at_a_time(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with publication._locked(out), pytest.raises(RadarError, match="another radar batch"):
        batch(home, out, min_fit=0.5)
    assert list(out.iterdir()) == []


def test_weeks_stored_before_publications_stay_published(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine: Engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        row = {"week": WEEK, "streamer_id": "h1", "product_id": "p1", "title": "t", "fit": 0.9}
        row |= {"calibrated": 1, "reasons": "{}", "model_version": "3"}
        connection.execute(
            text(
                "INSERT INTO weekly_recommendations VALUES (:week, :streamer_id, :rank, "
                ":product_id, :title, :fit, :calibrated, :reasons, :model_version)"
            ),
            [{**row, "rank": 1}, {**row, "rank": 2}],
        )
    store = open_store(url)
    with store.connect() as connection:
        assert [r.rank for r in connection.execute(select(WeeklyRecommendation)).all()] == [1, 2]
        [published] = connection.execute(select(WeekPublication)).all()
    assert (published.week, published.row_count, published.model_version) == (WEEK, 2, "3")
    with store.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        assert len(connection.execute(text("SELECT * FROM weekly_recommendations")).all()) == 2


def test_stored_reasons_become_the_files_text_with_the_json_beside_it(store_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine: Engine = create_engine(store_url)
    reasons = '{"text": "共同主题：彩妆(62%)", "topics": [], "keywords": [], "evidence": []}'
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")  # the store held the reasons' JSON in `reasons`
        connection.execute(
            text(
                "INSERT INTO week_publications VALUES ('2026-W47', 'b1', '3', 1, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO weekly_recommendation_rows (week, batch_id, streamer_id, rank, "
                "product_id, title, fit, calibrated, reasons, model_version) VALUES "
                "('2026-W47', 'b1', 'h1', 1, 'p1', 't', 0.9, 1, :reasons, '3')"
            ),
            {"reasons": reasons},
        )
    store = open_store(store_url)
    with store.connect() as connection:
        [row] = connection.execute(select(WeeklyRecommendation)).all()
    assert (row.reasons, row.reasons_json) == ("共同主题：彩妆(62%)", reasons)
    with store.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
        stored = connection.execute(text("SELECT reasons FROM weekly_recommendations")).all()
    assert stored == [(reasons,)]
    store.dispose()
    engine.dispose()
