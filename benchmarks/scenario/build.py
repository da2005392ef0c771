"""A matching scenario built from the real data in `../shared/data`, with known truth.

No public data links hosts to what they sold, so the truth comes from categories:

- **review hosts**: a host's fans' comments are real product reviews of one or two
  categories (for example 衣服 reviews for a clothing host);
- **live-room hosts**: the real live rooms, their ASR transcripts grouped into sessions by
  the time in the file name, their category from the room; where real reviews of that
  category exist (美妆, 食品), some of them stand in for the room's fans' comments;
- **products**: the real catalogues, mapped to the same categories, with the category
  column withheld for a share of them (the text must carry them);
- **placements** for the warm hosts only: mostly products of the host's categories (as
  operations would choose), some others; a placement converts with a probability set by
  category relevance. About a third of the hosts are **new**: no placements at all
  (a third of each kind of host and main category, so that hosts with nothing fitting,
  such as 书籍 fans, are new too).

Some hosts' categories have no product in the pool (书籍, 酒店 reviews; 保健, 医疗器械 and
运动 rooms): none of them should get a product at or above the threshold.
Everything is drawn from one generator seeded by the build seed; the same seed gives the
same scenario, another seed another draw of reviews, products, new hosts and placements.
"""

from __future__ import annotations

import csv
import json
import random
import re
from argparse import ArgumentTypeError
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

PRIMARY, SECONDARY, UNRELATED = 0.85, 0.55, 0.06
"""Conversion probability of a placement by the product's relevance to the host."""

REVIEW_HOSTS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("美妆",), 6),
    (("服饰",), 6),
    (("数码",), 6),
    (("食品",), 6),
    (("家居",), 2),
    (("书籍",), 3),
    (("酒店",), 3),
    (("美妆", "服饰"), 2),
    (("食品", "美妆"), 2),
    (("数码", "家居"), 1),
)
REVIEW_CATEGORIES = {
    "美妆": ("洗发水",),
    "服饰": ("衣服",),
    "数码": ("手机", "平板", "计算机"),
    "食品": ("水果", "蒙牛"),
    "家居": ("热水器",),
    "书籍": ("书籍",),
    "酒店": ("酒店",),
}
ROOM_CATEGORIES = {
    "美妆护肤": "美妆",
    "食品饮料": "食品",
    "酒水": "食品",
    "母婴奶粉": "母婴",
    "保健食品/膳食营养": "保健",
    "医疗器械": "医疗器械",
    "宠物用品": "宠物",
    "运动户外": "运动",
}
OPENBG_CATEGORIES = {
    "美妆洗护": "美妆",
    "大服饰": "服饰",
    "消费电子": "数码",
    "食品": "食品",
    "大百货": "家居",
}
LITEMALL_CATEGORIES = {
    "居家": "家居",
    "餐厨": "家居",
    "杂货": "家居",
    "饮食": "食品",
    "服装": "服饰",
    "洗护": "美妆",
    "婴童": "母婴",
}
START = datetime(2025, 6, 2, 20, 0)
BUILD_PARAMETERS: dict[str, type] = {
    "new_share": float,
    "reviews_per_host": int,
    "comments_per_room": int,
    "products_per_source": int,
    "withheld_share": float,
    "placements_per_host": int,
}
"""`build_scenario`'s parameters that another construction may change, with their types."""


@dataclass
class Scenario:
    """The truth behind a generated scenario."""

    host_categories: dict[str, list[str]]
    product_categories: dict[str, str]
    warm_hosts: set[str]
    host_kind: dict[str, str] = field(default_factory=dict)

    def relevance(self, streamer_id: str, product_id: str) -> float:
        """The probability that this pair converts."""
        categories = self.host_categories[streamer_id]
        category = self.product_categories[product_id]
        if categories and category == categories[0]:
            return PRIMARY
        return SECONDARY if category in categories[1:] else UNRELATED

    def relevant_products(self, streamer_id: str) -> set[str]:
        categories = set(self.host_categories[streamer_id])
        return {p for p, c in self.product_categories.items() if c in categories}

    def save(self, path: Path) -> None:
        data = {
            "host_categories": self.host_categories,
            "product_categories": self.product_categories,
            "warm_hosts": sorted(self.warm_hosts),
            "host_kind": self.host_kind,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def build_scenario(
    data_dir: Path,
    out_dir: Path,
    *,
    seed: int = 20251125,
    new_share: float = 1 / 3,
    reviews_per_host: int = 120,
    comments_per_room: int = 40,
    products_per_source: int = 300,
    withheld_share: float = 0.3,
    placements_per_host: int = 24,
) -> Scenario:
    """Write the scenario's input tables into `out_dir` and return its truth; `seed` is the
    build seed."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    hosts: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    transcripts: list[list[str]] = []
    comments: list[list[str]] = []
    reviews = _reviews(data_dir, rng)
    for host, categories, rows in _review_hosts(reviews, rng, reviews_per_host):
        hosts[host], kinds[host] = list(categories), "reviews"
        comments += rows
    for host, category, rows in _room_hosts(data_dir):
        hosts[host], kinds[host] = [category], "room"
        transcripts += rows
        comments += _fan_comments(host, reviews.get(category, []), comments_per_room)
    products = _products(data_dir, rng, products_per_source)
    product_categories = {row[0]: row[3] for row in products}
    for row in products:
        if rng.random() < withheld_share:
            row[3] = ""
    new = _new_hosts(hosts, lambda h: (kinds[h], hosts[h][0]), new_share, rng)
    scenario = Scenario(hosts, product_categories, set(hosts) - new, kinds)
    ids = sorted(hosts)
    placements = list(_placements(scenario, sorted(scenario.warm_hosts), rng, placements_per_host))

    _write(
        out_dir / "streamers.csv",
        ["streamer_id", "name", "tags"],
        [[h, f"{kinds[h]}-{h}", "|".join(hosts[h])] for h in ids],
    )
    _write(
        out_dir / "products.csv",
        ["product_id", "title", "description", "category", "price", "attributes"],
        products,
    )
    _write(
        out_dir / "transcripts.csv",
        ["streamer_id", "session_id", "started_at", "text"],
        transcripts,
    )
    _write(out_dir / "comments.csv", ["comment_id", "streamer_id", "created_at", "text"], comments)
    _write(
        out_dir / "placements.csv",
        ["placement_id", "streamer_id", "product_id", "started_at", "converted"],
        placements,
    )
    scenario.save(out_dir / "truth.json")
    return scenario


def build_parameter(text: str) -> tuple[str, float]:
    """`NAME=VALUE` for one of `build_scenario`'s numeric parameters."""
    name, _, value = text.partition("=")
    if name not in BUILD_PARAMETERS or not value:
        raise ArgumentTypeError(
            f"expected NAME=VALUE with NAME one of {', '.join(BUILD_PARAMETERS)}"
        )
    kind = BUILD_PARAMETERS[name]
    try:
        return name, kind(value)
    except ValueError:
        raise ArgumentTypeError(f"{name} takes a {kind.__name__}, not {value!r}") from None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _reviews(data_dir: Path, rng: random.Random) -> dict[str, list[str]]:
    """The real reviews of each scenario category, shuffled (taken by popping)."""
    pools: dict[str, list[str]] = defaultdict(list)
    for row in _read(data_dir / "reviews" / "online_shopping_10_cats.csv"):
        if row["review"].strip():
            pools[row["cat"]].append(row["review"].strip())
    by_category = {}
    for category, sources in REVIEW_CATEGORIES.items():
        texts = [text for source in sources for text in pools[source]]
        rng.shuffle(texts)
        by_category[category] = texts
    return by_category


def _new_hosts(
    hosts: dict[str, list[str]],
    group_of: Callable[[str], object],
    share: float,
    rng: random.Random,
) -> set[str]:
    """`share` of the hosts of each group (rounded), drawn at random: the new hosts."""
    groups: dict[object, list[str]] = defaultdict(list)
    for host in sorted(hosts):
        groups[group_of(host)].append(host)
    new: set[str] = set()
    for _, members in sorted(groups.items(), key=lambda item: repr(item[0])):
        new.update(rng.sample(members, round(len(members) * share)))
    return new


def _fan_comments(host: str, pool: list[str], count: int) -> list[list[str]]:
    """`count` reviews from `pool` (taken from it) as a room host's fans' comments."""
    return _comment_rows(host, [pool.pop() for _ in range(min(count, len(pool)))])


def _comment_rows(host: str, texts: list[str]) -> list[list[str]]:
    """A host's comments table rows, one a day (and minute) apart over twelve weeks."""
    return [
        [
            f"{host}-c{index:04d}",
            host,
            (START + timedelta(days=index % 84, minutes=index)).isoformat(),
            text,
        ]
        for index, text in enumerate(texts)
    ]


def _review_hosts(
    by_category: dict[str, list[str]], rng: random.Random, per_host: int
) -> Iterator[tuple[str, tuple[str, ...], list[list[str]]]]:
    number = 0
    for categories, count in REVIEW_HOSTS:
        for _ in range(count):
            number += 1
            host = f"r{number:03d}"
            shares = (
                [per_host] if len(categories) == 1 else [per_host * 7 // 10, per_host * 3 // 10]
            )
            texts = [
                by_category[c].pop()
                for c, n in zip(categories, shares, strict=True)
                for _ in range(n)
            ]
            rng.shuffle(texts)
            yield host, categories, _comment_rows(host, texts)


def _room_hosts(data_dir: Path) -> Iterator[tuple[str, str, list[list[str]]]]:
    segments: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _read(data_dir / "livestream" / "asr_segments.csv"):
        if row["channel_category_heuristic"] in ROOM_CATEGORIES and row["asr_text"].strip():
            segments[row["channel"]].append(row)
    stamp = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{2})-(\d{2})-(\d{2})")
    for number, channel in enumerate(sorted(segments), start=1):
        rows = sorted(segments[channel], key=lambda r: r["file_name"])
        if len(rows) < 15:
            continue
        host = f"l{number:03d}"
        sessions: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            match = stamp.search(row["file_name"])
            moment = (
                f"{match.group(1)}T{match.group(2)}:{match.group(3)}:{match.group(4)}"
                if match
                else START.isoformat()
            )
            sessions[moment].append(row["asr_text"].strip())
        transcripts = [
            [host, f"{host}-s{index:03d}", moment, "".join(texts)]
            for index, (moment, texts) in enumerate(sorted(sessions.items()))
        ]
        yield host, ROOM_CATEGORIES[rows[0]["channel_category_heuristic"]], transcripts


def _products(data_dir: Path, rng: random.Random, per_source: int) -> list[list[str]]:
    catalogue: list[tuple[str, str, str, str]] = []  # title, description, category, attributes
    products = data_dir / "products"
    for row in _read(products / "openbg_items.csv"):
        catalogue.append(
            (row["title"], "", OPENBG_CATEGORIES[row["coarse_category"]], row["attributes"])
        )
    for row in _read(products / "litemall_goods.csv"):
        if row["category_l1"] in LITEMALL_CATEGORIES:
            catalogue.append(
                (
                    row["name"],
                    row["brief"],
                    LITEMALL_CATEGORIES[row["category_l1"]],
                    row["attributes"],
                )
            )
    beauty = _read(products / "product1m_titles.csv")
    for row in rng.sample(beauty, min(per_source, len(beauty))):
        catalogue.append((row["title"], "", "美妆", ""))
    clothing = _read(products / "advertisegen_clothing.csv")
    for row in rng.sample(clothing, min(per_source, len(clothing))):
        values = " ".join(pair.split(":", 1)[-1] for pair in row["attributes"].split("|"))
        catalogue.append(
            (f"{values} {row['product_type']}".strip(), row["ad_copy"], "服饰", row["attributes"])
        )
    formula = _read(products / "mep3m_formula.csv")
    for row in rng.sample(formula, min(per_source, len(formula))):
        catalogue.append((row["title"], "", "母婴", ""))
    return [
        [
            f"q{index:05d}",
            title[:200],
            description[:2000],
            category,
            f"{rng.uniform(9, 999):.2f}",
            attributes[:2000],
        ]
        for index, (title, description, category, attributes) in enumerate(catalogue, start=1)
    ]


def _placements(
    scenario: Scenario, warm: list[str], rng: random.Random, per_host: int
) -> Iterator[list[object]]:
    by_category: dict[str, list[str]] = defaultdict(list)
    for product, category in sorted(scenario.product_categories.items()):
        by_category[category].append(product)
    every = sorted(scenario.product_categories)
    number = 0
    for host in warm:
        own = [p for c in scenario.host_categories[host] for p in by_category.get(c, [])]
        chosen: set[str] = set()
        while len(chosen) < per_host:
            pool = own if own and rng.random() < 0.75 else every
            chosen.add(rng.choice(pool))
        for index, product in enumerate(sorted(chosen)):
            number += 1
            converted = int(rng.random() < scenario.relevance(host, product))
            moment = START + timedelta(days=rng.randrange(84), hours=index % 3)
            yield [f"pl{number:06d}", host, product, moment.isoformat(), converted]
