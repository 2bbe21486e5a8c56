"""The run function of every experiment: scenario, parameters and seed in; outcomes out.

One row of outcomes and a few monthly series come back from each run.

``run_job`` is a top-level function of one picklable argument, so a local process pool or a
Dask cluster can run it anywhere; it calls the model's run boundary (``run_scenario``) and keeps
only what the experiment asked for (``experiments.measures``), so what travels back from a
worker is a few kilobytes whatever the size of the city.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

import pandas as pd

from ecomsim.experiments.measures import run_outcomes, run_series
from ecomsim.model.run import run_scenario
from ecomsim.scenarios.schema import Scenario

Label = str | int | float | bool


@dataclass(frozen=True)
class RunJob:
    """One run of an experiment.

    ``labels`` say where the run sits in the design (point, replication, parameter values,
    economy and policy, …) and are copied into its row of ``runs.parquet``. ``year`` is the
    outcome year; ``outcomes`` (``None``: all) and ``series`` are what to keep.
    """

    scenario: Scenario
    seed: int
    replication: int
    year: int
    labels: dict[str, Label] = field(default_factory=dict)
    outcomes: tuple[str, ...] | None = None
    series: tuple[str, ...] = ()
    scale: float | None = None  # None: the scenario's own sample


@dataclass
class RunOutput:
    """What a run returns: its row (labels, seed, outcomes, timing) and its monthly series."""

    summary: dict[str, object]
    series: pd.DataFrame


def run_job(job: RunJob) -> RunOutput:
    """Run ``job`` (policy run and its paired no-policy run) and keep what it asks for."""
    result = run_scenario(job.scenario, job.seed, replication=job.replication, scale=job.scale)
    outcomes = run_outcomes(result.timeseries, job.year, job.scenario.declared_outcomes())
    if job.outcomes is not None:
        outcomes = {name: outcomes[name] for name in job.outcomes}
    summary = {
        **job.labels,
        "replication": job.replication,
        "seed": job.seed,
        **outcomes,
        "wall_time_seconds": round(result.wall_time, 3),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    return RunOutput(summary, run_series(result.timeseries, job.series))
