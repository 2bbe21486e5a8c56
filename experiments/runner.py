"""Running replications of a scenario, sequentially or on any ``concurrent.futures`` executor.

Every replication is one call of the run boundary ``run_scenario(spec, seed)``; its seed is
derived from the experiment seed and the replication's index only, so results are identical
whatever the number of workers. Passing an ``Executor`` (a process pool by default, or later a
Dask client's executor) changes where runs happen, never what they produce.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
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
    jobs = {r: ((spec, seed), {"replication": r}) for r, seed in enumerate(seeds)}
    finished = execute(
        run, jobs, workers=workers, executor=executor, progress=progress, label=spec.scenario.name
    )
    return [result for _, result in sorted(finished, key=lambda pair: pair[0])]


Job = tuple[tuple[object, ...], dict[str, object]]  # positional and keyword arguments of a run


def execute[T](
    run: Callable[..., T],
    jobs: Mapping[int, Job],
    *,
    workers: int = 1,
    executor: Executor | None = None,
    progress: bool = True,
    label: str = "runs",
) -> Iterator[tuple[int, T]]:
    """Call ``run(*args, **kwargs)`` for every job; yield ``(key, result)`` as each finishes.

    Results come in the order runs finish, one at a time, so a caller can store each as it
    arrives and hold none of them. Sequential in this process with ``workers <= 1`` and no
    ``executor``; otherwise on ``executor`` (left open) or on a local process pool of
    ``workers`` (closed at the end, and at once on an error or Ctrl-C: runs in flight are lost,
    finished ones have been yielded). A progress bar with an ETA counts the runs.
    """
    bar = tqdm(total=len(jobs), desc=label, unit="run", disable=not progress, leave=False)
    try:
        if executor is None and workers <= 1:
            for key, (args, kwargs) in jobs.items():
                yield key, run(*args, **kwargs)
                bar.update()
            return
        own = executor is None
        pool = executor or ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            futures = {
                pool.submit(run, *args, **kwargs): key for key, (args, kwargs) in jobs.items()
            }
            for future in as_completed(futures):
                yield futures[future], future.result()
                bar.update()
        except BaseException:
            if own:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        if own:
            pool.shutdown()
    finally:
        bar.close()
