"""The national benchmark: a scenario with no plan, its default sample and its fit."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from support import make_spec, refused

from ecomsim.experiments.calibrate import Problem, fit_table
from ecomsim.experiments.cli import main
from ecomsim.experiments.figures import BENCHMARK_SERIES, DRAWERS, folder_kind
from ecomsim.experiments.measures import SERIES
from ecomsim.experiments.store import ExperimentFolder
from ecomsim.model.calendar import Month
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.scenarios import load_scenario


def test_a_benchmark_has_no_plan_start_within_it_and_every_year_to_its_end_is_pre_plan():
    info = load_scenario("china").spec.scenario
    assert not info.plan
    assert info.policy_start == Month(2014, 1)  # the month after its end
    assert info.known_before_plan(2013)
    assert not info.known_before_plan(2014)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"scenario": {"plan": False, "plan_start": "2015-07"}}, "scenario", "plan = false"),
        (
            {
                "scenario": {"plan": False},
                "instruments": {"fund": {"kind": "standing_fund", "budget_per_year": 1e6}},
            },
            "scenario.plan",
            "allows no [instruments]",
        ),
        ({"scenario": {"sample": 0}}, "scenario.sample", "must be above 0"),
        ({"scenario": {"sample": 1.5}}, "scenario.sample", "at most 1"),
    ],
)
def test_a_benchmark_with_a_plan_or_a_bad_sample_is_refused(changes, field, rule):
    message = refused(changes)
    assert rule in message
    assert field in message


def test_the_scenarios_sample_is_the_default_scale_and_scale_overrides_it():
    spec = make_spec({"scenario": {"plan": False, "sample": 0.1}})
    sampled = EcommerceModel(spec, rng=1)
    whole = EcommerceModel(spec, rng=1, scale=1.0)
    enterprises = spec.firms.count
    assert sampled.firms.total(sampled.firms.alive) == pytest.approx(enterprises, rel=0.02)
    assert sampled.firms.size < 0.2 * whole.firms.size
    weights = sampled.firms.weight
    assert weights is not None and weights.max() == pytest.approx(10.0, rel=0.05)


def test_a_benchmark_runs_past_its_end_without_a_plan(tmp_path, capsys):
    code = main(
        [
            "run",
            "china",
            "-r",
            "1",
            "--scale",
            "0.0005",
            "--until",
            "2015-12",
            "-q",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "2015" in printed
    assert "0.05% sample" in printed
    (folder,) = tmp_path.iterdir()
    timeseries = pd.read_parquet(folder / "timeseries.parquet")
    assert timeseries["date"].iloc[-1] == "2015-12"
    assert (timeseries["fund_spent_cumulative"] == 0).all()
    # Its figure, drawn by the run and redrawn by ``plot``, shows what a benchmark is compared
    # with, not a plan's empty fund panels or a plan start after its end.
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plan"] is False
    figure = DRAWERS[folder_kind(manifest)](ExperimentFolder(folder), manifest)["run"]
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == [SERIES[name].measure.label for name in BENCHMARK_SERIES]
    assert figure.get_suptitle().startswith("china, no plan")
    assert not any(line.get_linestyle() == ":" for ax in figure.axes for line in ax.lines)


@pytest.mark.slow
def test_the_national_fit_reproduces_the_figures_of_2008_to_2013():
    """The shipped fit, checked as its table in docs/scenarios/china.md reports it.

    At a small sample (0.1 %) and four replications every observed figure is within a factor
    of e^0.35 (≈ 1.4) of the simulated median and the median |log error| is under 0.15.
    """
    problem = Problem(load_scenario("china"), seed=0, scale=0.001)
    table = fit_table(problem, problem.simulate(problem.current_values(), 4))
    errors = np.abs(np.log1p(table["relative_error"].to_numpy()))
    assert set(table["outcome"]) >= {"online_retail", "transaction_volume", "parcels"}
    assert errors.max() < 0.35, table[["observation", "relative_error"]].to_string()
    assert float(np.median(errors)) < 0.15
    assert not math.isnan(float(np.median(errors)))
