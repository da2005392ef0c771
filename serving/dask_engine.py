"""The Dask engine for `radar batch --engine dask`: the same block-scoring function,
run on a Dask distributed cluster. The product vectors go to the workers once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from radar.errors import RadarError
from radar.matching.scoring import BlockMapper, Candidates, top_candidates


@contextmanager
def dask_engine(scheduler: str, *, timeout: str = "20s") -> Iterator[BlockMapper]:
    """A block mapper that scores on the cluster at `scheduler` (e.g. tcp://127.0.0.1:8786)."""
    from distributed import Client

    try:
        client = Client(scheduler, timeout=timeout)
    except OSError as error:
        raise RadarError(
            f"no Dask scheduler answers at {scheduler}: start one "
            "(dask scheduler) or run the batch with --engine numpy"
        ) from error

    def map_on_cluster(
        blocks: Sequence[np.ndarray],
        product_vectors: np.ndarray,
        *,
        per_host: int,
    ) -> list[Candidates]:
        products = client.scatter(product_vectors, broadcast=True)
        futures = [
            client.submit(top_candidates, block, products, per_host=per_host, pure=False)
            for block in blocks
        ]
        return list(client.gather(futures))

    try:
        yield map_on_cluster
    finally:
        client.close()
