"""The store the settings name, opened for a command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from radar.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


def open_settings_store(settings: Settings) -> Engine:
    """The store, whose writes wait up to RADAR_STORE_BUSY_TIMEOUT_SECONDS for another's."""
    from radar.store import open_store  # SQLAlchemy: only when a command opens the store

    return open_store(
        settings.resolved_database_url, busy_timeout=settings.store_busy_timeout_seconds
    )
