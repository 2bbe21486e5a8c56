"""The compiled monthly firm kernel: its tallies and tables agree with plain NumPy."""

import numpy as np
import pytest

from ecomsim.agents import firm_kernel as kernel
from ecomsim.agents.firms import SECTORS, SELLER_CLASSES, SIZE_CLASSES
from ecomsim.model.ecosystem import EcommerceModel


def numpy_totals(firms):
    """The month's totals recomputed from the firms' state with NumPy."""
    weight = np.ones(firms.size) if firms.weight is None else firms.weight
    alive = firms.alive
    online = alive & firms.adopted
    by_size = np.zeros((len(SELLER_CLASSES), 6))
    tables = firms.sectors.arrays()
    kind = (firms.size_class, firms.sector)
    enterprise = firms.size_class < len(SIZE_CLASSES)
    purchase_base = firms.revenue * tables.purchase_share[kind]
    columns = {
        kernel.LIVING: alive * 1.0,
        kernel.ADOPTERS: online * 1.0,
        kernel.REVENUE: alive * firms.revenue,
        kernel.PURCHASE_BASE: alive * purchase_base,
        kernel.SALES: online * firms.online_sales,
        kernel.PURCHASES: online * firms.online_purchases,
    }
    for column, values in columns.items():
        by_size[:, column] = np.bincount(
            firms.size_class, weights=weight * values, minlength=len(SELLER_CLASSES)
        )
    by_sector = np.stack(
        [
            np.bincount(firms.sector, weights=weight * alive * enterprise, minlength=len(SECTORS)),
            np.bincount(firms.sector, weights=weight * online * enterprise, minlength=len(SECTORS)),
        ],
        axis=1,
    )
    above_scale = alive & firms.above_scale()
    city = np.zeros(7)
    city[kernel.ABOVE_SCALE_LIVING] = weight @ above_scale
    city[kernel.ABOVE_SCALE_ADOPTERS] = weight @ (above_scale & online)
    retail = firms.online_sales * tables.retail_fraction[kind]
    value = tables.parcel_value[kind]
    parcels = np.divide(retail, value, out=np.zeros(firms.size), where=value > 0)
    city[kernel.RETAIL] = weight @ (online * retail)
    city[kernel.PARCELS] = weight @ (online * parcels)
    city[kernel.RURAL_PARCELS] = weight @ (online * firms.rural * parcels)
    city[kernel.ONLINE_SHARE] = weight @ (online * enterprise * firms.online_share)
    city[kernel.LISTED] = weight @ (alive & firms.listed)
    volume = firms.annual_online_volume()
    lines = firms.volume_lines  # the demo's firms_above lines
    above_volume = np.array([weight @ (online & (volume >= line)) for line in lines])
    platform_sales = np.bincount(
        np.maximum(firms.platform, 0),
        weights=weight * online * (firms.platform >= 0) * firms.online_sales,
        minlength=len(firms.totals.platform_sales),
    )
    return by_size, by_sector, city, above_volume, platform_sales


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_month_totals_match_a_numpy_recount(demo, scale):
    model = EcommerceModel(demo.spec, rng=4, scale=scale)
    for _ in range(14):
        model.step()
    firms = model.firms
    assert firms.adopted.any() and firms.alive.sum() < firms.size  # entrants and exits
    by_size, by_sector, city, above_volume, platform_sales = numpy_totals(firms)
    totals = firms.totals
    np.testing.assert_allclose(totals.by_size, by_size, rtol=1e-9)
    np.testing.assert_allclose(totals.by_sector, by_sector, rtol=1e-9)
    np.testing.assert_allclose(totals.city, city, rtol=1e-9)
    np.testing.assert_allclose(totals.above_volume, above_volume)
    assert above_volume.any()  # the demo declares a line its firms reach
    np.testing.assert_allclose(totals.platform_sales, platform_sales, rtol=1e-9)


def test_rows_not_yet_born_are_never_touched(demo):
    model = EcommerceModel(demo.spec, rng=2)
    firms = model.firms
    unborn = firms.birth_step[: firms.n_native] > 6
    revenue = firms.revenue[: firms.n_native][unborn].copy()
    for _ in range(6):
        model.step()
    assert unborn.any()
    np.testing.assert_array_equal(firms.revenue[: firms.n_native][unborn], revenue)
    assert not firms.adopted[: firms.n_native][unborn].any()


def test_benefit_table_prices_each_kind_of_firm(demo):
    model = EcommerceModel(demo.spec, rng=1)
    firms = model.firms
    market = firms.market_arrays(model.market_conditions())
    table = kernel.benefit_table(firms.sectors.arrays(), firms._rule_parameters, market)
    n_platforms = len(model.platforms)
    assert table.shape == (len(SELLER_CLASSES), len(SECTORS), n_platforms + 1, 2, 2, 2)
    # Enterprises of every size class gain the same per yuan; household kinds differ.
    np.testing.assert_array_equal(table[0], table[3])
    assert not np.allclose(table[0], table[len(SIZE_CLASSES)])
    table = table[0]
    # A platform with reach and commission differs from selling through one's own channel.
    assert not np.allclose(table[:, 0], table[:, 1])
    # The own channel pays no commission, so locality cannot matter there.
    np.testing.assert_array_equal(table[:, 0, 0], table[:, 0, 1])
    # Rural delivery costs more than urban for sectors that ship parcels.
    ships = firms.sectors.retail_fraction > 0  # of enterprises
    assert (table[ships, 0, 0, 1, 0] < table[ships, 0, 0, 0, 0]).all()


def test_one_event_draw_splits_into_switching_quitting_and_listing_bands(demo):
    """An online firm's month: switch with p_s, give up with p_q, list with p_l, never two."""
    model = EcommerceModel(demo.spec, rng=3)
    firms = model.firms
    active = firms.active_rows(0)
    online = firms.alive.copy()
    firms.adopted[:] = online
    firms.platform[online] = 0
    n = int(online.sum())
    p_switch, quit_rate, listing_rate = 0.2, 1.2, 2.4
    classes = firms._class_arrays._replace(abandonment_rate=np.full(len(SELLER_CLASSES), quit_rate))
    params = firms._rule_parameters._replace(
        benefit_sensitivity=0.0,
        switch_probability=p_switch,
        listing_rate=listing_rate,
        listing_min_volume=0.0,
    )
    market = firms.market_arrays(model.market_conditions())
    firm, sectors = firms.arrays(), firms.sectors.arrays()
    count = kernel.active_count(active)
    draws = np.random.default_rng(0).random(count).astype(np.float32)
    shocks = np.zeros(count, dtype=np.float32)
    peers = kernel.peer_groups(active, firm, classes, len(SECTORS), firms._n_clusters)
    _, switchers = kernel.decide(
        0, active, firm, sectors, classes, params, market, peers, shocks, draws
    )
    quitters = np.flatnonzero(firms.abandon_count > 0)
    kernel.flow_month(
        1, active, firm, sectors, classes, params, market, draws, firms.volume_lines, True
    )
    listed = np.flatnonzero(firms.listed)

    def expect(rows, probability):
        spread = 4 * np.sqrt(n * probability * (1 - probability))
        assert abs(rows.size - n * probability) < spread

    expect(switchers, p_switch)
    expect(quitters, 1 - np.exp(-quit_rate / 12))  # β = 0: the base rate
    expect(listed, 1 - np.exp(-listing_rate / 12))
    assert not set(switchers) & set(quitters)
    assert not set(listed) & (set(switchers) | set(quitters))
