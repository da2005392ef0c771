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
from serving.lists import HostLists
from serving.registry import LoadedModel, champion_version, load_version

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """One loaded model version, its scorer over the store and its precomputed lists."""

    loaded: LoadedModel
    scorer: StoreRecommender
    lists: HostLists


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
        min_fit: float = 0.8,
    ) -> None:
        """`profile_ttl`: seconds before a host's profile and list are recomputed;
        `min_fit`: the cut of the precomputed lists."""
        self.engine = engine
        self.profile_ttl = profile_ttl
        self.min_fit = min_fit
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

    def close(self) -> None:
        """Stop the served lists' background refresher."""
        if self.current is not None:
            self.current.lists.close()

    def refresh(self) -> bool:
        """Load the champion if it moved; returns True when a new version was swapped in."""
        with self._lock:
            try:
                version = champion_version(self.tracking_uri, self.model_name)
                if self.current is not None and self.current.loaded.version == version:
                    return False
                loaded = load_version(self.tracking_uri, self.model_name, version, self.cache)
                scorer = StoreRecommender(
                    self.engine, loaded.model, model_version=version, profile_ttl=self.profile_ttl
                )
                lists = HostLists(scorer, version, min_fit=self.min_fit, ttl=self.profile_ttl)
                lists.warm()
                served = Served(loaded, scorer, lists)
            except Exception as error:  # keep serving the old model, say why in /health
                self.last_error = f"could not load {self.model_name}@champion: {error}"
                logger.warning(self.last_error)
                return False
            previous, self.current = self.current, served
            if previous is not None:
                previous.lists.close()
            self.last_error = None
            logger.info("serving %s version %s", self.model_name, version)
            return True
