"""The served model: loaded beside the old one, swapped in one assignment.

A request takes `holder.current` once and uses that snapshot throughout, so a swap
never shows a request half of one model and half of another; a version that fails to
load leaves the old one serving and is reported in `/health`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from radar.errors import NoModelError
from radar.matching.store_recommender import StoreRecommender
from serving.registry import LoadedModel, champion_version, load_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """One loaded model version and its scorer over the store."""

    loaded: LoadedModel
    scorer: StoreRecommender


class ModelHolder:
    """Keeps the champion loaded and swaps to a new champion atomically."""

    def __init__(
        self,
        engine: Engine,
        tracking_uri: str,
        model_name: str,
        cache: Path,
        *,
        profile_ttl: float = 300.0,
    ) -> None:
        self.engine = engine
        self.profile_ttl = profile_ttl
        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.cache = cache
        self.current: Served | None = None
        self.last_error: str | None = None
        self._lock = threading.Lock()

    def require(self) -> Served:
        """The served model, or NoModelError (503) when there is none yet."""
        served = self.current
        if served is None:
            raise NoModelError(
                self.last_error
                or f"no {self.model_name}@champion loaded yet: "
                "train one with `radar train`, then reload"
            )
        return served

    def refresh(self) -> bool:
        """Load the champion if it moved; returns True when a new version was swapped in."""
        with self._lock:
            try:
                version = champion_version(self.tracking_uri, self.model_name)
                if self.current is not None and self.current.loaded.version == version:
                    return False
                loaded = load_version(self.tracking_uri, self.model_name, version, self.cache)
                scorer = StoreRecommender(self.engine, loaded.model, profile_ttl=self.profile_ttl)
                served = Served(loaded, scorer)
            except Exception as error:  # keep serving the old model, say why in /health
                self.last_error = f"could not load {self.model_name}@champion: {error}"
                logger.warning(self.last_error)
                return False
            self.current = served
            self.last_error = None
            logger.info("serving %s version %s", self.model_name, version)
            return True
