"""What scoring reads from the store: past placements and their outcomes, the catalogue,
the hosts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from sys import intern
from typing import Any

from sqlalchemy import Engine, select

from radar.matching.history import History, Outcome, histories_of
from radar.matching.products import ProductText
from radar.store.database import IDS_PER_QUERY
from radar.store.models import Placement, Product, Streamer


def load_outcomes(engine: Engine) -> list[Outcome]:
    """Placements with an outcome, oldest first.

    Where `converted` is missing it is derived: a placement converted when its orders are
    above the host's median orders (placements with neither are left out).
    """
    return load_placements(engine)[0]


@dataclass(frozen=True)
class StoreSnapshot:
    """What scoring reads from the store whatever the model, read at once: the catalogue
    and every host's history (the batch reads them while the registry answers)."""

    products: list[ProductText]
    histories: dict[str, History]


def read_snapshot(engine: Engine) -> StoreSnapshot:
    """The store's catalogue and every host's history, as they are now."""
    outcomes, placed = load_placements(engine)
    return StoreSnapshot(load_catalogue(engine), histories_of(outcomes, placed, list(placed)))


def load_placements(
    engine: Engine, streamer_ids: Sequence[str] | None = None
) -> tuple[list[Outcome], dict[str, set[str]]]:
    """`load_outcomes`, and host → the products already placed with the host (outcome or
    not), from one read of the placements (of these hosts only, when given)."""
    query = select(
        Placement.streamer_id,
        Placement.product_id,
        Placement.started_at,
        Placement.orders,
        Placement.converted,
    ).order_by(Placement.started_at, Placement.placement_id)
    queries = of_hosts(query, Placement.streamer_id, streamer_ids)
    with engine.connect() as connection:
        # ids repeat across placements: one string object each
        rows = [
            (intern(host), intern(product), started_at, orders, converted)
            for query in queries
            for host, product, started_at, orders, converted in connection.execute(query)
        ]
    orders_by_host: dict[str, list[int]] = defaultdict(list)
    placed: dict[str, set[str]] = defaultdict(set)
    for host, product, _, orders, converted in rows:
        placed[host].add(product)
        if converted is None and orders is not None:
            orders_by_host[host].append(orders)
    medians = {host: median(values) for host, values in orders_by_host.items()}
    outcomes = []
    for host, product, started_at, orders, converted in rows:
        if converted is None and orders is not None:
            converted = int(orders > medians[host])
        if converted is not None:
            outcomes.append(Outcome(host, product, started_at, converted))
    return outcomes, dict(placed)


def load_catalogue(engine: Engine) -> list[ProductText]:
    """Every product, ordered by id."""
    query = select(
        Product.product_id,
        Product.title,
        Product.category,
        Product.description,
        Product.attributes,
        Product.price,
        Product.stock,
        Product.margin,
        Product.listed_at,
    ).order_by(Product.product_id)
    with engine.connect() as connection:
        return [ProductText(*row) for row in connection.execute(query)]


def load_host_ids(engine: Engine) -> list[str]:
    """Every host id, ordered."""
    with engine.connect() as connection:
        return list(connection.scalars(select(Streamer.streamer_id).order_by(Streamer.streamer_id)))


def load_host_names(engine: Engine, streamer_ids: Sequence[str] | None = None) -> dict[str, str]:
    """Every host's name (as operations know the host), by id; of these hosts only, when
    given."""
    query = select(Streamer.streamer_id, Streamer.name)
    queries = of_hosts(query, Streamer.streamer_id, streamer_ids)
    with engine.connect() as connection:
        return {
            str(host): str(name) for query in queries for host, name in connection.execute(query)
        }


def of_hosts(query: Any, column: Any, streamer_ids: Sequence[str] | None) -> list[Any]:
    """`query` for every host (None), or for these hosts, `IDS_PER_QUERY` ids a query."""
    if streamer_ids is None:
        return [query]
    return [
        query.where(column.in_(streamer_ids[start : start + IDS_PER_QUERY]))
        for start in range(0, len(streamer_ids), IDS_PER_QUERY)
    ]
