"""Tests of the demo data generator: format, determinism and the planted structure."""

from __future__ import annotations

import csv
import string
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radar.demo import vocabulary as vocab
from radar.demo.generator import conversion_probability, generate_demo_data
from radar.schema import (
    COMMENT_KINDS,
    COMMENTS,
    PLACEMENTS,
    PRODUCTS,
    STREAMERS,
    TABLES,
    TRANSCRIPTS,
)

SMALL: dict[str, Any] = {"hosts": 12, "products": 150, "weeks": 3}


def read_table(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """Return the header and rows of NAME.csv."""
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """The default-size data set, generated once for the module."""
    folder = tmp_path_factory.mktemp("demo")
    counts = generate_demo_data(folder)
    tables = {spec.name: read_table(folder, spec.name)[1] for spec in TABLES}
    assert counts == {name: len(rows) for name, rows in tables.items()}
    return tables


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_files")
    generate_demo_data(folder, **SMALL)
    return folder


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate_demo_data(tmp_path / "a", seed=3, **SMALL)
    generate_demo_data(tmp_path / "b", seed=3, **SMALL)
    for spec in TABLES:
        name = f"{spec.name}.csv"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seed_gives_different_files(tmp_path: Path) -> None:
    generate_demo_data(tmp_path / "a", seed=3, **SMALL)
    generate_demo_data(tmp_path / "b", seed=4, **SMALL)
    for spec in TABLES:
        name = f"{spec.name}.csv"
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_files_are_utf8_without_bom_with_all_columns(demo_dir: Path) -> None:
    for spec in TABLES:
        raw = (demo_dir / f"{spec.name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        header, _ = read_table(demo_dir, spec.name)
        assert set(spec.required) <= set(header)
        assert set(header) == set(spec.columns)


def test_no_temporary_files_are_left(demo_dir: Path) -> None:
    assert sorted(p.name for p in demo_dir.iterdir()) == sorted(f"{s.name}.csv" for s in TABLES)


def test_default_size(demo: dict[str, list[dict[str, str]]]) -> None:
    assert len(demo[STREAMERS.name]) >= 40
    assert len(demo[PRODUCTS.name]) >= 800
    categories = Counter(row["category"] for row in demo[PRODUCTS.name])
    assert len(categories) >= 8
    assert min(categories.values()) >= 50


def test_ids_are_unique(demo: dict[str, list[dict[str, str]]]) -> None:
    for spec in TABLES:
        ids = [row[spec.id_column] for row in demo[spec.name]]
        assert all(ids), spec.name
        assert len(ids) == len(set(ids)), spec.name


def test_references_resolve(demo: dict[str, list[dict[str, str]]]) -> None:
    known = {
        STREAMERS.id_column: {row[STREAMERS.id_column] for row in demo[STREAMERS.name]},
        PRODUCTS.id_column: {row[PRODUCTS.id_column] for row in demo[PRODUCTS.name]},
    }
    for spec in TABLES:
        for column in spec.references:
            assert {row[column] for row in demo[spec.name]} <= known[column], spec.name


def test_session_ids_of_comments_are_consistent(demo: dict[str, list[dict[str, str]]]) -> None:
    host_of_session = {row["session_id"]: row["streamer_id"] for row in demo[TRANSCRIPTS.name]}
    for row in demo[COMMENTS.name]:
        owner = host_of_session.get(row["session_id"], row["streamer_id"])
        assert owner == row["streamer_id"]


def test_titles_and_products(demo: dict[str, list[dict[str, str]]]) -> None:
    for row in demo[PRODUCTS.name]:
        assert 10 <= len(row["title"]) <= 30, row["title"]
        assert row["description"]
        assert row["category"] in vocab.CATEGORIES
        price = float(row["price"])
        assert price > 0 and len(row["price"].split(".")[1]) == 2
        assert 0.05 <= float(row["margin"]) <= 0.6
        assert int(row["stock"]) >= 0
        pairs = [pair.split(":") for pair in row["attributes"].split(";")]
        assert pairs and all(len(pair) == 2 and all(pair) for pair in pairs)
    assert any(row["stock"] == "0" for row in demo[PRODUCTS.name])


def test_times_are_iso_evening_in_china(demo: dict[str, list[dict[str, str]]]) -> None:
    for spec in TABLES:
        for column in spec.time_columns:
            for row in demo[spec.name]:
                moment = datetime.fromisoformat(row[column])
                assert moment.utcoffset() == timedelta(hours=8)
                assert 18 <= moment.hour <= 23


def test_transcripts_are_long_host_speech(demo: dict[str, list[dict[str, str]]]) -> None:
    lengths = [len(row["text"]) for row in demo[TRANSCRIPTS.name]]
    assert min(lengths) >= 300
    assert max(lengths) <= 1500
    primary = {row["streamer_id"]: row["tags"].split("|")[0] for row in demo[STREAMERS.name]}
    on_topic = [
        any(noun in row["text"] for noun in vocab.CATEGORIES[primary[row["streamer_id"]]].nouns)
        for row in demo[TRANSCRIPTS.name]
    ]
    assert sum(on_topic) / len(on_topic) > 0.9


def test_comments_mix_kinds_and_noise(demo: dict[str, list[dict[str, str]]]) -> None:
    rows = demo[COMMENTS.name]
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) == set(COMMENT_KINDS)
    texts = Counter(row["text"] for row in rows)
    assert any("http" in text for text in texts)
    assert any(text.startswith("@") for text in texts)
    assert any(text in vocab.TRADITIONAL_AND_FULLWIDTH for text in texts)
    assert any("😂" in text for text in texts)
    assert texts.most_common(1)[0][1] > 100  # bot-like repeats


def test_hosts_cover_every_category_and_some_mix(demo: dict[str, list[dict[str, str]]]) -> None:
    tags = [row["tags"].split("|") for row in demo[STREAMERS.name]]
    assert {host[0] for host in tags} == set(vocab.CATEGORIES)
    mixed = sum(len(host) == 2 for host in tags) / len(tags)
    assert 0.15 <= mixed <= 0.35


def test_text_gaps(demo: dict[str, list[dict[str, str]]]) -> None:
    hosts = {row["streamer_id"] for row in demo[STREAMERS.name]}
    with_transcripts = {row["streamer_id"] for row in demo[TRANSCRIPTS.name]}
    with_comments = {row["streamer_id"] for row in demo[COMMENTS.name]}
    with_placements = {row["streamer_id"] for row in demo[PLACEMENTS.name]}
    silent = hosts - with_transcripts - with_comments
    assert len(silent) == 1
    assert not silent & with_placements
    assert with_placements == hosts - silent
    assert with_transcripts - with_comments  # hosts without comments
    assert with_comments - with_transcripts  # hosts with comments only


def test_placements_are_consistent(demo: dict[str, list[dict[str, str]]]) -> None:
    price = {row["product_id"]: float(row["price"]) for row in demo[PRODUCTS.name]}
    pairs = Counter((row["streamer_id"], row["product_id"]) for row in demo[PLACEMENTS.name])
    assert max(pairs.values()) == 1
    per_host = Counter(row["streamer_id"] for row in demo[PLACEMENTS.name])
    assert min(per_host.values()) >= 10 and max(per_host.values()) <= 30
    sessions = defaultdict(set)
    for row in demo[TRANSCRIPTS.name]:
        sessions[row["streamer_id"]].add(row["started_at"])
    for row in demo[PLACEMENTS.name]:
        orders, converted = int(row["orders"]), row["converted"]
        assert converted in {"0", "1"}
        assert (orders >= 20) if converted == "1" else (orders <= 12)
        assert float(row["gmv"]) == pytest.approx(orders * price[row["product_id"]], abs=0.01)
        if sessions[row["streamer_id"]]:
            assert row["started_at"] in sessions[row["streamer_id"]]


def test_conversion_depends_on_category_fit(demo: dict[str, list[dict[str, str]]]) -> None:
    tags = {row["streamer_id"]: row["tags"].split("|") for row in demo[STREAMERS.name]}
    category = {row["product_id"]: row["category"] for row in demo[PRODUCTS.name]}
    outcomes: dict[str, list[int]] = defaultdict(list)
    for row in demo[PLACEMENTS.name]:
        host_tags, product_category = tags[row["streamer_id"]], category[row["product_id"]]
        if product_category == host_tags[0]:
            fit = "primary"
        elif product_category in host_tags:
            fit = "secondary"
        else:
            fit = "unrelated"
        outcomes[fit].append(int(row["converted"]))
    rate = {fit: sum(values) / len(values) for fit, values in outcomes.items()}
    assert rate["primary"] > 0.6
    assert rate["unrelated"] < 0.25
    assert rate["unrelated"] < rate["secondary"] < rate["primary"]
    assert 0.2 <= len(outcomes["unrelated"]) / sum(map(len, outcomes.values())) <= 0.4


def test_conversion_probability_is_documented_shape() -> None:
    args = {"price_position": 0.5, "margin": 0.325}
    assert conversion_probability("primary", **args) == pytest.approx(0.82)
    assert conversion_probability("secondary", **args) == pytest.approx(0.52)
    assert conversion_probability("unrelated", **args) == pytest.approx(0.10)
    cheap = conversion_probability("primary", price_position=0.0, margin=0.325)
    assert cheap > conversion_probability("primary", price_position=1.0, margin=0.325)


def test_small_call_is_fast(tmp_path: Path) -> None:
    began = time.perf_counter()
    counts = generate_demo_data(tmp_path / "nested" / "out", hosts=10, products=100)
    assert time.perf_counter() - began < 2.0
    assert counts[STREAMERS.name] == 10
    assert counts[PRODUCTS.name] == 100
    assert counts[TRANSCRIPTS.name] > 0 and counts[COMMENTS.name] > 0
    assert counts[PLACEMENTS.name] > 0


def test_tiny_and_commentless_sizes_work(tmp_path: Path) -> None:
    counts = generate_demo_data(tmp_path, hosts=1, products=3, weeks=1, comments_per_session=0)
    assert counts[STREAMERS.name] == 1
    assert counts[COMMENTS.name] == 0


@pytest.mark.parametrize(
    "bad",
    [{"hosts": 0}, {"products": 0}, {"weeks": 0}, {"sessions_per_week": 0.0}],
)
def test_bad_sizes_raise_and_write_nothing(tmp_path: Path, bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        generate_demo_data(tmp_path / "out", **bad)
    assert not (tmp_path / "out").exists()


def test_vocabulary_is_rich_and_templates_fill() -> None:
    assert len(vocab.CATEGORIES) >= 10
    for name, words in vocab.CATEGORIES.items():
        assert len(words.nouns) >= 15, name
        assert len(words.brands) >= 8 and len(words.keywords) >= 10, name
        assert len(words.fan_templates) >= 10, name
        keys = {key for line in words.lines for key in line.attributes}
        slots = set(vocab.CATEGORY_SLOTS) | keys
        for line in words.lines:
            assert line.specs and len(line.benefits) >= 4 and len(line.title_words) >= 2, name
            for values in line.attributes.values():
                assert all(":" not in v and ";" not in v for v in values), name
        templates = words.host_templates + words.fan_templates
        templates += tuple(t for line in words.lines for t in line.host_templates)
        for template in templates:
            used = {field for _, field, _, _ in string.Formatter().parse(template) if field}
            assert used <= slots, (name, template)
