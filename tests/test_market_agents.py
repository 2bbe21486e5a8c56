"""Platforms and logistics providers, each rule on its own."""

import numpy as np
import pytest
from support import make_spec

from ecomsim.model.ecosystem import EcommerceModel

PLATFORMS = {
    "big": {
        "kind": "b2c",
        "commission": 0.05,
        "buyers": 1e8,
        "buyer_growth": 0.2,
        "external_volume": 1e11,
    },
    "small": {
        "kind": "b2c",
        "local": True,
        "commission": 0.03,
        "buyers": 1e6,
        "network_elasticity": 0.5,
        "external_sellers": 100,
        "reference_sellers": 100,
        "adjustment_rate": 1.0,
        "buyer_acquisition_cost": 10.0,
    },
}
LOGISTICS = {
    "express": {
        "capacity": 1e5,
        "cost_per_parcel": 10.0,
        "reference_parcels": 5e4,
        "scale_elasticity": 0.2,
        "congestion_threshold": 0.8,
        "congestion_cost": 1.0,
        "congestion_delay": 1.0,
        "delivery_days": 2.0,
        "rural_coverage": 0.5,
        "uncovered_surcharge": 1.0,
        "uncovered_extra_days": 2.0,
        "invest_threshold": 0.9,
        "invest_after_months": 2,
        "invest_step": 0.5,
    }
}


def model():
    return EcommerceModel(make_spec({"platforms": PLATFORMS, "logistics": LOGISTICS}), rng=3)


def test_agents_are_mesa_agents_of_the_model():
    m = model()
    kinds = {type(a).__name__ for a in m.agents}
    assert kinds == {"Platform", "LogisticsProvider", "GovernmentFunder"}
    assert len(m.agents_by_type[type(m.platforms[0])]) == 2


def test_network_effect_more_sellers_more_buyers():
    m = model()
    small = m.platforms[1]
    small.city_sellers = 0
    few = small.target_buyers(0)
    small.city_sellers = 300
    many = small.target_buyers(0)
    assert many / few == pytest.approx((400 / 100) ** 0.5)


def test_exogenous_buyer_trend():
    big = model().platforms[0]
    assert big.target_buyers(12) == pytest.approx(1e8 * np.exp(0.2))


def test_local_platform_is_settled_external_one_settles_with_its_hazard():
    m = model()
    big, small = m.platforms
    assert small.settled and not big.settled
    m.settlement_draws = np.array([0.01, 0.5])
    m.step_index = 4
    big.step()
    assert not big.settled  # no hazard, no settling
    m.effects.apply("settlement_hazard", 1.2, rows=[0])  # monthly 1 - e^-0.1 ≈ 0.095 > 0.01
    big.step()
    assert big.settled and big.settled_step == 4


def test_award_money_buys_buyers():
    small = model().platforms[1]
    before = small.buyers
    small.acquire_buyers(1000.0)
    assert small.buyers == pytest.approx(before + 100.0)


def test_logistics_congestion_raises_cost_and_delay():
    provider = model().providers[0]
    provider.record_month(5e4)
    provider.step()
    calm_cost, calm_days = provider.cost_per_parcel, provider.delivery_days
    assert calm_cost == pytest.approx(10.0 * ((5e4 + 5e4) / 1e5) ** -0.2)
    provider.record_month(1e5)  # utilisation 1.0, past the 0.8 threshold
    provider.step()
    scale = ((1e5 + 5e4) / 1e5) ** -0.2
    assert provider.cost_per_parcel == pytest.approx(10.0 * scale * 2.0)
    assert provider.delivery_days == pytest.approx(4.0) and calm_days == 2.0


def test_logistics_scale_economies_below_capacity():
    provider = model().providers[0]
    costs = []
    for parcels in (1e4, 4e4, 7e4):
        provider.record_month(parcels)
        provider.step()
        costs.append(provider.cost_per_parcel)
    assert costs[0] > costs[1] > costs[2]


def test_uncovered_rural_areas_pay_more_and_wait_longer():
    provider = model().providers[0]
    assert provider.area_cost(True) == pytest.approx(1.5 * provider.area_cost(False))
    assert provider.area_days(True) == pytest.approx(provider.area_days(False) + 1.0)


def test_provider_invests_after_busy_months_and_upgrades_apply():
    provider = model().providers[0]
    for _ in range(2):
        provider.record_month(0.95e5)
        provider.step()
    assert provider.capacity == pytest.approx(1.5e5)
    provider.upgrade(
        capacity_gain=1e4, cost_reduction=0.1, rural_coverage_gain=0.7, days_reduction=0.5
    )
    assert provider.capacity == pytest.approx(1.6e5)
    assert provider.base_cost == pytest.approx(9.0)
    assert provider.rural_coverage == 1.0 and provider.base_days == 1.5


def test_platforms_and_providers_book_the_months_flows():
    m = model()
    m.run()
    firms = m.firms
    online = firms.adopted & firms.alive & (firms.platform >= 0)
    booked = sum(p.city_sales for p in m.platforms)
    assert booked == pytest.approx(firms.online_sales[online].sum())
    assert sum(p.city_sellers for p in m.platforms) == online.sum()
    sectors = firms.sectors
    retail = firms.online_sales * sectors.retail_fraction[firms.sector]
    value = sectors.parcel_value[firms.sector]
    parcels = np.divide(retail, value, out=np.zeros(firms.size), where=value > 0)
    assert m.providers[0].parcels == pytest.approx(parcels[firms.adopted & firms.alive].sum())


def test_the_first_month_is_priced_from_the_initial_load():
    m = model()
    assert m.providers[0].parcels > 0  # the month before the start, booked at set-up
    assert all(p.volume_this_year == 0 for p in m.platforms)
    m.step()
    assert m.providers[0].utilisation > 0
