"""The run boundary: determinism, the paired counterfactual, picklability, extension."""

import pickle

import numpy as np
import pandas as pd
import pytest
from support import make_spec, with_fund

from ecomsim.experiments.runner import replication_seeds, run_replications
from ecomsim.model.calendar import Month
from ecomsim.model.counterfactual import CounterfactualRecord
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.run import run_scenario
from ecomsim.scenarios import load_scenario


def assert_same(a, b):
    for name in ("timeseries", "platforms", "logistics", "payments"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_same_scenario_and_seed_give_identical_results(demo):
    assert_same(run_scenario(demo.spec, 11), run_scenario(demo.spec, 11))


def test_different_seeds_give_different_results(demo):
    a = run_scenario(demo.spec, 1, counterfactual=False).timeseries
    b = run_scenario(demo.spec, 2, counterfactual=False).timeseries
    assert not a["adopters"].equals(b["adopters"])


def test_results_do_not_depend_on_the_number_of_workers(demo):
    seeds = replication_seeds(5, 3)
    alone = run_replications(demo.spec, seeds, workers=1, progress=False)
    pooled = run_replications(demo.spec, seeds, workers=2, progress=False)
    assert [r.replication for r in pooled] == [0, 1, 2]
    for a, b in zip(alone, pooled, strict=True):
        a.wall_time = b.wall_time = 0.0
        assert_same(a, b)


def test_replication_seeds_depend_only_on_experiment_seed_and_index():
    assert replication_seeds(0, 3) == replication_seeds(0, 5)[:3]
    assert len(set(replication_seeds(0, 100))) == 100
    assert replication_seeds(1, 3) != replication_seeds(0, 3)


def test_run_inputs_and_outputs_pickle(demo):
    spec = pickle.loads(pickle.dumps(demo.spec))
    assert spec == demo.spec
    result = pickle.loads(pickle.dumps(run_scenario(make_spec(), 1)))
    assert len(result.timeseries) == 24


def test_policy_and_counterfactual_share_the_economy_and_the_draws(demo):
    policy = EcommerceModel(demo.spec, rng=9)
    baseline = EcommerceModel(demo.spec, rng=9, policy=False)
    for field in (
        "size_class",
        "sector",
        "revenue",
        "skill",
        "local",
        "rural",
        "birth_step",
        "exit_step",
        "propensity",
        "taste",
        "adopted",
    ):
        assert np.array_equal(getattr(policy.firms, field), getattr(baseline.firms, field))
    assert policy.funder.in_force and not baseline.funder.in_force
    # Monthly draws come from streams that do not depend on policy.
    assert np.array_equal(policy.streams.events.random(5), baseline.streams.events.random(5))


def test_without_instruments_the_run_is_its_own_counterfactual():
    result = run_scenario(make_spec(), 4)
    ts = result.timeseries
    assert (ts["additional_adopters"] == 0).all()
    assert ts["adoption_rate"].equals(ts["adoption_rate_cf"])
    assert result.payments.empty


def test_a_policy_with_no_effect_leaves_the_counterfactual_path():
    # A fund with no spending instrument changes nothing: identical paths, zero effect.
    spec = with_fund({})
    result = run_scenario(spec, 4)
    ts = result.timeseries
    assert (ts["additional_adopters"] == 0).all()
    assert (ts["transaction_volume"] == ts["transaction_volume_cf"]).all()


def test_policy_effect_and_deadweight_are_measured_against_the_counterfactual():
    spec = with_fund({"grant": {"kind": "adoption_grant", "amount": 1e5}})
    result = run_scenario(spec, 6)
    baseline = EcommerceModel(spec, rng=6, policy=False)
    baseline.run()
    record = CounterfactualRecord.from_model(baseline)
    ts = result.timeseries
    assert np.array_equal(
        ts["adopters_cf"], baseline.datacollector.get_model_vars_dataframe()["adopters"]
    )
    assert (ts["additional_adopters"] == ts["adopters"] - ts["adopters_cf"]).all()
    paid = result.payments
    expected = record.ever_adopted[paid["recipient"]]
    assert np.array_equal(paid["deadweight"].to_numpy(dtype=bool), expected)
    assert 0 < expected.mean() < 1  # some grants were additional, some deadweight
    last = ts.iloc[-1]
    assert last["deadweight_spending_cumulative"] == pytest.approx(
        paid.loc[expected, "amount"].sum()
    )
    assert last["cost_per_additional_adopter"] == pytest.approx(
        last["fiscal_cost_cumulative"] / last["additional_adopters"]
    )


def test_run_can_extend_past_the_plan_with_or_without_policy():
    spec = with_fund(
        {"grant": {"kind": "adoption_grant", "amount": 1e4}}, scenario={"end": "2015-06"}
    )
    stopped = run_scenario(spec, 1, until=Month(2016, 6))
    kept = run_scenario(spec, 1, until=Month(2016, 6), keep_policy=True)
    assert stopped.timeseries["date"].iloc[-1] == "2016-06"
    last_paid = stopped.payments["date"].max()
    assert last_paid <= "2015-06" < kept.payments["date"].max()


def test_the_run_boundary_refuses_a_horizon_past_the_longest_run():
    """Checked before any array is allocated: a run to 2300 would exhaust memory first."""
    spec = make_spec()
    with pytest.raises(ValueError, match="until 2035-01 is past the longest run"):
        run_scenario(spec, 1, until=Month(2035, 1))
    with pytest.raises(ValueError, match="until 2014-12 is before the scenario's start"):
        EcommerceModel(spec, rng=1, until=Month(2014, 12))


def test_months_before_the_plan_run_without_policy():
    spec = with_fund(
        {
            "grant": {
                "kind": "adoption_grant",
                "amount": 5e4,
                "eligibility": {"size_classes": ["micro"]},
            }
        },
        scenario={"start": "2014-01", "plan_start": "2015-01", "end": "2015-12"},
    )
    result = run_scenario(spec, 3)
    ts = result.timeseries
    assert ts["date"].iloc[0] == "2014-01" and len(ts) == 24
    before = ts[ts["date"] < "2015-01"]
    assert (before["adopters"] == before["adopters_cf"]).all()
    assert (before["fund_spent"] == 0).all()
    assert result.payments["date"].min() >= "2015-01"
    assert ts["additional_adopters"].iloc[-1] > 0


def test_counterfactual_branched_at_the_plan_start_equals_one_run_from_the_start():
    spec = load_scenario("demo", ["scenario.start=2014-01", "scenario.plan_start=2015-01"]).spec
    fresh = EcommerceModel(spec, rng=5, policy=False)
    fresh.run()
    policy = EcommerceModel(spec, rng=5)
    policy.run_until(Month(2015, 1))
    assert str(policy.month) == "2014-12"
    branched = policy.without_policy()
    branched.run()
    policy.run()  # the policy run is not disturbed by the branch
    expected = CounterfactualRecord.from_model(fresh)
    got = CounterfactualRecord.from_model(branched)
    for field in ("ever_adopted", "listed", "relocated", "annual_volume", "platform_settled"):
        assert np.array_equal(getattr(expected, field), getattr(got, field))
    pd.testing.assert_frame_equal(expected.indicators, got.indicators)
    assert branched.funder.ledger.total() == 0 < policy.funder.ledger.total()


def test_a_longer_horizon_leaves_the_months_it_shares_unchanged(demo):
    """More entrants in a longer run must not reshuffle anyone's draws (calibration relies on
    runs cut at the last observed year matching the full run's early years)."""
    short = run_scenario(demo.spec, 2, until=Month(2016, 6)).timeseries
    full = run_scenario(demo.spec, 2, until=Month(2018, 12)).timeseries
    shared = full.iloc[: len(short)].reset_index(drop=True)
    # Counts agree exactly; sums over arrays of different lengths may differ in the last bits.
    counts = ["adopters", "firms", "adopters_cf", "listed_firms", "trained_firms", "park_firms"]
    pd.testing.assert_frame_equal(short[counts], shared[counts], check_exact=True)
    # Deadweight is judged on the counterfactual's end-of-run state, so it may depend on the
    # horizon by design (ODD §8); everything else must not.
    judged = ["deadweight_spending_cumulative"]
    pd.testing.assert_frame_equal(
        short.drop(columns=judged), shared.drop(columns=judged), rtol=1e-9
    )


def test_timeseries_has_the_documented_columns(demo):
    ts = run_scenario(demo.spec, 1).timeseries
    required = {
        "replication",
        "step",
        "date",
        "adoption_rate",
        "transaction_volume",
        "online_retail",
        "online_retail_share",
        "parcels",
        "fund_spent",
        "adoption_rate_micro",
        "adoption_rate_trade",
        "adoption_rate_above_scale",
        "adoption_rate_sme",
        "online_purchases",
        "mean_delivery_cost",
        "firms_above_1yi",  # declared by the demo's targets
        "online_sales_ratio_sme",
        "fund_spent_cumulative",
        "paid_cumulative_adoption_grant",
        "tested_spending_cumulative",
        "additional_adopters",
        "deadweight_spending_cumulative",
        "cost_per_additional_adopter",
    }
    assert required <= set(ts.columns)
    assert ts["date"].tolist()[:2] == ["2015-01", "2015-02"] and len(ts) == 36
    assert ts["fund_spent"].sum() == pytest.approx(ts["fund_spent_cumulative"].iloc[-1])
