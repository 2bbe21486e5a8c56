"""``ecomsim sensitivity``: which levers move an outcome, with confidence intervals (SALib).

SALib's *sample / run / analyze* split: ``experiments.design`` samples (Saltelli's design for
Sobol indices, Morris trajectories for screening), ``experiments.sweep`` runs the design like
any sweep, and this module analyses it. Each design point's outcome is the mean over its
replications (all points share the replication seeds, so the noise is common to them).

Results are one tidy table: per outcome and parameter, each index with its bootstrap
confidence interval: ``S1`` (first order) and ``ST`` (total) for Sobol (``S2`` per pair with
``second_order``); ``mu_star`` (mean absolute elementary effect, with its interval), ``mu`` and
``sigma`` for Morris. Elementary effects are per unit of each parameter's range (the design
lives in the unit cube), so they compare across parameters.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ecomsim.experiments.design import SensitivitySpec, salib_problem

COLUMNS = ["outcome", "parameter", "index", "value", "conf_low", "conf_high", "note"]


def sobol_indices(
    names: list[str], outputs: np.ndarray, spec: SensitivitySpec, seed: int
) -> pd.DataFrame:
    """First-order and total Sobol indices (and second-order ones if designed) of ``outputs``.

    ``outputs`` are in the order of Saltelli's design (``design_points(…, "saltelli")``).
    """
    from SALib.analyze import sobol

    result = sobol.analyze(
        salib_problem(names),
        outputs,
        calc_second_order=spec.second_order,
        num_resamples=spec.resamples,
        conf_level=spec.confidence,
        seed=seed,
    )
    rows = []
    for k, name in enumerate(names):
        for index in ("S1", "ST"):
            rows.append(_row(name, index, result[index][k], result[f"{index}_conf"][k]))
    if spec.second_order:
        for i, j in itertools.combinations(range(len(names)), 2):
            label = f"{names[i]} × {names[j]}"
            rows.append(_row(label, "S2", result["S2"][i, j], result["S2_conf"][i, j]))
    return pd.DataFrame(rows)


def morris_indices(
    names: list[str],
    unit_points: np.ndarray,
    outputs: np.ndarray,
    spec: SensitivitySpec,
    seed: int,
) -> pd.DataFrame:
    """Morris screening statistics: μ* (with its interval), μ and σ per parameter."""
    from SALib.analyze import morris

    result = morris.analyze(
        salib_problem(names),
        unit_points,
        outputs,
        num_resamples=spec.resamples,
        conf_level=spec.confidence,
        num_levels=spec.levels,
        seed=seed,
    )
    rows = []
    for k, name in enumerate(names):
        rows.append(_row(name, "mu_star", result["mu_star"][k], result["mu_star_conf"][k]))
        rows.append(_row(name, "mu", result["mu"][k], np.nan))
        rows.append(_row(name, "sigma", result["sigma"][k], np.nan))
    return pd.DataFrame(rows)


def _row(parameter: str, index: str, value: float, half_width: float) -> dict[str, object]:
    # SALib reports an interval as its half-width around the estimate.
    return {
        "parameter": parameter,
        "index": index,
        "value": float(value),
        "conf_low": float(value - half_width),
        "conf_high": float(value + half_width),
        "note": "",
    }


def analyse(
    points: pd.DataFrame,
    runs: pd.DataFrame,
    outcomes: list[str],
    names: list[str],
    spec: SensitivitySpec,
    seed: int,
) -> pd.DataFrame:
    """Indices of every outcome, from the design ``points`` and the finished ``runs``.

    An outcome that is undefined at some point (a cost per extra adopter where no firm was
    additional, say) cannot be analysed; it gets one row saying so.
    """
    means = runs.groupby("point", sort=True)[outcomes].mean().reindex(points["point"])
    unit = points[[f"unit:{name}" for name in names]].to_numpy(dtype=float)
    frames = []
    for outcome in outcomes:
        outputs = means[outcome].to_numpy(dtype=float)
        missing = int(np.count_nonzero(~np.isfinite(outputs)))
        if missing:
            note = f"undefined at {missing} of {outputs.size} design points"
            frames.append(pd.DataFrame([{"outcome": outcome, "note": note}]))
            continue
        if np.ptp(outputs) == 0:
            frames.append(pd.DataFrame([{"outcome": outcome, "note": "constant over the design"}]))
            continue
        if spec.method == "sobol":
            table = sobol_indices(names, outputs, spec, seed)
        else:
            table = morris_indices(names, unit, outputs, spec, seed)
        table.insert(0, "outcome", outcome)
        frames.append(table)
    return pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)


def dominant(indices: pd.DataFrame, outcome: str) -> str | None:
    """The parameter with the largest total index (Sobol ``ST``, Morris ``mu_star``)."""
    mine = indices[(indices["outcome"] == outcome) & indices["index"].isin(["ST", "mu_star"])]
    if mine.empty:
        return None
    return str(mine.loc[mine["value"].idxmax(), "parameter"])
