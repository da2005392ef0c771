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


class UnknownStreamerError(RadarError):
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
