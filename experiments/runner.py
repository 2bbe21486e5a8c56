"""Running many runs of the model, here or on any ``concurrent.futures`` executor.

``execute`` is the one loop every experiment uses: it calls a run function for each job on an
executor (a local process pool by default, a Dask client's executor on a cluster), keeps a
bounded number of runs in flight, and yields each result as soon as it finishes, so a caller
can store it at once and memory stays flat however many runs there are. A run's seed is part
of its job, derived from the experiment seed and the run's index, so results are identical
whatever the number of workers or the backend.

``run_replications`` is ``ecomsim run``'s use of it: replications of one scenario.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from itertools import islice

from tqdm import tqdm

from ecomsim.experiments.backends import IN_FLIGHT_PER_SLOT, default_workers
from ecomsim.experiments.errors import RunError
from ecomsim.model.calendar import Month
from ecomsim.model.run import RunResult, run_scenario
from ecomsim.model.streams import replication_seed
from ecomsim.scenarios.schema import Scenario

__all__ = ["default_workers", "execute", "replication_seeds", "run_replications"]

Job = tuple[tuple[object, ...], dict[str, object]]  # positional and keyword arguments of a run


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of replications ``0 … replications−1`` of an experiment seeded with ``seed``."""
    return [replication_seed(seed, r) for r in range(replications)]


def run_replications(
    spec: Scenario,
    seeds: list[int],
    *,
    workers: int = 1,
    executor: Executor | None = None,
    until: Month | None = None,
    keep_policy: bool = False,
    counterfactual: bool = True,
    scale: float | None = None,
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


def execute[T](
    run: Callable[..., T],
    jobs: Mapping[int, Job] | Iterable[tuple[int, Job]],
    *,
    total: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    window: int | None = None,
    progress: bool = True,
    label: str = "runs",
) -> Iterator[tuple[int, T]]:
    """Call ``run(*args, **kwargs)`` for every job; yield ``(key, result)`` as each finishes.

    ``jobs`` maps keys to ``(args, kwargs)`` (a mapping, or an iterable of pairs consumed
    lazily, with ``total`` its length for the progress bar). Sequential in this process with
    ``workers <= 1`` and no ``executor``; otherwise on ``executor`` (left open) or on a local
    process pool of ``workers`` (closed at the end, and at once on an error or Ctrl-C). At most
    ``window`` runs (default: two per worker) are submitted at a time. On an error or an
    interruption the runs in flight are lost; every finished one has been yielded. A run that
    raises, or a worker process that dies, raises ``RunError`` (the run's own exception is its
    ``__cause__``).
    """
    pairs = iter(jobs.items()) if isinstance(jobs, Mapping) else iter(jobs)
    size = len(jobs) if isinstance(jobs, Mapping) else total
    bar = tqdm(total=size, desc=label, unit="run", disable=not progress, leave=False)
    try:
        if executor is None and workers <= 1:
            for key, (args, kwargs) in pairs:
                try:
                    result = run(*args, **kwargs)
                except Exception as error:
                    raise _failed(key, error) from error
                yield key, result
                bar.update()
            return
        own = executor is None
        pool = executor or ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            yield from _stream(run, pairs, pool, window or IN_FLIGHT_PER_SLOT * workers, bar)
        except BaseException:
            if own:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        if own:
            pool.shutdown()
    finally:
        bar.close()


def _stream[T](
    run: Callable[..., T],
    pairs: Iterator[tuple[int, Job]],
    pool: Executor,
    window: int,
    bar: tqdm,
) -> Iterator[tuple[int, T]]:
    """Keep ``window`` runs in flight on ``pool``, topping up as each finishes."""
    in_flight: dict[Future[T], int] = {}

    def submit(count: int) -> None:
        for key, (args, kwargs) in islice(pairs, count):
            in_flight[pool.submit(run, *args, **kwargs)] = key

    submit(max(1, window))
    while in_flight:
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in finished:
            key = in_flight.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool as error:
                raise RunError(f"a worker process died during run {key} ({error})") from None
            except Exception as error:
                raise _failed(key, error) from error
            yield key, result
            bar.update()
        submit(len(finished))


def _failed(key: int, error: Exception) -> RunError:
    return RunError(f"run {key} failed: {type(error).__name__}: {error}")
