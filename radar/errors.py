"""Domain exceptions. Each message says what went wrong and what to do next."""


class RadarError(Exception):
    """Base of every error the radar raises on purpose."""


class TableError(RadarError):
    """An input table cannot be read at all (missing column, wrong encoding, bad format)."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(f"{table}: {message}")
        self.table = table


class NoInputError(RadarError):
    """The input folder holds none of the contract's tables."""
