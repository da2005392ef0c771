"""Fits as users receive them, for evaluation: the recommender's scoring and rounding.

The API's lists and pair fits, `radar recommend` and `radar batch` all score a host with
`Recommender` (a host vector times the catalogue's product vectors, the fit curve, then
rounded to `FIT_DECIMALS`); evaluation scores through the same object, so that what is
measured is what is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from radar.matching.history import Outcome
from radar.matching.profiles import HostProfile
from radar.matching.recommender import FIT_DECIMALS, Recommender


def shown_fits(
    recommender: Recommender, profile: HostProfile, history: Sequence[Outcome]
) -> np.ndarray:
    """The fit of every catalogue product for the host, as the API's pair fits and the
    lists show it (rounded to `FIT_DECIMALS`)."""
    return np.round(recommender.fits(profile, history), FIT_DECIMALS)
