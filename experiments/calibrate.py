"""Calibration: fit behavioural parameters so the pre-plan years reproduce public figures.

A scenario's ``[calibration]`` table names the parameters no document gives (by dotted path,
with search bounds) and the pre-plan observations to reproduce. The fit minimises the weighted
mean squared log error between each observation and the median of its simulated value across
``replications`` runs with fixed seeds (common random numbers, so the objective is a
deterministic function of the parameters). The search is a scrambled Sobol design over the
bounds (``scipy.stats.qmc``) followed by a bounded Nelder–Mead polish (``scipy.optimize``) from
the best point. Runs stop at the last observed year, with no policy: the plan years are never
seen, so they remain an out-of-sample check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomlkit
from scipy import optimize, stats

from ecomsim.experiments.runner import replication_seeds, run_replications
from ecomsim.experiments.tables import format_value, render
from ecomsim.model.calendar import Month
from ecomsim.model.outcomes import yearly_outcomes
from ecomsim.scenarios import LoadedScenario, ScenarioError, validate_values
from ecomsim.scenarios.provenance import apply_override
from ecomsim.scenarios.schema import Calibration, Scenario


@dataclass
class Problem:
    """A calibration problem: the scenario, what to fit, and how to run it."""

    loaded: LoadedScenario
    seed: int = 0
    executor: Executor | None = None
    scale: float = 1.0
    history: list[dict[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Refuse search bounds the scenario itself would refuse, before any run is spent."""
        for name, parameter in self.calibration.parameters.items():
            for bound in ("low", "high"):
                value = getattr(parameter, bound)
                try:
                    self.scenario_with({name: value})
                except ScenarioError as error:
                    raise ScenarioError(
                        self.loaded.path.name,
                        f"calibration.parameters.{name}.{bound}",
                        f"{value!r} is refused: {error.field}: {error.problem}",
                    ) from None

    @property
    def calibration(self) -> Calibration:
        """The scenario's ``[calibration]`` table."""
        assert self.loaded.spec.calibration is not None
        return self.loaded.spec.calibration

    @property
    def until(self) -> Month:
        """Last month simulated: December of the last observed year."""
        return Month(max(o.year for o in self.calibration.observed.values()), 12)

    def to_values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values at a point of the unit cube."""
        parameters = self.calibration.parameters.items()
        return {name: p.from_unit(u) for u, (name, p) in zip(unit, parameters, strict=True)}

    def to_unit(self, values: dict[str, float]) -> np.ndarray:
        """The point of the unit cube of ``values`` (clipped to the bounds)."""
        return np.array([p.to_unit(values[n]) for n, p in self.calibration.parameters.items()])

    def current_values(self) -> dict[str, float]:
        """The parameters' values as the file gives them now (the search's first point)."""
        spec = self.loaded.spec.model_dump()
        out = {}
        for name, p in self.calibration.parameters.items():
            node: Any = spec
            for key in p.path.split("."):
                node = node[key]
            out[name] = float(node)
        return out

    def scenario_with(self, values: dict[str, float]) -> Scenario:
        """The scenario with the parameters set to ``values``."""
        data, sources = self.loaded.values, self.loaded.sources
        where = self.loaded.path.name
        for name, value in values.items():
            path = self.calibration.parameters[name].path
            data, sources = apply_override(data, sources, path, value, where)
        return validate_values(data, where)

    def simulate(self, values: dict[str, float], replications: int) -> pd.DataFrame:
        """Observed outcomes per replication (rows) and observation (columns)."""
        spec = self.scenario_with(values)
        seeds = replication_seeds(self.seed, replications)
        results = run_replications(
            spec,
            seeds,
            executor=self.executor,
            until=self.until,
            counterfactual=False,
            scale=self.scale,
            progress=False,
        )
        yearly = yearly_outcomes(
            pd.concat([r.timeseries for r in results], ignore_index=True),
            spec.declared_outcomes(),
        )
        columns = {}
        for name, seen in self.calibration.observed.items():
            rows = yearly[yearly["year"] == seen.year].sort_values("replication")
            columns[name] = rows[seen.outcome_name].to_numpy(dtype=float)
        return pd.DataFrame(columns)

    def loss(self, simulated: pd.DataFrame) -> float:
        """Weighted mean squared log error of the median simulated value per observation."""
        total, weights = 0.0, 0.0
        for name, seen in self.calibration.observed.items():
            median = float(np.median(simulated[name]))
            error = math.log(max(median, 1e-12) / seen.value)
            total += seen.weight * error**2
            weights += seen.weight
        return total / weights

    def objective(self, unit: np.ndarray) -> float:
        """Loss at a point of the unit cube, recorded in ``history``."""
        values = self.to_values(np.clip(unit, 0.0, 1.0))
        loss = self.loss(self.simulate(values, self.calibration.replications))
        self.history.append({**values, "loss": loss})
        return loss


def fit(
    problem: Problem,
    evaluations: int,
    on_evaluation: Callable[[float], None] = lambda loss: None,
) -> dict[str, float]:
    """Best parameter values within ``evaluations`` objective evaluations."""
    dims = len(problem.calibration.parameters)

    def objective(unit: np.ndarray) -> float:
        loss = problem.objective(unit)
        on_evaluation(loss)
        return loss

    # A Sobol design of 2^m points (its balance needs a power of two): about 2·dims + 2
    # points, never more than half the evaluations, so the polish keeps the rest.
    wanted = min(2 * dims + 2, max(1, evaluations // 2))
    design = stats.qmc.Sobol(dims, scramble=True, rng=problem.seed).random_base2(
        int(math.log2(wanted))
    )
    points = [problem.to_unit(problem.current_values()), *design]
    losses = [objective(point) for point in points]
    best = points[int(np.argmin(losses))]
    remaining = evaluations - len(points)
    if remaining > 0:
        optimize.minimize(
            objective,
            best,
            method="Nelder-Mead",
            bounds=[(0.0, 1.0)] * dims,
            options={"maxfev": remaining, "xatol": 1e-3, "fatol": 1e-4, "initial_simplex": None},
        )
    winner = min(problem.history, key=lambda row: row["loss"])
    return {name: winner[name] for name in problem.calibration.parameters}


def fit_table(problem: Problem, simulated: pd.DataFrame) -> pd.DataFrame:
    """Per observation: observed value, simulated median and 90 % interval, relative error."""
    rows = []
    for name, seen in problem.calibration.observed.items():
        values = simulated[name].to_numpy()
        p5, median, p95 = np.percentile(values, [5, 50, 95])
        rows.append(
            {
                "observation": name,
                "description": seen.description,
                "outcome": seen.outcome_name,
                "unit": seen.definition.unit,
                "year": seen.year,
                "observed": seen.value,
                "median": median,
                "p5": p5,
                "p95": p95,
                "relative_error": median / seen.value - 1.0,
            }
        )
    return pd.DataFrame(rows)


def format_fit(table: pd.DataFrame, values: dict[str, float], replications: int) -> str:
    """The fit table and the fitted values as text."""
    header = ["observation", "year", "observed", "simulated median [5–95 %]", "rel. error"]
    rows = []
    for row in table.itertuples():
        unit = row.unit
        low, high = (format_value(v, unit).split(" ")[0] for v in (row.p5, row.p95))
        rows.append(
            [
                str(row.description or row.observation),
                str(row.year),
                format_value(row.observed, unit),
                f"{format_value(row.median, unit)} [{low}–{high}]",
                f"{row.relative_error:+.1%}",
            ]
        )
    lines = render([header, *rows], "<>>>>")
    lines.append(f"(across {replications} replications with the fitted values)")
    lines.append("fitted: " + ", ".join(f"{k} = {v:.4g}" for k, v in values.items()))
    return "\n".join(lines)


def write_fitted(path: Path, problem: Problem, values: dict[str, float], provenance: str) -> None:
    """Write the fitted values into the scenario file, each with its provenance.

    ``tomlkit`` keeps the file's comments and layout; only the fitted entries change, to
    ``{ value = …, source = "calibrated: …" }``.
    """
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for name, value in values.items():
        keys = problem.calibration.parameters[name].path.split(".")
        node = document
        for key in keys[:-1]:
            node = node[key]
        entry = tomlkit.inline_table()
        entry.update({"value": float(f"{value:.4g}"), "source": provenance})
        node[keys[-1]] = entry
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    temporary.replace(path)
