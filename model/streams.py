"""Named random streams, all spawned from the model's one ``numpy.random.Generator``.

Each purpose (drawing the population, adoption, abandonment, …) gets its own child generator,
spawned in a fixed order from ``model.rng``. A stream's draws therefore never shift when
another purpose draws more or fewer numbers, which is what lets a policy run and its
no-policy counterfactual share every random number that both of them use (common random
numbers). The funder's own draws (``selection``) exist only in policy runs and cannot disturb
the firms' streams.
"""

from __future__ import annotations

import numpy as np

STREAM_NAMES = (
    "population",  # the firms' fixed attributes
    "demography",  # entry and exit
    "revenue",  # monthly revenue shocks
    "adoption",  # monthly adoption draws
    "abandonment",  # monthly give-up draws
    "switching",  # monthly platform re-choice draws
    "listing",  # monthly stock-listing draws
    "relocation",  # firms moving into the city
    "settlement",  # platforms settling in the city
    "selection",  # order of first-come applicants and of training places (funder)
)


class RandomStreams:
    """One child generator per purpose, e.g. ``streams.adoption.random(n)``."""

    def __init__(self, rng: np.random.Generator) -> None:
        for name, child in zip(STREAM_NAMES, rng.spawn(len(STREAM_NAMES)), strict=True):
            setattr(self, name, child)

    population: np.random.Generator
    demography: np.random.Generator
    revenue: np.random.Generator
    adoption: np.random.Generator
    abandonment: np.random.Generator
    switching: np.random.Generator
    listing: np.random.Generator
    relocation: np.random.Generator
    settlement: np.random.Generator
    selection: np.random.Generator


def replication_seed(base_seed: int, replication: int) -> int:
    """Seed of replication ``replication`` of an experiment seeded with ``base_seed``.

    Derived by hashing both numbers through ``SeedSequence``, so it depends only on the
    experiment seed and the replication's index, never on which worker runs it.
    """
    state = np.random.SeedSequence([base_seed, replication]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))  # keep it a positive int64 for Parquet and JSON
