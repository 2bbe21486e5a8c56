"""Running replications of a scenario, sequentially or on any ``concurrent.futures`` executor.

Every replication is one call of the run boundary ``run_scenario(spec, seed)``; its seed is
derived from the experiment seed and the replication's index only, so results are identical
whatever the number of workers. Passing an ``Executor`` (a process pool by default, or later a
Dask client's executor) changes where runs happen, never what they produce.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from functools import partial

from tqdm import tqdm

from ecomsim.model.calendar import Month
from ecomsim.model.run import RunResult, run_scenario
from ecomsim.model.streams import replication_seed
from ecomsim.scenarios.schema import Scenario


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of replications ``0 … replications−1`` of an experiment seeded with ``seed``."""
    return [replication_seed(seed, r) for r in range(replications)]


def default_workers(replications: int) -> int:
    """One worker per core, but no more workers than replications."""
    return max(1, min(os.cpu_count() or 1, replications))


def run_replications(
    spec: Scenario,
    seeds: list[int],
    *,
    workers: int = 1,
    executor: Executor | None = None,
    until: Month | None = None,
    keep_policy: bool = False,
    counterfactual: bool = True,
    scale: float = 1.0,
    progress: bool = True,
) -> list[RunResult]:
    """Run one replication per seed and return the results in replication order.

    With ``workers > 1`` (and no ``executor``) a local process pool is used; an ``executor``
    passed in is used as it is and left open. ``until``, ``keep_policy``,
    ``counterfactual`` and ``scale`` are passed to ``run_scenario``.
    """
    run = partial(
        run_scenario,
        until=until,
        keep_policy=keep_policy,
        counterfactual=counterfactual,
        scale=scale,
    )
    bar = tqdm(
        total=len(seeds),
        desc=f"{spec.scenario.name}",
        unit="run",
        disable=not progress,
        leave=False,
    )
    try:
        results = list(_completed(run, spec, seeds, workers, executor, bar))
    finally:
        bar.close()
    return sorted(results, key=lambda r: r.replication)


def _completed(
    run: Callable[..., RunResult],
    spec: Scenario,
    seeds: list[int],
    workers: int,
    executor: Executor | None,
    bar: tqdm,
) -> Iterator[RunResult]:
    if executor is None and workers <= 1:
        for replication, seed in enumerate(seeds):
            yield run(spec, seed, replication=replication)
            bar.update()
        return
    own = executor is None
    pool = executor or ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )
    try:
        futures = [pool.submit(run, spec, seed, replication=r) for r, seed in enumerate(seeds)]
        for future in as_completed(futures):
            yield future.result()
            bar.update()
    except BaseException:
        if own:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if own:
        pool.shutdown()
