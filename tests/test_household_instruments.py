"""Instruments aimed at household sellers: Taobao-village support, brand lines, and the general
kinds (training, parks, grants) aimed at them by seller kind."""

import numpy as np
import pytest
from support import (
    HOUSEHOLDS,
    INDIVIDUALS_COURSE,
    ONE_HOUSEHOLD_SHOP,
    SELF_EMPLOYED,
    household_rows,
    make_spec,
    run_model,
    with_fund,
)

from ecomsim.agents.firms import SECTORS, SELLER_CLASSES
from ecomsim.model.ecosystem import EcommerceModel
from ecomsim.model.run import run_scenario

#: Clustered self-employed sellers only, no demography: clusters are the story.
VILLAGERS = {
    "households": {
        "self_employed": {
            **SELF_EMPLOYED,
            "count": 6000,
            "clustered_share": 1.0,
            "initial_adoption": 0.03,
            "entry_rate": 0.0,
            "exit_rate": 0.0,
        },
        "clusters": {"count": 30, "size_dispersion": 1.0},
    },
    "scenario": {"end": "2017-12"},
}


def merge_villages(clusters: dict) -> dict:
    """``VILLAGERS`` with ``clusters`` merged into its ``[households.clusters]``."""
    households = VILLAGERS["households"]
    return {
        **VILLAGERS,
        "households": {**households, "clusters": {**households["clusters"], **clusters}},
    }


VILLAGE_SUPPORT = {
    "kind": "cluster_support",
    "min_shops": 20,
    "amount": 1e5,
    "peer_multiplier": 2.0,
    "setup_discount": 0.5,
}


def ledger(model, name):
    paid = model.funder.ledger.to_frame()
    return paid[paid["instrument"] == name]


def steps(model, months):
    for _ in range(months):
        model.step()


# ---------------------------------------------------------------- cluster_support
def test_clusters_qualify_by_their_online_shops_most_shops_first():
    spec = with_fund({"villages": VILLAGE_SUPPORT}, **VILLAGERS)
    model = EcommerceModel(spec, rng=5, policy=False)
    steps(model, 12)
    firms = model.firms
    rows = household_rows(firms)
    online = firms.alive[rows] & firms.adopted[rows]
    shops = np.bincount(firms.cluster[rows][online], minlength=30)
    living, counted, sales = firms.cluster_totals()
    np.testing.assert_array_equal(counted, shops)
    assert living.sum() == firms.alive[rows].sum()
    assert sales.sum() == pytest.approx(12 * firms.online_sales[rows].sum())
    ids = spec.instruments["villages"].qualifying(model)
    assert set(ids) == set(np.flatnonzero(shops >= 20)) and ids.size > 0
    assert (np.diff(shops[ids]) <= 0).all()  # most shops first


def test_cluster_support_pays_each_supported_cluster_once_a_year_within_its_slots():
    support = {**VILLAGE_SUPPORT, "slots_per_year": 5}
    model = run_model(with_fund({"villages": support}, **VILLAGERS), seed=5)
    paid = ledger(model, "villages")
    assert (paid["recipient_kind"] == "cluster").all() and (paid["amount"] == 1e5).all()
    years = paid.groupby(paid["step"] // 12)
    assert years.size().max() <= 5 and years["step"].nunique().max() == 1  # one round a year
    assert years["recipient"].apply(lambda r: r.is_unique).all()
    assert model.funder.refused[("villages", "slots")] > 0


def test_a_sales_threshold_and_an_earmark_narrow_the_supported_clusters():
    rich = {**VILLAGE_SUPPORT, "min_annual_sales": 1e9}  # no village sells 10 亿 a year
    model = run_model(with_fund({"villages": rich}, **VILLAGERS), seed=5)
    assert len(ledger(model, "villages")) == 0
    capped = {**VILLAGE_SUPPORT, "max_per_year": 3e5}  # three clusters' worth a year
    model = run_model(with_fund({"villages": capped}, **VILLAGERS), seed=5)
    paid = ledger(model, "villages")
    assert paid.groupby(paid["step"] // 12).size().max() == 3
    assert model.funder.refused[("villages", "budget")] > 0


def test_supported_clusters_offline_sellers_get_the_effects_and_no_one_else():
    spec = with_fund({"villages": VILLAGE_SUPPORT}, **VILLAGERS)
    model = EcommerceModel(spec, rng=5)
    steps(model, 13)  # the 2016 round was held in January; its effects hold for the year
    supported = model.funder.memory("villages")["supported"]
    assert supported.size > 0
    model.effects.reset()
    model.funder.prepare()
    firms = model.firms
    members = np.isin(firms.cluster, supported) & firms.alive & ~firms.adopted
    peers = model.effects.get("cluster_peer_multiplier")
    discount = model.effects.get("setup_discount")
    assert (peers[members] == 2.0).all() and (peers[~members] == 1.0).all()
    assert (discount[members] == 0.5).all() and (discount[~members] == 0.0).all()


def test_support_lasts_into_january_and_ends_after_a_refused_round():
    from ecomsim.model.instruments.base import first_call_this_year, funded_in

    memory: dict = {}
    assert first_call_this_year(memory, 2015) and not first_call_this_year(memory, 2015)
    memory["funded_year"] = 2015
    assert funded_in(memory, 2015) and funded_in(memory, 2016)  # renewal still to come
    first_call_this_year(memory, 2016)  # the 2016 round is held and refused
    assert not funded_in(memory, 2016)


def test_village_support_makes_more_villages_tip_than_without_it():
    """Support that follows a village's own adoption: shops and Taobao villages emerge."""
    spec = with_fund({"villages": VILLAGE_SUPPORT}, **VILLAGERS)
    ends = {}
    for policy in (True, False):
        model = EcommerceModel(spec, rng=5, policy=policy)
        model.run()
        living, shops, _ = model.firms.cluster_totals()
        ends[policy] = (shops, shops / np.maximum(living, 1))
    (shops, share), (shops_cf, share_cf) = ends[True], ends[False]
    assert shops.sum() > 1.2 * shops_cf.sum()
    assert (shops >= 20).sum() > (shops_cf >= 20).sum()
    assert share.std() > share_cf.std()  # adoption spreads more unevenly, village by village


def test_cluster_support_is_deadweight_where_the_village_tipped_anyway():
    spec = with_fund({"villages": VILLAGE_SUPPORT}, **VILLAGERS)
    result = run_scenario(spec, seed=5)
    paid = result.payments[result.payments["instrument"] == "villages"]
    assert paid["deadweight"].notna().all() and paid["deadweight"].any()
    pilots = with_fund(
        {"villages": {**VILLAGE_SUPPORT, "min_shops": 0, "slots_per_year": 3}}, **VILLAGERS
    )
    result = run_scenario(pilots, seed=5)
    paid = result.payments[result.payments["instrument"] == "villages"]
    assert len(paid) == 9 and paid["deadweight"].isna().all()  # three pilots a year, no test


def test_taobao_villages_count_the_clusters_over_both_lines_each_december():
    spec = make_spec(merge_villages({"village_shops": 20, "village_annual_sales": 1e5}))
    model = EcommerceModel(spec, rng=5, policy=False)
    steps(model, 12)
    assert model.month.month == 12
    _, shops, sales = model.firms.cluster_totals()
    expected = np.count_nonzero((shops >= 20) & (sales >= 1e5))
    assert 0 < expected < 30
    assert model.indicators["taobao_villages"] == expected
    steps(model, 1)  # January repeats December's assessment, whatever happened since
    assert model.indicators["taobao_villages"] == expected
    rich = make_spec(merge_villages({"village_shops": 20, "village_annual_sales": 1e12}))
    model = EcommerceModel(rich, rng=5, policy=False)
    steps(model, 12)
    assert model.indicators["taobao_villages"] == 0  # shops alone do not make a village


def test_a_sample_keeps_whole_clusters_each_standing_for_several():
    full = EcommerceModel(make_spec(VILLAGERS), rng=5, policy=False).firms
    sample = EcommerceModel(make_spec(VILLAGERS), rng=5, policy=False, scale=0.5).firms
    kept = np.unique(sample.cluster[household_rows(sample)])
    assert 0 < kept.size < 30
    assert sample.cluster_weight == pytest.approx(30 / kept.size)
    # A kept cluster has about its full membership: the kept clusters' mean size is the
    # city's mean cluster size, not half of it (as scattered members would give).
    members = np.bincount(full.cluster[household_rows(full)], minlength=30)
    sampled = np.bincount(sample.cluster[household_rows(sample)], minlength=30)[kept]
    assert sampled.mean() == pytest.approx(members.mean(), rel=0.35)
    living, _, _ = sample.cluster_totals()
    assert living[kept].sum() * sample.cluster_weight == pytest.approx(
        sample.total(sample.alive & (sample.cluster >= 0))
    )


def test_a_sampled_run_pays_each_kept_cluster_for_the_clusters_it_stands_for():
    support = {**VILLAGE_SUPPORT, "slots_per_year": 6}
    model = EcommerceModel(with_fund({"villages": support}, **VILLAGERS), rng=5, scale=0.5)
    model.run()
    paid = ledger(model, "villages")
    weight = model.firms.cluster_weight
    assert weight > 1 and len(paid) > 0
    assert np.allclose(paid["amount"], 1e5 * weight)
    awards = model.funder.awards_by_year
    assert all(count <= 6 + weight for (name, _), count in awards.items() if name == "villages")


def test_a_city_without_household_sellers_supports_no_cluster():
    model = run_model(with_fund({"villages": VILLAGE_SUPPORT}))
    assert len(ledger(model, "villages")) == 0


# ---------------------------------------------------------------- brand_support
BRAND = {
    "kind": "brand_support",
    "lines": 3,
    "cost_per_line_per_year": 5e5,
    "cap": 4e5,
    "extra_reach": 0.3,
    "eligibility": {"sectors": ["manufacturing"], "local": True},
}


def test_brand_lines_are_paid_once_a_year_per_line_up_to_the_cap():
    model = run_model(with_fund({"brands": BRAND}, **HOUSEHOLDS))
    paid = ledger(model, "brands")
    assert len(paid) == 6 and (paid["amount"] == 4e5).all()  # 3 lines, 2 years, capped
    assert (paid["recipient_kind"] == "institution").all()
    assert sorted(paid["step"].unique()) == [0, 12]


def test_brand_reach_goes_to_eligible_sellers_online_or_not():
    model = EcommerceModel(with_fund({"brands": BRAND}, **HOUSEHOLDS), rng=2)
    steps(model, 2)
    model.effects.reset()
    model.funder.prepare()
    firms = model.firms
    eligible = firms.alive & firms.local & (firms.sector == SECTORS.index("manufacturing"))
    reach = model.effects.get("extra_reach")
    assert (reach[eligible] == 0.3).all() and (reach[~eligible] == 0.0).all()
    assert (~firms.adopted[eligible]).any()  # non-adopters see it too (it enters their U)


def test_a_brand_funded_in_part_brings_that_share_of_its_reach():
    model = EcommerceModel(with_fund({"brands": {**BRAND, "slots_per_year": 2}}), rng=2)
    steps(model, 2)
    model.effects.reset()
    model.funder.prepare()
    assert model.effects.get("extra_reach").max() == pytest.approx(0.2)


def test_no_brand_line_is_paid_without_a_seller_to_sell_it():
    agriculture = {**BRAND, "eligibility": {"sectors": ["agriculture"]}}  # no farm sellers here
    model = run_model(with_fund({"brands": agriculture}))
    assert len(ledger(model, "brands")) == 0


def test_a_brand_raises_the_sales_and_adoption_of_its_sellers():
    spec = with_fund({"brands": BRAND}, **HOUSEHOLDS)
    runs = {}
    for policy in (True, False):
        model = EcommerceModel(spec, rng=3, policy=policy)
        model.run()
        runs[policy] = model.firms
    firms, cf = runs[True], runs[False]
    eligible = firms.alive & firms.local & (firms.sector == SECTORS.index("manufacturing"))
    assert firms.online_sales[eligible].sum() > 1.2 * cf.online_sales[eligible].sum()
    assert firms.adopted[eligible].sum() > cf.adopted[eligible].sum()
    others = firms.alive & ~eligible & firms.adopted & cf.adopted
    assert firms.online_sales[others].sum() == pytest.approx(cf.online_sales[others].sum(), 0.05)


def test_extra_reach_adds_to_a_sellers_uplift_in_its_flows():
    """One household shop, fully online, no platform: its sales grow by the brand's reach."""
    shop = dict(ONE_HOUSEHOLD_SHOP)
    changes = {
        "households": {"self_employed": shop},
        "adoption": {"innovation": 0.0, "imitation": 0.0, "deepening_rate": 0.0},
    }
    brand = {**BRAND, "eligibility": {"seller_kinds": ["self_employed"]}, "cap": None}
    model = EcommerceModel(with_fund({"brands": brand}, **changes), rng=1)
    steps(model, 2)  # funded in the first month; the reach holds from the second
    firms = model.firms
    row = household_rows(firms)[0]
    assert firms.online_sales[row] == pytest.approx(firms.revenue[row] / 12 * 0.5 * 1.3)


# ---------------------------------------------------------------- general kinds aimed at households
def test_an_incubator_park_admits_only_the_seller_kinds_it_names():
    incubator = {
        "kind": "park",
        "parks": 2,
        "places_per_park": 100,
        "eligibility": {"seller_kinds": ["individual"]},
    }
    spec = with_fund(
        {"incubator": incubator}, **HOUSEHOLDS, adoption={"park": {"setup_discount": 0.4}}
    )
    model = EcommerceModel(spec, rng=4)
    before = model.firms.setup_cost()
    steps(model, 1)
    firms = model.firms
    members = np.flatnonzero(firms.in_park)
    assert members.size == 200
    assert (firms.size_class[members] == SELLER_CLASSES.index("individual")).all()
    np.testing.assert_allclose(firms.setup_cost(members), 0.6 * before[members])


def test_a_household_course_in_a_city_without_households_is_not_held():
    course = INDIVIDUALS_COURSE
    assert len(ledger(run_model(with_fund({"course": course})), "course")) == 0
    assert len(ledger(run_model(with_fund({"course": course}, **HOUSEHOLDS)), "course")) == 24


def test_a_cost_share_grant_covers_what_the_seller_pays_after_the_village_bears_its_part():
    grant = {
        "kind": "adoption_grant",
        "cost_share": 0.5,
        "eligibility": {"seller_kinds": ["self_employed"]},
    }
    spec = with_fund({"villages": VILLAGE_SUPPORT, "grant": grant}, **VILLAGERS)
    model = EcommerceModel(spec, rng=5)
    steps(model, 18)
    paid = ledger(model, "grant")
    supported = model.funder.memory("villages")["supported"]
    later = paid[paid["step"] >= 13]  # months the 2016 round's support holds
    inside = np.isin(model.firms.cluster[later["recipient"]], supported)
    assert inside.any() and (~inside).any()
    full = 0.5 * model.firms.setup_cost(later["recipient"].to_numpy())
    np.testing.assert_allclose(later["amount"][inside], 0.5 * full[inside])
    np.testing.assert_allclose(later["amount"][~inside], full[~inside])


def test_a_scenario_can_aim_brand_and_village_support_at_households_only():
    spec = make_spec(
        {
            **VILLAGERS,
            "instruments": {
                "fund": {"kind": "standing_fund", "budget_per_year": 1e7},
                "villages": VILLAGE_SUPPORT,
                "brands": {**BRAND, "eligibility": {"seller_kinds": ["self_employed"]}},
            },
        }
    )
    assert spec.instruments["villages"].kind == "cluster_support"
    assert spec.instruments["brands"].size_fields[-1] == "lines"


def test_an_incubator_with_nobody_to_admit_pays_no_operator():
    incubator = {
        "kind": "park",
        "parks": 2,
        "places_per_park": 100,
        "subsidy_per_park_per_year": 1e5,
        "eligibility": {"seller_kinds": ["individual"]},
    }
    assert len(ledger(run_model(with_fund({"incubator": incubator})), "incubator")) == 0
    with_people = run_model(with_fund({"incubator": incubator}, **HOUSEHOLDS))
    assert len(ledger(with_people, "incubator")) == 4  # two operators, two years
