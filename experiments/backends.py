"""Where runs happen: this process, a local process pool, or a Dask cluster.

Every experiment is written against a ``concurrent.futures.Executor``, so the backend is a
choice of executor and never changes results (each run's seed comes from the experiment seed
and the run's index). The default is a local process pool, with nothing to install or start;
``--scheduler tcp://HOST:PORT`` sends the same runs to a Dask distributed cluster through
``Client(...).get_executor()``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field

from ecomsim.experiments.errors import UsageError

#: Runs kept in flight per worker slot: enough to keep every worker busy while results are
#: written, few enough that memory does not grow with the size of the experiment.
IN_FLIGHT_PER_SLOT = 2

#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 20


def default_workers(runs: int) -> int:
    """One worker per core, but no more workers than runs."""
    return max(1, min(os.cpu_count() or 1, runs))


@dataclass
class Backend:
    """An executor (``None``: this process, or a local pool of ``workers``) and its size."""

    executor: Executor | None
    workers: int
    description: dict[str, object] = field(default_factory=dict)

    @property
    def window(self) -> int:
        """How many runs to keep submitted at once."""
        return IN_FLIGHT_PER_SLOT * self.workers


@contextmanager
def open_backend(workers: int | None, scheduler: str | None, runs: int) -> Iterator[Backend]:
    """The backend the command line asked for, closed (or disconnected) afterwards.

    Without ``scheduler``: a local process pool of ``workers`` (default: one per core), or this
    process when that is one worker. With ``scheduler``: the Dask cluster at that address; each
    thread of each Dask worker is one slot.
    """
    if scheduler is None:
        count = workers or default_workers(runs)
        kind = "local process pool" if count > 1 else "this process"
        yield Backend(None, count, {"backend": kind, "workers": count})
        return
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--scheduler needs Dask's distributed scheduler: pip install 'ecomsim[cluster]'"
        ) from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"--scheduler {scheduler}: cannot connect ({error})") from None
    with client:
        threads = client.nthreads()
        slots = max(1, sum(threads.values()))
        description = {
            "backend": "dask",
            "scheduler": scheduler,
            "dask_workers": len(threads),
            "workers": slots,
        }
        executor = client.get_executor(pure=False)
        try:
            yield Backend(executor, slots, description)
        finally:
            executor.shutdown(wait=False)
