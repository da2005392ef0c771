"""The served model: loaded beside the old one, swapped in one assignment.

A request takes `holder.current` once and uses that snapshot throughout, so a swap
never shows a request half of one model and half of another; a version that fails to
load leaves the old one serving, is reported in `/health` by a short fixed reason (the
error itself goes to the log only, URL passwords masked) and is tried again at the next
poll.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from anyio import CapacityLimiter
from sqlalchemy import Engine

from radar.errors import NoModelError
from radar.redact import mask_urls_in
from radar.service.options import ListOptions
from radar.service.registry import LoadedModel, champion_version, load_version
from radar.service.service import RadarService
from serving.lists import HostLists
from serving.turns import ScoringTurns

logger = logging.getLogger(__name__)

SCORING_THREADS = 2
"""Threads that score what the routes answer (a host's first list, pairs' fits; the fast
paths score in the event loop: `serving.turns`). The default pool's 40 threads, all
wanting the one interpreter lock back after each NumPy product and store read, queued
behind each other there instead of in the event loop (the scale store's scored requests:
py-spy)."""
NO_CHAMPION = "no_champion"
REGISTRY_UNREACHABLE = "registry_unreachable"
MODEL_LOAD_FAILED = "model_load_failed"


@dataclass(frozen=True)
class Served:
    """One loaded model version, its service over the store and its precomputed lists."""

    loaded: LoadedModel
    service: RadarService
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
        min_fit: float,
        profile_ttl: float = 300.0,
        options: ListOptions | None = None,
    ) -> None:
        """`profile_ttl`: seconds before a host's profile and list are recomputed;
        `min_fit`: the cut of the precomputed lists; `options`: default filters and proposal
        weights (settings')."""
        self.engine = engine
        self.options = options
        self.profile_ttl = profile_ttl
        self.min_fit = min_fit
        self.tracking_uri = tracking_uri
        self.model_name = model_name
        self.cache = cache
        self.current: Served | None = None
        self.problem: str | None = None  # why the champion is not served: a short fixed code
        self._last_failure: str | None = None  # logged once, not at every poll
        self._lock = threading.Lock()
        self._scoring: CapacityLimiter | None = None
        self._turns: ScoringTurns | None = None

    def scoring(self) -> CapacityLimiter:
        """The limiter of the threads that score requests (`SCORING_THREADS`; made on first
        use, in the server's event loop)."""
        if self._scoring is None:
            self._scoring = CapacityLimiter(SCORING_THREADS)
        return self._scoring

    def turns(self) -> ScoringTurns:
        """Where the fast paths score requests: in the event loop, one per turn (made on
        first use, in the server's event loop)."""
        if self._turns is None:
            self._turns = ScoringTurns()
        return self._turns

    def require(self) -> Served:
        """The served model, or NoModelError (503) when there is none yet."""
        served = self.current
        if served is None:
            raise NoModelError(f"no {self.model_name}@champion served yet")
        return served

    def close(self) -> None:
        """Stop the served lists' background refresher."""
        if self.current is not None:
            self.current.lists.close()

    def refresh(self) -> bool:
        """Load the champion if it moved (or failed to load before); returns True when a
        new version was swapped in. The champion pointing at the served version clears
        an earlier failure (a rollback)."""
        with self._lock:
            try:
                version = champion_version(self.tracking_uri, self.model_name)
            except Exception as error:
                problem = NO_CHAMPION if isinstance(error, NoModelError) else REGISTRY_UNREACHABLE
                return self._failed(problem, "could not ask the registry for", error)
            if self.current is not None and self.current.loaded.version == version:
                self.problem = None
                return False
            try:
                served = self._load(version, first=self.current is None)
            except Exception as error:  # keep serving the old model, say why in /health
                return self._failed(
                    MODEL_LOAD_FAILED, f"could not load version {version} of", error
                )
            previous, self.current = self.current, served
            if previous is not None:
                previous.lists.close()
            self.problem = self._last_failure = None
            logger.info("serving %s version %s", self.model_name, version)
            return True

    def _load(self, version: str, *, first: bool) -> Served:
        """The version loaded, its lists computed: before it is swapped in when another
        version serves meanwhile, else in the background (the server is ready as soon as
        the model is: until a host's list is there, its requests are scored)."""
        loaded = load_version(self.tracking_uri, self.model_name, version, self.cache)
        service = RadarService(
            self.engine,
            loaded.model,
            model_version=version,
            profile_ttl=self.profile_ttl,
            options=self.options,
            keep_histories=True,
        )
        lists = HostLists(service, version, min_fit=self.min_fit, ttl=self.profile_ttl)
        if first:
            lists.warm_later()
        else:
            lists.warm()
        return Served(loaded, service, lists)

    def _failed(self, problem: str, doing: str, error: Exception) -> bool:
        """Record `problem` for /health and log the error itself (URL passwords masked);
        the same failure again at the next polls is logged at debug level only."""
        self.problem = problem
        message = f"{doing} {self.model_name}@champion ({problem}): " + mask_urls_in(
            f"{type(error).__name__}: {error}"
        )
        logger.log(logging.DEBUG if message == self._last_failure else logging.WARNING, message)
        self._last_failure = message
        return False
