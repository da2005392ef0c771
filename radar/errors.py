"""Domain exceptions, and the exit status of each. Each message says what went wrong and
what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RadarError(Exception):
    """Base of every error the radar raises on purpose."""


class TableError(RadarError):
    """An input table cannot be read at all (missing column, wrong encoding, bad format)."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(f"{table}: {message}")
        self.table = table


class NoInputError(RadarError):
    """The input folder holds none of the contract's tables."""


class UnknownHostError(RadarError):
    """No host with this id in the store."""

    def __init__(self, streamer_id: str) -> None:
        super().__init__(
            f"unknown streamer {streamer_id!r}: no host with this id in the store "
            "(check the id, or ingest the streamers table)"
        )
        self.streamer_id = streamer_id


class NoModelError(RadarError):
    """No champion model to score with yet."""


class UnknownProductError(RadarError):
    """No product with this id in the catalogue."""

    def __init__(self, product_ids: list[str]) -> None:
        shown = ", ".join(product_ids[:5]) + (" …" if len(product_ids) > 5 else "")
        super().__init__(
            f"unknown product id(s) {shown}: not in the catalogue "
            "(check the ids, or ingest the products table)"
        )
        self.product_ids = product_ids


class StoreBusyError(RadarError):
    """Another command holds the store's write lock longer than we are willing to wait."""


class ModelIntegrityError(RadarError):
    """A model's files fail verification (digest, format) or were saved in a refused
    format (pickles): the model is not loaded."""


class UnknownVersionError(RadarError):
    """No such version of the model in the registry."""


class SettingsError(RadarError):
    """A `RADAR_*` setting is invalid, or RADAR_HOME cannot be used."""


class HomeError(SettingsError):
    """RADAR_HOME is not a folder this process can create and write in."""

    def __init__(self, home: Path, reason: str) -> None:
        super().__init__(
            f"RADAR_HOME {home} cannot be used: {reason}; set RADAR_HOME to a folder this "
            "user can write (it is created when missing)"
        )
        self.home = home


@dataclass(frozen=True)
class ExitStatus:
    """How a command ended, for scripts: the process's exit code and a stable name
    (the `code` of `--json` error objects)."""

    code: int
    name: str
    meaning: str


EXIT_OK = ExitStatus(0, "ok", "done")
EXIT_FAILED = ExitStatus(1, "failed", "failed: a table refused, or any other failure")
EXIT_INTERNAL = ExitStatus(1, "internal_error", "unexpected error (traceback logged)")
EXIT_USAGE = ExitStatus(2, "usage", "wrong command line (unknown option, bad value)")
EXIT_INTERRUPTED = ExitStatus(130, "interrupted", "stopped with Ctrl-C")

EXIT_STATUSES: dict[type[RadarError], ExitStatus] = {
    RadarError: EXIT_FAILED,
    TableError: ExitStatus(1, "table_refused", "an input table cannot be read"),
    NoInputError: ExitStatus(2, "no_input", "the folder given holds none of the tables"),
    NoModelError: ExitStatus(3, "no_model", "no champion model yet"),
    UnknownHostError: ExitStatus(4, "unknown_host", "no host with this id"),
    UnknownProductError: ExitStatus(4, "unknown_product", "no product with this id"),
    UnknownVersionError: ExitStatus(4, "unknown_version", "no such model version"),
    StoreBusyError: ExitStatus(5, "store_busy", "another command holds the store"),
    ModelIntegrityError: ExitStatus(6, "model_refused", "the model failed verification"),
    SettingsError: ExitStatus(7, "bad_settings", "a RADAR_* setting is invalid"),
    HomeError: ExitStatus(7, "bad_home", "RADAR_HOME cannot be used"),
}
"""Every expected failure's exit status, by error class (a subclass inherits its base's)."""


def exit_status(error: RadarError) -> ExitStatus:
    """The exit status of `error`: that of its class, or of the nearest base listed."""
    for cls in type(error).__mro__:
        if cls in EXIT_STATUSES:
            return EXIT_STATUSES[cls]
    return EXIT_FAILED
