"""Sensitivity analysis: SALib's indices with intervals, checked against known answers."""

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as saltelli
from support import assert_figures_readable

from ecomsim.experiments import cli
from ecomsim.experiments.design import SensitivitySpec
from ecomsim.experiments.sensitivity import analyse, dominant, morris_indices, sobol_indices

NAMES = ["x1", "x2", "x3"]
UNIT = {"num_vars": 3, "names": NAMES, "bounds": [[0.0, 1.0]] * 3}


def ishigami(unit):
    x = -np.pi + 2 * np.pi * unit  # inputs uniform on [-π, π]
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def by(indices, index):
    return indices[indices["index"] == index].set_index("parameter")


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_ones():
    spec = SensitivitySpec(method="sobol", samples=2048, resamples=200)
    unit = saltelli.sample(UNIT, spec.samples, calc_second_order=False, seed=1)
    indices = sobol_indices(NAMES, ishigami(unit), spec, seed=1)
    first, total = by(indices, "S1"), by(indices, "ST")
    # Ishigami & Homma (1990), a = 7, b = 0.1: S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244).
    for name, s1, st in zip(NAMES, (0.314, 0.442, 0.0), (0.558, 0.442, 0.244), strict=True):
        assert first.loc[name, "value"] == pytest.approx(s1, abs=0.05)
        assert total.loc[name, "value"] == pytest.approx(st, abs=0.05)
        assert first.loc[name, "conf_low"] < first.loc[name, "value"] < first.loc[name, "conf_high"]
    assert total.loc["x3", "conf_high"] - total.loc["x3", "conf_low"] < 0.2


def test_second_order_indices_are_reported_for_each_pair():
    spec = SensitivitySpec(method="sobol", samples=1024, second_order=True, resamples=100)
    unit = saltelli.sample(UNIT, spec.samples, calc_second_order=True, seed=2)
    pairs = by(sobol_indices(NAMES, ishigami(unit), spec, seed=2), "S2")
    assert list(pairs.index) == ["x1 × x2", "x1 × x3", "x2 × x3"]
    assert pairs.loc["x1 × x3", "value"] == pytest.approx(0.244, abs=0.08)  # the only interaction


def test_morris_ranks_the_parameters_of_a_linear_function_by_their_effects():
    spec = SensitivitySpec(method="morris", samples=20, levels=4, resamples=100)
    unit = morris_sample.sample(UNIT, spec.samples, num_levels=4, seed=3)
    outputs = 10 * unit[:, 0] + 2 * unit[:, 1] + 0 * unit[:, 2]
    indices = morris_indices(NAMES, unit, outputs, spec, seed=3)
    effects = by(indices, "mu_star")["value"]
    assert effects["x1"] == pytest.approx(10) and effects["x2"] == pytest.approx(2)
    assert effects["x3"] == pytest.approx(0)
    assert by(indices, "sigma")["value"].max() == pytest.approx(0, abs=1e-9)  # linear: no spread


def test_outcomes_that_are_undefined_or_constant_are_reported_not_analysed():
    spec = SensitivitySpec(method="sobol", samples=4, resamples=10)
    unit = saltelli.sample(UNIT, 4, calc_second_order=False, seed=0)
    points = pd.DataFrame({"point": range(len(unit))})
    for k, name in enumerate(NAMES):
        points[f"unit:{name}"] = unit[:, k]
    runs = points[["point"]].assign(flat=1.0, holes=np.where(points["point"] == 3, np.nan, 1.0))
    indices = analyse(points, runs, ["flat", "holes"], NAMES, spec, seed=0)
    notes = indices.set_index("outcome")["note"]
    assert notes["flat"] == "constant over the design"
    assert notes["holes"] == f"undefined at 1 of {len(unit)} design points"
    assert dominant(indices, "flat") is None


BASS_EXPERIMENT = """
[experiment]
name = "bass-known"
scenario = "bass"
set = ["firms.count=4000", "scenario.end=2004-12"]
outcomes = ["adoption_rate"]
year = 2004

[sensitivity]
method = "sobol"
samples = 64
resamples = 500

[parameters.innovation]
path = "adoption.innovation"
low = 0.02
high = 0.05

[parameters.imitation]
path = "adoption.imitation"
low = 0.1
high = 0.8

[parameters.inert]
path = "economy.retail_sales_growth"
low = 0.0
high = 0.3
source = "no effect on adoption in the Bass limit"
"""


def bass_share(p, q, years):
    """The closed-form Bass adoption curve."""
    grow = np.exp(-(p + q) * years)
    return (1 - grow) / (1 + q / p * grow)


@pytest.mark.slow
def test_the_model_s_sobol_indices_find_the_dominant_lever_of_the_bass_limit(capsys, tmp_path):
    path = tmp_path / "bass.toml"
    path.write_text(BASS_EXPERIMENT, encoding="utf-8")
    code = cli.main(["sensitivity", str(path), "-o", str(tmp_path / "out"), "-q"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "adoption_rate: most influential: imitation" in printed
    (folder,) = (tmp_path / "out").iterdir()
    simulated = pd.read_parquet(folder / "sensitivity.parquet")
    # The known answer: the same design on the closed-form Bass curve after five years.
    problem = {"num_vars": 2, "names": ["p", "q"], "bounds": [[0.02, 0.05], [0.1, 0.8]]}
    design = saltelli.sample(problem, 1024, calc_second_order=False, seed=0)
    exact = salib_sobol.analyze(
        problem, bass_share(design[:, 0], design[:, 1], 5.0), calc_second_order=False, seed=0
    )
    total = by(simulated, "ST")
    assert total.loc["imitation", "value"] == pytest.approx(exact["ST"][1], abs=0.1)
    assert total.loc["innovation", "value"] == pytest.approx(exact["ST"][0], abs=0.1)
    assert abs(total.loc["inert", "value"]) < 0.03
    assert total.loc["inert", "conf_low"] <= 0.01  # its interval reaches zero
    assert (folder / "figures" / "sensitivity.png").stat().st_size > 10_000
    assert_figures_readable(folder)  # the figures' tick labels are readable
    assert len(pd.read_parquet(folder / "points.parquet")) == 64 * (3 + 2)
