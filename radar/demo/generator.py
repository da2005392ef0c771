"""Generate the demo data set: a seeded, deterministic folder of the contract's input tables.

`generate_demo_data` writes `streamers.csv`, `products.csv`, `transcripts.csv`,
`comments.csv` and `placements.csv` (UTF-8, header row). The same arguments give
byte-identical files: every random draw comes from one `random.Random(seed)` passed down
explicitly, and dates derive from `start`, never from the clock.

What the data set plants, so that later steps have something to learn:

* Hosts: each has a primary category; about 25% also have a secondary one (a 70/30 mix).
  About 5% have transcripts but no comments, about 5% comments but no transcripts, and
  exactly one host (when there are at least two) has no text and no placements at all.
* Transcripts and comments follow the host's categories in proportion (transcripts 92%,
  category comments 85%; the rest come from random categories). Per session about 45% of
  the comments are category questions or praise, 20% generic shopping questions and 35%
  chants, noise and bot repeats.
* Placements: 15-30 distinct products per host with sessions; about 70% from the host's
  categories (split by the host's mix) and 30% from unrelated ones. Each placement converts
  with probability `conversion_probability`:

      p = base(fit) + 0.06 * (0.5 - price_position) + 0.08 * (margin - 0.325)

  with base 0.82 for the host's primary category, 0.52 for the secondary and 0.10 for an
  unrelated category; `price_position` is the price's place in its category's range on a
  log scale (0 cheapest, 1 dearest), so cheaper and higher-margin (better promoted) products
  convert slightly more. This gives about 0.77-0.87, 0.47-0.57 and 0.05-0.15. A converted
  placement has at least 20 orders, a non-converted one at most 12; gmv = orders * price.

Example:
    >>> import tempfile
    >>> counts = generate_demo_data(Path(tempfile.mkdtemp()), hosts=10, products=100)
    >>> counts["streamers"], counts["products"]
    (10, 100)
"""

from __future__ import annotations

import csv
import math
import os
import random
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

from radar.demo import vocabulary as vocab
from radar.schema import (
    COMMENT_KINDS,
    COMMENTS,
    PLACEMENTS,
    PRODUCTS,
    STREAMERS,
    TRANSCRIPTS,
    TableSpec,
)

Fit = Literal["primary", "secondary", "unrelated"]

# Column names, unpacked from the schema so that they are spelled in one place only.
_S_ID, _S_NAME = STREAMERS.required
(_S_TAGS,) = STREAMERS.optional
_PR_ID, _PR_TITLE = PRODUCTS.required
(
    _PR_DESCRIPTION,
    _PR_CATEGORY,
    _PR_PRICE,
    _PR_MARGIN,
    _PR_STOCK,
    _PR_ATTRIBUTES,
    _PR_LISTED_AT,
) = PRODUCTS.optional
_NEW_PRODUCT_EVERY = 7
"""One product in this many is new: listed in the data's last two weeks."""
_T_STREAMER, _T_SESSION, _T_STARTED, _T_TEXT = TRANSCRIPTS.required
_C_STREAMER, _C_CREATED, _C_TEXT = COMMENTS.required
_C_ID, _C_SESSION, _C_USER, _C_KIND = COMMENTS.optional
_P_STREAMER, _P_PRODUCT, _P_STARTED = PLACEMENTS.required
_P_ID, _P_ORDERS, _P_GMV, _P_CONVERTED, _P_RECOMMENDATION = PLACEMENTS.optional
_COMMENT_KIND, _DANMAKU_KIND = COMMENT_KINDS

_TZ = timezone(timedelta(hours=8))
_TAG_SEPARATOR = "|"

# Hosts.
_PRIMARY_SHARE = 0.7
_MIXED_HOST_SHARE = 0.25
_TEXT_GAP_SHARE = 0.05  # share of hosts without comments, and again without transcripts
_FAN_STRIDE = 40  # host i's fans are users i*40+1 .. i*40+60, overlapping the neighbours'
_FAN_BASE = 60
_HOST_FAN_SHARE = 0.75
_BOT_USERS = 25

# Products.
_TITLE_MIN, _TITLE_MAX = 10, 30
_OUT_OF_STOCK_SHARE = 0.07
_TITLE_FILLERS = ("官方正品", "旗舰店", "包邮", "新款")

# Sessions and text.
_START_HOURS = (18, 19, 19, 20, 20, 20, 21)
_START_MINUTES = (0, 0, 0, 30)
_SESSION_MINUTES = (90, 180)
_TRANSCRIPT_MIN, _TRANSCRIPT_MAX = 300, 1500
_TRANSCRIPT_TARGET = (340, 1380)
_TRANSCRIPT_ON_TOPIC = 0.92
_COMMENT_ON_TOPIC = 0.85
_CATEGORY_COMMENT_SHARE = 0.45
_GENERIC_COMMENT_SHARE = 0.20

# Placements.
_PLACEMENTS_PER_HOST = (15, 30)
_IN_CATEGORY_PLACEMENT_SHARE = 0.7
_BASE_CONVERSION: dict[Fit, float] = {"primary": 0.82, "secondary": 0.52, "unrelated": 0.10}
_PRICE_EFFECT = 0.06
_MARGIN_EFFECT = 0.08
_MARGIN_CENTRE = 0.325
_MIN_CONVERTED_ORDERS = 20
_MAX_UNCONVERTED_ORDERS = 12


@dataclass(frozen=True, slots=True)
class _Host:
    """One host and the text the data set gives them."""

    number: int
    streamer_id: str
    name: str
    categories: tuple[str, ...]  # primary first
    weights: tuple[float, ...]
    has_transcripts: bool
    has_comments: bool

    @property
    def has_sessions(self) -> bool:
        return self.has_transcripts or self.has_comments


@dataclass(frozen=True, slots=True)
class _Product:
    """One product of the catalogue."""

    product_id: str
    category: str
    line: int  # index into the category's product lines
    brand: str
    noun: str
    spec: str
    title: str
    description: str
    attributes: dict[str, str]
    price_cents: int
    price_position: float
    margin: float
    stock: int


@dataclass(frozen=True, slots=True)
class _Catalog:
    """The products and, per category, the indices of its products."""

    products: list[_Product]
    by_category: dict[str, list[int]]


@dataclass(frozen=True, slots=True)
class _Session:
    """One live session of a host."""

    session_id: str
    started_at: datetime
    minutes: int


class _IdSequence:
    """Sequential ids with a prefix and a zero-padded number."""

    def __init__(self, prefix: str, width: int) -> None:
        self._prefix = prefix
        self._width = width
        self._last = 0

    def next(self) -> str:
        """Return the next id."""
        self._last += 1
        return f"{self._prefix}{self._last:0{self._width}d}"


class _LazySlots(dict[str, str]):
    """Template slots: fixed values first, otherwise one random choice drawn on first use."""

    def __init__(
        self, rng: random.Random, choices: Mapping[str, Sequence[str]], fixed: Mapping[str, str]
    ) -> None:
        super().__init__(fixed)
        self._rng = rng
        self._choices = choices

    def __missing__(self, key: str) -> str:
        value = self._rng.choice(self._choices[key])
        self[key] = value
        return value


class _TableWriter:
    """A csv writer that takes rows as dicts keyed by the table's column names."""

    def __init__(self, handle: IO[str], header: tuple[str, ...]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._header = header
        self.rows = 0
        self._writer.writerow(header)

    def write(self, row: Mapping[str, object]) -> None:
        """Write one row; a missing column raises KeyError."""
        self._writer.writerow([row[column] for column in self._header])
        self.rows += 1


class _StagedTables:
    """CSV files written under temporary names and moved into place together on success."""

    def __init__(self, out_dir: Path) -> None:
        self._out_dir = out_dir
        self._staged: list[tuple[IO[str], Path, Path]] = []
        self.writers: dict[str, _TableWriter] = {}

    def open(self, spec: TableSpec) -> _TableWriter:
        """Start `spec.name`.csv under a temporary name and return its writer."""
        tmp_path = self._out_dir / f".{spec.name}.csv.{secrets.token_hex(6)}.tmp"
        handle = open(tmp_path, "x", encoding="utf-8", newline="")  # noqa: SIM115 - closed on exit
        self._staged.append((handle, tmp_path, self._out_dir / f"{spec.name}.csv"))
        writer = _TableWriter(handle, _header(spec))
        self.writers[spec.name] = writer
        return writer

    def __enter__(self) -> _StagedTables:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for handle, _, _ in self._staged:
            handle.close()
        for _, tmp_path, final_path in self._staged:
            if exc_type is None:
                os.replace(tmp_path, final_path)
            else:
                tmp_path.unlink(missing_ok=True)


def generate_demo_data(
    out_dir: Path,
    *,
    hosts: int = 48,
    products: int = 960,
    seed: int = 7,
    weeks: int = 12,
    start: date = date(2026, 8, 3),
    sessions_per_week: float = 2.0,
    comments_per_session: int = 25,
) -> dict[str, int]:
    """Write streamers/products/transcripts/comments/placements .csv into out_dir.

    Args:
        out_dir: Folder for the five files; created if needed. Existing files are replaced
            atomically, and only once every table has been written.
        hosts: Number of hosts (streamers).
        products: Number of products.
        seed: Seed of the one random generator; same arguments give identical files.
        weeks: Number of weeks the sessions spread over, from `start`.
        start: First day of the first week.
        sessions_per_week: Average live sessions per host and week.
        comments_per_session: Average comments per session (each session draws 60-140%).

    Returns:
        Rows written per table, keyed by table name.

    Raises:
        ValueError: When a size is out of range.
    """
    _check_sizes(hosts, products, weeks, sessions_per_week, comments_per_session)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    active = list(vocab.CATEGORIES)[: min(len(vocab.CATEGORIES), products)]
    host_list = _make_hosts(rng, hosts, active)
    catalog = _make_catalog(rng, products, active)
    with _StagedTables(out_dir) as stage:
        _write_streamers(stage.open(STREAMERS), host_list)
        _write_products(stage.open(PRODUCTS), catalog.products, start, weeks)
        _write_activity(
            rng,
            stage,
            host_list,
            catalog,
            active,
            start=start,
            weeks=weeks,
            sessions_per_week=sessions_per_week,
            comments_per_session=comments_per_session,
        )
        return {name: writer.rows for name, writer in stage.writers.items()}


def conversion_probability(fit: Fit, *, price_position: float, margin: float) -> float:
    """Probability that a placement converts, as planted in the demo data.

    Args:
        fit: The product's category relative to the host: "primary", "secondary" or
            "unrelated".
        price_position: Place of the price in its category's range, 0 (cheap) to 1 (dear).
        margin: The product's margin, 0.05 to 0.6.

    Returns:
        base(fit) + 0.06 * (0.5 - price_position) + 0.08 * (margin - 0.325), in [0.01, 0.97].
    """
    p = (
        _BASE_CONVERSION[fit]
        + _PRICE_EFFECT * (0.5 - price_position)
        + _MARGIN_EFFECT * (margin - _MARGIN_CENTRE)
    )
    return min(0.97, max(0.01, p))


# ---- checks and small helpers -----------------------------------------------------------


def _check_sizes(
    hosts: int, products: int, weeks: int, sessions_per_week: float, comments_per_session: int
) -> None:
    """Raise ValueError for sizes the generator cannot honour."""
    if hosts < 1:
        raise ValueError(f"hosts must be at least 1, got {hosts}")
    if products < 1:
        raise ValueError(f"products must be at least 1, got {products}")
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    if sessions_per_week <= 0:
        raise ValueError(f"sessions_per_week must be positive, got {sessions_per_week}")
    if comments_per_session < 0:
        raise ValueError(f"comments_per_session must be >= 0, got {comments_per_session}")


def _header(spec: TableSpec) -> tuple[str, ...]:
    """Return the table's columns with its id column first."""
    return (spec.id_column, *(c for c in spec.columns if c != spec.id_column))


def _format_cents(cents: int) -> str:
    """Format an amount in cents with two decimals, exactly."""
    return f"{cents // 100}.{cents % 100:02d}"


def _spoken_price(cents: int) -> str:
    """Format a price as a host says it: 89.9, 129, 99.99."""
    return _format_cents(cents).rstrip("0").rstrip(".")


@cache
def _slot_choices(category: str, line: int) -> Mapping[str, Sequence[str]]:
    """Return the random choices for every slot of a category template, for one product line.

    The line's own words come first; attribute keys that only other lines have fall back to
    the values of the whole category, so that every category template can be filled.
    """
    words = vocab.CATEGORIES[category]
    merged: dict[str, list[str]] = {}
    for other in words.lines:
        for key, values in other.attributes.items():
            known = merged.setdefault(key, [])
            known.extend(value for value in values if value not in known)
    own = words.lines[line]
    return {
        **{key: tuple(values) for key, values in merged.items()},
        **own.attributes,
        "noun": own.nouns,
        "brand": words.brands,
        "benefit": own.benefits,
        "spec": own.specs,
        "keyword": words.keywords,
    }


def _pick_host_category(rng: random.Random, host: _Host) -> str:
    """Draw one of the host's categories by the host's mix."""
    if len(host.categories) == 1:
        return host.categories[0]
    return rng.choices(host.categories, weights=host.weights)[0]


def _pick_topic(rng: random.Random, host: _Host, active: Sequence[str], on_topic: float) -> str:
    """Draw a category: the host's mix with probability on_topic, else any category."""
    if rng.random() < on_topic:
        return _pick_host_category(rng, host)
    return rng.choice(active)


def _fit_of(host: _Host, category: str) -> Fit:
    """Return how a category relates to the host."""
    if category == host.categories[0]:
        return "primary"
    if category in host.categories:
        return "secondary"
    return "unrelated"


# ---- hosts --------------------------------------------------------------------------------


def _make_hosts(rng: random.Random, count: int, active: Sequence[str]) -> list[_Host]:
    """Draw the hosts: categories, mixes, names and which text each has."""
    categories = _assign_categories(rng, count, active)
    no_transcripts, no_comments = _assign_text_gaps(rng, count)
    hosts = []
    for number, (cats, weights) in enumerate(categories, start=1):
        hosts.append(
            _Host(
                number=number,
                streamer_id=f"h{number:04d}",
                name=_draw_host_name(rng, cats[0]),
                categories=cats,
                weights=weights,
                has_transcripts=number not in no_transcripts,
                has_comments=number not in no_comments,
            )
        )
    return hosts


def _assign_categories(
    rng: random.Random, count: int, active: Sequence[str]
) -> list[tuple[tuple[str, ...], tuple[float, ...]]]:
    """Give every host a primary category (all categories covered) and some a secondary."""
    primaries = [active[i % len(active)] for i in range(count)]
    rng.shuffle(primaries)
    mixed = set(rng.sample(range(count), round(count * _MIXED_HOST_SHARE)))
    result: list[tuple[tuple[str, ...], tuple[float, ...]]] = []
    for index, primary in enumerate(primaries):
        others = [c for c in active if c != primary]
        if index in mixed and others:
            secondary = rng.choice(others)
            result.append(((primary, secondary), (_PRIMARY_SHARE, 1.0 - _PRIMARY_SHARE)))
        else:
            result.append(((primary,), (1.0,)))
    return result


def _assign_text_gaps(rng: random.Random, count: int) -> tuple[set[int], set[int]]:
    """Choose host numbers without transcripts and without comments.

    One host (when there are two or more) is in both sets; about 5% more are in each.
    """
    order = [number + 1 for number in rng.sample(range(count), count)]
    silent = 1 if count >= 2 else 0
    gap = round(count * _TEXT_GAP_SHARE)
    no_comments = set(order[: silent + gap])
    no_transcripts = set(order[:silent]) | set(order[silent + gap : silent + 2 * gap])
    return no_transcripts, no_comments


def _draw_host_name(rng: random.Random, category: str) -> str:
    """Draw a plausible host nickname that hints at the host's main category."""
    pattern = rng.choice(vocab.NICKNAME_PATTERNS)
    return pattern.format(
        core=rng.choice(vocab.NICKNAME_CORES),
        suffix=rng.choice(vocab.NICKNAME_SUFFIXES),
        hint=rng.choice(vocab.CATEGORIES[category].name_hints),
    )


def _write_streamers(writer: _TableWriter, hosts: Sequence[_Host]) -> None:
    """Write the streamers table."""
    for host in hosts:
        writer.write(
            {
                _S_ID: host.streamer_id,
                _S_NAME: host.name,
                _S_TAGS: _TAG_SEPARATOR.join(host.categories),
            }
        )


# ---- products -----------------------------------------------------------------------------


def _make_catalog(rng: random.Random, count: int, active: Sequence[str]) -> _Catalog:
    """Draw the products, spread evenly over the categories in random order."""
    categories = [active[i % len(active)] for i in range(count)]
    rng.shuffle(categories)
    products: list[_Product] = []
    by_category: dict[str, list[int]] = {}
    for index, category in enumerate(categories):
        products.append(_draw_product(rng, index + 1, category))
        by_category.setdefault(category, []).append(index)
    return _Catalog(products=products, by_category=by_category)


def _draw_product(rng: random.Random, number: int, category: str) -> _Product:
    """Draw one product of a category."""
    words = vocab.CATEGORIES[category]
    line_index = rng.randrange(len(words.lines))
    line = words.lines[line_index]
    brand = rng.choice(words.brands)
    noun = rng.choice(line.nouns)
    spec = rng.choice(line.specs)
    attributes = _draw_attributes(rng, line.attributes)
    price_cents, position = _draw_price(rng, *line.price_range)
    margin = round(rng.uniform(*words.margin_range), 2)
    return _Product(
        product_id=f"p{number:05d}",
        category=category,
        line=line_index,
        brand=brand,
        noun=noun,
        spec=spec,
        title=_compose_title(rng, line, brand, noun, spec, attributes),
        description=_compose_description(rng, words, line, brand, noun),
        attributes=attributes,
        price_cents=price_cents,
        price_position=position,
        margin=margin,
        stock=_draw_stock(rng),
    )


def _draw_attributes(rng: random.Random, attributes: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Draw two or three attribute keys with one value each, in vocabulary order."""
    keys = list(attributes)
    chosen = set(rng.sample(keys, min(len(keys), rng.randint(2, 3))))
    return {key: rng.choice(attributes[key]) for key in keys if key in chosen}


def _draw_price(rng: random.Random, low: float, high: float) -> tuple[int, float]:
    """Draw a shop-like price in cents (89.90, 99.99, 129.00) and its log position."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    yuan = max(math.ceil(low), round(value))
    ending = rng.random()
    cents = yuan * 100 - (10 if ending < 0.5 else 1 if ending < 0.65 else 0)
    position = (math.log(cents / 100) - math.log(low)) / (math.log(high) - math.log(low))
    return cents, min(1.0, max(0.0, position))


def _draw_stock(rng: random.Random) -> int:
    """Draw a stock level; a few products are sold out."""
    if rng.random() < _OUT_OF_STOCK_SHARE:
        return 0
    return round(math.exp(rng.uniform(math.log(20), math.log(5000))))


def _compose_title(
    rng: random.Random,
    line: vocab.ProductLine,
    brand: str,
    noun: str,
    spec: str,
    attributes: Mapping[str, str],
) -> str:
    """Build a shop title (brand, selling words, noun, spec, attribute) of 10-30 characters."""
    first, second = rng.sample(line.title_words, 2)
    parts = [brand, first, noun]
    for extra, position in ((spec, 3), (rng.choice(list(attributes.values())), 4), (second, 2)):
        candidate = [*parts[:position], extra, *parts[position:]]
        if extra not in parts and len(" ".join(candidate)) <= _TITLE_MAX:
            parts = candidate
    fillers = iter(_TITLE_FILLERS)
    while len(" ".join(parts)) < _TITLE_MIN:
        parts.append(next(fillers))
    return " ".join(parts)


def _compose_description(
    rng: random.Random,
    words: vocab.CategoryVocabulary,
    line: vocab.ProductLine,
    brand: str,
    noun: str,
) -> str:
    """Write a one- or two-sentence product description."""
    benefit, benefit2 = rng.sample(line.benefits, 2)
    return rng.choice(vocab.DESCRIPTION_TEMPLATES).format(
        brand=brand, noun=noun, benefit=benefit, benefit2=benefit2, keyword=words.keywords[0]
    )


def _write_products(
    writer: _TableWriter, products: Sequence[_Product], start: date, weeks: int
) -> None:
    """Write the products table; every `_NEW_PRODUCT_EVERY`th product is listed in the
    last two weeks, the others before the first (derived from the number: the generator's
    draws stay as they were)."""
    for number, product in enumerate(products):
        days = 7 * weeks - 1 - number % 14 if number % _NEW_PRODUCT_EVERY == 0 else -1 - number % 60
        writer.write(
            {
                _PR_ID: product.product_id,
                _PR_TITLE: product.title,
                _PR_DESCRIPTION: product.description,
                _PR_CATEGORY: product.category,
                _PR_PRICE: _format_cents(product.price_cents),
                _PR_MARGIN: f"{product.margin:.2f}",
                _PR_STOCK: product.stock,
                _PR_ATTRIBUTES: ";".join(f"{k}:{v}" for k, v in product.attributes.items()),
                _PR_LISTED_AT: (start + timedelta(days=days)).isoformat(),
            }
        )


# ---- sessions, transcripts, comments, placements -----------------------------------------


def _write_activity(
    rng: random.Random,
    stage: _StagedTables,
    hosts: Sequence[_Host],
    catalog: _Catalog,
    active: Sequence[str],
    *,
    start: date,
    weeks: int,
    sessions_per_week: float,
    comments_per_session: int,
) -> None:
    """Stream every host's sessions, transcripts, comments and placements to the writers."""
    transcripts = stage.open(TRANSCRIPTS)
    comments = stage.open(COMMENTS)
    placements = stage.open(PLACEMENTS)
    session_ids = _IdSequence("s", 6)
    comment_ids = _IdSequence("c", 7)
    placement_ids = _IdSequence("pl", 6)
    users = len(hosts) * _FAN_STRIDE + _FAN_BASE
    for host in hosts:
        if not host.has_sessions:
            continue
        sessions = _plan_sessions(rng, start, weeks, sessions_per_week, session_ids)
        for session in sessions:
            if host.has_transcripts:
                _write_transcript(rng, transcripts, host, session, catalog, active)
            if host.has_comments:
                count = _draw_comment_count(rng, comments_per_session)
                _write_comments(rng, comments, host, session, count, active, users, comment_ids)
        _write_placements(rng, placements, host, sessions, catalog, placement_ids)


def _plan_sessions(
    rng: random.Random,
    start: date,
    weeks: int,
    sessions_per_week: float,
    ids: _IdSequence,
) -> list[_Session]:
    """Draw a host's evening sessions on distinct days over the weeks from start."""
    days = weeks * 7
    activity = rng.uniform(0.6, 1.4)
    count = min(days, max(1, round(sessions_per_week * weeks * activity)))
    sessions = []
    for day in sorted(rng.sample(range(days), count)):
        hour, minute = rng.choice(_START_HOURS), rng.choice(_START_MINUTES)
        started = datetime.combine(start + timedelta(days=day), time(hour, minute), tzinfo=_TZ)
        until_midnight = 24 * 60 - (hour * 60 + minute) - 1
        minutes = min(rng.randint(*_SESSION_MINUTES), until_midnight)
        sessions.append(_Session(session_id=ids.next(), started_at=started, minutes=minutes))
    return sessions


def _write_transcript(
    rng: random.Random,
    writer: _TableWriter,
    host: _Host,
    session: _Session,
    catalog: _Catalog,
    active: Sequence[str],
) -> None:
    """Write one session's transcript."""
    writer.write(
        {
            _T_SESSION: session.session_id,
            _T_STREAMER: host.streamer_id,
            _T_STARTED: session.started_at.isoformat(),
            _T_TEXT: _compose_transcript(rng, host, catalog, active),
        }
    )


def _compose_transcript(
    rng: random.Random, host: _Host, catalog: _Catalog, active: Sequence[str]
) -> str:
    """Compose a host's speech of 300-1500 characters: opening, product segments, closing."""
    closing = rng.choice(vocab.HOST_CLOSINGS)
    limit = _TRANSCRIPT_MAX - len(closing)
    target = rng.randint(*_TRANSCRIPT_TARGET)
    parts = [rng.choice(vocab.HOST_OPENINGS)]
    size = len(parts[0])
    sentences = _speech(rng, host, catalog, active)
    while size < target:
        sentence = next(sentences)
        if size + len(sentence) > limit:
            break
        parts.append(sentence)
        size += len(sentence)
    parts.append(closing)
    return "".join(parts)


def _speech(
    rng: random.Random, host: _Host, catalog: _Catalog, active: Sequence[str]
) -> Iterator[str]:
    """Yield host sentences without end, one product segment after another."""
    while True:
        category = _pick_topic(rng, host, active, _TRANSCRIPT_ON_TOPIC)
        product = catalog.products[rng.choice(catalog.by_category[category])]
        yield from _product_segment(rng, product)


def _product_segment(rng: random.Random, product: _Product) -> Iterator[str]:
    """Yield the sentences a host says about one product: intro, pitch, price, patter."""
    words = vocab.CATEGORIES[product.category]
    pitches = words.host_templates + words.lines[product.line].host_templates
    choices = _slot_choices(product.category, product.line)
    price = _spoken_price(product.price_cents)
    orig = str(round(product.price_cents * rng.choice((1.3, 1.5, 2.0)) / 100))
    fixed = {
        "brand": product.brand,
        "noun": product.noun,
        "spec": product.spec,
        "title": product.title,
        "price": price,
        "orig": orig,
        "stock": str(rng.randint(20, 500)),
        "n": str(rng.randint(1, 60)),
        **product.attributes,
    }
    yield rng.choice(vocab.PRODUCT_INTROS).format_map(_LazySlots(rng, choices, fixed))
    for template in rng.sample(pitches, rng.randint(2, 4)):
        filler = rng.choice(vocab.SPEECH_FILLERS)
        yield filler + template.format_map(_LazySlots(rng, choices, fixed))
    yield rng.choice(vocab.PRICE_LINES).format_map(fixed)
    for template in rng.sample(vocab.HOST_PATTER, rng.randint(1, 2)):
        yield template.format_map(_LazySlots(rng, choices, fixed))


def _draw_comment_count(rng: random.Random, mean: int) -> int:
    """Draw a session's number of comments, 60-140% of the mean."""
    if mean <= 0:
        return 0
    return rng.randint(max(1, round(mean * 0.6)), max(1, round(mean * 1.4)))


def _write_comments(
    rng: random.Random,
    writer: _TableWriter,
    host: _Host,
    session: _Session,
    count: int,
    active: Sequence[str],
    users: int,
    ids: _IdSequence,
) -> None:
    """Write one session's comments in time order."""
    bot_line = rng.choice(vocab.BOT_LINES)
    bot_user = f"u{users + rng.randint(1, _BOT_USERS):06d}"
    offsets = sorted(rng.randrange(session.minutes * 60) for _ in range(count))
    for offset in offsets:
        text, kind, is_bot = _compose_comment(rng, host, active, bot_line)
        writer.write(
            {
                _C_ID: ids.next(),
                _C_STREAMER: host.streamer_id,
                _C_SESSION: session.session_id,
                _C_USER: bot_user if is_bot else _draw_fan(rng, host, users),
                _C_CREATED: (session.started_at + timedelta(seconds=offset)).isoformat(),
                _C_KIND: kind,
                _C_TEXT: text,
            }
        )


def _draw_fan(rng: random.Random, host: _Host, users: int) -> str:
    """Draw a commenting user: mostly the host's own fans, sometimes anyone."""
    if rng.random() < _HOST_FAN_SHARE:
        number = (host.number - 1) * _FAN_STRIDE + rng.randint(1, _FAN_BASE)
    else:
        number = rng.randint(1, users)
    return f"u{number:06d}"


def _compose_comment(
    rng: random.Random, host: _Host, active: Sequence[str], bot_line: str
) -> tuple[str, str, bool]:
    """Draw one comment: (text, kind, whether the session's bot wrote it)."""
    draw = rng.random()
    if draw < _CATEGORY_COMMENT_SHARE:
        category = _pick_topic(rng, host, active, _COMMENT_ON_TOPIC)
        words = vocab.CATEGORIES[category]
        choices = _slot_choices(category, rng.randrange(len(words.lines)))
        text = rng.choice(words.fan_templates).format_map(_LazySlots(rng, choices, {}))
        return text, _draw_kind(rng, danmaku=0.4), False
    if draw < _CATEGORY_COMMENT_SHARE + _GENERIC_COMMENT_SHARE:
        return rng.choice(vocab.FAN_GENERIC), _draw_kind(rng, danmaku=0.3), False
    return _compose_noise(rng, bot_line)


def _compose_noise(rng: random.Random, bot_line: str) -> tuple[str, str, bool]:
    """Draw a chant, a bot repeat, a link or mention, or a traditional/full-width line."""
    draw = rng.random()
    if draw < 0.62:
        return rng.choice(vocab.CHANTS), _draw_kind(rng, danmaku=0.85), False
    if draw < 0.82:
        return bot_line, _DANMAKU_KIND, True
    if draw < 0.90:
        return _compose_link_or_mention(rng), _draw_kind(rng, danmaku=0.5), False
    return rng.choice(vocab.TRADITIONAL_AND_FULLWIDTH), _draw_kind(rng, danmaku=0.5), False


def _compose_link_or_mention(rng: random.Random) -> str:
    """Draw a comment with a short URL or an @mention of another fan."""
    code = "".join(rng.choices("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=6))
    nick = rng.choice(vocab.FAN_NICKNAMES).format(core=rng.choice(vocab.NICKNAME_CORES))
    return rng.choice(vocab.LINKS_AND_MENTIONS).format(code=code, nick=nick)


def _draw_kind(rng: random.Random, *, danmaku: float) -> str:
    """Draw the comment kind, danmaku with the given probability."""
    return _DANMAKU_KIND if rng.random() < danmaku else _COMMENT_KIND


def _write_placements(
    rng: random.Random,
    writer: _TableWriter,
    host: _Host,
    sessions: Sequence[_Session],
    catalog: _Catalog,
    ids: _IdSequence,
) -> None:
    """Write a host's placements in time order, each with its drawn outcome."""
    count = min(rng.randint(*_PLACEMENTS_PER_HOST), len(catalog.products))
    picks = _choose_placement_products(rng, host, catalog, count)
    timed = sorted((rng.choice(sessions).started_at, index) for index in picks)
    for started_at, index in timed:
        product = catalog.products[index]
        converted, orders = _draw_outcome(rng, _fit_of(host, product.category), product)
        writer.write(
            {
                _P_ID: ids.next(),
                _P_STREAMER: host.streamer_id,
                _P_PRODUCT: product.product_id,
                _P_STARTED: started_at.isoformat(),
                _P_ORDERS: orders,
                _P_GMV: _format_cents(orders * product.price_cents),
                _P_CONVERTED: int(converted),
                _P_RECOMMENDATION: "",  # these weeks precede every weekly list
            }
        )


def _choose_placement_products(
    rng: random.Random, host: _Host, catalog: _Catalog, count: int
) -> list[int]:
    """Choose up to count distinct products: ~70% from the host's categories, ~30% not."""
    chosen: dict[int, None] = {}
    for _ in range(count * 10):
        if len(chosen) >= count:
            break
        if rng.random() < _IN_CATEGORY_PLACEMENT_SHARE:
            index = rng.choice(catalog.by_category[_pick_host_category(rng, host)])
        else:
            index = rng.randrange(len(catalog.products))
            if catalog.products[index].category in host.categories:
                continue
        chosen.setdefault(index, None)
    return list(chosen)


def _draw_outcome(rng: random.Random, fit: Fit, product: _Product) -> tuple[bool, int]:
    """Draw whether a placement converts and its orders (>= 20 if so, <= 12 if not)."""
    p = conversion_probability(fit, price_position=product.price_position, margin=product.margin)
    if rng.random() >= p:
        return False, rng.randint(0, _MAX_UNCONVERTED_ORDERS)
    median = 120 * (1.5 - product.price_position)
    return True, max(_MIN_CONVERTED_ORDERS, round(rng.lognormvariate(math.log(median), 0.7)))
