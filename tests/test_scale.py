"""Sampled runs (``--scale``): a fraction of the firms, weighted back to the whole city."""

import numpy as np
import pandas as pd
import pytest
from support import with_fund

from ecomsim.experiments import cli
from ecomsim.experiments.runner import run_replications
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.outcomes import yearly_outcomes
from ecomsim.model.run import run_scenario


def yearly_mean(spec, scale, seeds=range(4), counterfactual=True):
    frames = [
        run_scenario(
            spec, seed, replication=seed, scale=scale, counterfactual=counterfactual
        ).timeseries
        for seed in seeds
    ]
    yearly = yearly_outcomes(pd.concat(frames, ignore_index=True))
    return yearly.groupby("year").mean()


def test_a_sample_draws_fewer_rows_that_stand_for_the_whole_city(demo):
    full = EcommerceModel(demo.spec, rng=1)
    sample = EcommerceModel(demo.spec, rng=1, scale=0.25)
    assert full.firms.weight is None
    assert sample.firms.n_native < 0.3 * full.firms.n_native
    assert sample.firms.weight[0] == pytest.approx(4.0)
    candidates = sample.firms.dormant
    assert candidates.any() and (sample.firms.weight[candidates] == 1.0).all()
    firms = sample.firms
    enterprises = firms.of_kinds(["enterprise"])
    assert firms.total(firms.alive, enterprises) == pytest.approx(20_000, rel=0.01)
    households = firms.of_kinds(["self_employed", "individual"])
    assert firms.total(firms.alive, households) == pytest.approx(140_000, rel=0.01)
    np.testing.assert_allclose(firms.weight[households], 4.0, rtol=1e-3)


def test_scaled_run_reproduces_city_totals_of_the_full_run(demo):
    """Means over 8 seeds; a 25 % sample of 20 000 firms is unbiased but noisier (checked
    at 10 seeds: online retail 2017 within 0.4 % of the full run)."""
    full = yearly_mean(demo.spec, 1.0, range(8), counterfactual=False)
    sample = yearly_mean(demo.spec, 0.25, range(8), counterfactual=False)
    assert sample["adoption_rate"].to_numpy() == pytest.approx(full["adoption_rate"], rel=0.02)
    for outcome in ("online_retail", "online_retail_share", "online_sales"):
        assert sample[outcome].to_numpy() == pytest.approx(full[outcome].to_numpy(), rel=0.08)


def test_scaled_run_spends_and_adds_adopters_like_the_full_run(demo):
    # Money follows the budget and the slots: same order of spending and extra adopters.
    full = yearly_mean(demo.spec, 1.0)
    sample = yearly_mean(demo.spec, 0.25)
    assert sample["fund_spent"].sum() == pytest.approx(full["fund_spent"].sum(), rel=0.15)
    assert sample["additional_adopters"].iloc[-1] == pytest.approx(
        full["additional_adopters"].iloc[-1], rel=0.25
    )


def test_weighted_slots_and_payments_count_city_firms():
    grant = {
        "grant": {
            "kind": "adoption_grant",
            "amount": 1e4,
            "slots_per_year": 100,
            "eligibility": {"size_classes": ["micro"]},
        }
    }
    spec = with_fund(grant)
    model = EcommerceModel(spec, rng=3, scale=0.1)
    model.run()
    paid = model.funder.ledger.to_frame()
    by_year = model.funder.awards_by_year
    for year in (2015, 2016):
        awards = by_year[("grant", year)]
        assert awards <= 100 + 1e-9 and awards > 0
    # Each sampled award stands for ten: its payment is ten grants.
    assert np.allclose(paid["amount"], 1e5)


def test_cli_scale_is_checked_and_recorded(tmp_path, capsys):
    code = cli.main(["run", "demo", "--scale", "0", "-q", "-o", str(tmp_path)])
    assert code == 2 and "must be above 0" in capsys.readouterr().err
    code = cli.main(["run", "demo", "-r", "1", "--scale", "0.5", "-q", "-o", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "a 50.00% sample of the sellers" in out
    manifest = next(tmp_path.iterdir()) / "manifest.json"
    assert '"scale": 0.5' in manifest.read_text()


def test_runner_passes_the_scale_to_every_replication(demo):
    sampled = run_replications(demo.spec, [5], scale=0.5, progress=False)[0]
    expected = run_scenario(demo.spec, 5, scale=0.5)
    pd.testing.assert_frame_equal(sampled.timeseries, expected.timeseries)
    full = run_scenario(demo.spec, 5)
    assert not sampled.timeseries["adopters"].equals(full.timeseries["adopters"])
