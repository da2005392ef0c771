"""Rows kept packed: each chunk's rows as one compressed pickle, unpacked as they are read.

The weekly list at scale is many rows of long Chinese text (reasons and their JSON),
large as Python objects. The batch's workers pack each chunk of hosts' rows where they
are made; the parent keeps only the packed bytes (far smaller), and each writer streams
the rows out of them, one chunk at a time.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Generic, TypeVar

Row = TypeVar("Row")


def pack(rows: list[Row]) -> bytes:
    """A chunk's rows as bytes (fast compression: the rows are read back soon)."""
    return zlib.compress(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL), 1)


class PackedRows(Generic[Row]):
    """Packed chunks of rows, in order; read any number of times."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._count = 0

    def add(self, packed: bytes, count: int) -> None:
        """Append a chunk made by `pack` from `count` rows."""
        self._chunks.append(packed)
        self._count += count

    def __len__(self) -> int:
        return self._count

    def chunks(self) -> Iterator[list[Row]]:
        """The rows, a chunk (as it was packed) at a time."""
        for packed in self._chunks:
            yield pickle.loads(zlib.decompress(packed))


def in_groups(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive lists of `size` rows (the last one shorter)."""
    iterator = iter(rows)
    while group := list(islice(iterator, size)):
        yield group
