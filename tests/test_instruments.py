"""Each instrument kind on its own: eligibility, amount, cap, slots, timing and effect."""

import numpy as np
import pytest
from support import make_spec, run_model, with_fund

from ecomsim.agents.firms import NEVER, SIZE_CLASSES
from ecomsim.model.calendar import Month
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.instruments import Eligibility, StandingFund
from ecomsim.model.instruments.rewards import meets_growth_streak
from ecomsim.model.run import run_scenario

MICRO = SIZE_CLASSES.index("micro")
ONE_YEAR = {"scenario": {"end": "2015-12"}}


def ledger(model, name=None):
    paid = model.funder.ledger.to_frame()
    return paid if name is None else paid[paid["instrument"] == name]


# ---------------------------------------------------------------- eligibility and selection
def test_eligibility_is_and_within_a_rule_and_or_across_a_list():
    from ecomsim.model.instruments.base import eligible_mask

    model = EcommerceModel(make_spec(), rng=2)
    firms = model.firms
    micro_online = Eligibility(size_classes=["micro"], adopted=True).mask(firms)
    assert np.array_equal(micro_online, firms.alive & (firms.size_class == MICRO) & firms.adopted)
    either = eligible_mask([Eligibility(size_classes=["micro"]), Eligibility(adopted=True)], firms)
    assert np.array_equal(either, firms.alive & ((firms.size_class == MICRO) | firms.adopted))
    would = Eligibility(adopted=True).mask(firms, assume_adopted=True)
    assert np.array_equal(would, firms.alive)
    rich = Eligibility(min_revenue=5e7).mask(firms)
    assert np.array_equal(rich, firms.alive & (firms.revenue >= 5e7))


def test_local_priority_puts_local_firms_first():
    spec = with_fund(
        {"grant": {"kind": "adoption_grant", "amount": 1.0}, "local": {"kind": "local_emphasis"}},
        firms={"local_share": 0.5},
    )
    model = EcommerceModel(spec, rng=4)
    model.funder.prepare()  # the month's effects: local firms first
    grant = spec.instruments["grant"]
    ids = np.arange(200)
    ordered = grant.order(model, ids)
    local = model.firms.local[ordered]
    assert sorted(ordered.tolist()) == ids.tolist()
    assert local[: local.sum()].all() and not local[local.sum() :].any()
    assert len(grant.order(model, ids, limit=7)) == 7


def test_ranked_selection_with_a_limit_takes_the_best():
    spec = with_fund(
        {
            "parks": {
                "kind": "park",
                "parks": 1,
                "places_per_park": 5,
                "selection": "ranked",
                "rank_by": "revenue",
            }
        }
    )
    model = EcommerceModel(spec, rng=4)
    ids = np.arange(model.firms.size)
    top = spec.instruments["parks"].order(model, ids, limit=5)
    revenue = model.firms.revenue
    assert np.array_equal(top, np.argsort(-revenue, kind="stable")[:5])


# ---------------------------------------------------------------- fund and grants
def test_standing_fund_budget_covers_its_years_only():
    fund = StandingFund(
        kind="standing_fund", budget_per_year=5e8, start=Month(2013, 1), end=Month(2017, 12)
    )
    plan = (Month(2014, 10), Month(2017, 12))
    assert [fund.budget(y, *plan) for y in (2013, 2014, 2017, 2018)] == [0, 5e8, 5e8, 0]


def test_prorated_fund_gives_a_partial_year_its_share_of_the_budget():
    fund = StandingFund(kind="standing_fund", budget_per_year=4.8e8, prorate=True)
    plan = (Month(2014, 10), Month(2016, 3))
    budgets = [fund.budget(y, *plan) for y in (2014, 2015, 2016)]
    assert budgets == [pytest.approx(1.2e8), 4.8e8, pytest.approx(1.2e8)]


def test_adoption_grant_pays_eligible_new_adopters_once_after_the_lag():
    spec = with_fund(
        {
            "grant": {
                "kind": "adoption_grant",
                "amount": 2e4,
                "payment_lag": 1,
                "eligibility": {"size_classes": ["micro"]},
            }
        }
    )
    model = run_model(spec)
    paid = ledger(model, "grant")
    firms = model.firms
    assert len(paid) > 50
    assert (paid["amount"] == 2e4).all() and paid["recipient"].is_unique
    assert (firms.size_class[paid["recipient"]] == MICRO).all()
    assert (paid["step"] == paid["approved_step"] + 1).all()
    assert (firms.first_adoption_step[paid["recipient"]] == paid["approved_step"]).all()
    adopted_in_run = (
        (firms.size_class == MICRO)
        & (firms.first_adoption_step >= 0)
        & (firms.first_adoption_step < model.n_steps - 1)
    )
    assert set(paid["recipient"]) == set(np.flatnonzero(adopted_in_run))


def test_adoption_grant_cost_share_is_capped():
    spec = with_fund({"grant": {"kind": "adoption_grant", "cost_share": 0.5, "cap": 1e5}})
    model = run_model(spec)
    paid = ledger(model, "grant")
    setup = model.firms.setup_cost()[paid["recipient"]]
    np.testing.assert_allclose(paid["amount"], np.minimum(0.5 * setup, 1e5))
    assert (paid["amount"] == 1e5).any() and (paid["amount"] < 1e5).any()


def test_adoption_grant_is_expected_by_firms_that_would_qualify():
    spec = with_fund(
        {
            "grant": {
                "kind": "adoption_grant",
                "amount": 3e4,
                "eligibility": {"size_classes": ["micro"]},
            }
        }
    )
    model = EcommerceModel(spec, rng=5)
    one_off, yearly = spec.instruments["grant"].expected_support(model, "grant")
    firms = model.firms
    would = firms.alive & (firms.size_class == MICRO) & ~firms.adopted
    assert np.all(one_off[would] == 3e4) and np.all(one_off[~would] == 0) and yearly == 0


def test_a_generous_grant_adds_adopters_over_the_counterfactual():
    spec = with_fund({"grant": {"kind": "adoption_grant", "amount": 2e5}})
    result = run_scenario(spec, 3)
    last = result.timeseries.iloc[-1]
    assert last["additional_adopters"] > 20
    assert last["adoption_rate"] > last["adoption_rate_cf"]


def test_listing_grant_pays_on_listing_and_speeds_listing():
    listing = {"firms": {"listing": {"rate": 0.6, "min_annual_volume": 1e6}}}
    spec = with_fund(
        {
            "ipo": {
                "kind": "listing_grant",
                "amount": 3e6,
                "hazard_multiplier": 3.0,
                "eligibility": {"adopted": True},
            }
        },
        **listing,
    )
    result = run_scenario(spec, 2)
    paid = result.payments
    assert len(paid) > 5 and (paid["amount"] == 3e6).all() and paid["recipient"].is_unique
    policy = run_model(spec, seed=2)
    baseline = run_model(spec, seed=2, policy=False)
    assert policy.firms.listed.sum() > baseline.firms.listed.sum()
    assert np.array_equal(
        result.payments["deadweight"].to_numpy(dtype=bool), baseline.firms.listed[paid["recipient"]]
    )


# ---------------------------------------------------------------- rewards
def test_growth_streak_test():
    volume = np.array(
        [
            [100, 130, 169, 220],  # 30 % a year: meets 3 years
            [100, 130, 160, 220],  # one year short
            [0, 130, 169, 220],  # no base-year volume
            [10, 20, 40, 80],  # meets, but a small base
        ]
    ).T  # years × firms
    assert meets_growth_streak(volume, 3, 3, 0.3, 0.0).tolist() == [True, False, False, True]
    assert meets_growth_streak(volume, 3, 3, 0.3, 50.0).tolist() == [True, False, False, False]
    assert not meets_growth_streak(volume, 2, 3, 0.3, 0.0).any()  # not enough history


def test_performance_reward_judged_in_december_with_slots_and_recognition():
    spec = with_fund(
        {
            "prize": {
                "kind": "performance_reward",
                "amount": 1e6,
                "growth_threshold": 0.3,
                "years": 2,
                "awareness": 0.0,
                "slots_total": 5,
                "eligibility": {"adopted": True},
            }
        },
        firms={"history": {"years": 2, "growth": 0.35, "dispersion": 0.1}},
    )
    model = run_model(spec)
    paid = ledger(model, "prize")
    assert 0 < len(paid) <= 5
    assert set(model.month_at(s).month for s in paid["approved_step"]) == {12}
    winners = paid["recipient"].to_numpy()
    assert model.firms.demonstration[winners].all()
    assert model.firms.demonstration.sum() == len(winners)
    for step, rows in paid.groupby("approved_step"):
        column = model.month_at(step).year - model.firms.first_year
        ok = meets_growth_streak(model.firms.annual_volume, column, 2, 0.3, 0.0)
        assert ok[rows["recipient"]].all()


def _anticipation_model(effort_cost, amount=1e6):
    spec = with_fund(
        {
            "prize": {
                "kind": "performance_reward",
                "amount": amount,
                "growth_threshold": 0.3,
                "years": 1,
                "awareness": 0.5,
                "effort_growth": 3.0,
                "effort_cost": effort_cost,
                "eligibility": {"adopted": True},
            }
        },
        firms={"history": {"years": 1}},
    )
    model = EcommerceModel(spec, rng=1)
    firms = model.firms
    model.step_index, model.month = 6, Month(2015, 7)
    firms.adopted[:] = False
    chosen = np.arange(4)
    firms.adopted[chosen] = firms.alive[chosen] = True
    firms.annual_volume[0] = 1200.0  # 2014
    firms.volume_to_date[:] = 600.0  # January to June 2015
    firms.online_purchases[:] = 0.0
    firms.online_sales[:4] = [100.0, 200.0, 10.0, 100.0]
    firms.awareness[:4] = [0.1, 0.1, 0.1, 0.9]  # the fourth firm does not know of the prize
    model.effects.reset()
    spec.instruments["prize"].prepare(model, "prize")
    return np.broadcast_to(model.effects.get("sales_push"), firms.size)[:4]


def test_only_aware_firms_that_need_effort_and_can_reach_the_bar_push():
    # Firm 0 falls short without effort (1200 < 1560) and reaches the bar with it: it pushes.
    # Firm 1 is on track anyway, firm 2 cannot reach the bar, firm 3 is unaware.
    assert _anticipation_model(effort_cost=0.01).tolist() == [3.0, 0.0, 0.0, 0.0]


def test_nobody_pushes_when_effort_costs_more_than_the_expected_prize():
    # Firm 0's effort over the rest of the year costs about 1 × 15.7 × 100 yuan > the 1 000 prize.
    assert _anticipation_model(effort_cost=1.0, amount=1e3).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_platform_award_goes_to_settled_platforms_in_the_top_k():
    platforms = {
        "giant": {"kind": "b2c", "commission": 0.05, "buyers": 5e8, "external_volume": 5e12},
        "mid": {
            "kind": "b2c",
            "commission": 0.04,
            "buyers": 5e7,
            "external_volume": 1e11,
            "settled": True,
            "buyer_acquisition_cost": 100.0,
        },
        "tiny": {
            "kind": "b2c",
            "local": True,
            "commission": 0.02,
            "buyers": 1e5,
            "external_volume": 1e6,
        },
    }
    spec = with_fund(
        {"award": {"kind": "platform_award", "total_per_year": 4e6, "top_k": 2}},
        platforms=platforms,
    )
    model = run_model(spec)
    paid = ledger(model, "award")
    assert paid["recipient"].tolist() == [1, 1]  # 'mid', each December; 'giant' is not settled
    assert (paid["amount"] == 2e6).all()
    assert model.platforms[1].base_buyers == pytest.approx(5e7 + 2 * 2e6 / 100.0)


# ---------------------------------------------------------------- skills
def test_training_courses_are_spread_over_the_year_capped_and_raise_skill():
    spec = with_fund(
        {
            "training": {
                "kind": "training_subsidy",
                "courses_per_year": 6,
                "firms_per_course": 10,
                "cost_per_course": 1e5,
                "cost_share": 0.3,
                "cap": 2e4,
                "skill_gain": 0.5,
            }
        },
        **ONE_YEAR,
    )
    before = EcommerceModel(spec, rng=1).firms.skill.copy()
    model = run_model(spec)
    paid = ledger(model, "training")
    assert len(paid) == 6 and (paid["amount"] == 2e4).all()
    assert (paid["recipient_kind"] == "institution").all()
    assert sorted(model.month_at(s).month for s in paid["step"]) == [2, 4, 6, 8, 10, 12]
    trained = model.firms.trained > 0
    assert model.firms.trained.sum() == 60
    assert np.all(model.firms.skill[trained] > before[trained])
    assert np.array_equal(model.firms.skill[~trained], before[~trained])


def test_talent_subsidy_pays_each_cohort_for_its_years():
    spec = with_fund(
        {
            "talent": {
                "kind": "talent_subsidy",
                "salary": 3e5,
                "salary_share": 0.2,
                "talents_per_firm": 2,
                "years": 2,
                "new_firms_per_year": 3,
                "eligibility": {"adopted": True},
            }
        },
        scenario={"end": "2017-12"},
    )
    model = run_model(spec)
    paid = ledger(model, "talent")
    per_year = paid.groupby(paid["step"] // 12).size().tolist()
    assert per_year == [3, 6, 6]
    assert (paid["amount"] == 1.2e5).all() and (paid["recipient_kind"] == "talent").all()
    assert paid.groupby("recipient").size().max() == 2


# ---------------------------------------------------------------- parks and logistics
def test_parks_fill_their_places_refill_vacancies_and_pay_operators():
    spec = with_fund(
        {
            "parks": {
                "kind": "park",
                "parks": 2,
                "places_per_park": 10,
                "subsidy_per_park_per_year": 1e5,
                "selection": "ranked",
                "rank_by": "revenue",
                "eligibility": {"local": True},
            }
        },
        firms={"exit_rate": 1.0},
    )
    model = run_model(spec)
    members = model.funder.memory("parks")["members"]
    firms = model.firms
    assert firms.alive[members].sum() == 20
    assert len(members) > 20  # places freed by exits were filled again
    assert firms.in_park.sum() == len(members)
    paid = ledger(model, "parks")
    assert len(paid) == 4 and (paid["recipient_kind"] == "park").all()


def test_park_membership_lowers_setup_cost():
    spec = make_spec({"adoption": {"park": {"setup_discount": 0.4}}})
    firms = EcommerceModel(spec, rng=1).firms
    before = firms.setup_cost().copy()
    firms.in_park[:10] = True
    np.testing.assert_allclose(firms.setup_cost()[:10], 0.6 * before[:10])


def test_logistics_projects_upgrade_the_named_provider_and_sector_ceilings():
    logistics = {
        "a": {"capacity": 1e6, "cost_per_parcel": 8.0},
        "b": {"capacity": 1e6, "cost_per_parcel": 8.0, "rural_coverage": 0.2},
    }
    spec = with_fund(
        {
            "villages": {
                "kind": "logistics_investment",
                "projects_per_year": 4,
                "amount": 1e6,
                "provider": "b",
                "capacity_gain": 1e4,
                "rural_coverage_gain": 0.1,
                "sector_ceiling_gain": {"trade": 0.01},
            }
        },
        logistics=logistics,
        **ONE_YEAR,
    )
    model = run_model(spec)
    paid = ledger(model, "villages")
    assert len(paid) == 4 and (paid["recipient"] == 1).all()
    a, b = model.providers
    assert b.capacity == pytest.approx(1.04e6) and a.capacity == 1e6
    assert b.rural_coverage == pytest.approx(0.6)
    assert model.sectors.sales_ceiling[1] == pytest.approx(0.44)  # trade: 0.4 + 4 × 0.01


# ---------------------------------------------------------------- attraction
def test_platform_attraction_brings_the_platform_in_and_pays_once():
    platforms = {
        "outsider": {"kind": "b2b", "commission": 0.02, "buyers": 1e7, "external_volume": 2e11}
    }
    spec = with_fund(
        {
            "lure": {
                "kind": "platform_attraction",
                "reward": 1e7,
                "relocation_rate": 12.0,
                "slots_total": 1,
            }
        },
        platforms=platforms,
    )
    result = run_scenario(spec, 1)
    paid = result.payments
    assert paid["amount"].tolist() == [1e7] and paid["recipient_kind"].tolist() == ["platform"]
    assert paid["deadweight"].tolist() == [False]  # it would not have come otherwise
    ts = result.timeseries
    assert ts["transaction_volume"].iloc[-1] > ts["transaction_volume_cf"].iloc[-1] + 1e10


def test_hq_attraction_moves_candidates_in_within_its_slots():
    spec = with_fund(
        {
            "hq": {
                "kind": "hq_attraction",
                "candidates": 6,
                "sector": "trade",
                "revenue": {"median": 2e9},
                "online_share": 0.5,
                "reward": 5e6,
                "relocation_rate": 12.0,
                "slots_total": 3,
            }
        }
    )
    model = run_model(spec)
    firms = model.firms
    moved = np.flatnonzero(firms.relocation_step != NEVER)
    assert len(moved) >= 3
    assert firms.alive[moved].all() and firms.adopted[moved].all() and not firms.local[moved].any()
    candidates = firms.relocation_group >= 0
    assert (firms.size_class[candidates] == SIZE_CLASSES.index("large")).all()
    assert (firms.skill[candidates] == 0.5).all()  # the large-firm skill of the scenario
    assert not firms.in_park[candidates].any()
    assert len(ledger(model, "hq")) == 3
    baseline = run_model(spec, policy=False)
    assert (baseline.firms.relocation_step == NEVER).all()  # no spontaneous moves
    assert baseline.firms.size == firms.size  # same economy, candidates included


# ---------------------------------------------------------------- fiscal and local emphasis
def test_tax_relief_is_yearly_capped_and_outside_the_fund():
    spec = make_spec(
        {
            "instruments": {
                "relief": {
                    "kind": "tax_relief",
                    "rate": 0.01,
                    "cap": 5e4,
                    "eligibility": {"adopted": True},
                }
            },
            **ONE_YEAR,
        }
    )
    model = run_model(spec)
    paid = ledger(model, "relief")
    firms = model.firms
    assert (paid["paid_from"] == "tax").all() and model.funder.ledger.total("fund") == 0
    assert set(paid["recipient"]) == set(np.flatnonzero(firms.alive & firms.adopted))
    np.testing.assert_allclose(
        paid["amount"], np.minimum(0.01 * firms.revenue[paid["recipient"]], 5e4)
    )


def test_commission_rebate_is_paid_for_local_sellers_of_local_platforms():
    platforms = {"home": {"kind": "b2c", "local": True, "commission": 0.1, "buyers": 1e7}}
    spec = with_fund(
        {"local": {"kind": "local_emphasis", "commission_rebate": 0.5}},
        platforms=platforms,
        firms={"local_share": 0.7},
        **ONE_YEAR,
    )
    model = EcommerceModel(spec, rng=1)
    for _ in range(3):
        model.step()
    platform = model.platforms[0]
    assert model.effects.of("commission_rebate", 0) == 0.5
    last = ledger(model, "local").iloc[-1]
    assert last["amount"] == pytest.approx(0.5 * 0.1 * platform.local_seller_sales)
    firms = model.firms
    seller = np.flatnonzero(firms.adopted & firms.local & (firms.platform == 0))[:1]
    market = model.market_conditions()
    commission = firms.market_arrays(market).commission  # [platform, local seller]
    assert commission[firms.platform[seller][0], 1] == pytest.approx(0.05)
