"""Demo weeks after training: hosts keep talking, operations follow some of the weekly
lists, and (optionally) one category's vocabulary changes (the planted drift).

The weeks are written as a folder of contract tables to ingest after the training data:

- each host's sessions repeat, a week at a time, sessions drawn from its own past weeks
  (same words, new times: no drift by construction), with their comments;
- with `drift_category`, hosts whose main category (first tag) it is say that category's
  words in a new vocabulary (each word mapped to an invented Latin word, as new brand and
  product names would be), and so do that category's product listings (`products.csv`
  with the titles and descriptions renamed); what hosts sell, and how well, is unchanged;
- each week every host places `placements_per_week` products: a share `follow_share` of
  them taken from the latest published list (every other one naming it in
  `recommendation_id`, the rest left for matching); the others from the host's own past
  placements' categories. Every placement converts as the training weeks' placements do
  (`radar.demo.generator.conversion_probability`: the product's category against the
  host's), plus `uplift` when it followed a list (the planted impact, which the stratified
  estimate of `radar.monitoring.impact` should recover).
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Executable, select

from radar.demo.generator import Fit, conversion_probability
from radar.demo.vocabulary import CATEGORIES
from radar.monitoring.adoption import ListedItem, recommendation_id, week_start
from radar.schema import PRODUCTS
from radar.store.adoptions import read_listed
from radar.store.models import Comment, Placement, Product, Streamer, Transcript
from radar.store.monitoring import latest_activity

NEW_WORD_CONSONANTS = "bdfgklmnprstvz"
MARGIN_CENTRE = 0.325
"""A product without a margin converts as one of the middle margin."""


def generate_followup(
    engine: Engine,
    out: Path,
    *,
    weeks: int = 2,
    first_week: datetime | None = None,
    drift_category: str | None = None,
    follow_share: float = 0.5,
    uplift: float = 0.08,
    placements_per_week: int = 3,
    seed: int = 7,
) -> dict[str, int]:
    """Write `weeks` weeks after the store's data to `out` (contract tables to ingest), from
    `first_week` (a Monday; default `next_monday`), following the store's published lists.
    Returns rows written per table."""
    rng = random.Random(seed)
    listed = read_listed(engine)
    with engine.connect() as connection:
        sessions = _rows(
            connection,
            select(
                Transcript.session_id,
                Transcript.streamer_id,
                Transcript.started_at,
                Transcript.text,
            ).order_by(Transcript.started_at, Transcript.session_id),
        )
        comments = _rows(
            connection,
            select(Comment.comment_id, Comment.session_id, Comment.text).order_by(
                Comment.created_at, Comment.comment_id
            ),
        )
        placements = _rows(
            connection,
            select(Placement.streamer_id, Placement.product_id, Placement.converted).order_by(
                Placement.started_at, Placement.placement_id
            ),
        )
        hosts = {
            host: tags or ""
            for host, tags in connection.execute(select(Streamer.streamer_id, Streamer.tags))
        }
        catalogue = list(
            connection.execute(select(Product.product_id, Product.category, Product.margin))
        )
    categories = {product: category or "" for product, category, _ in catalogue}
    margins = {product: margin for product, _, margin in catalogue}
    monday = first_week or next_monday(engine)
    drifted = {
        h for h, tags in hosts.items() if drift_category and tags.split("|")[0] == drift_category
    }
    rename = _renaming(drift_category) if drift_category else {}
    by_host: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in sessions:
        by_host[row["streamer_id"]].append(row)
    comments_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in comments:
        comments_of[row["session_id"]].append(row)
    placed_categories = _host_categories(placements, categories)
    products_by_category: dict[str, list[str]] = defaultdict(list)
    for product, category in sorted(categories.items()):
        products_by_category[category].append(product)
    weeks_per_host = max(1, len({r["started_at"].isocalendar()[:2] for r in sessions}))
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[dict[str, object]]] = {
        "transcripts": [],
        "comments": [],
        "placements": [],
    }
    for week in range(weeks):
        opened = monday + timedelta(weeks=week)
        lists = _latest_lists(listed, opened)
        for host in sorted(by_host):
            own = by_host[host]
            count = max(1, round(len(own) / weeks_per_host))
            for number, past in enumerate(rng.sample(own, min(count, len(own)))):
                moment = opened + timedelta(days=2 * number, hours=past["started_at"].hour)
                session = f"f{opened:%Y%m%d}-{number}-{past['session_id']}"
                text = _renamed(past["text"], rename) if host in drifted else past["text"]
                written["transcripts"].append(
                    {
                        "session_id": session,
                        "streamer_id": host,
                        "started_at": moment.isoformat(),
                        "text": text,
                    }
                )
                for index, comment in enumerate(comments_of[past["session_id"]]):
                    said = _renamed(comment["text"], rename) if host in drifted else comment["text"]
                    written["comments"].append(
                        {
                            "comment_id": f"f{opened:%Y%m%d}-{number}-{comment['comment_id']}",
                            "streamer_id": host,
                            "created_at": (moment + timedelta(minutes=index)).isoformat(),
                            "text": said,
                            "session_id": session,
                        }
                    )
            for slot in range(placements_per_week):
                moment = opened + timedelta(days=slot * 2, hours=20)
                options = lists.get(host, [])
                if options and rng.random() < follow_share:
                    item = rng.choice(options)
                    named = recommendation_id(item.week, host, item.rank) if slot % 2 == 0 else ""
                    product, lift = item.product_id, uplift
                else:
                    category = rng.choice(
                        placed_categories.get(host) or sorted(products_by_category)
                    )
                    product, named, lift = rng.choice(products_by_category[category]), "", 0.0
                chance = min(
                    1.0, _conversion(hosts[host], categories[product], margins[product]) + lift
                )
                written["placements"].append(
                    {
                        "placement_id": f"fp{opened:%Y%m%d}-{slot}-{host}",
                        "streamer_id": host,
                        "product_id": product,
                        "started_at": moment.isoformat(),
                        "converted": int(rng.random() < chance),
                        "recommendation_id": named,
                    }
                )
    if drift_category:
        written["products"] = _renamed_products(engine, drift_category, rename)
    for name, rows in written.items():
        _write(out / f"{name}.csv", rows)
    return {name: len(rows) for name, rows in written.items()}


def _renamed_products(
    engine: Engine, category: str, rename: dict[str, str]
) -> list[dict[str, object]]:
    """The category's products, their titles and descriptions in the new vocabulary: the
    listings speak as the hosts now do."""
    columns = [getattr(Product, name) for name in (PRODUCTS.required + PRODUCTS.optional)]
    with engine.connect() as connection:
        rows = _rows(
            connection,
            select(*columns).where(Product.category == category).order_by(Product.product_id),
        )
    for row in rows:
        row["title"] = " ".join(_renamed(row["title"], rename).split())
        row["description"] = _renamed(row["description"] or "", rename)
    return rows


def _renaming(category: str) -> dict[str, str]:
    """Each word of the category (brands, nouns, title words, keywords) → an invented word
    of its own, set apart by spaces: one new token each, as a new brand or product name is
    (invented Chinese characters would be cut into different pieces in different places,
    a noise no retraining could learn). The same for every week and seed: one new
    vocabulary per category."""
    rng = random.Random(category)
    vocabulary = CATEGORIES[category]
    words = {*vocabulary.brands, *vocabulary.keywords, *vocabulary.nouns}
    for line in vocabulary.lines:
        words.update(line.title_words)
        words.update(line.benefits)
    invented: dict[str, str] = {}
    taken: set[str] = set()
    for word in sorted(words, key=len, reverse=True):  # longest first: no partial overlaps
        new = _invented_word(rng)
        while new in taken:
            new = _invented_word(rng)
        taken.add(new)
        invented[word] = f" {new} "
    return invented


def _invented_word(rng: random.Random) -> str:
    """A pronounceable Latin word of three syllables, e.g. `velomi`."""
    return "".join(rng.choice(NEW_WORD_CONSONANTS) + rng.choice("aeiou") for _ in range(3))


def _renamed(text: str, rename: dict[str, str]) -> str:
    for word, new in rename.items():
        text = text.replace(word, new)
    return text


def _latest_lists(listed: Sequence[ListedItem], opened: datetime) -> dict[str, list[ListedItem]]:
    """Each host's items of the latest week published by `opened`."""
    weeks = sorted({item.week for item in listed if week_start(item.week) <= opened})
    lists: dict[str, list[ListedItem]] = defaultdict(list)
    for item in listed:
        if weeks and item.week == weeks[-1]:
            lists[item.streamer_id].append(item)
    return lists


def _conversion(tags: str, category: str, margin: float | None) -> float:
    """The generator's conversion probability of a host's placement in `category`
    (`radar.demo.generator.conversion_probability`; the price's place in its range is not
    stored: the middle)."""
    main, *others = tags.split("|")
    fit: Fit = "primary" if category == main else "secondary" if category in others else "unrelated"
    return conversion_probability(
        fit, price_position=0.5, margin=MARGIN_CENTRE if margin is None else margin
    )


def _host_categories(
    placements: list[dict[str, Any]], categories: dict[str, str]
) -> dict[str, list[str]]:
    """Each host's past placements' categories (repeated: drawing follows their shares)."""
    seen: dict[str, list[str]] = defaultdict(list)
    for row in placements:
        seen[row["streamer_id"]].append(categories.get(row["product_id"], ""))
    return seen


def next_monday(engine: Engine) -> datetime:
    """The Monday (00:00) after the store's latest placement, transcript or comment."""
    last = latest_activity(engine)
    if last is None:
        raise ValueError("the store is empty: ingest the demo data first")
    return (last - timedelta(days=last.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + timedelta(weeks=1)


def iso_week(moment: datetime) -> str:
    """`YYYY-Www` of `moment` (what `radar batch --week` takes)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def biggest_category(engine: Engine) -> str:
    """The main category (first tag) most hosts of the store have."""
    with engine.connect() as connection:
        tags = [tags or "" for tags in connection.execute(select(Streamer.tags)).scalars()]
    counts = Counter(tag.split("|")[0] for tag in tags if tag.split("|")[0] in CATEGORIES)
    return counts.most_common(1)[0][0]


def _rows(connection: Connection, query: Executable) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(query)]


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["streamer_id"])
        writer.writeheader()
        writer.writerows(rows)
