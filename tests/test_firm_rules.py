"""Each firm decision rule on its own (pure functions of arrays)."""

import numpy as np
import pytest

from ecomsim.agents import firm_rules as rules


def test_monthly_probability_is_the_exact_discretisation():
    assert rules.monthly_probability(0.0) == 0.0
    assert rules.monthly_probability(1.2) == pytest.approx(1 - np.exp(-0.1))
    # Twelve monthly survivals compound to the yearly one.
    p = rules.monthly_probability(0.7)
    assert (1 - p) ** 12 == pytest.approx(np.exp(-0.7))


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


def test_peer_share_mixes_market_sector_and_cluster():
    adopted = np.array([1, 1, 0, 0, 1, 0], dtype=bool)
    alive = np.array([1, 1, 1, 1, 1, 0], dtype=bool)  # last firm is dead
    sector = np.array([0, 0, 0, 1, 1, 1])
    in_park = np.array([1, 1, 0, 0, 0, 0], dtype=bool)
    market_only = rules.peer_share(adopted, alive, sector, in_park, 2, 1.0, 0.0, 0.0)
    np.testing.assert_allclose(market_only, 3 / 5)
    by_sector = rules.peer_share(adopted, alive, sector, in_park, 2, 0.0, 1.0, 0.0)
    np.testing.assert_allclose(by_sector, [2 / 3, 2 / 3, 2 / 3, 1 / 2, 1 / 2, 1 / 2])
    by_cluster = rules.peer_share(adopted, alive, sector, in_park, 2, 0.0, 0.0, 1.0)
    # Park firms see their park's sector peers; others fall back on the sector.
    np.testing.assert_allclose(by_cluster, [1.0, 1.0, 2 / 3, 1 / 2, 1 / 2, 1 / 2])


def _benefit(**changes):
    args = dict(
        revenue=np.array([1e6]),
        sales_ceiling=np.array([0.4]),
        uplift=np.array([0.2]),
        margin=np.array([0.1]),
        channel_saving=0.02,
        commission=np.array([0.05]),
        retail_fraction=np.array([0.5]),
        parcel_value=np.array([100.0]),
        parcel_cost=np.array([8.0]),
        purchase_share=np.array([0.5]),
        purchase_ceiling=np.array([0.3]),
        purchase_saving=0.02,
        setup_cost=np.array([6e4]),
        expected_support=0.0,
        payback_years=3.0,
        annual_relief=0.0,
    )
    args.update(changes)
    return rules.net_benefit(**args)[0]


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
    assert _benefit(commission=np.array([0.1])) < base
    assert _benefit(parcel_cost=np.array([20.0])) < base
    assert _benefit(uplift=np.array([0.5])) > _benefit(uplift=np.array([0.0]))
    assert _benefit(revenue=np.array([0.0])) == 0.0  # no revenue, no defined benefit


def test_deepening_approaches_the_ceiling_and_never_passes_it():
    share = np.array([0.0, 0.1, 0.4])
    ceiling = np.array([0.4, 0.4, 0.4])
    for _ in range(600):
        share = rules.deepen(share, ceiling, np.full(3, 0.8))
    np.testing.assert_allclose(share, 0.4, atol=1e-9)
    slow = rules.deepen(np.zeros(1), np.ones(1), np.array([0.1]))
    fast = rules.deepen(np.zeros(1), np.ones(1), np.array([1.0]))
    assert 0 < slow[0] < fast[0] < 1


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
