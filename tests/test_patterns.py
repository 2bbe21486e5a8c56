"""Patterns the model must reproduce at the system level (pattern-oriented checks)."""

from support import make_spec, with_fund

from ecomsim.model.run import run_scenario

PLATFORMS = {
    "external": {"kind": "b2c", "commission": 0.05, "buyers": 3e8, "buyer_growth": 0.2},
    "local": {
        "kind": "b2c",
        "local": True,
        "commission": 0.03,
        "buyers": 2e6,
        "network_elasticity": 0.6,
        "external_sellers": 50,
        "reference_sellers": 300,
        "adjustment_rate": 0.2,
    },
}
CONTESTED = {
    "platforms": PLATFORMS,
    "firms": {"local_share": 1.0},
    "adoption": {
        "reach_gain": 0.05,
        "switch_rate": 0.5,
        "platform_choice": {
            "buyers_weight": 0.3,
            "commission_weight": 20.0,
            "local_preference": 0.8,
            "taste_scale": 0.5,
        },
    },
    "scenario": {"end": "2017-12"},
}


def local_seller_share(spec):
    platforms = run_scenario(spec, 1, counterfactual=False).platforms
    sellers = platforms.pivot(index="date", columns="platform", values="sellers")
    return (sellers["local"] / sellers.sum(axis=1)).to_numpy()


def test_an_external_platform_squeezes_a_local_one_and_local_emphasis_pushes_back():
    # Dongguan's complaint: the external platform's growing buyer base draws sellers away.
    alone = local_seller_share(make_spec(CONTESTED))
    assert alone[0] > 0.2 and alone[-1] < alone[0] - 0.03
    # A commission rebate for local sellers on the local platform reverses the drift, and
    # the network effect then grows the local platform's buyers.
    helped = local_seller_share(
        with_fund({"local": {"kind": "local_emphasis", "commission_rebate": 0.8}}, **CONTESTED)
    )
    assert helped[-1] > helped[0] + 0.05 and helped[-1] > alone[-1] + 0.1


def test_parcel_demand_near_capacity_raises_delivery_cost():
    def mean_cost(capacity):
        logistics = {
            "express": {
                "capacity": capacity,
                "cost_per_parcel": 8.0,
                "congestion_threshold": 0.8,
                "congestion_cost": 1.0,
            }
        }
        spec = make_spec({"logistics": logistics, "scenario": {"end": "2015-06"}})
        return run_scenario(spec, 1, counterfactual=False).timeseries["mean_delivery_cost"]

    roomy, tight = mean_cost(1e9), mean_cost(5e4)
    assert (roomy == 8.0).all()
    assert (tight.iloc[1:] > 8.0).all()
