"""The one settings object, read from `RADAR_*` environment variables.

Entry points (the CLI, the app factory) build it once and pass plain values down;
library functions take explicit arguments, never `Settings`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from radar.errors import HomeError


class Settings(BaseSettings):
    """Runtime configuration; every field maps to `RADAR_<FIELD>`.

    Example:
        >>> Settings(home=Path("/tmp/radar")).resolved_database_url
        'sqlite:////tmp/radar/radar.db'
    """

    model_config = SettingsConfigDict(env_prefix="RADAR_", extra="ignore")

    home: Path = Field(default=Path(".radar"), description="folder of the embedded defaults")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL of the store")
    mlflow_tracking_uri: str | None = Field(default=None, description="MLflow tracking URI")
    model_name: str = "selection-radar"
    experiment_name: str = Field(
        default="selection-radar", description="MLflow experiment of the training runs"
    )
    min_fit: float = Field(default=0.8, ge=0.0, le=1.0)
    api_keys: str | None = Field(default=None, description="comma-separated API keys")
    api_keys_file: Path | None = None
    admin_keys: str | None = Field(
        default=None, description="comma-separated keys that may also call /v1/admin/*"
    )
    admin_keys_file: Path | None = None
    access_log: bool = Field(default=True, description="log method, path, status and duration")
    model_poll_seconds: float = Field(default=30.0, gt=0, description="registry poll interval")
    profile_ttl_seconds: float = Field(default=300.0, ge=0, description="API profile cache")
    batch_workers: int = Field(
        default=0, ge=0, description="processes scoring `radar batch` (0: one per core)"
    )
    store_busy_timeout_seconds: float = Field(
        default=60.0, gt=0, description="how long a write waits for another command's write"
    )
    retrain_after_days: float = Field(
        default=30.0, gt=0, description="`radar monitor --act` retrains a champion this old"
    )
    retrain_cooldown_days: float = Field(
        default=7.0,
        ge=0,
        description="`radar monitor --act` trains again only this long after its last "
        "training (promoted or refused), unless the champion is retrain_after_days old",
    )
    proposal_weights: tuple[float, float, float] = Field(
        default=(0.3, 0.4, 0.3),
        description="the proposal score's weights: 市场热度, 粉丝需求, 产品利润 (JSON list)",
    )
    filter_categories: list[str] | None = Field(
        default=None, description="default filter: only these categories (JSON list)"
    )
    filter_exclude_categories: list[str] = Field(
        default_factory=list, description="default filter: never these categories (JSON list)"
    )
    filter_price_min: float | None = Field(default=None, ge=0, description="default filter")
    filter_price_max: float | None = Field(default=None, ge=0, description="default filter")
    filter_margin_min: float | None = Field(default=None, description="default filter")
    filter_in_stock_only: bool | None = Field(
        default=None, description="default filter (unset: true when the catalogue has stock)"
    )
    filter_max_per_category: int | None = Field(
        default=None, ge=1, description="default filter: at most this many per category"
    )
    max_comment_chars: int = Field(default=2_000, gt=0)
    max_transcript_chars: int = Field(default=200_000, gt=0)
    max_product_text_chars: int = Field(default=20_000, gt=0)

    @property
    def resolved_database_url(self) -> str:
        """The store URL: `RADAR_DATABASE_URL`, or SQLite under `home`."""
        return self.database_url or f"sqlite:///{self.home.resolve() / 'radar.db'}"

    @property
    def resolved_mlflow_tracking_uri(self) -> str:
        """The MLflow URI: `RADAR_MLFLOW_TRACKING_URI`, or SQLite under `home`."""
        return self.mlflow_tracking_uri or f"sqlite:///{self.home.resolve() / 'mlflow.db'}"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def batch_dir(self) -> Path:
        return self.home / "batch"

    @property
    def model_cache_dir(self) -> Path:
        return self.home / "models"

    @property
    def demo_data_dir(self) -> Path:
        return self.home / "demo-data"

    @property
    def resolved_batch_workers(self) -> int:
        """`RADAR_BATCH_WORKERS`, or one per core of this machine."""
        return self.batch_workers or os.cpu_count() or 1

    def max_text_chars(self) -> dict[str, int]:
        """Per-table limit on the length of free text, in characters."""
        return {
            "transcripts": self.max_transcript_chars,
            "comments": self.max_comment_chars,
            "products": self.max_product_text_chars,
        }


def ensure_home(home: Path) -> None:
    """Create `home` when missing and check this process can write in it.

    Raises:
        HomeError: `home` is a file, lies under one, or cannot be created or written.
    """
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as error:
        if home.is_file():
            reason = "it is a file, not a folder"
        elif isinstance(error, NotADirectoryError):
            reason = "a folder on its path is a file"
        else:
            reason = (error.strerror or str(error)).lower()
        raise HomeError(home, reason) from None
