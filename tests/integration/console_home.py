"""A trained home with this week's batch published, for the console's tests."""

from __future__ import annotations

from pathlib import Path

from radar.settings import Settings
from tests.homes import TrainedHome, copy_home
from tests.integration.batch_state import WEEK, batch

__all__ = ["WEEK", "published_home"]


def published_home(trained_home: Path, into: Path) -> Path:
    """A copy of `trained_home` at `into` whose week WEEK `radar batch` published (files in
    the home's batch folder, rows in its store), at min_fit 0.5 so every host has a list."""
    home = copy_home(TrainedHome(trained_home), into).home
    batch(home, Settings(home=home).batch_dir, min_fit=0.5)
    return home
