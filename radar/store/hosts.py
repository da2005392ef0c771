"""Whether the store knows a host."""

from __future__ import annotations

from sqlalchemy import Engine, select

from radar.errors import UnknownHostError
from radar.store.models import Streamer


def require_known_host(engine: Engine, streamer_id: str) -> None:
    """UnknownHostError when the store has no host `streamer_id`."""
    with engine.connect() as connection:
        known = connection.scalar(
            select(Streamer.streamer_id).where(Streamer.streamer_id == streamer_id)
        )
    if known is None:
        raise UnknownHostError(streamer_id)
