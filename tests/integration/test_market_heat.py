"""Market heat from the store: a product converting and talked about more in the last
weeks than before is hotter than one cooling down; listing times are ingested."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from radar.ingest import ingest_directory
from radar.service.registry import load_champion
from radar.settings import Settings
from radar.store import open_store
from radar.store.market import activity_span, load_heat
from radar.store.reads import load_catalogue, load_host_ids


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_product_trending_up_is_hotter(own_home: Path, tmp_path: Path) -> None:
    settings = Settings(home=own_home)
    engine = open_store(settings.resolved_database_url)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    catalogue = loaded.model.catalogue(load_catalogue(engine))
    rising, cooling = catalogue.products[3], catalogue.products[4]
    first, now = activity_span(engine)
    assert first is not None and now is not None
    host = load_host_ids(engine)[0]
    later, earlier = now - timedelta(days=1), first + timedelta(days=1)
    rows = [
        [f"heat-{n}", host, product.product_id, moment.isoformat(), 1]
        for n, (product, moment) in enumerate(
            [(rising, later)] * 6
            + [(rising, earlier)]
            + [(cooling, earlier)] * 6
            + [(cooling, later)]
        )
    ]
    folder = tmp_path / "more"
    folder.mkdir()
    write(
        folder / "placements.csv",
        ["placement_id", "streamer_id", "product_id", "started_at", "converted"],
        rows,
    )
    before = load_heat(engine, catalogue, loaded.model.topics)
    ingest_directory(
        folder, engine, quarantine_root=tmp_path / "q", max_text_chars=settings.max_text_chars()
    )
    after = load_heat(engine, catalogue, loaded.model.topics)
    up, down = catalogue.index[rising.product_id], catalogue.index[cooling.product_id]
    assert after[up] > before[up] and after[down] < before[down]
    assert after[up] > 0.5 > after[down]
    assert ((after >= 0) & (after <= 1)).all()


def test_listing_times_are_ingested_in_iso_and_excel_forms(own_home: Path, tmp_path: Path) -> None:
    engine = open_store(Settings(home=own_home).resolved_database_url)
    folder = tmp_path / "catalogue"
    folder.mkdir()
    write(
        folder / "products.csv",
        ["product_id", "title", "listed_at"],
        [
            ["new-1", "新款粉底液", "2026-11-20T10:00:00"],
            ["new-2", "新款口红", "2026/11/21"],
            ["old-1", "旧款", ""],
            ["bad-1", "坏的", "上周"],
        ],
    )
    report = ingest_directory(
        folder, engine, quarantine_root=tmp_path / "q", max_text_chars=Settings().max_text_chars()
    )
    counts = report.tables["products"]
    assert (counts.loaded, counts.quarantined) == (3, 1)  # "上周" is no time: quarantined
    listed = {p.product_id: p.listed_at for p in load_catalogue(engine)}
    assert listed["new-1"] == datetime(2026, 11, 20, 10)
    assert listed["new-2"] == datetime(2026, 11, 21)
    assert listed["old-1"] is None
