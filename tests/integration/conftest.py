"""Fixtures shared by the integration tests of the API's lists and kept rows: the trained
demo store's service and every host's list, made as the server makes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from radar.service.registry import load_champion
from radar.service.service import RadarService
from radar.settings import Settings
from radar.store import open_store
from serving.lists import HostLists


@pytest.fixture(scope="module")
def service(trained_home: Path) -> RadarService:
    """The trained demo store's service (the champion model, profiles not saved)."""
    settings = Settings(home=trained_home)
    loaded = load_champion(
        settings.resolved_mlflow_tracking_uri, settings.model_name, settings.model_cache_dir
    )
    return RadarService(open_store(settings.resolved_database_url), loaded.model)


@pytest.fixture(scope="module")
def lists(service: RadarService) -> Iterator[HostLists]:
    """Every host's list (and its kept rows), made in blocks of hosts as the server makes
    them, `min_fit` 0.5."""
    warmed = HostLists(service, "1", min_fit=0.5, ttl=3600)
    warmed.warm()
    yield warmed
    warmed.close()
