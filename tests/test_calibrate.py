"""Calibration: the search recovers a known parameter, and the CLI fits, reports and writes."""

import numpy as np
import pytest
import tomlkit
from support import BASE, merge, refused

from ecomsim.experiments import cli
from ecomsim.experiments.calibrate import Problem, fit, fit_table
from ecomsim.scenarios import builtin_scenarios, load_scenario
from ecomsim.scenarios.schema import CalibrationParameter

TRUE_INNOVATION = 0.1
CALIBRATION = {
    "replications": 3,
    "parameters": {
        "innovation": {"path": "adoption.innovation", "low": 0.005, "high": 0.5, "log": True}
    },
    "observed": {},  # filled from a run with the true value
}


def scenario_file(tmp_path, observed, innovation=0.02):
    data = merge(
        BASE,
        {
            "scenario": {"start": "2013-01", "plan_start": "2015-01", "end": "2015-12"},
            "adoption": {"innovation": innovation, "imitation": 0.0},
            "calibration": {**CALIBRATION, "observed": observed},
        },
    )
    path = tmp_path / "city.toml"
    path.write_text("# a comment that --write must keep\n" + tomlkit.dumps(data))
    return path


def truth(tmp_path):
    """Observations made by simulating the scenario with the true innovation rate."""
    placeholder = {"a": {"outcome": "adoption_rate", "year": 2014, "value": 1.0}}
    problem = Problem(load_scenario(scenario_file(tmp_path, placeholder)))
    simulated = problem.simulate({"innovation": TRUE_INNOVATION}, 3)
    return {
        "adoption_2014": {
            "outcome": "adoption_rate",
            "year": 2014,
            "value": float(np.median(simulated["a"])),
        }
    }


@pytest.mark.parametrize("log", [True, False])
def test_search_range_maps_to_the_unit_interval_and_back(log):
    parameter = CalibrationParameter(path="x", low=0.01, high=1.0, log=log)
    for value in (0.01, 0.1, 0.5, 1.0):
        assert parameter.from_unit(parameter.to_unit(value)) == pytest.approx(value)
    assert parameter.to_unit(5.0) == 1.0 and parameter.to_unit(0.0) == 0.0
    assert parameter.to_unit(0.1) == pytest.approx(0.5 if log else 0.09 / 0.99)


def test_fit_recovers_a_known_innovation_rate(tmp_path):
    problem = Problem(load_scenario(scenario_file(tmp_path, truth(tmp_path))))
    fitted = fit(problem, evaluations=30)
    assert fitted["innovation"] == pytest.approx(TRUE_INNOVATION, rel=0.15)
    table = fit_table(problem, problem.simulate(fitted, 3))
    assert abs(table["relative_error"].iloc[0]) < 0.02


@pytest.mark.parametrize(
    ("observed", "problem"),
    [
        ({"outcome": "adoption_rate", "year": 2015, "value": 0.2}, "before the plan starts"),
        ({"outcome": "adoption_rate", "year": 2012, "value": 0.2}, "before the plan starts"),
        ({"outcome": "nonsense", "year": 2014, "value": 0.2}, "not a yearly outcome"),
        ({"outcome": "online_sales_ratio", "year": 2014, "value": 0.2}, "needs size_classes"),
    ],
)
def test_observations_must_be_pre_plan_yearly_outcomes(observed, problem):
    calibration = {**CALIBRATION, "observed": {"o": observed}}
    message = refused(
        {
            "scenario": {"start": "2013-01", "plan_start": "2015-01", "end": "2015-12"},
            "calibration": calibration,
        }
    )
    assert problem in message


def test_an_observation_may_declare_an_outcome_with_its_parameter(tmp_path):
    group = {"outcome": "online_sales_ratio", "size_classes": ["large"], "year": 2014}
    problem = Problem(load_scenario(scenario_file(tmp_path, {"large": {**group, "value": 0.1}})))
    simulated = problem.simulate({"innovation": TRUE_INNOVATION}, 2)
    assert (simulated["large"] > 0).all()
    table = fit_table(problem, simulated)
    assert table["outcome"].tolist() == ["online_sales_ratio_large"]
    assert table["unit"].tolist() == ["share"]


def test_cli_fits_prints_the_table_and_writes_values_with_provenance(tmp_path, capsys):
    path = scenario_file(tmp_path, truth(tmp_path))
    out = tmp_path / "results"
    options = ["-n", "6", "--check-replications", "3", "--write", "-q", "-w", "1"]
    code = cli.main(["calibrate", str(path), *options, "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "adoption_2014" in printed and "rel. error" in printed
    text = path.read_text()
    assert text.startswith("# a comment that --write must keep")
    loaded = load_scenario(path)
    assert loaded.sources["adoption.innovation"].startswith("calibrated: ecomsim calibrate")
    assert loaded.spec.adoption.innovation != 0.02
    folder = next(out.iterdir())
    assert {p.name for p in folder.iterdir()} >= {"fit.parquet", "fit.csv", "manifest.json"}


def test_cli_refuses_a_scenario_without_calibration(tmp_path, capsys):
    code = cli.main(["calibrate", "demo", "-q", "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "no [calibration] table" in err and err.count("\n") == 1


def test_search_bounds_outside_the_fields_range_are_refused_before_any_run(tmp_path, capsys):
    placeholder = {"a": {"outcome": "adoption_rate", "year": 2014, "value": 1.0}}
    path = scenario_file(tmp_path, placeholder)
    path.write_text(path.read_text().replace("high = 0.5", "high = 50.0"))
    out = tmp_path / "results"
    code = cli.main(["calibrate", str(path), "-n", "6", "-q", "-w", "1", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert (
        "city.toml: calibration.parameters.innovation.high: 50.0 is refused: "
        "adoption.innovation: must be between 0 and 12 a year (got 50.0)"
    ) in err
    assert not out.exists()


def test_every_shipped_search_bound_is_within_its_fields_range():
    for name in builtin_scenarios():
        loaded = load_scenario(name)
        if loaded.spec.calibration is not None:
            Problem(loaded)  # checks both bounds of every parameter
