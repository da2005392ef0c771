"""Past placements and their outcomes, as the matcher reads them from the store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from sys import intern

from sqlalchemy import Engine, select

from radar.matching.products import ProductText
from radar.store.models import Placement, Product, Streamer


@dataclass(frozen=True, slots=True)
class Outcome:
    """One past placement: did the pair convert?"""

    streamer_id: str
    product_id: str
    started_at: datetime
    converted: int


def load_outcomes(engine: Engine) -> list[Outcome]:
    """Placements with an outcome, oldest first.

    Where `converted` is missing it is derived: a placement converted when its orders are
    above the host's median orders (placements with neither are left out).
    """
    query = select(
        Placement.streamer_id,
        Placement.product_id,
        Placement.started_at,
        Placement.orders,
        Placement.converted,
    ).order_by(Placement.started_at, Placement.placement_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    orders_by_host: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.converted is None and row.orders is not None:
            orders_by_host[row.streamer_id].append(row.orders)
    medians = {host: median(values) for host, values in orders_by_host.items()}
    outcomes = []
    for row in rows:
        converted = row.converted
        if converted is None and row.orders is not None:
            converted = int(row.orders > medians[row.streamer_id])
        if converted is not None:
            host, product = intern(row.streamer_id), intern(row.product_id)  # repeated ids
            outcomes.append(Outcome(host, product, row.started_at, converted))
    return outcomes


def load_placed(engine: Engine, streamer_id: str | None = None) -> dict[str, set[str]]:
    """host → the products already placed with the host (outcome or not)."""
    query = select(Placement.streamer_id, Placement.product_id)
    if streamer_id is not None:
        query = query.where(Placement.streamer_id == streamer_id)
    placed: dict[str, set[str]] = defaultdict(set)
    with engine.connect() as connection:
        for host, product in connection.execute(query):
            placed[host].add(product)
    return dict(placed)


def load_catalogue(engine: Engine) -> list[ProductText]:
    """Every product, ordered by id."""
    with engine.connect() as connection:
        rows = connection.execute(select(Product).order_by(Product.product_id)).all()
    return [
        ProductText(
            p.product_id, p.title, p.category, p.description, p.attributes, p.price, p.stock
        )
        for p in rows
    ]


def load_streamer_ids(engine: Engine) -> list[str]:
    """Every host id, ordered."""
    with engine.connect() as connection:
        return list(connection.scalars(select(Streamer.streamer_id).order_by(Streamer.streamer_id)))
