"""Household sellers: their rows, their rules, and the outcomes defined as the statistics are."""

import numpy as np
import pytest
from support import (
    HOUSEHOLDS,
    INDIVIDUALS_COURSE,
    ONE_HOUSEHOLD_SHOP,
    SELF_EMPLOYED,
    household_rows,
    make_spec,
    with_fund,
)

from ecomsim.agents import firm_rules as rules
from ecomsim.agents.firms import HOUSEHOLD_KINDS, SELLER_CLASSES, SIZE_CLASSES
from ecomsim.model.calendar import Month
from ecomsim.model.ecosystem import EcommerceModel


def test_household_sellers_are_rows_after_the_enterprises_and_candidates():
    model = EcommerceModel(make_spec(HOUSEHOLDS), rng=1)
    firms = model.firms
    rows = household_rows(firms)
    assert rows.size == firms.n_households and rows[0] == firms.households_start
    initial = firms.birth_step[rows] == 0
    kinds = firms.size_class[rows][initial]
    assert (kinds == SELLER_CLASSES.index("self_employed")).sum() == 3000
    assert (kinds == SELLER_CLASSES.index("individual")).sum() == 1000
    # In order of birth, so the born are a prefix of the block; local, never in a park.
    assert np.all(np.diff(firms.birth_step[rows]) >= 0)
    assert firms.local[rows].all() and not firms.in_park[rows].any()
    # About half live in a cluster; the rest have none.
    clustered = firms.cluster[rows] >= 0
    assert 0.45 < clustered.mean() < 0.55
    assert firms.cluster[rows].max() < 20
    assert (firms.cluster[: firms.households_start] == -1).all()
    # No size class: enterprise eligibility by size never reaches them, kinds do.
    assert not firms.in_size_classes(SIZE_CLASSES)[rows].any()
    assert firms.of_kinds(HOUSEHOLD_KINDS)[rows].all()
    assert not firms.of_kinds(["enterprise"])[rows].any()
    assert not firms.above_scale()[rows].any()


def test_a_households_draws_do_not_depend_on_the_enterprises_or_the_horizon():
    base = EcommerceModel(make_spec(HOUSEHOLDS), rng=2).firms
    more_firms = EcommerceModel(make_spec({**HOUSEHOLDS, "firms": {"count": 3000}}), rng=2).firms
    longer = EcommerceModel(make_spec(HOUSEHOLDS), rng=2, until=Month(2019, 12)).firms
    a, b = household_rows(base), household_rows(more_firms)
    np.testing.assert_array_equal(base.revenue[a], more_firms.revenue[b])
    np.testing.assert_array_equal(base.cluster[a], more_firms.cluster[b])
    c = household_rows(longer)[: a.size]
    np.testing.assert_array_equal(base.revenue[a], longer.revenue[c])
    np.testing.assert_array_equal(base.birth_step[a], longer.birth_step[c])


def test_household_kinds_have_their_own_ceiling_parcels_and_no_purchases():
    model = EcommerceModel(make_spec(HOUSEHOLDS), rng=1)
    tables = model.sectors.arrays()
    trade = 1  # SECTORS.index("trade")
    own, person = SELLER_CLASSES.index("self_employed"), SELLER_CLASSES.index("individual")
    assert tables.sales_ceiling[own, trade] == 0.6
    assert tables.sales_ceiling[person, trade] == 1.0
    assert tables.parcel_value[own, trade] == 80
    assert tables.purchase_share[person, trade] == 0.0
    assert tables.purchase_share[own, trade] == tables.purchase_share[0, trade]
    assert tables.new_business[person, trade] == 1.0 and tables.new_business[0, trade] == 0.0
    assert np.isinf(tables.above_scale_revenue[own]).all()


def test_new_business_earns_the_whole_margin():
    common = dict(
        sales_ceiling=1.0,
        uplift=0.2,
        margin=0.3,
        channel_saving=0.05,
        commission=0.0,
        retail_fraction=0.0,
        parcel_value=100.0,
        parcel_cost=10.0,
        purchase_share=0.0,
        purchase_ceiling=0.0,
        purchase_saving=0.0,
    )
    moved = rules.benefit_per_yuan(**common)
    new = rules.benefit_per_yuan(**common, new_business=1.0)
    half = rules.benefit_per_yuan(**common, new_business=0.5)
    assert moved == pytest.approx(0.2 * 0.3 + 0.05)
    assert new == pytest.approx(1.2 * 0.3)
    assert half == pytest.approx((moved + new) / 2)


def test_enterprise_indicators_leave_households_out_and_shops_count_everyone():
    model = EcommerceModel(make_spec(HOUSEHOLDS), rng=3)
    model.step()
    firms, out = model.firms, model.indicators
    enterprises = firms.of_kinds(["enterprise"]) & firms.alive
    households = firms.of_kinds(HOUSEHOLD_KINDS) & firms.alive
    assert out["firms"] == enterprises.sum()
    assert out["adopters"] == (enterprises & firms.adopted).sum()
    assert out["household_sellers"] == households.sum()
    assert out["online_shops_household"] == (households & firms.adopted).sum()
    assert out["online_shops"] == out["adopters"] + out["online_shops_household"]
    own = firms.alive & (firms.size_class == SELLER_CLASSES.index("self_employed"))
    assert out["adoption_rate_self_employed"] == pytest.approx(
        (own & firms.adopted).sum() / own.sum()
    )
    sales = firms.online_sales[households & firms.adopted].sum()
    assert out["online_sales_household"] == pytest.approx(sales)


def test_a_synthetic_month_gives_the_parcels_and_retail_the_statistics_count():
    """One enterprise and one household shop, both fully online, nothing random in the way."""
    spec = make_spec(
        {
            "economy": {"other_express": {"items_per_month": 300, "growth": 0.44}},
            "firms": {
                "count": 1,
                "size_shares": {"micro": 1.0, "large": None},
                "sector_shares": {"trade": 1.0, "manufacturing": None},
                "revenue": {"micro": {"median": 1.2e6, "dispersion": 0.0}},
                "initial_adoption": {"micro": 1.0},
                "initial_depth": 1.0,
            },
            "adoption": {
                "innovation": 0.0,
                "imitation": 0.0,
                "deepening_rate": 0.0,
                "benefit_sensitivity": 0.0,
            },
            "households": {
                "self_employed": ONE_HOUSEHOLD_SHOP,
            },
        }
    )
    model = EcommerceModel(spec, rng=1)
    for _ in range(6):
        model.step()
    out = model.indicators
    # Enterprise: 1.2e6/12 × 0.4 ceiling = 40 000 of sales, half retail (trade), 100 a parcel.
    # Household: 2.4e5/12 × 0.5 = 10 000 of sales, all retail, 50 a parcel.
    assert out["online_retail"] == pytest.approx(20_000 + 10_000)
    assert out["ecommerce_parcels"] == pytest.approx(200 + 200)
    # The sixth month is 5/12 of a year after the start: 300 × 1.44^(5/12) other items.
    assert out["parcels"] == pytest.approx(400 + 300 * 1.44 ** (5 / 12))
    purchases = 1.2e6 / 12 * 0.6 * 0.3  # trade buys 60 % of revenue, 30 % of it online
    household_purchases = 2.4e5 / 12 * 0.6 * 0.3
    assert out["online_purchases"] == pytest.approx(purchases + household_purchases)
    assert out["transaction_volume"] == pytest.approx(
        40_000 + 10_000 + purchases + household_purchases
    )


def test_cluster_peers_make_adoption_cluster_by_village():
    """With peers in their village, some villages tip and others lag (Taobao villages)."""

    def spread(weights):
        kind = {**SELF_EMPLOYED, "count": 6000, "clustered_share": 1.0, "innovation": 0.05}
        kind.update(imitation=2.0, peer_weights=weights, initial_adoption=0.02, exit_rate=0.0)
        spec = make_spec(
            {
                "households": {"self_employed": kind, "clusters": {"count": 30}},
                "scenario": {"end": "2017-12"},
                "adoption": {"benefit_sensitivity": 0.0},  # peers alone decide (Bass-like)
            }
        )
        model = EcommerceModel(spec, rng=5)
        model.run()
        firms = model.firms
        rows = household_rows(firms)
        alive = firms.alive[rows]
        cluster = firms.cluster[rows][alive]
        shares = np.bincount(cluster, weights=firms.adopted[rows][alive]) / np.bincount(cluster)
        return shares.std()

    assert spread({"market": 0.0, "cluster": 1.0}) > 2 * spread({"market": 1.0, "cluster": 0.0})


def test_instruments_reach_seller_kinds_by_eligibility():
    spec = with_fund(
        {
            "shops": {
                "kind": "adoption_grant",
                "amount": 1e3,
                "eligibility": {"seller_kinds": ["self_employed", "individual"]},
            }
        },
        **HOUSEHOLDS,
    )
    model = EcommerceModel(spec, rng=4)
    for _ in range(6):
        model.step()
    paid = model.funder.ledger.to_frame()
    assert len(paid) > 0
    assert (model.firms.size_class[paid["recipient"].to_numpy()] >= len(SIZE_CLASSES)).all()


def test_a_net_merchant_course_trains_only_the_kinds_it_names():
    spec = with_fund(
        {
            "young_net_merchants": {
                **INDIVIDUALS_COURSE,
                "eligibility": {"seller_kinds": ["individual"], "adopted": False},
            }
        },
        **HOUSEHOLDS,
    )
    model = EcommerceModel(spec, rng=6)
    before = model.firms.skill.copy()
    for _ in range(3):
        model.step()
    firms = model.firms
    trained = np.flatnonzero(firms.trained > 0)
    assert trained.size > 0
    assert (firms.size_class[trained] == SELLER_CLASSES.index("individual")).all()
    assert (firms.skill[trained] > before[trained]).all()
