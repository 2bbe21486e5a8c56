"""Each firm decision rule on its own (pure compiled functions; the small ones are ufuncs)."""

import numpy as np
import pytest

from ecomsim.agents import firm_kernel as kernel
from ecomsim.agents import firm_rules as rules


def test_monthly_probability_is_the_exact_discretisation():
    assert rules.monthly_probability(0.0) == 0.0
    assert rules.monthly_probability(1.2) == pytest.approx(1 - np.exp(-0.1))
    # Twelve monthly survivals compound to the yearly one.
    p = rules.monthly_probability(0.7)
    assert (1 - p) ** 12 == pytest.approx(np.exp(-0.7))


def test_happens_agrees_with_the_monthly_probability():
    rng = np.random.default_rng(3)
    draws = rng.random(20_000).astype(np.float32)
    for hazard in (0.0, 0.01, 0.3, 2.0, 40.0):
        expected = draws < rules.monthly_probability(hazard)
        assert [rules.happens(d, hazard) for d in draws] == expected.tolist()


def test_adoption_hazard_reduces_to_bass():
    shares = np.array([0.0, 0.25, 0.9])
    hazard = rules.adoption_hazard(0.03, 0.38, 1.0, shares, np.zeros(3), 0.0)
    np.testing.assert_allclose(hazard, 0.03 + 0.38 * shares)


def test_adoption_hazard_rises_with_benefit_and_propensity():
    benefit = np.array([-0.05, 0.0, 0.05])
    hazard = rules.adoption_hazard(0.05, 0.3, 1.0, 0.2, benefit, 20.0)
    assert np.all(np.diff(hazard) > 0)
    assert hazard[1] == pytest.approx(0.05 + 0.3 * 0.2)
    eager = rules.adoption_hazard(0.05, 0.3, 2.0, 0.2, np.zeros(1), 20.0)
    assert eager[0] > hazard[1]


def test_abandonment_hazard_base_rate_at_zero_benefit_and_falls_with_benefit():
    benefit = np.array([-0.1, 0.0, 0.1])
    hazard = rules.abandonment_hazard(0.04, benefit, 20.0)
    assert hazard[1] == pytest.approx(0.04)
    assert hazard[0] > 0.04 > hazard[2] > 0
    assert np.all(hazard < 0.08)
    assert np.all(rules.abandonment_hazard(0.0, benefit, 20.0) == 0)


def _peer_shares(adopted, alive, sector, in_park, weights):
    """Each firm's peer share, measured by the kernel and mixed by the rule."""
    n = adopted.size
    zeros, ones = np.zeros(n), np.ones(n)
    firm = kernel.FirmArrays(
        alive=alive,
        adopted=adopted,
        platform=np.full(n, -1, dtype=np.int16),
        revenue=ones,
        sector=sector.astype(np.int8),
        size_class=np.zeros(n, dtype=np.int8),
        cluster=np.full(n, -1, dtype=np.int32),
        local=alive,
        rural=~alive,
        in_park=in_park,
        skill=zeros,
        propensity=ones,
        weight=np.empty(0),
        online_share=zeros,
        purchase_share=zeros,
        push=ones,
        abandon_count=np.zeros(n, dtype=np.int16),
        adoption_step=np.zeros(n, dtype=np.int32),
        first_adoption_step=np.zeros(n, dtype=np.int32),
        online_sales=zeros,
        online_purchases=zeros,
        volume_to_date=zeros,
        listed=~alive,
        listing_step=np.zeros(n, dtype=np.int32),
    )
    enterprises = kernel.ClassArrays(np.zeros(1, dtype=np.int8), *np.zeros((6, 1)))
    peers = kernel.peer_groups(kernel.ActiveRows(n, n, n, 0), firm, enterprises, 2, 1)
    by_sector = peers.sector[0, sector]
    cluster = np.where(in_park, peers.park[0, sector], by_sector)
    return rules.peer_share(peers.market[0], by_sector, cluster, *weights)


def test_peer_share_mixes_market_sector_and_cluster():
    adopted = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    alive = np.array([1, 1, 1, 1, 1, 0], dtype=bool)  # last firm is dead
    sector = np.array([0, 0, 0, 1, 1, 1])
    in_park = np.array([1, 1, 0, 0, 0, 0], dtype=bool)
    market_only = _peer_shares(adopted, alive, sector, in_park, (1.0, 0.0, 0.0))
    np.testing.assert_allclose(market_only, 3 / 5)
    by_sector = _peer_shares(adopted, alive, sector, in_park, (0.0, 1.0, 0.0))
    np.testing.assert_allclose(by_sector, [2 / 3, 2 / 3, 2 / 3, 1 / 2, 1 / 2, 1 / 2])
    by_cluster = _peer_shares(adopted, alive, sector, in_park, (0.0, 0.0, 1.0))
    # Park firms see their park's sector peers; others fall back on the sector.
    np.testing.assert_allclose(by_cluster, [1.0, 1.0, 2 / 3, 1 / 2, 1 / 2, 1 / 2])


def _benefit(**changes):
    """Net benefit per yuan of a typical firm, with some inputs changed."""
    per_yuan_args = dict(
        sales_ceiling=0.4,
        uplift=0.2,
        margin=0.1,
        channel_saving=0.02,
        commission=0.05,
        retail_fraction=0.5,
        parcel_value=100.0,
        parcel_cost=8.0,
        purchase_share=0.5,
        purchase_ceiling=0.3,
        purchase_saving=0.02,
    )
    firm_args = dict(
        revenue=1e6, setup_cost=6e4, expected_support=0.0, payback_years=3.0, annual_relief=0.0
    )
    per_yuan_args.update({k: v for k, v in changes.items() if k in per_yuan_args})
    firm_args.update({k: v for k, v in changes.items() if k in firm_args})
    per_yuan = rules.benefit_per_yuan(**per_yuan_args)
    return rules.net_benefit(
        per_yuan,
        firm_args["revenue"],
        firm_args["setup_cost"],
        firm_args["expected_support"],
        firm_args["payback_years"],
        firm_args["annual_relief"],
    )


def test_net_benefit_adds_up_its_terms():
    potential = 1e6 * 0.4
    online = potential * 1.2
    expected = (
        potential * (0.2 * 0.1 + 0.02)
        + 1e6 * 0.5 * 0.3 * 0.02
        - online * 0.05
        - online * 0.5 / 100 * 8.0
        - 6e4 / 3
    ) / 1e6
    assert _benefit() == pytest.approx(expected)


def test_net_benefit_moves_the_right_way():
    base = _benefit()
    assert _benefit(expected_support=3e4) > base  # a grant lowers the net set-up cost
    assert _benefit(annual_relief=5e3) > base
    assert _benefit(commission=0.1) < base
    assert _benefit(parcel_cost=20.0) < base
    assert _benefit(uplift=0.5) > _benefit(uplift=0.0)
    assert _benefit(revenue=0.0) == 0.0  # no revenue, no defined benefit
    assert _benefit(parcel_value=0.0) > base  # goods that are not parcelled cost no delivery


def test_deepening_approaches_the_ceiling_and_never_passes_it():
    share = np.array([0.0, 0.1, 0.4])
    ceiling = np.array([0.4, 0.4, 0.4])
    for _ in range(600):
        share = rules.deepen(share, ceiling, rules.monthly_probability(0.8))
    np.testing.assert_allclose(share, 0.4, atol=1e-9)
    slow = rules.deepen(0.0, 1.0, rules.monthly_probability(0.1))
    fast = rules.deepen(0.0, 1.0, rules.monthly_probability(1.0))
    assert 0 < slow < fast < 1
    assert rules.deepen(0.2, 0.4, 1.0) == 0.4  # closing the whole gap lands on the ceiling


def test_deepening_speed_rises_with_skill_and_traffic_and_falls_with_slow_delivery():
    speed = rules.deepening_speed(0.5, np.array([0.0, 1.0]), np.zeros(2), np.zeros(2), 0.1)
    np.testing.assert_allclose(speed, [0.25, 0.75])
    busier = rules.deepening_speed(0.5, np.array([0.5]), np.array([0.5]), np.zeros(1), 0.1)
    slower = rules.deepening_speed(0.5, np.array([0.5]), np.zeros(1), np.array([5.0]), 0.1)
    assert busier[0] > 0.5 > slower[0]


def test_choice_utility_values_buyers_dislikes_commission_and_may_prefer_local():
    utility = rules.choice_utility(
        buyers=np.array([1e8, 1e6]),
        commission=np.array([0.05, 0.05]),
        platform_local=np.array([False, True]),
        firm_local=np.array([True, False]),
        buyers_weight=1.0,
        commission_weight=10.0,
        local_preference=2.0,
    )
    assert utility.shape == (2, 2)
    assert utility[1, 0] > utility[1, 1]  # a non-local firm picks the bigger platform
    assert utility[0, 1] - utility[1, 1] == pytest.approx(2.0)  # local bonus for local firm
