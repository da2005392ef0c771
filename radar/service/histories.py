"""Every host's placements, read at once and kept while the store's placements are as they
were: a scored request then reads no placements of its own (a query of about 1–3 ms)."""

from __future__ import annotations

import logging
import threading
from functools import partial

from sqlalchemy import Engine

from radar.matching.history import History, histories_of
from radar.service.cache import TimedValue
from radar.store.derived import data_version
from radar.store.reads import load_host_ids, load_placements

PLACEMENT_TABLES = ("placements",)
READ_HOSTS = 1_000
"""Hosts whose placements are read at a time."""
VERSION_SECONDS = 1.0
"""How long one reading of the placements' data version is trusted."""

logger = logging.getLogger(__name__)


class KeptHistories:
    """Each host's history (`histories_of`) from one read of every placement, answered
    while no ingest has loaded placements since (the store's data version, read at most
    once a `VERSION_SECONDS`); after one, every placement is read again in the background
    and `get` answers None until then (the caller reads the host's own)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._histories: dict[str, History] = {}
        self._made_from: str | None = None  # the data version they were read at
        self._version = TimedValue(partial(data_version, engine, PLACEMENT_TABLES), VERSION_SECONDS)
        self._reading = threading.Lock()
        self.reads = 0
        """Times every placement was read."""

    def get(self, streamer_id: str) -> History | None:
        """The host's history as the store has it (no placements: none), or None while
        they are being read."""
        version, _ = self._version.get()
        if version != self._made_from:
            self.read_later()
            return None
        return self._histories.get(streamer_id, ([], set()))

    def read_later(self) -> None:
        """Read every placement in a thread of its own (unless a read is under way)."""
        if self._reading.acquire(blocking=False):
            threading.Thread(target=self._read, name="histories", daemon=True).start()

    def read(self) -> None:
        """Read every placement now, unless they were read since the last ingest that
        brought placements."""
        with self._reading:
            self._read_all()

    def _read(self) -> None:
        try:
            self._read_all()
        except Exception:  # requests keep reading their host's placements
            logger.exception("could not read the placements")
        finally:
            self._reading.release()

    def _read_all(self) -> None:
        version = data_version(self.engine, PLACEMENT_TABLES)  # before the placements
        if version == self._made_from:
            return
        histories: dict[str, History] = {}
        hosts = load_host_ids(self.engine)
        for start in range(0, len(hosts), READ_HOSTS):  # a part at a time: less memory
            chunk = hosts[start : start + READ_HOSTS]
            histories.update(histories_of(*load_placements(self.engine, chunk), chunk))
        self._histories = histories
        self._made_from = version
        self.reads += 1
