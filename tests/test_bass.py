"""The validation limit: a fully mixed Bass population follows the closed-form Bass curve."""

import numpy as np
import pytest

from ecomsim.experiments.runner import replication_seeds, run_replications
from ecomsim.scenarios import load_scenario


def bass_curve(t, p, q):
    decay = np.exp(-(p + q) * t)
    return (1 - decay) / (1 + (q / p) * decay)


@pytest.mark.slow
def test_mean_adoption_follows_the_bass_curve_within_1_5_points():
    loaded = load_scenario("bass")
    spec = loaded.spec
    assert spec.firms.count == 100_000
    results = run_replications(spec, replication_seeds(2024, 20), workers=2, progress=False)
    curves = np.array([r.timeseries["adoption_rate"].to_numpy() for r in results])
    assert curves.shape == (20, 240)
    months = np.arange(1, 241)
    expected = bass_curve(months / 12, spec.adoption.innovation, spec.adoption.imitation)
    gap = np.abs(curves.mean(axis=0) - expected)
    assert gap.max() < 0.015, f"largest gap {gap.max():.4f} at month {gap.argmax() + 1}"


def test_a_single_small_bass_run_is_already_close():
    spec = load_scenario("bass", ["firms.count=20000", "scenario.end=2004-12"]).spec
    (result,) = run_replications(spec, [7], progress=False)
    rate = result.timeseries["adoption_rate"].to_numpy()
    expected = bass_curve(np.arange(1, 61) / 12, 0.03, 0.38)
    assert np.abs(rate - expected).max() < 0.03
