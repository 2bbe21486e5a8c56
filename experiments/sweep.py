"""``ecomsim sweep``: the runs of an experiment file's design, and a table per design point.

The design comes from the file's sampler (``experiments.design``); each point runs
``replications`` times with the replication seeds of the experiment seed, the same seeds at
every point (common random numbers: differences between points are the parameters', not the
draws'). Run ``point × R + r`` is replication ``r`` of point ``point``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ecomsim import __version__
from ecomsim.experiments.batch import Batch
from ecomsim.experiments.design import Experiment, design_points
from ecomsim.experiments.jobs import RunJob
from ecomsim.experiments.runner import replication_seeds


def design_batch(
    experiment: Experiment, kind: str, method: str, about: dict[str, object] | None = None
) -> Batch:
    """The runs of ``experiment``'s design ``method``, for command ``kind``.

    ``about`` adds to the manifest (the sensitivity analysis's settings, say).
    """
    info = experiment.spec.experiment
    points = design_points(experiment, method)
    names = list(experiment.parameters)
    replications = experiment.replications(method)
    seeds = replication_seeds(info.seed, replications)
    series = info.kept_series()

    @lru_cache(maxsize=8)
    def scenario_of(point: int):  # consecutive runs share a point: build its scenario once
        values = {name: _plain(points.at[point, name]) for name in names}
        return experiment.scenario_at(values).spec

    def job(index: int) -> RunJob:
        point, replication = divmod(index, replications)
        return RunJob(
            scenario=scenario_of(point),
            seed=seeds[replication],
            replication=replication,
            year=experiment.year,
            labels={"point": point, **{n: _plain(points.at[point, n]) for n in names}},
            outcomes=tuple(info.outcomes),
            series=series,
            scale=info.scale,
        )

    identity = {
        "kind": kind,
        "ecomsim_version": __version__,
        # What the runs depend on: not the other command's section, nor analysis-only settings
        # (confidence level, resamples), so changing those reuses the finished runs.
        "experiment": experiment.spec.model_dump(mode="json", exclude={"sampler", "sensitivity"}),
        "design": _design_settings(experiment, method),
        "method": method,
        "base_scenario_sha256": experiment.base.spec_sha256,
    }
    manifest = {
        "experiment_file": str(experiment.path),
        "experiment_file_sha256": experiment.file_sha256,
        "scenario": experiment.base.name,
        "scenario_file": str(experiment.base.path),
        "scenario_sha256": experiment.base.spec_sha256,
        "method": method,
        "points": len(points),
        "seed": info.seed,
        "replications": replications,
        "replication_seeds": seeds,
        "outcome_year": experiment.year,
        "outcomes": list(info.outcomes),
        "parameters": {
            n: p.model_dump(exclude_none=True) for n, p in experiment.parameters.items()
        },
        **(about or {}),
    }
    size = len(points) * replications
    return Batch(kind, experiment.name, size, job, identity, manifest, tables={"points": points})


def _design_settings(experiment: Experiment, method: str) -> dict[str, object]:
    if method in ("saltelli", "morris"):
        return experiment.spec.sensitivity.model_dump(exclude={"confidence", "resamples"})
    return experiment.spec.sampler.model_dump()


def _plain(value: object) -> object:
    """A NumPy scalar as the Python value a scenario field takes."""
    return value.item() if isinstance(value, np.generic) else value


def point_table(runs: pd.DataFrame, points: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per design point: parameter values; each outcome's mean, sd and median."""
    grouped = runs.groupby("point", sort=True)
    table = points[
        ["point", *[c for c in points.columns if c != "point" and not c.startswith("unit:")]]
    ]
    table = table.set_index("point")
    for outcome in outcomes:
        table[f"{outcome}:mean"] = grouped[outcome].mean()
        table[f"{outcome}:sd"] = grouped[outcome].std(ddof=1)
        table[f"{outcome}:median"] = grouped[outcome].median()
    table["replications"] = grouped.size()
    return table.reset_index()
