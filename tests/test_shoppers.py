"""The buyers who came online: the national online-shopper series and what follows it."""

import math

import numpy as np
import pytest
from support import make_spec, refused

from ecomsim.agents.firms import SELLER_CLASSES
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.scenarios.schema import OnlineShoppers

# CNNIC online shoppers at the year's end (persons), as PREPLAN_STATS A4 gives them.
CNNIC = {2009: 1.08e8, 2010: 1.605e8, 2011: 1.94e8, 2012: 2.42e8}
SERIES = {"end_of_year": CNNIC, "ceiling": 9e8}


def test_the_series_is_its_figures_at_year_ends_and_log_linear_between():
    shoppers = OnlineShoppers(**SERIES)
    assert shoppers.at(2012.0) == pytest.approx(1.94e8)  # the end of 2011
    middle = shoppers.at(2012.5)
    assert middle == pytest.approx(math.sqrt(1.94e8 * 2.42e8))


def test_before_the_series_it_goes_back_at_the_first_years_growth():
    shoppers = OnlineShoppers(**SERIES)
    assert shoppers.at(2009.0) == pytest.approx(1.08e8 * 1.08e8 / 1.605e8)


def test_after_the_series_it_slows_along_a_logistic_toward_the_ceiling():
    shoppers = OnlineShoppers(**SERIES)
    last_growth = math.log(2.42e8 / 1.94e8)
    # It starts at the last year's growth, ...
    step = 1e-4
    start_growth = math.log(shoppers.at(2013.0 + step) / shoppers.at(2013.0)) / step
    assert start_growth == pytest.approx(last_growth, rel=1e-3)
    # ... slows every year, and never reaches the ceiling.
    levels = np.array([shoppers.at(2013.0 + k) for k in range(30)])
    growth = np.diff(np.log(levels))
    assert (np.diff(growth) < 0).all()
    assert levels[-1] < 9e8 and levels[-1] > 0.95 * 9e8


def test_a_series_past_the_plan_start_is_refused():
    message = refused(
        {
            "scenario": {"plan_start": "2015-07"},
            "economy": {"online_shoppers": {"end_of_year": {2014: 3e8, 2015: 4e8}, "ceiling": 9e8}},
        }
    )
    assert "economy.online_shoppers.end_of_year" in message and "2015" in message


def test_a_ceiling_below_the_figures_and_a_gap_in_years_are_refused():
    low = refused({"economy": {"online_shoppers": {**SERIES, "ceiling": 2e8}}})
    assert "ceiling" in low
    gap = refused({"economy": {"online_shoppers": {"end_of_year": {2010: 1e8, 2012: 2e8}}}})
    assert "consecutive" in gap or "ceiling" in gap


def test_a_platform_following_the_shoppers_needs_the_series():
    platform = {"kind": "b2c", "commission": 0.02, "buyers": 1e8, "buyer_trend": "online_shoppers"}
    message = refused({"platforms": {"tmall": platform}})
    assert "platforms.tmall.buyer_trend" in message


SCENARIO = {
    "scenario": {"start": "2013-01", "end": "2014-12"},
    "economy": {"online_shoppers": SERIES},
    "platforms": {
        "tmall": {
            "kind": "b2c",
            "commission": 0.02,
            "buyers": 2.42e8,
            "buyer_trend": "online_shoppers",
        }
    },
}


def test_platform_buyers_grow_as_the_countrys_online_shoppers():
    model = EcommerceModel(make_spec(SCENARIO), rng=1)
    shoppers = OnlineShoppers(**SERIES)
    platform = model.platforms[0]
    assert platform.target_buyers(12) == pytest.approx(2.42e8 * shoppers.at(2014.0) / 2.42e8)
    for _ in range(12):
        model.step()
    assert platform.buyers > 2.42e8  # the gap closes month by month (adjustment rate 1)


def test_household_demand_grows_with_the_shoppers():
    kind = {
        "count": 100,
        "revenue": {"median": 1e5},
        "online_sales_ceiling": 1.0,
        "demand_elasticity": 1.0,
    }
    model = EcommerceModel(make_spec({**SCENARIO, "households": {"individuals": kind}}), rng=1)
    model.step()
    tables = model.sectors.arrays()
    person = SELLER_CLASSES.index("individual")
    growth = model.shopper_growth(0)
    assert growth > 0.1
    assert tables.revenue_growth[person] == pytest.approx(tables.revenue_growth[0] + growth)
    needs_series = refused({"households": {"individuals": kind}})
    assert "households.individual.demand_elasticity" in needs_series
