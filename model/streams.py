"""Named random streams, all spawned from the model's one ``numpy.random.Generator``.

Each purpose (drawing the population, the firms' monthly events, …) gets its own child generator,
spawned in a fixed order from ``model.rng``. A stream's draws therefore never shift when
another purpose draws more or fewer numbers, which is what lets a policy run and its
no-policy counterfactual share every random number that both of them use (common random
numbers). The funder's own draws (``selection``) exist only in policy runs and cannot disturb
the firms' streams.

Draws made for every firm row each month (revenue shocks, adoption, …) come from
``for_month(name, step)``: a generator derived from the stream's seed and the month alone. The
number of rows depends on how many entrants the horizon holds, so drawing them in sequence from
one generator would make month 2's draws depend on the run's length; per-month generators keep
a firm's draws in a month the same whatever the horizon (``--until``, calibration runs).
"""

from __future__ import annotations

import numpy as np

STREAM_NAMES = (
    "population",  # the firms' fixed attributes
    "demography",  # entry and exit
    "revenue",  # monthly revenue shocks
    "events",  # one draw per firm and month: adopting, giving up, switching, listing
    "relocation",  # firms moving into the city
    "settlement",  # platforms settling in the city
    "selection",  # order of first-come applicants and of training places (funder)
    "households",  # household sellers' attributes, entry and exit (spawned per kind)
)


class RandomStreams:
    """One child generator per purpose, e.g. ``streams.settlement.random(k)``."""

    def __init__(self, rng: np.random.Generator) -> None:
        for name, child in zip(STREAM_NAMES, rng.spawn(len(STREAM_NAMES)), strict=True):
            setattr(self, name, child)

    def for_month(self, name: str, step: int, group: int = 0) -> np.random.Generator:
        """Generator of stream ``name`` for month ``step`` (0-based) and row ``group``.

        Groups keep rows whose position depends on the horizon (relocation candidates sit
        after all entrants) on draws of their own. Used only for streams that are never
        ``spawn``-ed from, so the derived seeds cannot collide with a spawned child's.
        """
        seed = getattr(self, name).bit_generator.seed_seq
        key = (*seed.spawn_key, step, group)
        month_seed = np.random.SeedSequence(seed.entropy, spawn_key=key)
        return np.random.Generator(np.random.PCG64(month_seed))

    def monthly_rows(
        self, name: str, step: int, counts: tuple[int, int], normal: bool = False
    ) -> np.ndarray:
        """Draws for this month's active rows: uniform, or standard normal, as float32.

        ``counts`` is how many city rows and how many candidate rows draw. Each kind draws from
        its own generator, so a row's draw depends only on its position among its own kind; and
        as a generator's numbers come in sequence, drawing for the first ``k`` rows gives them
        the same numbers a draw for all rows would.
        """
        draws = np.empty(sum(counts), dtype=np.float32)
        first = 0
        for group, k in enumerate(counts):
            rng = self.for_month(name, step, group)
            part = draws[first : first + k]
            if normal:
                rng.standard_normal(dtype=np.float32, out=part)
            else:
                rng.random(dtype=np.float32, out=part)
            first += k
        return draws

    population: np.random.Generator
    demography: np.random.Generator
    revenue: np.random.Generator
    events: np.random.Generator
    relocation: np.random.Generator
    settlement: np.random.Generator
    selection: np.random.Generator
    households: np.random.Generator


def replication_seed(base_seed: int, replication: int) -> int:
    """Seed of replication ``replication`` of an experiment seeded with ``base_seed``.

    Derived by hashing both numbers through ``SeedSequence``, so it depends only on the
    experiment seed and the replication's index, never on which worker runs it.
    """
    state = np.random.SeedSequence([base_seed, replication]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))  # keep it a positive int64 for Parquet and JSON
