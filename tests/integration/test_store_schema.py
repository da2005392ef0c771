"""The Alembic migrations build exactly the schema the models describe."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from radar.store import open_store
from radar.store.models import Base


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'radar.db'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'radar.db'}"
    open_store(url)
    open_store(url)
