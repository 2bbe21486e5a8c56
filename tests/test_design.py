"""Experiment files: validation with one-line errors, parameters, and every sampler's design."""

import numpy as np
import pytest
from support import GRANT_POLICY, write_scenario

from ecomsim.experiments.commands import resolve_experiment
from ecomsim.experiments.design import ParameterSpec, design_points, load_experiment
from ecomsim.scenarios import ScenarioError

PARAMETERS = """
[parameters.amount]
path = "instruments.grant.amount"
low = 1e4
high = 4e4

[parameters.slots]
path = "instruments.grant.slots_per_year"
low = 10
high = 400
integer = true

[parameters.budget]
path = "instruments.fund.budget_per_year"
low = 1e6
high = 1e8
log = true
"""


def write_experiment(tmp_path, body, parameters=PARAMETERS, head=None):
    write_scenario(tmp_path / "city.toml", GRANT_POLICY)
    head = head or (
        '[experiment]\nname = "levers"\nscenario = "city.toml"\nreplications = 2\n'
        'outcomes = ["adoption_rate", "additional_adopters"]\n'
    )
    path = tmp_path / "experiment.toml"
    path.write_text(head + body + parameters, encoding="utf-8")
    return path


def refused(tmp_path, body, **kwargs):
    path = write_experiment(tmp_path, body, **kwargs)
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_the_shipped_example_loads_and_names_its_outcomes():
    experiment = load_experiment(resolve_experiment("quzhou-levers"))
    assert experiment.base.name == "quzhou"
    assert experiment.year == 2016
    assert len(experiment.parameters) == 4
    assert all(p.source.startswith("assumption") for p in experiment.parameters.values())


def test_a_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter(tmp_path):
    experiment = load_experiment(
        write_experiment(tmp_path, '[sampler]\nmethod = "lhs"\nsamples = 20\n')
    )
    points = design_points(experiment, "lhs")
    assert len(points) == 20 and points["point"].tolist() == list(range(20))
    for name in ("amount", "slots", "budget"):
        strata = np.floor(points[f"unit:{name}"] * 20).astype(int)
        assert sorted(strata) == list(range(20))
    assert points["amount"].between(1e4, 4e4).all()
    assert points["slots"].map(type).eq(int).all()
    again = design_points(load_experiment(experiment.path), "lhs")
    assert points.equals(again)  # the experiment seed fixes the design


def test_a_grid_is_the_full_product_of_levels_and_steps(tmp_path):
    levels = '[parameters.rule]\npath = "funder.non_stacking"\nlevels = [true, false]\n'
    experiment = load_experiment(
        write_experiment(
            tmp_path,
            '[sampler]\nmethod = "grid"\nsteps = 3\n',
            parameters=PARAMETERS.split("[parameters.budget]")[0] + levels,
        )
    )
    points = design_points(experiment, "grid")
    assert len(points) == 3 * 3 * 2
    assert sorted(set(points["amount"])) == [1e4, 2.5e4, 4e4]
    assert sorted(set(points["slots"])) == [10, 205, 400]
    assert set(points["rule"]) == {True, False}


def test_sobol_sequence_and_sensitivity_designs_have_their_sizes(tmp_path):
    body = (
        '[sampler]\nmethod = "sobol"\nsamples = 16\n[sensitivity]\nmethod = "sobol"\nsamples = 8\n'
    )
    experiment = load_experiment(write_experiment(tmp_path, body))
    assert len(design_points(experiment, "sobol")) == 16
    assert len(design_points(experiment, "saltelli")) == 8 * (3 + 2)
    morris = load_experiment(
        write_experiment(tmp_path, '[sensitivity]\nmethod = "morris"\nsamples = 5\nlevels = 4\n')
    )
    points = design_points(morris, "morris")
    assert len(points) == 5 * (3 + 1)
    assert set(np.round(points["unit:amount"], 6)) <= {0.0, 0.333333, 0.666667, 1.0}


def test_a_parameter_maps_the_unit_interval_linearly_on_a_log_scale_or_onto_levels():
    assert ParameterSpec(path="a", low=1, high=100, log=True).value(0.5) == pytest.approx(10)
    assert ParameterSpec(path="a", low=0, high=10, integer=True).value(0.26) == 3
    levels = ParameterSpec(path="a", levels=["x", "y", "z"])
    assert [levels.value(u) for u in (0.0, 0.34, 0.99, 1.0)] == ["x", "y", "z", "z"]


@pytest.mark.parametrize(
    ("body", "parameters", "expected"),
    [
        (
            '[sampler]\nmethod = "sobol"\nsamples = 12\n',
            PARAMETERS,
            "sampler: a Sobol sequence needs a power of two",
        ),
        ('[sampler]\nmethod = "lhs"\n', PARAMETERS, "sampler: the lhs sampler needs samples"),
        ('[sampler]\nmethod = "halton"\nsamples = 8\n', PARAMETERS, "sampler.method"),
        (
            '[sampler]\nmethod = "lhs"\nsamples = 8\n',
            '[parameters.x]\npath = "instruments.typo.amount"\nlow = 1\nhigh = 2\n',
            "parameters.x: 1.0 is refused: instruments.typo.amount: no instruments entry named "
            "'typo' (have: fund, grant)",
        ),
        (
            '[sampler]\nmethod = "lhs"\nsamples = 8\n',
            '[parameters.x]\npath = "instruments.grant.amount"\nlow = -5\nhigh = 2\n',
            "parameters.x: -5.0 is refused: instruments.grant.adoption_grant.amount: "
            "must be between 0 and 1e14 yuan",
        ),
        (
            '[sampler]\nmethod = "lhs"\nsamples = 8\n',
            '[parameters.x]\npath = "instruments.grant.amount"\nlow = 3\n',
            "parameters.x: a range needs both low and high",
        ),
        (
            '[sampler]\nmethod = "lhs"\nsamples = 8\n',
            '[parameters.x]\npath = "instruments.grant.amount"\nlow = 0\nhigh = 5\nlog = true\n',
            "parameters.x: a log-scale range needs low > 0",
        ),
    ],
)
def test_bad_experiment_files_are_refused_in_one_line(tmp_path, body, parameters, expected):
    assert expected in refused(tmp_path, body, parameters=parameters)


def test_unknown_outcomes_years_and_scenarios_are_refused(tmp_path):
    head = '[experiment]\nname = "x"\nscenario = "city.toml"\noutcomes = ["adoption"]\n'
    assert "unknown outcome 'adoption'; choose from" in refused(tmp_path, "", head=head)
    head = (
        '[experiment]\nname = "x"\nscenario = "city.toml"\nyear = 2030\n'
        'outcomes = ["adoption_rate"]\n'
    )
    assert "experiment.year: 2030 is not simulated" in refused(tmp_path, "", head=head)
    head = '[experiment]\nname = "x"\nscenario = "nowhere.toml"\noutcomes = ["adoption_rate"]\n'
    assert "experiment.scenario: nowhere.toml: no such scenario file" in refused(
        tmp_path, "", head=head
    )


def test_a_missing_file_or_unknown_example_is_refused():
    with pytest.raises(
        ScenarioError, match=r"no such experiment file; built-in examples: .*quzhou-levers"
    ):
        resolve_experiment("no-such-example")
