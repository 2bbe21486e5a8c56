"""Experiment files: what a sweep or a sensitivity analysis varies, how, and what it keeps.

An experiment file is TOML, in the EMA Workbench's terms: a base scenario, the *uncertainties
and levers* to vary (each a dotted path into the scenario, as ``--set`` takes it, with a range
or a list of levels), a *sampler* for ``ecomsim sweep`` and/or a *sensitivity* design for
``ecomsim sensitivity``, and the *outcomes* to keep::

    [experiment]
    name = "quzhou-levers"
    scenario = "quzhou"            # built-in name, or a .toml path relative to this file
    replications = 4               # per design point; seeds from `seed` and the replication
    outcomes = ["adoption_rate", "additional_adopters", "cost_per_additional_adopter"]

    [sampler]                      # ecomsim sweep
    method = "lhs"                 # grid | lhs | sobol (scipy.stats.qmc)
    samples = 64

    [sensitivity]                  # ecomsim sensitivity (SALib)
    method = "sobol"               # sobol (Saltelli design) | morris
    samples = 64

    [parameters.grant]
    path = "instruments.demonstration_counties.amount"
    low = 5e3
    high = 5e4
    source = "assumption: half to five times the assumed 1 万"

Sampling happens in the unit cube (SciPy's QMC engines, SALib's Saltelli and Morris designs),
and each parameter maps its unit coordinate to a value (linearly, on a log scale, rounded to
whole numbers, or onto its levels), so every sampler treats every kind of parameter alike.
Anything wrong raises ``ScenarioError`` naming the experiment file, the field and what is
allowed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from ecomsim.experiments.measures import OUTCOME_MEASURES, SERIES, SERIES_OF_OUTCOME
from ecomsim.model.instruments.base import Strict
from ecomsim.scenarios import (
    LoadedScenario,
    ScenarioError,
    load_scenario,
    schema_error,
    validate_values,
)
from ecomsim.scenarios.provenance import apply_override

Level = bool | int | float | str


class ParameterSpec(Strict):
    """One uncertainty or lever: a scenario field by dotted path, and the values it may take.

    Give ``low`` and ``high`` (a range; ``log`` samples it on a log scale, ``integer`` rounds
    to whole numbers) or ``levels`` (a list of values, e.g. for a full-factorial grid).
    ``source`` says why this range (a cited spread, or an assumption); ``unit`` names the
    value's unit for figures (``yuan``, ``per year``, …).
    """

    path: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    levels: list[Level] | None = Field(default=None, min_length=1)
    log: bool = False
    integer: bool = False
    source: str = ""

    @model_validator(mode="after")
    def _range_or_levels(self) -> ParameterSpec:
        ranged = self.low is not None or self.high is not None
        if ranged == (self.levels is not None):
            raise ValueError("give either low and high (a range) or levels (a list)")
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if not self.low < self.high:
                raise ValueError(f"low ({self.low}) must be below high ({self.high})")
            if self.log and self.low <= 0:
                raise ValueError("a log-scale range needs low > 0")
        elif self.log or self.integer:
            raise ValueError("log and integer apply to a range, not to levels")
        return self

    @property
    def ranged(self) -> bool:
        """Whether the parameter is a range (else a list of levels)."""
        return self.levels is None

    def value(self, unit: float) -> Level:
        """The value at coordinate ``unit`` ∈ [0, 1] (a level: the ``unit`` quantile of them)."""
        if self.levels is not None:
            return self.levels[min(int(unit * len(self.levels)), len(self.levels) - 1)]
        low, high = (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)
        value = low + min(max(unit, 0.0), 1.0) * (high - low)
        value = math.exp(value) if self.log else value
        return round(value) if self.integer else value

    def grid(self, steps: int) -> list[Level]:
        """Values of a full-factorial grid: every level, or ``steps`` evenly spaced values."""
        if self.levels is not None:
            return list(self.levels)
        values = [self.value(u) for u in np.linspace(0.0, 1.0, steps)]
        return list(dict.fromkeys(values))  # integer rounding can repeat a value


class SamplerSpec(Strict):
    """How ``ecomsim sweep`` chooses design points.

    ``grid``: every combination of each parameter's levels (``steps`` values per range);
    ``lhs``: a Latin hypercube of ``samples`` points; ``sobol``: the first ``samples`` points of
    a scrambled Sobol sequence (a power of two).
    """

    method: Literal["grid", "lhs", "sobol"]
    samples: int | None = Field(default=None, ge=1)
    steps: int = Field(default=5, ge=2)

    @model_validator(mode="after")
    def _size(self) -> SamplerSpec:
        if self.method != "grid" and self.samples is None:
            raise ValueError(f"the {self.method} sampler needs samples (the number of points)")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"a Sobol sequence needs a power of two samples (got {self.samples})")
        return self


class SensitivitySpec(Strict):
    """How ``ecomsim sensitivity`` designs and analyses its runs (SALib).

    ``sobol``: Saltelli's design of ``samples × (D + 2)`` points (``× (2D + 2)`` with
    ``second_order``) and first-order, total (and second-order) indices; ``samples`` is a power
    of two. ``morris``: ``samples`` trajectories of ``D + 1`` points on a grid of ``levels``,
    and elementary-effect statistics (μ*, σ) for screening. ``replications`` per point
    (default: the experiment's) can be fewer, as these designs are large. ``confidence`` is
    the level of the bootstrap intervals (``resamples`` resamples).
    """

    method: Literal["sobol", "morris"]
    samples: int = Field(ge=2)
    replications: int | None = Field(default=None, ge=1)  # default: the experiment's
    second_order: bool = False
    levels: int = Field(default=4, ge=2)
    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)
    resamples: int = Field(default=1000, ge=10)

    @model_validator(mode="after")
    def _power_of_two(self) -> SensitivitySpec:
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"Saltelli's design needs a power of two samples (got {self.samples})")
        return self


class ExperimentInfo(Strict):
    """The base scenario, seeds, replications and what to keep of each run."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    scenario: str
    set: list[str] = Field(default_factory=list)  # fixed --set overrides of the base
    seed: int = Field(default=0, ge=0)
    replications: int = Field(default=1, ge=1)
    year: int | None = Field(default=None, ge=1990, le=2100)  # default: the run's last year
    scale: float | None = Field(default=None, gt=0.0, le=1.0)  # None: the scenario's sample
    outcomes: list[str] = Field(min_length=1)
    series: list[str] | None = None  # default: the series of the outcomes kept

    @model_validator(mode="after")
    def _known_names(self) -> ExperimentInfo:
        for name in self.outcomes:
            if name not in OUTCOME_MEASURES:
                raise ValueError(
                    f"unknown outcome {name!r}; choose from {', '.join(OUTCOME_MEASURES)}"
                )
        for name in self.series or ():
            if name not in SERIES:
                raise ValueError(f"unknown series {name!r}; choose from {', '.join(SERIES)}")
        return self

    def kept_series(self) -> tuple[str, ...]:
        """The monthly series to keep: as listed, or those of the outcomes kept."""
        if self.series is not None:
            return tuple(self.series)
        return tuple(
            dict.fromkeys(SERIES_OF_OUTCOME[o] for o in self.outcomes if o in SERIES_OF_OUTCOME)
        )


class ExperimentFile(Strict):
    """A whole experiment file."""

    experiment: ExperimentInfo
    sampler: SamplerSpec | None = None
    sensitivity: SensitivitySpec | None = None
    parameters: dict[str, ParameterSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Experiment:
    """A loaded experiment: its validated file, the base scenario, and where it came from."""

    spec: ExperimentFile
    path: Path
    file_sha256: str
    base: LoadedScenario

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.experiment.name

    @property
    def parameters(self) -> dict[str, ParameterSpec]:
        """The parameters varied, by name, in file order."""
        return self.spec.parameters

    @property
    def year(self) -> int:
        """The outcome year: as given, or the base scenario's last year."""
        return self.spec.experiment.year or self.base.spec.scenario.end.year

    def replications(self, method: str) -> int:
        """Replications per design point of ``method`` (a sensitivity design may set fewer)."""
        sensitivity = self.spec.sensitivity
        if method in ("saltelli", "morris") and sensitivity.replications is not None:
            return sensitivity.replications
        return self.spec.experiment.replications

    def scenario_at(self, values: dict[str, Level]) -> LoadedScenario:
        """The base scenario with each parameter (by name) set to ``values[name]``."""
        where = f"{self.path} (parameters {', '.join(f'{k}={v!r}' for k, v in values.items())})"
        data, sources = self.base.values, self.base.sources
        for name, value in values.items():
            data, sources = apply_override(data, sources, self.parameters[name].path, value, where)
        spec = validate_values(data, where)
        return LoadedScenario(spec, self.base.path, sources, self.base.file_sha256, data)


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file, and load its base scenario.

    Each parameter's extreme values (and every level) are applied to the base scenario and
    validated, so a range the scenario would refuse is reported before anything runs.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ScenarioError(where, "", "no such experiment file")
    raw_bytes = path.read_bytes()
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(where, "", f"not valid TOML ({error})") from None
    try:
        spec = ExperimentFile.model_validate(raw)
    except ValidationError as error:
        raise schema_error(error, where) from None
    info = spec.experiment
    scenario = info.scenario
    relative = path.parent / scenario
    if scenario.endswith(".toml") and relative.is_file():
        scenario = str(relative)
    try:
        base = load_scenario(scenario, info.set)
    except ScenarioError as error:
        raise ScenarioError(where, "experiment.scenario", str(error)) from None
    experiment = Experiment(spec, path, hashlib.sha256(raw_bytes).hexdigest(), base)
    if (
        experiment.year > base.spec.scenario.end.year
        or experiment.year < base.spec.scenario.start.year
    ):
        raise ScenarioError(
            where,
            "experiment.year",
            f"{experiment.year} is not simulated ({base.spec.scenario.start} to "
            f"{base.spec.scenario.end})",
        )
    for name, parameter in spec.parameters.items():
        extremes = parameter.levels if parameter.levels is not None else [0.0, 1.0]
        for choice in extremes:
            value = choice if parameter.levels is not None else parameter.value(choice)
            try:
                experiment.scenario_at({name: value})
            except ScenarioError as error:
                raise ScenarioError(
                    where,
                    f"parameters.{name}",
                    f"{value!r} is refused: {error.field}: {error.problem}",
                ) from None
    return experiment


def unit_design(experiment: Experiment, method: str) -> np.ndarray:
    """Design points in the unit cube, one row per point, one column per parameter.

    ``method`` is a sampler (``grid``, ``lhs``, ``sobol``) or a sensitivity design
    (``saltelli``, ``morris``); the random ones are seeded by the experiment seed.
    """
    from scipy.stats import qmc

    names = list(experiment.parameters)
    dimensions = len(names)
    seed = experiment.spec.experiment.seed
    sampler, sensitivity = experiment.spec.sampler, experiment.spec.sensitivity
    if method == "grid":
        axes = [
            np.linspace(0, 1, len(p.levels))
            if p.levels is not None
            else np.linspace(0, 1, sampler.steps)
            for p in experiment.parameters.values()
        ]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, dimensions)
    if method == "lhs":
        return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng(seed)).random(
            sampler.samples
        )
    if method == "sobol":
        engine = qmc.Sobol(d=dimensions, scramble=True, rng=np.random.default_rng(seed))
        return engine.random_base2(int(math.log2(sampler.samples)))
    problem = salib_problem(list(experiment.parameters))
    if method == "saltelli":
        from SALib.sample import sobol as saltelli

        return saltelli.sample(
            problem, sensitivity.samples, calc_second_order=sensitivity.second_order, seed=seed
        )
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, sensitivity.samples, num_levels=sensitivity.levels, seed=seed)
    raise ValueError(f"unknown design method {method!r}")


def salib_problem(names: list[str]) -> dict[str, object]:
    """SALib's problem: every parameter on [0, 1] (values are mapped by the parameter)."""
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def design_points(experiment: Experiment, method: str) -> pd.DataFrame:
    """The design: one row per point with its ``point`` index, unit coordinates and values.

    Unit coordinates are columns ``unit:<name>`` (what SALib analyses); values are columns
    ``<name>`` (what the scenario is given).
    """
    unit = unit_design(experiment, method)
    names = list(experiment.parameters)
    frame = pd.DataFrame({"point": np.arange(len(unit))})
    for column, name in enumerate(names):
        parameter = experiment.parameters[name]
        frame[f"unit:{name}"] = unit[:, column]
        frame[name] = [parameter.value(u) for u in unit[:, column]]
    if method == "grid":  # rounding can make equal grid points: run each once
        frame = frame.drop_duplicates(subset=names).reset_index(drop=True)
        frame["point"] = np.arange(len(frame))
    return frame
